"""One variant in one scenario: the per-variant estimate that every
output (the report, `evaluate bench`) prints, so they cannot disagree.

ns/op is the geometric mean over processes of each process's median
batch, with a t-interval on the logs; syscalls per op are pooled over
the processes' usable batches.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .cells import Cells, log_medians, log_ratios
from .inference import t_interval

Interval = tuple[float, float]


@dataclass(frozen=True)
class Estimate:
    variant: str
    scenario: str
    processes: int                  # processes with usable batches
    median_ns: float | None         # geometric mean of per-process medians
    ci95: Interval | None
    syscalls_per_op: float | None   # eventfd reads+writes per op
    faults: Mapping[str, int]       # fault kind -> processes affected


def estimate(cells: Cells, scenario: str, variant: str) -> Estimate:
    logs = np.array(list(log_medians(cells.batches.get(variant, {}))
                         .values()))
    ci = t_interval(logs, 0.95)
    return Estimate(
        variant=variant, scenario=scenario, processes=len(logs),
        median_ns=float(np.exp(logs.mean())) if len(logs) else None,
        ci95=(math.exp(ci[0]), math.exp(ci[1])) if ci else None,
        syscalls_per_op=cells.syscalls.get(variant),
        faults=cells.faults.get(variant, {}))


def paired_ratio(cells: Cells, variant: str, reference: str) -> float | None:
    """exp(mean per-process log-ratio): the point estimate of every
    comparison (rank._compare uses the same differences)."""
    diffs = log_ratios(cells, variant, reference)
    return math.exp(sum(diffs) / len(diffs)) if diffs else None
