"""Statistical primitives for the ranking stage (pure, numpy/scipy only).

Every function takes per-process summaries -- one number per process,
already on the log scale -- never raw batches: batches from one process
share its thread placement, frequency and layout, so they are not
independent observations (benchmark-method §4.4).  Functions return None
where the data cannot support the computation (too few processes), so
callers can print "n/a" instead of crashing.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

POWER = 0.80    # for the minimum detectable effect (benchmark-method §4.8)


@dataclass(frozen=True)
class PairedTest:
    """Paired comparison on per-process log-ratios d_p = log(v_p / r_p)."""

    n: int                              # processes with both variants
    mean_log: float                     # mean of d_p; ratio = exp(mean_log)
    sd_log: float | None                # SD of d_p (None when n < 2)
    ci95_log: tuple[float, float] | None
    ci90_log: tuple[float, float] | None    # for TOST
    p_t: float | None                   # two-sided paired t on logs
    p_wilcoxon: float | None            # two-sided signed-rank


def t_interval(values: np.ndarray, level: float) -> tuple[float, float] | None:
    """Student-t confidence interval for the mean of `values`."""
    n = len(values)
    if n < 2:
        return None
    mean = float(np.mean(values))
    sd = float(np.std(values, ddof=1))
    half = sps.t.ppf(0.5 + level / 2, n - 1) * sd / math.sqrt(n)
    return (mean - half, mean + half)


def paired_t_p(diffs: np.ndarray) -> float | None:
    """Two-sided one-sample t on the differences; exact limits at sd = 0."""
    n = len(diffs)
    if n < 2:
        return None
    mean = float(np.mean(diffs))
    sd = float(np.std(diffs, ddof=1))
    if sd == 0.0:
        # Identical differences in every process: no noise left to test
        # against.  Zero difference is no evidence; any other is certain.
        return 1.0 if mean == 0.0 else 0.0
    t = mean / (sd / math.sqrt(n))
    return float(2 * sps.t.sf(abs(t), n - 1))


def wilcoxon_p(diffs: np.ndarray) -> float | None:
    """Two-sided Wilcoxon signed-rank p (exact for small n without ties)."""
    if len(diffs) < 2:
        return None
    if not np.any(diffs):
        return 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            p = sps.wilcoxon(diffs).pvalue
        except ValueError:
            return None
    return None if math.isnan(p) else float(p)


def paired_test(diffs: Sequence[float]) -> PairedTest:
    d = np.asarray(diffs, dtype=float)
    n = len(d)
    return PairedTest(
        n=n,
        mean_log=float(np.mean(d)) if n else math.nan,
        sd_log=float(np.std(d, ddof=1)) if n >= 2 else None,
        ci95_log=t_interval(d, 0.95),
        ci90_log=t_interval(d, 0.90),
        p_t=paired_t_p(d),
        p_wilcoxon=wilcoxon_p(d),
    )


def holm(pvalues: Sequence[float | None]) -> list[float | None]:
    """Holm step-down adjusted p-values; None entries are not tests and do
    not count in the family."""
    indexed = [(p, i) for i, p in enumerate(pvalues) if p is not None]
    m = len(indexed)
    adjusted: list[float | None] = [None] * len(pvalues)
    running = 0.0
    for rank, (p, i) in enumerate(sorted(indexed)):
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[i] = running
    return adjusted


def log_bounds(delta: float) -> tuple[float, float]:
    """The practical threshold ±delta as bounds on a log-ratio."""
    return (math.log1p(-delta), math.log1p(delta))


def verdict(p_adj: float | None, ci95_log: tuple[float, float] | None,
            ci90_log: tuple[float, float] | None, delta: float,
            alpha: float) -> str:
    """faster / slower: Holm-significant AND the whole 95% CI beyond ±delta;
    equivalent: the 90% CI inside ±delta (TOST at alpha = 0.05 per side);
    inconclusive otherwise; n/a when no test was possible."""
    if p_adj is None or ci95_log is None or ci90_log is None:
        return "n/a"
    low, high = log_bounds(delta)
    if p_adj < alpha and ci95_log[1] < low:
        return "faster"
    if p_adj < alpha and ci95_log[0] > high:
        return "slower"
    if low < ci90_log[0] and ci90_log[1] < high:
        return "equivalent"
    return "inconclusive"


def mde_log(sd_log: float | None, n: int, family: int,
            alpha: float = 0.05, power: float = POWER) -> float | None:
    """Minimum detectable |log-ratio| of a paired t-test with Holm's worst
    case alpha/family: (t_{1-alpha'/2} + t_{power}) * s_d / sqrt(n)."""
    if sd_log is None or n < 2 or family < 1:
        return None
    df = n - 1
    crit = sps.t.ppf(1 - alpha / family / 2, df) + sps.t.ppf(power, df)
    return float(crit * sd_log / math.sqrt(n))


def friedman_p(matrix: np.ndarray) -> float | None:
    """Friedman test; rows = blocks (processes), columns = variants."""
    blocks, k = matrix.shape if matrix.ndim == 2 else (0, 0)
    if k < 3 or blocks < 2:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            p = sps.friedmanchisquare(*matrix.T).pvalue
        except ValueError:
            return None
    return None if math.isnan(p) else float(p)


def wilcoxon_floor(n: int) -> float:
    """Smallest two-sided p an exact signed-rank test can give with n."""
    return 2.0 ** (1 - n) if n >= 1 else 1.0
