"""Per-process data for the ranking stage: which batches count.

Warm-up batches are skipped; a (process, variant) cell with a fault
(hung, crashed, check-failed) is dropped whole, because a variant that
misbehaved in a process may have timed nonsense before it was caught.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Mapping

import numpy as np

from .samples import SampleSet


@dataclass(frozen=True)
class Cells:
    """Non-warm-up ns/op per variant and process, faulted cells dropped."""

    batches: Mapping[str, Mapping[int, np.ndarray]]
    syscalls: Mapping[str, float]
    faults: Mapping[str, Mapping[str, int]]   # kind -> processes
    processes: int


def collect_cells(sample_set: SampleSet, scenario: str) -> Cells:
    faulted = defaultdict(set)
    fault_kinds: dict[str, dict[str, set]] = defaultdict(
        lambda: defaultdict(set))
    for fault in sample_set.faults:
        if fault.scenario == scenario:
            faulted[fault.variant].add(fault.process)
            fault_kinds[fault.variant][fault.kind].add(fault.process)
    values: dict[str, dict[int, list[float]]] = defaultdict(
        lambda: defaultdict(list))
    calls: Counter = Counter()
    ops: Counter = Counter()
    seen = set()
    for s in sample_set.samples:
        if s.scenario != scenario:
            continue
        seen.add(s.process)
        if s.warmup or s.process in faulted[s.variant] or s.ops <= 0:
            continue
        values[s.variant][s.process].append(s.ns_per_op)
        calls[s.variant] += s.eventfd_writes + s.eventfd_reads
        ops[s.variant] += s.ops
    batches = {v: {p: np.asarray(x) for p, x in per.items()}
               for v, per in values.items()}
    syscalls = {v: calls[v] / ops[v] for v in ops}
    return Cells(batches, syscalls,
                  {v: {k: len(p) for k, p in kinds.items()}
                   for v, kinds in fault_kinds.items()},
                  len(seen | {f.process for f in sample_set.faults
                              if f.scenario == scenario}))


def log_medians(per_process: Mapping[int, np.ndarray]) -> dict[int, float]:
    return {p: math.log(float(np.median(x))) for p, x in per_process.items()}
