"""The one-lock gate (stats/barriers.py): a run that cannot see one
locked instruction in the fast path makes no single-barrier verdict."""

from dataclasses import replace

import numpy as np
import pytest
from synth import simulate

from evaluator.stats import rank
from evaluator.stats.barriers import (UNRESOLVED, barrier_resolved,
                                      same_syscalls)

GATE, OTHER = "self-resched", "pingpong"


def dynamic(reads: dict[str, int]) -> dict:
    """Dynamic census records: the same everywhere but the eventfd
    reads of the names given (in every scenario)."""
    def record(name):
        calls = {"write": 0, "read": reads.get(name, 0), "ppoll": 0}
        return {"variant": name, "scenarios": {
            s: {"syscalls": calls, "arches": {}} for s in (GATE, OTHER)}}
    names = ("base", "fast", "drain", "base~aa", "base~lock")
    return {n: record(n) for n in names}


def run(lock_effect: float, seed: int = 3):
    effects = {"base": 1.0, "fast": 0.90, "drain": 1.5, "base~aa": 1.0,
               "base~lock": lock_effect}
    sample_set = simulate(np.random.default_rng(seed), effects,
                          processes=12, scenarios=(GATE, OTHER))
    return replace(sample_set, dynamic=dynamic({"drain": 1}))


def test_gate_rule():
    assert barrier_resolved({GATE: "slower", OTHER: "equivalent"}) is True
    assert barrier_resolved({GATE: "equivalent", OTHER: "slower"}) is False
    assert barrier_resolved({GATE: "inconclusive"}) is False
    assert barrier_resolved({OTHER: "slower"}) is None     # gate not run
    assert barrier_resolved({GATE: "n/a"}) is None


def test_same_syscalls_needs_both_records():
    records = dynamic({"drain": 1})
    assert same_syscalls(records, GATE, "fast", "base")
    assert not same_syscalls(records, GATE, "drain", "base")
    assert not same_syscalls(records, GATE, "fast", "unknown")
    assert not same_syscalls({}, GATE, "fast", "base")


def test_a_resolved_lock_changes_nothing():
    ranking = rank(run(1.25), "base", resamples=0)
    assert ranking.barrier_resolved is True
    gate = ranking.scenario(GATE)
    assert gate.vs_baseline["fast"].verdict == "faster"
    [check] = [c for c in ranking.self_checks if c.kind == "positive-lock"]
    assert check.ok is True and check.verdicts[GATE] == "slower"


def test_an_unseen_lock_makes_barrier_comparisons_unresolved():
    ranking = rank(run(1.0), "base", resamples=0)
    assert ranking.barrier_resolved is False
    for scenario in ranking.scenarios:
        verdicts = {v: c.verdict for v, c in scenario.vs_baseline.items()}
        # same syscalls as the baseline: the run cannot speak about it
        assert verdicts["fast"] == UNRESOLVED
        # one more read(2) per operation: not a barrier difference
        assert verdicts["drain"] == "slower"
        # the controls keep their own verdicts
        assert verdicts["base~aa"] in ("equivalent", "inconclusive")
        assert verdicts["base~lock"] != UNRESOLVED
        # unresolved orders nothing: fast and base share a tier
        assert scenario.tiers["fast"] == scenario.tiers["base"]
        assert scenario.tiers["drain"] > scenario.tiers["base"]
    [check] = [c for c in ranking.self_checks if c.kind == "positive-lock"]
    assert check.ok is False


def test_without_a_lock_control_nothing_is_downgraded():
    sample_set = run(1.0)
    kept = tuple(s for s in sample_set.samples if s.variant != "base~lock")
    ranking = rank(replace(sample_set, samples=kept), "base", resamples=0)
    assert ranking.barrier_resolved is None
    assert ranking.scenario(GATE).vs_baseline["fast"].verdict == "faster"


@pytest.mark.parametrize("lock", [1.25, 1.0])
def test_p_values_and_intervals_do_not_depend_on_the_gate(lock):
    """Only verdicts change: the statistics are the run's."""
    ranking = rank(run(lock, seed=9), "base", resamples=0)
    fast = ranking.scenario(GATE).vs_baseline["fast"]
    assert fast.ratio == pytest.approx(0.90, abs=0.01)
    assert fast.p_adj < 0.001
