"""RC11 engine cost (issue 11): CPU seconds, peak RSS and states per
check, each check in a fresh process so that its peak RSS is its own.

    python benchmarks/rc11_scale.py default [--models c11] [--engine E]
    python benchmarks/rc11_scale.py pollers2 [--timeout 60]
    python benchmarks/rc11_scale.py scaling [--timeout 30]
    python benchmarks/rc11_scale.py two-waiters --engine tree \
        --timeout 3000 --max-states 100000000

default   every shipped variant in the default scenario;
pollers2  every shipped variant with --pollers 2 --rounds 3
          --iterations 4 (the issue's three-thread target);
two-waiters  QEMU 21a03d17's scenario (--pollers 2 --rounds 2) under
          c11: bug-drain-after-bhs must lose a wakeup, full-removal
          (the fix) must be safe;
scaling   rounds 1-5 x pollers 1-3 for original-05e514b1 and qemu-5.2
          under each model (a row stops at its first limit).

Where the CPU goes (cProfile, qemu-5.2, c11, default scenario, 209,095
states, tree engine): the RC11 model's steps 44% (perform 39%, its psc
check 11% of it), the property checks run at every state 22% (busy loop
7%, the sleepers shared by P1 and P5 5%, dropped work 4%, termination
4%), the engine's own bookkeeping (children, enter, descend) about a
quarter; no function takes more than 5% by itself.  That is 55-80 us
per state (the machine's speed varies by a third between runs).  The
cost is per state, and the states are every RC11-consistent prefix of
every execution graph: a GenMC-like CPU needs fewer states (a
stateless, revisiting engine), not a faster state.

Measured 2026-12-02 (2 cores, shared; ratios): default c11 checks with
the tree engine (the default) take 0.76-0.99 times compact's CPU and
28-51 MB peak against 28-180 MB; GenMC's CPU is still 3.9-7.3 times
lower on the safe variants.  pollers2, original-05e514b1: more than
32.7 million states (unknown after 3,600 s, 301 MB; compact reached
13.2 GB after 11 CPU minutes).  two-waiters: bug-drain-after-bhs loses
its wakeup after 7,162,777 states (539 CPU s, 91 MB).  --workers 2
(one check over two processes, tree_workers.py): 1.3-1.7 times less
wall time; two-waiters at --iterations 2 took 71 s, 54 s with two.

Every cell is capped by --timeout seconds and --max-states (it then
reports the limit, verdict unknown).  Peak RSS includes the
interpreter and the evaluator's imports (about 30 MB).  Targets (issue
11): c11 default checks at or under GenMC's CPU (GENMC below), peak RSS
<= 200 MB; pollers2 checks <= 60 s and <= 2 GB.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# GenMC v0.10.3 RC11 CPU seconds per check (issue 11's table).
GENMC = {"original-05e514b1": 1.18, "relaxed": 1.03, "acq-rel": 1.19,
         "test-then-xchg": 1.52, "full-removal": 0.24, "qemu-5.2": 2.14,
         "qemu-4.2-c11-rmw": 1.20, "bug-notified-first": 1.57,
         "bug-skip-set": 1.59}
SCALING_VARIANTS = ("original-05e514b1", "qemu-5.2")


def cell(argv: list[str]) -> None:
    """Worker: run one check, print one JSON line."""
    variant, model, rounds, pollers, iterations, max_states, timeout, \
        engine, workers = argv
    from evaluator.checker import CheckOptions, Scenario, check_variant
    from evaluator.paths import find_project
    from evaluator.render import render_variant
    from evaluator.variants import load_variants
    paths = find_project()
    rendered = render_variant(load_variants(paths.variants)[variant], paths)
    scenario = Scenario(rounds=int(rounds), pollers=int(pollers),
                        iterations=int(iterations))
    extra = {"engine": engine} if engine != "-" else {}
    options = CheckOptions(scenario=scenario, max_states=int(max_states),
                           timeout=float(timeout), workers=int(workers),
                           **extra)
    started = time.process_time(), time.perf_counter()
    result = check_variant(rendered, model, options)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    workers_usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({
        "variant": variant, "model": model, "verdict": result.verdict,
        "states": result.explored,
        "cpu": time.process_time() - started[0] + workers_usage.ru_utime
        + workers_usage.ru_stime,
        "wall": time.perf_counter() - started[1],
        "rss_mb": max(usage.ru_maxrss, workers_usage.ru_maxrss) / 1024,
        "limit": result.limit.kind if result.limit else ""}))


def run_cell(variant, model, scenario, args) -> dict:
    rounds, pollers, iterations = scenario
    cmd = [sys.executable, __file__, "cell", variant, model, str(rounds),
           str(pollers), str(iterations), str(args.max_states),
           str(args.timeout), args.engine, str(args.workers)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True,
                             timeout=args.timeout * 3 + 60, check=True)
    except subprocess.CalledProcessError as exc:
        return {"variant": variant, "model": model, "verdict": "error",
                "states": 0, "cpu": 0.0, "wall": 0.0, "rss_mb": 0.0,
                "limit": exc.stderr.strip().splitlines()[-1][:40]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def row(r: dict, extra: str = "") -> str:
    return (f"{r['variant']:<20} {r['model']:<4} {r['verdict']:<7} "
            f"{r['states']:>9} {r['cpu']:>7.2f} {r['wall']:>7.2f} "
            f"{r['rss_mb']:>7.0f} {r['limit']:<8} {extra}")


HEADER = (f"{'variant':<20} {'model':<4} {'verdict':<7} {'states':>9} "
          f"{'cpu s':>7} {'wall s':>7} {'rss MB':>7} {'limit':<8}")


def shipped() -> list[str]:
    from evaluator.paths import find_project
    from evaluator.variants import load_variants
    return [name for name, v in load_variants(
        find_project().variants).items() if name in GENMC or
        getattr(v, "in_all", True)]


def default_table(args) -> None:
    print(HEADER + " genmc")
    for variant in shipped():
        for model in (args.models or "c11").split(","):
            r = run_cell(variant, model, (3, 1, 4), args)
            genmc = GENMC.get(variant)
            mark = "" if genmc is None or model != "c11" else \
                f"{genmc:.2f} {'met' if r['cpu'] <= genmc else 'MISSED'}"
            print(row(r, mark), flush=True)


def pollers2_table(args) -> None:
    print("--pollers 2 --rounds 3 --iterations 4")
    print(HEADER)
    for variant in shipped():
        for model in (args.models or "c11").split(","):
            print(row(run_cell(variant, model, (3, 2, 4), args)),
                  flush=True)


def two_waiters_table(args) -> None:
    print("--pollers 2 --rounds 2 --iterations 4 (QEMU 21a03d17)")
    print(HEADER)
    for variant in ("bug-drain-after-bhs", "full-removal"):
        print(row(run_cell(variant, "c11", (2, 2, 4), args)), flush=True)


def scaling_table(args) -> None:
    models = (args.models or "sc,tso,c11").split(",")
    print(f"{'rounds':>6} {'pollers':>7} " + HEADER)
    for variant in SCALING_VARIANTS:
        for model in models:
            for pollers in (1, 2, 3):
                for rounds in range(1, 6):
                    r = run_cell(variant, model, (rounds, pollers, 4), args)
                    print(f"{rounds:>6} {pollers:>7} " + row(r), flush=True)
                    if r["limit"]:
                        break       # larger rounds only cost more


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["cell"]:
        cell(argv[1:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("table", choices=("default", "pollers2", "scaling",
                                          "two-waiters"))
    parser.add_argument("--models", default=None,
                        help="default: c11 (scaling: sc,tso,c11)")
    parser.add_argument("--engine", default="tree",
                        help="tree (the default), compact or reference "
                             "(explore.ENGINES)")
    parser.add_argument("--workers", type=int, default=1,
                        help="processes per check (tree_workers.py); "
                             "cpu s then sums them")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--max-states", type=int, default=5_000_000)
    args = parser.parse_args(argv)
    {"default": default_table, "pollers2": pollers2_table,
     "scaling": scaling_table, "two-waiters": two_waiters_table}[
        args.table](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
