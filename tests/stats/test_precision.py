"""stats/precision.py on synthetic runs with a known answer: where the
A/A noise comes from, what it allows, and the regimes of a scenario."""

import math
from dataclasses import replace

import numpy as np
import pytest
from synth import OPS, simulate

from evaluator.stats.cells import collect_cells
from evaluator.stats.inference import mde_log
from evaluator.stats.precision import (REGIME_GAP, noise_floor, precision,
                                       processes_needed, regimes)

AA = {"base": 1.0, "base~aa": 1.0}


def test_processes_needed_is_the_smallest_n_that_reaches_the_target():
    for sd, family in ((0.05, 10), (0.12, 60), (0.01, 1)):
        n = processes_needed(sd, family, target=0.03)
        goal = math.log1p(0.03)
        assert mde_log(sd, n, family) <= goal
        assert n == 2 or mde_log(sd, n - 1, family) > goal
    assert processes_needed(10.0, 50, target=0.001) is None


def test_batch_noise_floor_is_attributed_to_batches():
    """Only batch noise: the A/A spread is batch noise, share near 1,
    and its SD is what the medians of 10 batches of 2% noise give."""
    run = simulate(np.random.default_rng(1), AA, processes=60, batches=12,
                   batch_sd=0.02, process_sd=0.05, interaction_sd=0.0)
    floor = noise_floor(collect_cells(run, "self-resched"), "self-resched",
                        "base", family=10, alpha=0.05, seed=1)
    assert floor.processes == 60
    assert floor.batch_share == pytest.approx(1.0, abs=0.3)
    # median of 10 normal batches: SD ~ 1.25 * 0.02 / sqrt(10), twice
    expected = math.sqrt(2) * 1.2533 * 0.02 / math.sqrt(10)
    assert floor.sd_log == pytest.approx(expected, rel=0.3)
    assert floor.mde == pytest.approx(
        math.expm1(mde_log(floor.sd_log, 60, 10)))


def test_process_noise_floor_is_attributed_to_processes():
    """Tiny batch noise, large variant x process interaction: more
    batches would not help, the share is near 0."""
    run = simulate(np.random.default_rng(2), AA, processes=60, batches=12,
                   batch_sd=0.001, interaction_sd=0.05)
    floor = noise_floor(collect_cells(run, "self-resched"), "self-resched",
                        "base", family=10, alpha=0.05, seed=1)
    assert floor.batch_share < 0.05
    assert floor.sd_log == pytest.approx(math.sqrt(2) * 0.05, rel=0.3)


def test_no_aa_control_no_floor():
    run = simulate(np.random.default_rng(3), {"base": 1.0, "x": 1.1})
    result = precision(run, "self-resched", "base", 0.01, family=2)
    assert result.floor is None


def _two_regimes(rng):
    """flood-like: 5 processes at ~20 ns/op with few syscalls, 7 at
    ~2.5 times that with more."""
    run = simulate(rng, AA, processes=12, batches=6, scenarios=("flood",))
    slow = {1, 3, 4, 6, 8, 10, 11}
    samples = tuple(
        replace(s, ns=s.ns * 2.5, eventfd_writes=OPS // 10,
                eventfd_reads=OPS // 10) if s.process in slow else s
        for s in run.samples)
    return replace(run, samples=samples), slow


def test_regimes_split_at_the_gap_and_name_every_process():
    run, slow = _two_regimes(np.random.default_rng(4))
    found = regimes(collect_cells(run, "flood"), run, "flood", "base")
    assert [r.label for r in found] == ["A", "B"]
    assert set(found[1].processes) == slow
    assert set(found[0].processes) | set(found[1].processes) == set(range(12))
    assert found[1].median_ns / found[0].median_ns == pytest.approx(2.5,
                                                                    rel=0.05)
    assert found[0].syscalls_per_op == pytest.approx(0.0)
    assert found[1].syscalls_per_op == pytest.approx(0.2)


def test_a_process_that_changes_regime_is_counted():
    from evaluator.stats.precision import switching
    run, slow = _two_regimes(np.random.default_rng(7))
    # process 0 (fast) spends its last batches in the slow regime
    moved = tuple(replace(s, ns=s.ns * 2.5) if s.process == 0
                  and s.batch >= 4 else s for s in run.samples)
    run = replace(run, samples=moved)
    cells = collect_cells(run, "flood")
    found = regimes(cells, run, "flood", "base")
    assert switching(cells, found, "base") == 1


def test_no_regimes_within_the_gap():
    run = simulate(np.random.default_rng(5), AA, processes=12,
                   scenarios=("flood",), process_sd=0.05)
    assert math.exp(0.05 * 4) < REGIME_GAP      # no natural split
    found = regimes(collect_cells(run, "flood"), run, "flood", "base")
    assert len(found) == 1 and len(found[0].processes) == 12


def test_only_registered_regime_scenarios_get_regimes():
    run, _ = _two_regimes(np.random.default_rng(6))
    as_pingpong = replace(run, samples=tuple(
        replace(s, scenario="pingpong") for s in run.samples))
    assert precision(as_pingpong, "pingpong", "base", 0.02, 2).regimes == ()
    assert len(precision(run, "flood", "base", 0.02, 2).regimes) == 2


def test_preempted_batches_are_counted_and_left_out():
    from evaluator.stats.precision import preempted_share
    run = simulate(np.random.default_rng(8), AA, processes=2, batches=6)
    # batch 3 of every arm lost the CPU: 100 times slower
    marked = tuple(replace(s, preempted=1, ns=s.ns * 100) if s.batch == 3
                   else replace(s, preempted=0) for s in run.samples)
    cells = collect_cells(replace(run, samples=marked), "self-resched")
    # 4 analysed batches per arm and process, one of them preempted
    assert preempted_share(cells) == pytest.approx(0.25)
    assert all(len(x) == 3 and max(x) < 25 for per in cells.batches.values()
               for x in per.values())
    assert all(3 not in r for per in cells.rounds.values()
               for r in per.values())
    assert preempted_share(collect_cells(run, "self-resched")) is None
