"""Checker benchmark: states explored and seconds per variant x model,
and the litmus corpora x models, against the targets of issues 3 and 4;
and what stopping at the first counterexample saves (issue 16).

    python benchmarks/checker.py [--models sc,tso,c11] [--jobs N] [--cc gcc]

Targets (2-core machine): the nine variants under SC < 10 s together;
nine variants x three models < 60 s; litmus corpora x three models
< 10 s.  Checks run one after the other (CPU seconds) unless --jobs > 1
(then the wall time of the whole matrix is reported too).

Stopping early: every unsafe cell is checked again with
--all-violations (explore everything, report every property); the table
gives both times and states and the total saved.  The machine is shared
and timings are noisy: compare the ratios, and the state counts, which
are exact.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from evaluator.checker import (CheckOptions, check_variant, read_litmus,
                               readings, run_litmus)
from evaluator.checker.models import available
from evaluator.paths import find_project
from evaluator.render import render_variant
from evaluator.variants import load_variants

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("EVALUATE_SHARED", REPO.parent / "shared"))
TARGETS = {"sc": 10.0, "all": 60.0, "litmus": 10.0}


def _cell(args):
    rendered, model, options = args
    result = check_variant(rendered, model, options)
    return result.variant, model, result.explored, result.seconds, \
        result.verdict


def _cells(models: list[str], options: CheckOptions) -> list[tuple]:
    paths = find_project()
    return [(render_variant(v, paths), m, options)
            for v in load_variants(paths.variants).values()
            for m in models]


def _run(cells, jobs: int) -> list[tuple]:
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            return list(pool.map(_cell, cells))
    return [_cell(cell) for cell in cells]


def variants_table(models: list[str], jobs: int,
                   options: CheckOptions) -> tuple[list[str], list[tuple]]:
    cells = _cells(models, options)
    started = time.perf_counter()
    rows = _run(cells, jobs)
    wall = time.perf_counter() - started
    lines = [f"{'variant':<20} {'model':<5} {'verdict':<7} {'states':>9} "
             f"{'seconds':>8}"]
    for name, model, states, seconds, verdict in rows:
        lines.append(f"{name:<20} {model:<5} {verdict:<7} {states:>9} "
                     f"{seconds:>8.2f}")
    per_model = {m: sum(r[3] for r in rows if r[1] == m) for m in models}
    for model, seconds in per_model.items():
        lines.append(f"{'all variants':<20} {model:<5} {'':<7} "
                     f"{sum(r[2] for r in rows if r[1] == model):>9} "
                     f"{seconds:>8.2f}")
    total = sum(per_model.values())
    lines.append(f"total {total:.1f} s CPU, {wall:.1f} s wall with "
                 f"{jobs} job(s)")
    lines.append(f"target sc < {TARGETS['sc']:.0f} s: "
                 f"{_ok(per_model.get('sc'), TARGETS['sc'])}")
    if len(models) == 3:
        lines.append(f"target 3 models < {TARGETS['all']:.0f} s wall: "
                     f"{_ok(wall, TARGETS['all'])}")
    return lines, rows


def early_stop_table(rows: list[tuple], jobs: int,
                     options: CheckOptions) -> list[str]:
    """The unsafe cells again, exploring everything: what stopping at
    the first counterexample saved."""
    unsafe = {(name, model) for name, model, _, _, verdict in rows
              if verdict == "unsafe"}
    full = replace(options, all_violations=True)
    cells = [c for c in _cells(sorted({m for _, m in unsafe}), full)
             if (c[0].name, c[1]) in unsafe]
    again = {(r[0], r[1]): r for r in _run(cells, jobs)}
    lines = ["stopping at the first counterexample (unsafe cells):",
             f"{'variant':<20} {'model':<5} {'first s':>8} {'all s':>8} "
             f"{'states':>8} {'all':>8} {'saved':>6}"]
    first_s = all_s = 0.0
    for name, model, states, seconds, _ in rows:
        if (name, model) not in again:
            continue
        _, _, all_states, all_seconds, _ = again[(name, model)]
        first_s += seconds
        all_s += all_seconds
        saved = 1 - seconds / all_seconds if all_seconds else 0.0
        lines.append(f"{name:<20} {model:<5} {seconds:>8.2f} "
                     f"{all_seconds:>8.2f} {states:>8} {all_states:>8} "
                     f"{saved:>6.0%}")
    if all_s:
        lines.append(f"total {first_s:.2f} s instead of {all_s:.2f} s: "
                     f"{all_s - first_s:.2f} s saved "
                     f"({1 - first_s / all_s:.0%}; x{all_s / first_s:.1f})")
    return lines


def litmus_table(models: list[str]) -> list[str]:
    files = sorted((SHARED / "litmus").glob("*.litmus")) + \
        sorted((REPO / "litmus").glob("*.litmus"))
    tests = [read_litmus(path) for path in files]
    lines = [f"litmus: {len(tests)} tests"]
    total = 0.0
    for model in models:
        started = time.perf_counter()
        states = sum(run_litmus(test, model).explored for test in tests)
        seconds = time.perf_counter() - started
        total += seconds
        lines.append(f"  {model:<5} {states:>9} states {seconds:>8.2f} s")
    lines.append(f"  total {total:.2f} s; target < {TARGETS['litmus']:.0f} "
                 f"s ({_ok(total, TARGETS['litmus'])})")
    return lines


def _ok(value: float | None, target: float) -> str:
    if value is None:
        return "not run"
    return "met" if value < target else "MISSED"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default=",".join(available()))
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--cc", default=readings.CHECK_DEFAULT,
                        choices=readings.COMPILERS)
    args = parser.parse_args(argv)
    models = [m for m in args.models.split(",") if m]
    options = CheckOptions(cc=args.cc)
    lines, rows = variants_table(models, args.jobs, options)
    print("\n".join(lines))
    print("\n".join(early_stop_table(rows, args.jobs, options)))
    print("\n".join(litmus_table(models)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
