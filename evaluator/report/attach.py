"""Put a plain-text report into a `git format-patch` mail, below the
`---` line that ends the commit message.

Everything between that line and the first `diff --git` is commentary:
it travels with the mail, reviewers see it, and `git am` leaves it out
of the commit.  The report goes there between a one-line header and an
end marker, so attaching again replaces the earlier block instead of
stacking a second one.

Entry points: attach_text(patch, report) -> str (pure) and
attach_report(report_path, patch_path) (reads, checks, writes
atomically; the patch is untouched on any error).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .. import fsutil
from ..errors import AttachError

HEADER = "=== evaluate report (below '---': not part of the commit) ==="
FOOTER = "=== end of evaluate report ==="
_MBOX_FROM = re.compile(r"^From [0-9a-f]{7,64} ")
# Lines git would read as the start of a patch, or mailsplit as a new mail.
_DANGEROUS = re.compile(r"^(diff --git |--- |\+\+\+ |@@ |Index: |"
                        r"From [0-9a-f]{7,64} )")


@dataclass(frozen=True)
class Attached:
    path: Path
    replaced: bool          # an earlier report block was replaced


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _newline(lines: list[str]) -> str:
    return "\r\n" if lines and lines[0].endswith("\r\n") else "\n"


def _check_patch(lines: list[str], where: str) -> tuple[int, int]:
    """(index of the '---' line, index of the first 'diff --git')."""
    if not lines or not _MBOX_FROM.match(lines[0]):
        raise AttachError(
            "not a git format-patch mail: the first line is not "
            "'From <commit> <date>'", path=where,
            hint="give a file written by 'git format-patch'")
    diff = next((i for i, line in enumerate(lines)
                 if line.startswith("diff --git ")), None)
    if diff is None:
        raise AttachError(
            "no 'diff --git' line: this mail carries no patch (a cover "
            "letter?)", path=where,
            hint="attach to a patch file, or paste the report into the "
                 "cover letter by hand")
    dashes = next((i for i, line in enumerate(lines[:diff])
                   if line.rstrip("\r\n") == "---"), None)
    if dashes is None:
        raise AttachError(
            "no '---' line between the commit message and the diff",
            path=where,
            hint="regenerate the mail with 'git format-patch' (the '---' "
                 "line marks where notes may go)")
    return dashes, diff


def _check_report(report: str, where: str) -> None:
    if not report.strip():
        raise AttachError("the report is empty", path=where)
    for number, line in enumerate(report.splitlines(), start=1):
        if _DANGEROUS.match(line):
            raise AttachError(
                f"report line would be read as patch or mail syntax: "
                f"{line[:40]!r}", path=where, line=number,
                hint="attach the report.txt that evaluate wrote")
        if line.strip() in (HEADER, FOOTER):
            raise AttachError("the report contains the attach markers",
                              path=where, line=number)


def _find_block(lines: list[str], start: int,
                end: int) -> tuple[int, int] | None:
    """[first, last] line indexes of an earlier block, or None."""
    stripped = [line.rstrip("\r\n") for line in lines]
    try:
        first = stripped.index(HEADER, start, end)
        last = stripped.index(FOOTER, first, end)
    except ValueError:
        return None
    return first, last


def attach_text(patch: str, report: str, *, patch_name: str = "PATCH",
                report_name: str = "REPORT") -> tuple[str, bool]:
    """The patch with the report attached, and whether a block was
    replaced.  Pure; raises AttachError on a file that is not a patch."""
    lines = _lines(patch)
    dashes, diff = _check_patch(lines, patch_name)
    _check_report(report, report_name)
    nl = _newline(lines)
    block = [HEADER + nl] + [line + nl for line in report.splitlines()]
    block += [FOOTER + nl, nl]
    old = _find_block(lines, dashes + 1, diff)
    if old is not None:
        first, last = old
        # drop the blank line we put after the footer last time
        if last + 1 < diff and not lines[last + 1].strip():
            last += 1
        lines[first:last + 1] = block
    else:
        lines[dashes + 1:dashes + 1] = block
    return "".join(lines), old is not None


def attach_report(report_path: Path, patch_path: Path) -> Attached:
    report_path, patch_path = Path(report_path), Path(patch_path)
    report = fsutil.read_text(report_path, "report", AttachError)
    patch = fsutil.read_text(patch_path, "patch", AttachError)
    text, replaced = attach_text(patch, report, patch_name=str(patch_path),
                                 report_name=str(report_path))
    # The mode bits, not access(2): root may write anything, but a patch
    # someone made read-only is not ours to rewrite.
    if not patch_path.stat().st_mode & 0o222:
        raise AttachError("the patch is read-only; it was left untouched",
                          path=patch_path, hint="chmod u+w it, or copy it")
    try:
        fsutil.replace(patch_path, text)
    except OSError as exc:
        raise AttachError(f"cannot rewrite the patch: "
                          f"{fsutil.os_error_text(exc)}; it was left "
                          "untouched", path=patch_path) from None
    return Attached(patch_path, replaced)
