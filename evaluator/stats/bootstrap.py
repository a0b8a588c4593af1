"""Hierarchical bootstrap of a paired log-ratio (the cross-check beside
the t-interval, benchmark-method §4.4 and Kalibera & Jones 2013).

Two levels, as the data were generated: resample processes with
replacement (keeping each process's pair of variants together, since the
design is blocked), then, independently for every drawn process, resample
inside it as its log-ratio was computed (cells.py): its rounds (each a
pair of batches, one per arm) and take the median log-ratio, or, for a
process without rounds, each variant's batches and take the log of the
ratio of their medians.  The statistic is the mean over drawn processes,
the same estimator as the t-interval's.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np


def rng_for(seed: int, *key: str) -> np.random.Generator:
    """An independent, reproducible stream per comparison, so a result does
    not depend on the order in which comparisons are computed."""
    return np.random.default_rng([seed, zlib.crc32("\0".join(key).encode())])


def _resampled_log_medians(batches: np.ndarray, draws: int,
                           rng: np.random.Generator) -> np.ndarray:
    picks = rng.integers(0, len(batches), size=(draws, len(batches)))
    return np.log(np.median(batches[picks], axis=1))


def _resampled_median_diffs(diffs: np.ndarray, draws: int,
                            rng: np.random.Generator) -> np.ndarray:
    picks = rng.integers(0, len(diffs), size=(draws, len(diffs)))
    return np.median(diffs[picks], axis=1)


Pair = tuple[np.ndarray, np.ndarray] | np.ndarray


def bootstrap_ci(pairs: Sequence[Pair], rng: np.random.Generator,
                 resamples: int = 2000,
                 level: float = 0.95) -> tuple[float, float] | None:
    """Percentile CI of the mean log-ratio.  `pairs` holds, per process,
    its per-round log-ratios (an array), or (variant batches ns/op,
    reference batches ns/op) for a process without rounds."""
    n = len(pairs)
    if n < 2 or resamples < 1:
        return None
    chosen = rng.integers(0, n, size=(resamples, n))
    logratio = np.empty((resamples, n))
    for process, pair in enumerate(pairs):
        where = chosen == process
        draws = int(where.sum())
        if not draws:
            continue
        if isinstance(pair, np.ndarray):
            logratio[where] = _resampled_median_diffs(pair, draws, rng)
        else:
            variant, reference = pair
            logratio[where] = (_resampled_log_medians(variant, draws, rng)
                               - _resampled_log_medians(reference, draws, rng))
    means = logratio.mean(axis=1)
    tail = (1 - level) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return (float(low), float(high))
