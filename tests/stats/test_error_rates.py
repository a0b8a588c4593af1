"""Error rates on simulated runs: the A/A false-positive rate, the power
to see a 2% effect with the default budget's sample sizes, and the
bootstrap cross-check against the t-interval.

Sample sizes (benchmark-method §4.3/§4.7 and the bench defaults): about
10 processes x 10 analysed batches per variant, batch noise 1%.
"""

import numpy as np
import pytest
from scipy import stats as sps
from synth import simulate

from evaluator.stats import rank

RUNS = 400
ALPHA = 0.05
# Binomial 99% upper limit on the count of false positives among RUNS
# tests at a true rate of ALPHA: 31 of 400 (7.75%).  A correct test
# exceeds it in 1% of seeds; a biased one (e.g. pooled batches) by far.
FP_LIMIT = int(sps.binom.ppf(0.99, RUNS, ALPHA))


def aa_false_positives(process_sd, interaction_sd, seed):
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(RUNS):
        run = simulate(rng, {"base": 1.0, "base~aa": 1.0},
                       process_sd=process_sd,
                       interaction_sd=interaction_sd)
        # delta = 0 makes the verdict the bare significance test, the
        # strictest reading of "false positive"
        result = rank(run, "base", delta=0.0, resamples=0)
        hits += result.scenarios[0].vs_baseline["base~aa"].verdict in (
            "faster", "slower")
    return hits


@pytest.mark.parametrize("process_sd,interaction_sd", [
    (0.01, 0.0),    # placement effect shared by the variants of a process
    (0.0, 0.01),    # an effect per process and variant (does not cancel)
])
def test_aa_false_positive_rate_is_nominal(process_sd, interaction_sd):
    hits = aa_false_positives(process_sd, interaction_sd, seed=20240611)
    assert hits <= FP_LIMIT, f"{hits}/{RUNS} A/A runs 'significant'"


def test_pooling_batches_would_fail_the_same_check():
    """Shows the A/A check has teeth: a Welch t over all batches as if they
    were independent (pyperf/asv style) fails it badly on the same data."""
    rng = np.random.default_rng(7)
    hits = 0
    for _ in range(200):
        run = simulate(rng, {"base": 1.0, "base~aa": 1.0},
                       process_sd=0.0, interaction_sd=0.01)
        logs = {v: [np.log(s.ns_per_op) for s in run.samples
                    if s.variant == v and not s.warmup]
                for v in ("base", "base~aa")}
        hits += sps.ttest_ind(logs["base"], logs["base~aa"],
                              equal_var=False).pvalue < ALPHA
    assert hits / 200 > 0.3


def test_default_delta_aa_is_never_faster_or_slower():
    rng = np.random.default_rng(99)
    verdicts = []
    for _ in range(100):
        run = simulate(rng, {"base": 1.0, "base~aa": 1.0},
                       interaction_sd=0.01)
        verdicts.append(rank(run, "base", resamples=0).scenarios[0]
                        .vs_baseline["base~aa"].verdict)
    assert set(verdicts) <= {"equivalent", "inconclusive"}


def test_two_percent_effect_is_detected_with_default_sample_sizes():
    """A full report's worth of comparisons (7 ranked variants and two
    controls in 3 scenarios: a Holm family of 69), 10 processes x 10
    batches, 1% batch noise, 1% process effect, 0.3% interaction."""
    rng = np.random.default_rng(31)
    effects = {"base": 1.0, "two": 1.02, "v3": 1.0, "v4": 1.0, "v5": 0.99,
               "v6": 1.005, "v7": 1.0, "base~aa": 1.0, "base~slow": 1.1}
    found = tried = 0
    for _ in range(25):
        run = simulate(rng, effects, interaction_sd=0.003,
                       scenarios=("self-resched", "pingpong", "flood"))
        result = rank(run, "base", resamples=0)
        assert result.family == 69
        for scenario in result.scenarios:
            found += scenario.vs_baseline["two"].verdict == "slower"
            tried += 1
            assert scenario.mde < 0.02
    assert found / tried >= 0.8, f"power {found}/{tried}"


def test_bootstrap_agrees_with_t_interval_on_well_behaved_data():
    rng = np.random.default_rng(12)
    run = simulate(rng, {"base": 1.0, "x": 1.03}, processes=20, batches=20,
                   interaction_sd=0.005)
    c = rank(run, "base", resamples=4000).scenarios[0].vs_baseline["x"]
    t_low, t_high = np.log(c.ci95)
    b_low, b_high = np.log(c.boot_ci95)
    width = t_high - t_low
    assert abs(b_low - t_low) < 0.3 * width
    assert abs(b_high - t_high) < 0.3 * width
