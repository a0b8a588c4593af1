"""What one variant changes against another, for reviewers.

* protocol_diff(a, b): the unified diff of two rendered variants'
  protocol code (the hooks and the shared code, without the generated
  header or #line markers), hunks headed by the C function they are in
  as `git diff` does: pasteable under a patch's `---`.
* changes(base, other) / change_items(base, other) /
  change_summary(base, other, width): the parameters that differ, as
  records (report.json), one item per function, or as one line such
  as "aio_notify: fence smp_mb -> smp_wmb; accept: order seq_cst ->
  acquire" (report.txt, 72 columns).

Pure functions of Variants and RenderedVariants; `evaluate diff` and the
report call them.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from . import params as registry
from .render import GENERATED, RenderedVariant
from .variants import Variant

# How the one-line summary names the functions parameters change.
FUNCTION_LABELS = {
    "aio_notify": "aio_notify", "aio_notify_accept": "accept",
    "aio_poll_wait": "aio_poll", "aio_notifier_cb": "fd handler",
    "qemu_bh_schedule": "bh_schedule", "aio_compute_timeout": "timeout",
    "aio_bh_poll": "bh_poll", "aio_poll": "aio_poll",
}
_FUNCNAME = re.compile(r"^[A-Za-z_$]")


def protocol_lines(text: str) -> list[str]:
    """The protocol code of a rendered variant: no generated header, no
    #line markers."""
    lines = text.split("\n")
    if lines and lines[0].startswith(GENERATED):
        end = next(i for i, line in enumerate(lines) if "*/" in line)
        lines = lines[end + 1:]
    return [line for line in lines if not line.startswith("#line ")]


def _function_before(lines: list[str], index: int) -> str:
    """The last line before `index` that starts a definition (git's
    default funcname rule: a line starting with a letter or '_')."""
    for line in reversed(lines[:index]):
        if _FUNCNAME.match(line):
            return line.rstrip()
    return ""


def protocol_diff(a: RenderedVariant, b: RenderedVariant,
                  context: int = 3) -> str:
    """Unified diff of a's protocol code to b's ('' when equal)."""
    old, new = protocol_lines(a.text), protocol_lines(b.text)
    out = []
    for line in difflib.unified_diff(old, new, f"a/{a.filename}",
                                     f"b/{b.filename}", n=context,
                                     lineterm=""):
        hunk = re.match(r"^@@ -(\d+)(?:,\d+)? ", line)
        function = None
        if hunk:
            function = _function_before(old, max(int(hunk.group(1)) - 1, 0))
        out.append(f"{line} {function}" if function else line)
    return "\n".join(out) + ("\n" if out else "")


@dataclass(frozen=True)
class Change:
    """One parameter that differs between two variants."""

    param: str
    function: str          # the C function it changes (first of them)
    old: object
    new: object

    def to_json(self) -> dict:
        return {"param": self.param, "function": self.function,
                "old": self.old, "new": self.new}


def _matters(name: str, config) -> bool:
    param = registry.BY_NAME.get(name)
    return param is None or param.applies(config) is None


def changes(base: Variant, other: Variant) -> list[Change]:
    """Parameters with an effect in other whose values differ from
    base's.  One moot in other is covered by the change that made it
    moot; one moot in base has old None (it had no effect there)."""
    found = []
    for name, new in other.params.items():
        if name not in base.params or base.params[name] == new:
            continue
        if not _matters(name, other.params):
            continue
        param = registry.BY_NAME.get(name)
        function = param.changes[0] if param else other.hooks
        old = base.params[name] if _matters(name, base.params) else None
        found.append(Change(name, function, old, new))
    return found


def _word(value: object) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def change_items(base: Variant, other: Variant) -> list[str]:
    """What other changes, one item per function: "aio_notify: fence
    smp_mb -> smp_wmb"."""
    groups: dict[str, list[str]] = {}
    if base.hooks != other.hooks:
        groups.setdefault("hooks", []).append(other.hooks)
    for change in changes(base, other):
        param = registry.BY_NAME.get(change.param)
        label = param.label if param else change.param
        group = FUNCTION_LABELS.get(change.function, change.function)
        groups.setdefault(group, []).append(
            f"{label} {_word(change.new)}" if change.old is None else
            f"{label} {_word(change.old)} -> {_word(change.new)}")
    return [f"{group}: {', '.join(items)}" for group, items in groups.items()]


def change_summary(base: Variant, other: Variant, width: int = 72) -> str:
    """One line, at most `width` columns, of what other changes in base:
    every item if they fit, else tighter arrows, else the first items
    and how many more."""
    items = change_items(base, other)
    if not items:
        return "no change to the protocol"
    for arrow in (" -> ", "->"):
        tight = [item.replace(" -> ", arrow) for item in items]
        if len("; ".join(tight)) <= width:
            return "; ".join(tight)
    for keep in range(len(tight) - 1, 0, -1):
        line = "; ".join(tight[:keep]) + f"; +{len(tight) - keep} more"
        if len(line) <= width:
            return line
    more = f" (+{len(tight) - 1} more)" if len(tight) > 1 else ""
    return tight[0][:width - len(more) - 3] + "..." + more
