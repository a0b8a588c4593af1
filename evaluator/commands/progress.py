"""The one progress display of the CLI, on stderr.

One clock from the start of the run.  On a terminal a single status line
is rewritten in place; off a terminal (CI logs, `2> file`) a status
update is printed at most every INTERVAL seconds, so a long run writes a
few dozen lines, not one per harness process.  Notes (a stage starting,
a finding such as "X unsafe under c11") are always printed, each on its
own line.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
import time
from collections.abc import Callable
from typing import TextIO

INTERVAL = 10.0


class Progress:
    def __init__(self, stream: TextIO | None = None,
                 interval: float = INTERVAL):
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty()
        self.interval = interval
        self.started = time.monotonic()
        self.last = float("-inf")
        self.pending = False        # a status line is on the terminal

    def _stamp(self) -> str:
        return f"[{time.monotonic() - self.started:4.0f} s]"

    def _width(self) -> int:
        return shutil.get_terminal_size((80, 24)).columns - 1

    def _clear(self) -> None:
        if self.pending:
            self.stream.write("\r\033[K")
            self.pending = False

    def update(self, stage: str, text: str) -> None:
        """A status that replaces the previous one."""
        line = f"evaluate {self._stamp()} {stage}: {text}"
        now = time.monotonic()
        if self.tty:
            self._clear()
            self.stream.write(line[:self._width()])
            self.pending = True
        elif now - self.last >= self.interval:
            self.stream.write(line + "\n")
            self.last = now
        else:
            return
        self.stream.flush()

    def note(self, stage: str, text: str) -> None:
        """A line worth keeping, printed whatever the rate (wrapped at
        WARNING_WIDTH)."""
        self._clear()
        lines = textwrap.wrap(f"evaluate {self._stamp()} {stage}: {text}",
                              WARNING_WIDTH, subsequent_indent="    ",
                              break_on_hyphens=False)
        self.stream.write("\n".join(lines) + "\n")
        self.stream.flush()

    def stage(self, name: str) -> Callable[[str], None]:
        """A say(text) function for one stage's updates."""
        return lambda text: self.update(name, text)

    def done(self) -> None:
        self._clear()
        self.stream.flush()


WARNING_WIDTH = 100


def warn(text: str, stream: TextIO | None = None) -> None:
    """A warning or an unmet expectation on stderr, wrapped at
    WARNING_WIDTH (errors stay one line: the CLI prints those)."""
    out = stream if stream is not None else sys.stderr
    lines = textwrap.wrap(f"evaluate: {text}", WARNING_WIDTH,
                          subsequent_indent="    ", break_on_hyphens=False,
                          break_long_words=False)
    out.write("\n".join(lines) + "\n")
