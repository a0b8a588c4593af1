"""The one exception hierarchy of the tool.

Every error a user can cause is an EvaluateError.  Its message names
where the problem is (file and line when there is one), the bad value,
and what to do about it.  Only evaluator.cli turns these into an exit
status; no other module exits.
"""

from __future__ import annotations

from pathlib import Path


class EvaluateError(Exception):
    """Base class: a problem with the user's input or environment."""

    def __init__(self, message: str, *, path: Path | str | None = None,
                 line: int | None = None, hint: str | None = None):
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path + (f":{self.line}" if self.line else "") + ": "
        text = where + self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class SpecError(EvaluateError):
    """A variant spec (variants/*.toml) is malformed or inconsistent."""


class UnknownVariantError(SpecError):
    """A variant name that no spec file defines."""


class TemplateError(EvaluateError):
    """A template is missing, has a Jinja error, or does not match a spec."""


class CheckerError(EvaluateError):
    """The checker cannot read its input (unsupported C, bad litmus file)."""


class ModelBound(CheckerError):
    """A program beyond a bound of the model or of the checker itself
    (not the search budget): the values a looping thread writes under
    armv8 do not settle, a thread-local loop outruns the local-step
    bound.  A check reports it as verdict unknown, with the reason; a
    litmus run, as an error."""


class UnsupportedConstruct(CheckerError):
    """C outside the subset the checker understands."""


class LitmusSyntaxError(CheckerError):
    """A herd7 litmus file that does not parse."""


class LiftError(CheckerError):
    """Disassembled code the AArch64 lifter cannot turn into checker IR
    (an unknown instruction or call, named with function+offset)."""


class BuildError(EvaluateError):
    """A variant does not compile or cannot be disassembled."""


class BenchError(EvaluateError):
    """The benchmark harness failed in a way that is not a variant's fault."""


class ReportError(EvaluateError):
    """Saved samples or reports that cannot be read or merged."""


class AttachError(EvaluateError):
    """A file given to `evaluate attach` is not a git format-patch mail."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that the same cleanup runs (child
    processes killed, temporary files removed, the run's end recorded)."""


class RunInterrupted(Exception):
    """A run stopped by Ctrl-C or SIGTERM after its end was recorded; the
    message says what was kept and how to use it (exit status 130)."""
