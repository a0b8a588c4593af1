"""Per-process data for the statistics: which batches count.

Warm-up batches are skipped; a (process, variant) cell with a fault
(hung, crashed, check-failed) is dropped whole, because a variant that
misbehaved in a process may have timed nonsense before it was caught.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..samples import EXTERNAL, SampleSet


@dataclass(frozen=True)
class Cells:
    """Non-warm-up ns/op per variant and process, faulted cells dropped."""

    batches: Mapping[str, Mapping[int, np.ndarray]]
    syscalls: Mapping[str, float]    # eventfd reads+writes per op, pooled
    writes: Mapping[str, float]      # of which write(2)
    reads: Mapping[str, float]       # of which read(2)
    faults: Mapping[str, Mapping[str, int]]   # kind -> processes
    processes: int


def collect_cells(sample_set: SampleSet, scenario: str) -> Cells:
    faulted = defaultdict(set)
    fault_kinds: dict[str, dict[str, set]] = defaultdict(
        lambda: defaultdict(set))
    for fault in sample_set.faults:
        if fault.scenario == scenario:
            if fault.kind != EXTERNAL:  # its finished batches are sound
                faulted[fault.variant].add(fault.process)
            fault_kinds[fault.variant][fault.kind].add(fault.process)
    values: dict[str, dict[int, list[float]]] = defaultdict(
        lambda: defaultdict(list))
    writes: Counter = Counter()
    reads: Counter = Counter()
    ops: Counter = Counter()
    seen = set()
    for s in sample_set.samples:
        if s.scenario != scenario:
            continue
        seen.add(s.process)
        if s.warmup or s.process in faulted[s.variant] or s.ops <= 0:
            continue
        values[s.variant][s.process].append(s.ns_per_op)
        writes[s.variant] += s.eventfd_writes
        reads[s.variant] += s.eventfd_reads
        ops[s.variant] += s.ops
    batches = {v: {p: np.asarray(x) for p, x in per.items()}
               for v, per in values.items()}
    return Cells(batches, {v: (writes[v] + reads[v]) / ops[v] for v in ops},
                 {v: writes[v] / ops[v] for v in ops},
                 {v: reads[v] / ops[v] for v in ops},
                 {v: {k: len(p) for k, p in kinds.items()}
                  for v, kinds in fault_kinds.items()},
                 len(seen | {f.process for f in sample_set.faults
                             if f.scenario == scenario}))


def log_medians(per_process: Mapping[int, np.ndarray]) -> dict[int, float]:
    return {p: math.log(float(np.median(x))) for p, x in per_process.items()}


def log_ratios(cells: Cells, variant: str, reference: str) -> list[float]:
    """Per-process log(variant / reference) over the processes that have
    both: the paired differences every comparison is built on."""
    mine = log_medians(cells.batches.get(variant, {}))
    theirs = log_medians(cells.batches.get(reference, {}))
    return [mine[p] - theirs[p] for p in sorted(set(mine) & set(theirs))]
