"""Sanity of the benchmark's measurements (issue 6, "Done when").

Runs the bench stage on every variant and all three scenarios (or reads
an earlier run directory) and checks what any trustworthy measurement of
this protocol must show on x86-64:

* self-resched: full-removal (a read(2) of the eventfd every iteration)
  is several times slower than original-05e514b1;
* self-resched: test-then-xchg is not slower than original-05e514b1
  (it skips a locked exchange that finds notified clear);
* pingpong: every variant expected safe makes about one eventfd write
  and one read per operation (every operation is a wakeup);
* every variant that is not expected to hang has samples in every
  scenario.

Prints the ratios to original-05e514b1 (paired, median over processes).

    python benchmarks/bench_sanity.py [--budget 60] [--run DIR]

Exit status 0 if every check holds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from evaluator.bench import BenchConfig, run_bench, scenarios
from evaluator.paths import find_project
from evaluator.samples import read_samples
from evaluator.stats.summary import Row, summarize
from evaluator.variants import BASELINE, load_variants

SEVERAL = 3.0           # "several times slower"
NOT_SLOWER = 1.02       # ratio ceiling for "not slower"
PER_OP = (0.9, 1.1)     # pingpong writes/op and reads/op


def checks(rows: list[Row], variants) -> list[tuple[str, bool]]:
    cell = {(r.scenario, r.variant): r for r in rows}
    out = []
    full = cell.get(("self-resched", "full-removal"))
    out.append((f"self-resched full-removal >= {SEVERAL}x baseline",
                bool(full and full.ratio and full.ratio >= SEVERAL)))
    fast = cell.get(("self-resched", "test-then-xchg"))
    out.append((f"self-resched test-then-xchg <= {NOT_SLOWER}x baseline",
                bool(fast and fast.ratio and fast.ratio <= NOT_SLOWER)))
    for name, variant in variants.items():
        expected_safe = variant.expect.get("tso") == "safe"
        row = cell.get(("pingpong", name))
        if expected_safe:
            ok = bool(row and row.writes_per_op is not None
                      and PER_OP[0] <= row.writes_per_op <= PER_OP[1]
                      and PER_OP[0] <= row.reads_per_op <= PER_OP[1])
            out.append((f"pingpong {name}: ~1 write + 1 read per op", ok))
        for scenario in scenarios.names():
            r = cell.get((scenario, name))
            if expected_safe:
                out.append((f"{scenario} {name}: has samples",
                            bool(r and r.processes > 0)))
    return out


def ratios_table(rows: list[Row]) -> str:
    lines = [f"{'scenario':<13} {'variant':<22} {'ratio':>7} "
             f"{'wr/op':>6} {'rd/op':>6}"]
    for r in rows:
        ratio = "-" if r.ratio is None else f"{r.ratio:.3f}"
        wr = "-" if r.writes_per_op is None else f"{r.writes_per_op:.2f}"
        rd = "-" if r.reads_per_op is None else f"{r.reads_per_op:.2f}"
        lines.append(f"{r.scenario:<13} {r.variant[:22]:<22} {ratio:>7} "
                     f"{wr:>6} {rd:>6}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--run", type=Path, default=None,
                        help="check an existing run directory instead")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    paths = find_project()
    variants = load_variants(paths.variants)
    run_dir = args.run
    if run_dir is None:
        run_dir = run_bench(BenchConfig(
            paths, tuple(variants.values()), budget=args.budget,
            seed=args.seed, command_line=tuple(sys.argv)),
            progress=lambda text: print(text, file=sys.stderr))
    sample_set = read_samples(run_dir / "samples.jsonl")
    rows = summarize(sample_set, BASELINE)
    print(f"run: {run_dir}")
    print(ratios_table(rows))
    results = checks(rows, variants)
    for text, ok in results:
        print(f"{'ok  ' if ok else 'FAIL'} {text}")
    return 0 if all(ok for _, ok in results) else 1


if __name__ == "__main__":
    sys.exit(main())
