"""The main job: evaluate --variants all.

check     every selected variant under every memory model (sc, tso, c11)
build     one shared object per variant, instruction census x86-64/AArch64
bench     contended loops, every variant in every process, seeded order
rank      paired per-process statistics against the baseline
report    reports/<run-id>/report.{txt,md,json} + samples.jsonl, check.json

The bench includes two self-validation arms unless --no-controls: the
baseline a second time (A/A: must not come out different) and the
baseline with a known extra delay (must come out slower).

The default budget takes about three minutes on a 2-core machine; --quick
is a smoke run of under a minute whose report says it is not conclusive.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from pathlib import Path

from ..bench import SCENARIOS, BenchConfig, run_bench
from ..bench_summary import contradicting_faults
from .. import fsutil
from ..errors import EvaluateError
from ..checker import CheckOptions
from ..checker.matrix import check_matrix
from ..checker.models import available
from ..samples import read_samples
from ..variants import BASELINE, load_variants, select
from .common import (add_root, add_variants, chosen_variants, parse_delta,
                     split_list)

DEFAULT_BUDGET = 150.0      # bench seconds; check and report add ~30 s
QUICK_BUDGET = 25.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_root(parser)
    add_variants(parser)
    parser.add_argument("--models", default=None, metavar="A,B",
                        help="memory models to check (default: all of "
                             "sc,tso,c11)")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS),
                        metavar="A,B", help="benchmark scenarios (default: "
                        + ",".join(SCENARIOS) + ")")
    parser.add_argument("--budget", type=float, default=None,
                        metavar="SECONDS",
                        help=f"benchmark wall time (default {DEFAULT_BUDGET:.0f};"
                             f" --quick: {QUICK_BUDGET:.0f})")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run in under a minute; the report says "
                             "it is not conclusive")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed of the batch order and the bootstrap")
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="run directory (default: reports/<run-id>/)")
    parser.add_argument("--baseline", default=BASELINE, metavar="NAME",
                        help=f"ratios are against it (default {BASELINE})")
    parser.add_argument("--delta", type=parse_delta, default=0.01,
                        metavar="D",
                        help="practical threshold, 1%% or 0.01: smaller "
                             "differences are 'equivalent' (default 1%%)")
    parser.add_argument("--syscalls", choices=("acq_rel", "full-fence"),
                        default="acq_rel",
                        help="eventfd syscall semantics in the checker "
                             "(default acq_rel; DESIGN §5)")
    parser.add_argument("--no-controls", action="store_true",
                        help="skip the self-validation arms (by default the "
                             "baseline is benched twice, A/A, and once with "
                             "a known extra delay, which must come out "
                             "slower)")


def _say(stage: str):
    started = time.monotonic()

    def say(text: str) -> None:
        print(f"evaluate [{time.monotonic() - started:4.0f} s] {stage}: "
              f"{text}", file=sys.stderr, flush=True)
    return say


def check_all(paths, variants, models, syscalls) -> list[dict]:
    """The verdict matrix, one check per worker process."""
    say = _say("check")
    options = CheckOptions(syscalls=syscalls, csrc=paths.csrc)
    results = check_matrix(variants, models, paths, options,
                           jobs=os.cpu_count() or 1, progress=say)
    for result in results:
        if result.violations:
            say(f"{result.variant} unsafe under {result.model} "
                f"({result.violations[0].property})")
    return [result.to_json() for result in results]


def write_check(run_dir: Path, results: list[dict]) -> None:
    fsutil.replace(run_dir / "check.json", json.dumps(
        {"schema": "evaluate.check/1", "results": results}, indent=1) + "\n")


def _with_baseline(paths, variants, baseline: str) -> list:
    """The baseline is checked and benched even when not asked for: every
    ratio is against it, and an unsafe baseline must be refused early."""
    [base] = select(load_variants(paths.variants), baseline)
    return variants if base in variants else [base, *variants]


def _refuse_unsafe_baseline(checks: list[dict], baseline: str) -> None:
    broken = [c["model"] for c in checks
              if c["variant"] == baseline and c["verdict"] == "unsafe"]
    if broken:
        raise EvaluateError(
            f"baseline {baseline!r} is unsafe under {', '.join(broken)}",
            hint="pick a safe --baseline, e.g. original-05e514b1")


def run(args: argparse.Namespace) -> int:
    # numpy/scipy: imported only when a run needs them, so --help is quick
    from ..report_runs import report_runs
    from ..report_text import summary_text
    paths, variants = chosen_variants(args)
    variants = _with_baseline(paths, variants, args.baseline)
    models = (split_list(args.models, available(), "memory model")
              if args.models else list(available()))
    scenarios = tuple(split_list(args.scenarios, SCENARIOS, "scenario"))
    argv = args.argv
    checks = check_all(paths, variants, models, args.syscalls)
    _refuse_unsafe_baseline(checks, args.baseline)
    budget = args.budget or (QUICK_BUDGET if args.quick else DEFAULT_BUDGET)
    config = BenchConfig(
        paths=paths, variants=tuple(variants), scenarios=scenarios,
        budget=budget, seed=args.seed, out=args.out, aa=not args.no_controls,
        positive_control=not args.no_controls, baseline=args.baseline,
        command_line=argv)
    run_dir = run_bench(config, _say("bench"))
    write_check(run_dir, checks)
    _say("report")("ranking and writing the report")
    result = report_runs([run_dir], load_variants(paths.variants),
                         shlex.join(argv), baseline=args.baseline,
                         delta=args.delta, reports_dir=paths.reports,
                         seed=args.seed, quick=args.quick)
    print(summary_text(result.doc))
    print(f"\nreport: {result.paths.txt}")
    problems = [*result.problems, *contradicting_faults(
        read_samples(run_dir / "samples.jsonl"), variants)]
    for problem in problems:
        print(f"evaluate: {problem}", file=sys.stderr)
    return 1 if problems else 0
