"""Compile the variants and time them in contended loops.

Scenarios: self-resched (one thread, a BH that reschedules itself with
notify_me clear: the fast path alone), pingpong (producer and poller on
two CPUs, every operation a wakeup through the eventfd), flood (producer
schedules back to back while the poller polls).  Every process runs
every variant, batches in a seeded random order; the process is the
statistical unit, so the budget buys many processes.

Writes <out>/samples.jsonl (environment, instruction census, samples,
faults; appended line by line, so Ctrl-C keeps what finished) and prints
per scenario and variant the median ns/op and eventfd syscalls/op, and
the census totals.  A variant that hangs (lost wakeup) or fails the
harness's correctness check is reported and the run goes on.

Exit status 1 if a variant declared safe under x86-TSO hung or failed
its check on an x86-64 machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from ..controls import AA_SUFFIX, SLOW_SUFFIX
from ..bench import (BASELINE, SCENARIOS, BenchConfig,
                     run_bench)
from ..bench_summary import (contradicting_faults, format_census,
                             format_rows, summarize,
                             summary_json)
from ..errors import EvaluateError
from ..samples import read_samples
from .common import add_root, add_variants, chosen_variants, split_list

HELP = "compile the variants and time them in contended loops"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_root(parser)
    add_variants(parser)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS),
                        metavar="A,B",
                        help="which scenarios (default: all: "
                             + ",".join(SCENARIOS) + ")")
    parser.add_argument("--budget", type=float, default=60.0,
                        metavar="SECONDS",
                        help="wall time of the whole stage (default 60)")
    parser.add_argument("--processes", type=int, default=None, metavar="N",
                        help="processes per scenario (default: as many as "
                             "the budget allows, 10 measured batches each)")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed of the batch order (default: random, "
                             "recorded)")
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="run directory (default: reports/<run-id>/)")
    parser.add_argument("--cc", choices=("gcc", "clang"), default="gcc",
                        help="compiler (default gcc)")
    parser.add_argument("--cpus", default=None, metavar="A,B",
                        help="CPU pair: producer on A, poller on B "
                             "(default: the first two allowed CPUs)")
    parser.add_argument("--baseline", default=BASELINE, metavar="NAME",
                        help=f"ratios and controls use it (default "
                             f"{BASELINE})")
    parser.add_argument("--aa", action="store_true",
                        help=f"A/A control: the baseline again as "
                             f"<baseline>{AA_SUFFIX} (a separate copy)")
    parser.add_argument("--positive-control", action="store_true",
                        help=f"add <baseline>{SLOW_SUFFIX}: the baseline "
                             "with a known extra delay per schedule")
    parser.add_argument("--watchdog", type=float, default=2.0,
                        metavar="SECONDS",
                        help="a batch without progress this long is hung "
                             "(default 2)")
    parser.add_argument("--json", action="store_true",
                        help="print the summary as JSON")


def _cpus(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    parts = text.split(",")
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        raise EvaluateError(f"--cpus {text!r} is not two CPU numbers",
                            hint="e.g. --cpus 0,1")
    return int(parts[0]), int(parts[1])


def _progress_printer():
    started = time.monotonic()

    def progress(text: str) -> None:
        line = f"bench [{time.monotonic() - started:3.0f} s] {text}"
        if sys.stderr.isatty():
            sys.stderr.write("\r\033[K" + line[:79])
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()
    return progress


def run(args: argparse.Namespace) -> int:
    paths, variants = chosen_variants(args)
    config = BenchConfig(
        paths=paths, variants=tuple(variants),
        scenarios=tuple(split_list(args.scenarios, SCENARIOS, "scenario")),
        budget=args.budget, processes=args.processes, seed=args.seed,
        out=args.out, cc=args.cc, aa=args.aa,
        positive_control=args.positive_control, baseline=args.baseline,
        cpus=_cpus(args.cpus), command_line=tuple(args.argv),
        watchdog_s=args.watchdog)
    run_dir = run_bench(config, progress=_progress_printer())
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K")
    sample_set = read_samples(run_dir / "samples.jsonl")
    rows = summarize(sample_set, args.baseline)
    if args.json:
        print(json.dumps(summary_json(rows, sample_set.census, str(run_dir),
                                      args.baseline), indent=2))
    else:
        print(format_rows(rows, args.baseline))
        print()
        print(format_census(sample_set.census))
        print(f"\nsamples: {run_dir / 'samples.jsonl'}")
    bad = contradicting_faults(sample_set, variants)
    for problem in bad:
        print(f"evaluate: {problem}", file=sys.stderr)
    return 1 if bad else 0
