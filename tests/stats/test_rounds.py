"""Pairing by rounds inside a process (stats/cells.py), with known
answers: what hits every arm of a round alike cancels, the estimate
stays unbiased, the A/A false-positive rate stays nominal, and runs
without round numbers are analysed as before."""

import math
from dataclasses import replace

import numpy as np
import pytest
from scipy import stats as sps
from synth import simulate

from evaluator.stats import rank
from evaluator.stats.cells import (MIN_PAIRED_ROUNDS, collect_cells,
                                   log_ratios, round_diffs)

AA = {"base": 1.0, "base~aa": 1.0}


def _sd(run, a="base~aa", b="base"):
    return float(np.std(log_ratios(collect_cells(run, "self-resched"), a,
                                   b), ddof=1))


def test_round_noise_cancels_when_paired():
    """Rounds 10% apart, batches 2%: paired, the per-process log-ratio
    carries only the batch noise (median of 10 differences of two 2%
    normals); unpaired, the two medians also pick different rounds."""
    kwargs = dict(processes=60, batches=12, batch_sd=0.02, round_sd=0.1,
                  process_sd=0.02)
    paired = _sd(simulate(np.random.default_rng(1), AA, **kwargs))
    unpaired = _sd(simulate(np.random.default_rng(1), AA, rounds=False,
                            **kwargs))
    batch_only = math.sqrt(2) * 1.2533 * 0.02 / math.sqrt(10)
    assert paired == pytest.approx(batch_only, rel=0.25)
    assert paired < 0.8 * unpaired


def test_paired_estimate_is_unbiased():
    run = simulate(np.random.default_rng(2), {"base": 1.0, "fast": 0.97},
                   processes=30, batches=10, round_sd=0.05)
    ratio = rank(run, "base", resamples=300).scenarios[0].vs_baseline["fast"]
    assert ratio.ratio == pytest.approx(0.97, abs=0.004)
    assert ratio.ci95[0] < 0.97 < ratio.ci95[1]
    assert ratio.boot_ci95[0] < 0.97 < ratio.boot_ci95[1]


def test_aa_false_positive_rate_stays_nominal_with_round_noise():
    runs, hits = 300, 0
    rng = np.random.default_rng(20250101)
    for _ in range(runs):
        run = simulate(rng, AA, processes=10, batches=10, round_sd=0.03,
                       interaction_sd=0.005)
        verdict = rank(run, "base", delta=0.0, resamples=0).scenarios[
            0].vs_baseline["base~aa"].verdict
        hits += verdict in ("faster", "slower")
    assert hits <= sps.binom.ppf(0.99, runs, 0.05)


def test_too_few_common_rounds_fall_back_to_medians():
    run = simulate(np.random.default_rng(3), AA, processes=4, batches=6)
    # warm-up batches 0 and 1 do not count: rounds 2.. are the common ones
    few = tuple(replace(s, round=None) if s.variant == "base~aa"
                and s.round is not None and s.round >= 2 + MIN_PAIRED_ROUNDS
                - 1 else s for s in run.samples)
    cells = collect_cells(replace(run, samples=few), "self-resched")
    assert round_diffs(cells, "base~aa", "base", 0) is None
    mine = np.median(cells.batches["base~aa"][0])
    theirs = np.median(cells.batches["base"][0])
    assert log_ratios(cells, "base~aa", "base")[0] == pytest.approx(
        math.log(mine / theirs))


def test_old_runs_without_rounds_give_the_median_ratio():
    run = simulate(np.random.default_rng(4), {"base": 1.0, "x": 1.1},
                   processes=5, rounds=False)
    cells = collect_cells(run, "self-resched")
    expected = [math.log(np.median(cells.batches["x"][p])
                         / np.median(cells.batches["base"][p]))
                for p in range(5)]
    assert log_ratios(cells, "x", "base") == pytest.approx(expected)


def _preempt(run, rng, share=0.3, factor=3.0):
    """Mark a random `share` of batches preempted, as a loaded machine
    does, whatever their variant, and stretch their wall time."""
    hit = rng.random(len(run.samples)) < share
    return replace(run, samples=tuple(
        replace(s, preempted=int(h), ns=s.ns * (factor if h else 1.0))
        for s, h in zip(run.samples, hit)))


def test_preempted_batches_left_out_without_bias():
    rng = np.random.default_rng(6)
    run = simulate(rng, {"base": 1.0, "fast": 0.96, "base~aa": 1.0},
                   processes=30, batches=12)
    loaded = _preempt(run, rng)
    fast = rank(loaded, "base", resamples=0).scenarios[0].vs_baseline[
        "fast"]
    assert fast.ratio == pytest.approx(0.96, abs=0.005)
    assert fast.verdict == "faster"
    # the same data with the counts erased (a run before issue 15): the
    # stretched batches stay in and the spread is several times larger
    blind = replace(loaded, samples=tuple(replace(s, preempted=None)
                                          for s in loaded.samples))
    assert _sd(blind) > 3 * _sd(loaded)
