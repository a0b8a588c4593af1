"""Attach a plain-text report to a patch mail.

Inserts REPORT.txt below the '---' line of a 'git format-patch' file,
under a one-line header and above the diffstat: reviewers read it in
the mail, and 'git am' keeps it out of the commit message.  Attaching
again replaces the earlier report.  A file that is not a format-patch
mail (no 'From <commit>' first line, no 'diff --git', no '---' line) is
refused and left untouched; the patch is rewritten atomically.

Example:
  git format-patch -1 -o outgoing/
  evaluate attach reports/<run-id>/report.txt outgoing/0001-*.patch
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..report.attach import attach_report

HELP = "put a report.txt below the '---' line of a git format-patch mail"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("report", type=Path, metavar="REPORT.txt",
                        help="the plain-text report (report.txt)")
    parser.add_argument("patch", type=Path, metavar="PATCH",
                        help="a file written by git format-patch")


def run(args: argparse.Namespace) -> int:
    result = attach_report(args.report, args.patch)
    verb = "replaced the report in" if result.replaced else "attached to"
    print(f"{verb} {result.path}")
    return 0
