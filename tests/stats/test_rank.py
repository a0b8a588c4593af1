"""rank() on synthetic runs with known answers and awkward data."""

import numpy as np
import pytest
from synth import OPS, simulate

from evaluator.errors import ReportError
from evaluator.samples import Fault, Sample, SampleSet
from evaluator.stats import rank, rank_runs

EFFECTS = {"base": 1.0, "fast": 0.95, "same": 1.0, "slow": 1.05,
           "base~aa": 1.0, "base~slow": 1.2}


@pytest.fixture(scope="module")
def clear_run():
    rng = np.random.default_rng(11)
    return simulate(rng, EFFECTS, processes=12,
                    scenarios=("self-resched", "pingpong"),
                    syscalls={"slow": 2.0})


def test_known_effects_get_the_right_verdicts_and_tiers(clear_run):
    ranking = rank(clear_run, "base", resamples=500)
    for scenario in ranking.scenarios:
        verdicts = {v: c.verdict for v, c in scenario.vs_baseline.items()}
        assert verdicts == {"fast": "faster", "same": "equivalent",
                            "slow": "slower", "base~aa": "equivalent",
                            "base~slow": "slower"}
        assert scenario.order == ("fast", "base", "same", "slow") or \
            scenario.order == ("fast", "same", "base", "slow")
        assert scenario.tiers == {"fast": 1, "base": 2, "same": 2,
                                  "slow": 3}
        assert scenario.friedman_p < 0.001
        assert scenario.friedman_blocks == 12
        ratio = scenario.vs_baseline["fast"].ratio
        assert ratio == pytest.approx(0.95, abs=0.01)
        assert scenario.estimates["slow"].syscalls_per_op == \
            pytest.approx(2.0)
        assert scenario.estimates["base"].median_ns == \
            pytest.approx(20.0, rel=0.02)
    assert all(check.ok for check in ranking.self_checks)


def test_holm_family_is_every_comparison_of_the_report(clear_run):
    ranking = rank(clear_run, "base", resamples=0)
    # per scenario: 4 ranked variants -> 6 pairs, plus 2 controls
    assert ranking.family == 2 * (6 + 2)
    pvals = [c.p_t for s in ranking.scenarios for c in s.pairs]
    pvals += [s.vs_baseline[c].p_t for s in ranking.scenarios
              for c in ("base~aa", "base~slow")]
    adjusted = [c.p_adj for s in ranking.scenarios for c in s.pairs]
    smallest = min(pvals)
    assert min(adjusted) == pytest.approx(min(1.0, smallest * 16))


def test_controls_are_never_ranked(clear_run):
    ranking = rank(clear_run, "base", resamples=0)
    for scenario in ranking.scenarios:
        assert not any("~" in v for v in scenario.order)
        assert not any("~" in c.variant for c in scenario.pairs)


def test_seeded_bootstrap_is_reproducible(clear_run):
    one = rank(clear_run, "base", seed=5, resamples=300)
    two = rank(clear_run, "base", seed=5, resamples=300)
    other = rank(clear_run, "base", seed=6, resamples=300)
    def key(r):
        return r.scenarios[0].vs_baseline["fast"].boot_ci95
    assert key(one) == key(two)
    assert key(one) != key(other)


def test_failed_cells_are_dropped_and_counted():
    rng = np.random.default_rng(3)
    faults = [Fault(p, "flaky", "self-resched", "hung", "bh pending")
              for p in (0, 1, 2)]
    run = simulate(rng, {"base": 1.0, "flaky": 1.0}, processes=8,
                   faults=faults)
    scenario = rank(run, "base", resamples=0).scenarios[0]
    comparison = scenario.vs_baseline["flaky"]
    assert comparison.processes == 5 and comparison.unpaired == 3
    assert scenario.estimates["flaky"].faults == {"hung": 3}
    assert scenario.estimates["flaky"].processes == 5


def test_variant_hung_everywhere_is_unranked_not_a_crash():
    rng = np.random.default_rng(4)
    run = simulate(rng, {"base": 1.0, "other": 1.0}, processes=4)
    kept = tuple(s for s in run.samples if s.variant == "base")
    faults = tuple(Fault(p, "stuck", "self-resched", "hung")
                   for p in range(4))
    run = SampleSet({}, {}, kept, faults)
    scenario = rank(run, "base").scenarios[0]
    assert scenario.order == ("base",)
    assert "stuck" in scenario.unranked
    assert scenario.estimates["stuck"].faults == {"hung": 4}


