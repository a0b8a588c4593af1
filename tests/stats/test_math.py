"""Statistical primitives against hand-computed or published values."""

import math

import numpy as np
import pytest

from evaluator.stats.inference import (friedman_p, holm, mde_log, paired_t_p,
                                       paired_test, t_interval, verdict,
                                       wilcoxon_floor, wilcoxon_p)


def test_holm_matches_hand_computation():
    # sorted: 0.005*4=0.02, 0.01*3=0.03, 0.03*2=0.06, 0.04*1 -> max 0.06
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx(
        [0.03, 0.06, 0.06, 0.02])


def test_holm_caps_at_one_and_skips_missing_tests():
    adjusted = holm([0.5, None, 0.4])
    assert adjusted[1] is None
    # family of two, not three: 0.4*2=0.8, then max(0.8, 0.5*1)
    assert adjusted[0] == pytest.approx(0.8)
    assert adjusted[2] == pytest.approx(0.8)
    assert holm([0.9, 0.8]) == [1.0, 1.0]


@pytest.mark.parametrize("family,n,sd,expected", [
    # benchmark-method.md §4.8 table (mde.out): k variants -> m pairs
    (1, 10, 0.003, 0.0030), (1, 10, 0.01, 0.0099),
    (6, 10, 0.003, 0.0040), (6, 10, 0.01, 0.0134),
    (6, 20, 0.01, 0.0085), (15, 10, 0.01, 0.0153),
    (15, 20, 0.003, 0.0028), (15, 20, 0.01, 0.0094),
])
def test_mde_reproduces_the_method_table(family, n, sd, expected):
    assert mde_log(sd, n, family) == pytest.approx(expected, abs=6e-5)


def test_mde_needs_two_processes():
    assert mde_log(0.01, 1, 1) is None
    assert mde_log(None, 10, 1) is None


def test_t_interval_hand_computed():
    # mean 2, sd 1, n 4, t(0.975, 3) = 3.1824463
    low, high = t_interval(np.array([1.0, 2.0, 2.0, 3.0]) , 0.95)
    half = 3.182446305284263 * math.sqrt(2 / 3) / 2
    assert (low, high) == pytest.approx((2 - half, 2 + half))
    assert t_interval(np.array([1.0]), 0.95) is None


def test_zero_variance_has_exact_limits():
    assert paired_t_p(np.zeros(5)) == 1.0
    assert paired_t_p(np.full(5, 0.02)) == 0.0
    assert wilcoxon_p(np.zeros(5)) == 1.0
    test = paired_test([0.0] * 6)
    assert test.ci95_log == (0.0, 0.0)
    assert verdict(1.0, test.ci95_log, test.ci90_log, 0.01, 0.05) \
        == "equivalent"


def test_too_few_processes_give_none_not_errors():
    test = paired_test([0.01])
    assert (test.p_t, test.p_wilcoxon, test.ci95_log, test.sd_log) == \
        (None, None, None, None)
    assert verdict(None, None, None, 0.01, 0.05) == "n/a"
    empty = paired_test([])
    assert empty.n == 0 and empty.p_t is None


def test_tost_equivalent_only_when_the_90_percent_ci_is_inside_delta():
    tight = paired_test([0.002, 0.003, 0.001, 0.0025, 0.0015, 0.002])
    loose = paired_test([0.002, 0.03, -0.02, 0.01, -0.005, 0.002])
    assert verdict(0.5, tight.ci95_log, tight.ci90_log, 0.01, 0.05) \
        == "equivalent"
    assert verdict(0.5, loose.ci95_log, loose.ci90_log, 0.01, 0.05) \
        == "inconclusive"


def test_significant_but_not_beyond_delta_is_not_faster():
    # 0.5% faster, very tight: significant, yet inside ±1% -> equivalent
    d = paired_test([-0.005, -0.0051, -0.0049, -0.005, -0.0052])
    assert d.p_t < 1e-6
    assert verdict(d.p_t, d.ci95_log, d.ci90_log, 0.01, 0.05) \
        == "equivalent"
    # 2% faster: beyond delta with the whole CI -> faster
    f = paired_test([-0.02, -0.021, -0.019, -0.02, -0.022])
    assert verdict(f.p_t, f.ci95_log, f.ci90_log, 0.01, 0.05) == "faster"
    # same data, but Holm made it non-significant -> not faster
    assert verdict(0.2, f.ci95_log, f.ci90_log, 0.01, 0.05) != "faster"
    s = paired_test([0.02, 0.021, 0.019, 0.02, 0.022])
    assert verdict(s.p_t, s.ci95_log, s.ci90_log, 0.01, 0.05) == "slower"


def test_wilcoxon_floor_and_exact_value():
    assert wilcoxon_floor(10) == pytest.approx(2 / 1024)
    # all ten differences positive: the exact two-sided p is the floor
    assert wilcoxon_p(np.arange(1, 11) / 100) == pytest.approx(2 / 1024)


def test_friedman_needs_three_variants_and_two_blocks():
    assert friedman_p(np.ones((10, 2))) is None
    assert friedman_p(np.ones((1, 4))) is None
    # every block ranks the columns identically: strong evidence
    matrix = np.tile([1.0, 2.0, 3.0], (8, 1)) + np.arange(8)[:, None]
    assert friedman_p(matrix) < 0.001
