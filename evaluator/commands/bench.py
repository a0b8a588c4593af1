"""Compile the variants and time them in contended loops.

Scenarios: self-resched (one thread, a BH that reschedules itself with
notify_me clear: the fast path alone), pingpong (producer and poller on
two CPUs, every operation a wakeup through the eventfd), flood (producer
schedules back to back while the poller polls).  Every process runs
every variant, batches in a seeded random order; the process is the
statistical unit, so the budget buys many processes.

Writes <out>/samples.jsonl (environment, static and dynamic instruction
census, samples, faults; appended line by line, so Ctrl-C keeps what
finished) and prints
per scenario and variant the median ns/op and eventfd syscalls/op, and
the census totals.  A variant that hangs (lost wakeup) or fails the
harness's correctness check is reported and the run goes on.

Exit status 1 if a variant declared safe under x86-TSO hung or failed
its check on an x86-64 machine.
"""

from __future__ import annotations

import argparse
import json

from ..bench import run_bench
from ..bench.config import DEFAULT_BUDGET_S
from ..controls import AA_SUFFIX, LOCK_SUFFIX, SLOW_SUFFIX
from ..samples import read_samples
from .common import (add_bench_options, add_root, add_variants, bench_config,
                     chosen_variants, given)
from .progress import Progress, warn

HELP = "compile the variants and time them in contended loops"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_root(parser)
    add_variants(parser)
    add_bench_options(parser, f"wall time of the whole stage (default "
                              f"{DEFAULT_BUDGET_S:.0f})")
    parser.add_argument("--aa", action="store_true",
                        help=f"A/A control: the baseline again as "
                             f"<baseline>{AA_SUFFIX} (a separate copy)")
    parser.add_argument("--positive-control", action="store_true",
                        help=f"add <baseline>{SLOW_SUFFIX}: the baseline "
                             "with a known extra delay per schedule, and "
                             f"<baseline>{LOCK_SUFFIX}: with exactly one "
                             "more locked RMW per schedule")
    parser.add_argument("--json", action="store_true",
                        help="print the summary as JSON")


def run(args: argparse.Namespace) -> int:
    # numpy/scipy: imported only when a command needs them (fast --help)
    from ..report.problems import hardware_contradictions
    from ..report.text import bench_text
    from ..stats.summary import summarize, summary_json
    # The baseline is benched even when not asked for: the summary's
    # ratios and the controls are against it.
    selection = chosen_variants(args).with_baseline(args.baseline)
    config = bench_config(args, selection, aa=args.aa,
                          positive_control=args.positive_control,
                          budget=given(args.budget, DEFAULT_BUDGET_S))
    progress = Progress()
    try:
        run_dir = run_bench(config, progress=progress.stage("bench"))
    finally:
        progress.done()
    sample_set = read_samples(run_dir / "samples.jsonl")
    rows = summarize(sample_set, args.baseline)
    if args.json:
        print(json.dumps(summary_json(rows, sample_set.census, str(run_dir),
                                      args.baseline), indent=2))
    else:
        print(bench_text(rows, sample_set.census, args.baseline))
        print(f"\nsamples: {run_dir / 'samples.jsonl'}")
    bad = hardware_contradictions(sample_set, selection.chosen)
    for problem in bad:
        warn(problem)
    return 1 if bad else 0