def test_one_process_gives_na_and_no_crash():
    rng = np.random.default_rng(5)
    run = simulate(rng, {"base": 1.0, "x": 0.9, "base~aa": 1.0},
                   processes=1)
    ranking = rank(run, "base")
    scenario = ranking.scenarios[0]
    assert scenario.vs_baseline["x"].verdict == "n/a"
    assert scenario.vs_baseline["x"].ci95 is None
    assert "x" in scenario.unranked
    assert scenario.mde is None and scenario.friedman_p is None
    assert ranking.family == 0
    assert ranking.self_checks[0].ok is None


def test_identical_numbers_everywhere():
    samples = tuple(Sample(p, v, "flood", b, False, OPS, 10.0 * OPS)
                    for p in range(5) for v in ("base", "twin", "third")
                    for b in range(4))
    scenario = rank(SampleSet({}, {}, samples), "base").scenarios[0]
    twin = scenario.vs_baseline["twin"]
    assert twin.ratio == 1.0 and twin.ci95 == (1.0, 1.0)
    assert twin.p_t == 1.0 and twin.verdict == "equivalent"
    assert scenario.tiers == {"base": 1, "twin": 1, "third": 1}


def test_warmup_batches_are_ignored():
    rng = np.random.default_rng(6)
    run = simulate(rng, {"base": 1.0, "x": 1.0}, processes=6, warmup=3)
    # make every warm-up batch of x absurdly slow: nothing must change
    slowed = tuple(Sample(**{**s.__dict__, "ns": s.ns * 50})
                   if s.warmup and s.variant == "x" else s
                   for s in run.samples)
    a = rank(run, "base", resamples=0).scenarios[0].vs_baseline["x"]
    b = rank(SampleSet({}, {}, slowed), "base",
             resamples=0).scenarios[0].vs_baseline["x"]
    assert a.ratio == b.ratio


def test_variant_and_scenario_filters():
    rng = np.random.default_rng(7)
    run = simulate(rng, EFFECTS, processes=4,
                   scenarios=("self-resched", "flood"))
    ranking = rank(run, "base", scenarios=["flood"],
                   variants=["fast", "slow"], resamples=0)
    assert [s.scenario for s in ranking.scenarios] == ["flood"]
    assert set(ranking.scenarios[0].estimates) == {"base", "fast", "slow"}


def test_missing_baseline_and_bad_delta_are_clear_errors():
    rng = np.random.default_rng(8)
    run = simulate(rng, {"a": 1.0, "b": 1.0}, processes=3)
    with pytest.raises(ReportError, match="baseline 'zzz'.*a, b"):
        rank(run, "zzz")
    with pytest.raises(ReportError, match="delta"):
        rank(run, "a", delta=5)


def test_machines_share_one_holm_family_but_are_not_pooled():
    rng = np.random.default_rng(9)
    fast_box = simulate(rng, {"base": 1.0, "x": 0.9}, processes=6,
                        base_ns=10.0)
    slow_box = simulate(rng, {"base": 1.0, "x": 1.0}, processes=6,
                        base_ns=50.0)
    one, two = rank_runs([fast_box, slow_box], "base", resamples=0)
    assert one.family == two.family == 2
    assert one.scenarios[0].vs_baseline["x"].verdict == "faster"
    assert two.scenarios[0].vs_baseline["x"].verdict == "equivalent"
    assert one.scenarios[0].estimates["base"].median_ns < 12
    assert two.scenarios[0].estimates["base"].median_ns > 45


def test_a_baseline_without_samples_names_the_alternatives():
    from evaluator.errors import ReportError
    from evaluator.samples import Fault, Sample, SampleSet
    one = Sample(0, "other", "s", 0, False, 10, 100.0)
    with pytest.raises(ReportError, match="among: other"):
        rank(SampleSet({}, {}, (one,)), "base")
    hung = Fault(0, "base", "s", "hung")
    with pytest.raises(ReportError, match="every one faulted"):
        rank(SampleSet({}, {}, (), (hung,)), "base")
    with pytest.raises(ReportError, match="holds no samples at all"):
        rank(SampleSet({}, {}, ()), "base")
