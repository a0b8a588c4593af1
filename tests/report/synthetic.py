"""A deterministic synthetic run that looks like a real one: the nine
shipped variants plus the three self-validation controls, three
scenarios, checker results as `evaluate check --json` gives them, a
static and a dynamic census, faults."""

from __future__ import annotations

import numpy as np

from evaluator.samples import Ending, Fault, Sample, SampleSet

BASELINE = "original-05e514b1"
MODELS = ("sc", "tso", "c11")
UNSAFE = {
    "bug-notified-first": {m: "busy-loop" for m in MODELS},
    "bug-skip-set": {m: "lost-wakeup" for m in MODELS},
    "qemu-4.2-c11-rmw": {"c11": "lost-wakeup"},
}
# true time ratio to the baseline, per scenario
EFFECTS = {
    BASELINE: (1.0, 1.0, 1.0),
    "acq-rel": (0.80, 1.0, 0.97),
    "full-removal": (4.0, 1.05, 1.10),
    "qemu-5.2": (0.78, 0.99, 0.96),
    "qemu-4.2-c11-rmw": (0.995, 1.0, 1.0),
    "relaxed": (0.80, 1.0, 0.97),
    "test-then-xchg": (0.60, 0.995, 0.90),
    "bug-notified-first": (0.7, 1.0, 1.0),
    "bug-skip-set": (0.9, 1.0, 1.0),
    BASELINE + "~aa": (1.0, 1.0, 1.0),
    BASELINE + "~slow": (1.25, 1.001, 1.02),
    BASELINE + "~lock": (1.30, 1.002, 1.03),
}
SCENARIOS = ("self-resched", "pingpong", "flood")
BASE_NS = (14.0, 4200.0, 95.0)
SYSCALLS = (0.0, 2.0, 0.05)

# The shape evaluator/environment.py and bench.py write, plus a host name.
ENVIRONMENT = {
    "hostname": "testbox", "cpu_model": "Synthetic CPU @ 3.0GHz",
    "machine": "x86_64", "cpus_online": 2, "cpu_pair": [0, 1],
    "hypervisor": True, "governor": None,
    "kernel": "Linux 6.1.0-synthetic #1 SMP Debian", "python": "3.11.2",
    "tool": "evaluate", "tool_version": "0.1.0",
    "git": {"commit": "0123456789abcdef", "dirty": False},
    "seed": 42,
    "command_line": ["evaluate", "--variants", "all", "--aa",
                     "--positive-control"],
    "date": "2025-01-02T03:04:05Z",
    "compiler": {"cc": "gcc", "path": "/usr/bin/gcc",
                 "version": "gcc (Debian 12.2.0-14) 12.2.0",
                 "flags": ["-O2", "-fPIC"], "default_march": "x86-64",
                 "harness_flags": ["-O2", "-pthread"]},
    "bench": {"scenarios": list(SCENARIOS), "processes": 10},
}


def census(name: str) -> dict:
    fences = 0 if name in ("relaxed", "acq-rel", "test-then-xchg") else 2
    acqrel = 2 if name == "acq-rel" else 0
    def counts(f, r, a):
        return {"full_fences": f, "atomic_rmw": r, "acq_rel": a}
    return {"variant": name, "arches": {
        "x86-64": {"aio_notify": counts(1, 0, 0), "total":
                   counts(fences, 3, 0)},
        "aarch64": {"total": counts(fences + 1, 3, acqrel)},
        "aarch64-lse": {"total": counts(fences + 1, 3, acqrel)}}}


def dynamic(name: str) -> dict:
    """Per scenario what one operation executes (bench/dynamic.py's
    shape): the locked RMWs follow the name, syscalls the scenario."""
    rmw = {"test-then-xchg": 2, BASELINE + "~lock": 4}.get(name, 3)
    reads = 1 if name == "full-removal" else 0
    out = {}
    for scenario in SCENARIOS:
        calls = ({"write": 1, "read": 1, "ppoll": 1}
                 if scenario == "pingpong"
                 else {"write": 0, "read": reads, "ppoll": 0})
        counts = {"full_fences": 1, "atomic_rmw": rmw, "acq_rel": 0}
        out[scenario] = {
            "path": "synthetic", "syscalls": calls,
            "arches": {"x86-64": counts,
                       "aarch64": dict(counts, acq_rel=2 * rmw),
                       "aarch64-lse": dict(counts, acq_rel=rmw)},
            "sites": [{"func": "aio_notify", "where": "t.c.j2:1",
                       "source": "smp_mb();", "events": 1,
                       "arches": {}, "syscalls": {}}]}
    return {"variant": name, "compiler": "gcc", "defines": [],
            "scenarios": out}


def check_results() -> list[dict]:
    results = []
    for name in EFFECTS:
        if "~" in name:
            continue
        for model in MODELS:
            broken = UNSAFE.get(name, {}).get(model)
            results.append({
                "variant": name, "model": model, "syscalls": "acq_rel",
                "verdict": "unsafe" if broken else "safe",
                "expected": "unsafe" if broken else "safe",
                "violations": [{"property": broken, "trace": ["..."]}]
                if broken else [],
                "explored": 1000, "seconds": 0.5, "cut": 0,
                "scenario": "3 round(s) of qemu_bh_schedule"})
    return results


def make_run(seed: int = 1, processes: int = 10, batches: int = 10,
             quick: bool = False, effects=None) -> SampleSet:
    effects = effects or EFFECTS
    rng = np.random.default_rng(seed)
    names = list(effects)
    samples, faults = [], []
    for k, scenario in enumerate(SCENARIOS):
        for p in range(processes):
            placement = rng.normal(0, 0.02)
            for _j, name in enumerate(names):
                if scenario == "pingpong" and name == "bug-skip-set":
                    faults.append(Fault(p, name, scenario, "hung",
                                        "bh_scheduled=1 notify_me=1"))
                    continue
                if (scenario == "flood" and name == "full-removal"
                        and p == 3):
                    faults.append(Fault(p, name, scenario, "crashed",
                                        "SIGSEGV"))
                    continue
                level = np.log(BASE_NS[k] * effects[name][k]) + placement
                level += rng.normal(0, 0.002)
                for b in range(batches + 2):
                    ops = 10_000
                    ns = float(np.exp(level + rng.normal(0, 0.01)) * ops)
                    calls = int(SYSCALLS[k] * ops)
                    if name == "full-removal" and scenario == "self-resched":
                        calls = ops
                    samples.append(Sample(p, name, scenario, b, b < 2, ops,
                                          ns, calls // 2, calls - calls // 2))
    env = dict(ENVIRONMENT, quick=quick) if quick else dict(ENVIRONMENT)
    return SampleSet(env, {n: census(n) for n in names if "~" not in n},
                     tuple(samples), tuple(faults),
                     {n: dynamic(n) for n in names},
                     Ending("complete", "", 150.0))
