"""Rebuild the report of one or more saved runs.

Each RUN_DIR is a directory written by 'evaluate' or 'evaluate bench'
(samples.jsonl, and check.json if the checker ran).  The statistics are
recomputed from the raw samples, so --baseline and --delta may differ
from the original run.  With several run directories the report has one
section per machine (host name and CPU model from the samples'
environment); runs of the same machine are pooled, runs of different
machines never are.  An existing report is never overwritten: the new
one is report-2.txt, report-3.txt, ...

Writes report.txt (at most 72 columns, for a patch mail), report.md and
report.json (schema evaluate.report/1) into the run directory (one run),
a new reports/<run-id>-merged/ directory (several), or --out DIR.
Exit status 1 when a result contradicts a declared expectation (A/A or
positive control, or a checker verdict).
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from ..errors import EvaluateError
from ..variants import BASELINE, load_variants
from .common import add_root, parse_delta, project
from .progress import warn

HELP = "rebuild the report from saved samples; merge runs of several machines"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_root(parser)
    parser.add_argument("run_dirs", nargs="+", type=Path, metavar="RUN_DIR",
                        help="run directory with samples.jsonl")
    parser.add_argument("--baseline", default=None, metavar="VARIANT",
                        help="reference variant (default: the one the run "
                             f"was benched against, else {BASELINE})")
    parser.add_argument("--delta", type=parse_delta, default=0.01,
                        metavar="D",
                        help="practical threshold: 1%% or 0.01 (default 1%%)")
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="write the report here instead")
    parser.add_argument("--seed", type=int, default=None,
                        help="bootstrap seed (default: the run's seed)")
    parser.add_argument("--quick", action="store_true",
                        help="label the report a smoke run")


def run(args: argparse.Namespace) -> int:
    from ..report.runs import report_runs  # scipy: import only when used
    paths = project(args)
    try:
        variants = load_variants(paths.variants)
    except EvaluateError:
        variants = {}   # summaries are a nicety; samples carry the rest
    result = report_runs(args.run_dirs, variants, shlex.join(args.argv),
                         baseline=args.baseline, delta=args.delta,
                         reports_dir=paths.reports, out_dir=args.out,
                         seed=args.seed, quick=args.quick,
                         paths=paths if variants else None)
    print(result.paths.txt.read_text(encoding="utf-8"), end="")
    print(f"\nreport: {result.paths.txt}\n        {result.paths.md}\n"
          f"        {result.paths.json}")
    for warning in result.warnings:
        warn(f"warning: {warning}")
    for problem in result.problems:
        warn(f"expectation not met: {problem}")
    return 1 if result.problems else 0
