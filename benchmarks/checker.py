"""Checker benchmark: states explored and seconds per variant x model,
and the litmus corpora x models, against the targets of issues 3 and 4.

    python benchmarks/checker.py [--models sc,tso,c11] [--jobs N]

Targets (2-core machine): the nine variants under SC < 10 s together;
nine variants x three models < 60 s; litmus corpora x three models
< 10 s.  Checks run one after the other (CPU seconds) unless --jobs > 1
(then the wall time of the whole matrix is reported too).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from evaluator.checker import (CheckOptions, check_variant, read_litmus,
                               run_litmus)
from evaluator.checker.models import available
from evaluator.paths import find_project
from evaluator.render import render_variant
from evaluator.variants import load_variants

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("EVALUATE_SHARED", REPO.parent / "shared"))
TARGETS = {"sc": 10.0, "all": 60.0, "litmus": 10.0}


def _cell(args):
    rendered, model = args
    result = check_variant(rendered, model, CheckOptions())
    return result.variant, model, result.explored, result.seconds, \
        result.verdict


def variants_table(models: list[str], jobs: int) -> list[str]:
    paths = find_project()
    cells = [(render_variant(v, paths), m)
             for v in load_variants(paths.variants).values()
             for m in models]
    started = time.perf_counter()
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            rows = list(pool.map(_cell, cells))
    else:
        rows = [_cell(cell) for cell in cells]
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
    args = parser.parse_args(argv)
    models = [m for m in args.models.split(",") if m]
    print("\n".join(variants_table(models, args.jobs)))
    print("\n".join(litmus_table(models)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
