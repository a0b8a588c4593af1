"""Per-process data for the statistics: which batches count, and the
one number per process and pair of arms that every comparison uses.

Warm-up batches are skipped; a (process, variant) cell with a fault
(hung, crashed, check-failed) is dropped whole, because a variant that
misbehaved in a process may have timed nonsense before it was caught.
A batch during which another task took a measuring thread's CPU (the
harness counts the threads' involuntary context switches per batch) is
not timed: its wall time holds someone else's work.  The kernel decides
that from the machine's load, not from the variant, so leaving those
batches out biases no arm; on a quiet machine none are.  Their eventfd
calls still count (they do not depend on time), and the number left out
is reported (Precision).

The per-process log-ratio of arm v to arm r (log_ratios).  Each process
runs every arm once per round, in a shuffled order, so the batches of one
round ran within a few ms of each other.  What slows a process down for
a while -- flood's poller falling into its sleeping regime for a few
rounds, the host taking a vCPU -- hits every arm of that round alike.
So when both arms carry round numbers, the process's log-ratio is the
median over its rounds of log(v_round / r_round): the round is a block
inside the block that the process is.  Runs recorded before rounds were
(samples without "round") use log(median v / median r).  Either way a
process gives ONE number: the process stays the statistical unit.
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
    # variant -> process -> round -> ns/op (batches that carry a round)
    rounds: Mapping[str, Mapping[int, Mapping[int, float]]]
    syscalls: Mapping[str, float]    # eventfd reads+writes per op, pooled
    writes: Mapping[str, float]      # of which write(2)
    reads: Mapping[str, float]       # of which read(2)
    faults: Mapping[str, Mapping[str, int]]   # kind -> processes
    processes: int
    # analysed batches a measuring thread lost the CPU in (left out of
    # batches/rounds), and all analysed batches that said so either way
    preempted: int = 0
    counted: int = 0


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
    rounds: dict[str, dict[int, dict[int, float]]] = defaultdict(
        lambda: defaultdict(dict))
    writes: Counter = Counter()
    reads: Counter = Counter()
    ops: Counter = Counter()
    seen = set()
    preempted = counted = 0
    for s in sample_set.samples:
        if s.scenario != scenario:
            continue
        seen.add(s.process)
        if s.warmup or s.process in faulted[s.variant] or s.ops <= 0:
            continue
        writes[s.variant] += s.eventfd_writes
        reads[s.variant] += s.eventfd_reads
        ops[s.variant] += s.ops
        if s.preempted is not None:
            counted += 1
            if s.preempted > 0:
                preempted += 1
                continue
        values[s.variant][s.process].append(s.ns_per_op)
        if s.round is not None:
            rounds[s.variant][s.process][s.round] = s.ns_per_op
    batches = {v: {p: np.asarray(x) for p, x in per.items()}
               for v, per in values.items()}
    return Cells(batches,
                 {v: {p: dict(r) for p, r in per.items()}
                  for v, per in rounds.items()},
                 {v: (writes[v] + reads[v]) / ops[v] for v in ops},
                 {v: writes[v] / ops[v] for v in ops},
                 {v: reads[v] / ops[v] for v in ops},
                 {v: {k: len(p) for k, p in kinds.items()}
                  for v, kinds in fault_kinds.items()},
                 len(seen | {f.process for f in sample_set.faults
                             if f.scenario == scenario}),
                 preempted, counted)


def log_medians(per_process: Mapping[int, np.ndarray]) -> dict[int, float]:
    return {p: math.log(float(np.median(x))) for p, x in per_process.items()}


# A process pairs by rounds when both arms share at least this many.
MIN_PAIRED_ROUNDS = 3


def round_diffs(cells: Cells, variant: str, reference: str,
                process: int) -> np.ndarray | None:
    """log(variant / reference) per round both arms ran in `process`, or
    None when the process cannot be paired by rounds."""
    mine = cells.rounds.get(variant, {}).get(process, {})
    theirs = cells.rounds.get(reference, {}).get(process, {})
    common = sorted(set(mine) & set(theirs))
    if len(common) < MIN_PAIRED_ROUNDS:
        return None
    return np.log([mine[r] / theirs[r] for r in common])


def process_log_ratio(cells: Cells, variant: str, reference: str,
                      process: int) -> float:
    diffs = round_diffs(cells, variant, reference, process)
    if diffs is not None:
        return float(np.median(diffs))
    return (math.log(float(np.median(cells.batches[variant][process])))
            - math.log(float(np.median(cells.batches[reference][process]))))


def log_ratios(cells: Cells, variant: str, reference: str) -> list[float]:
    """Per-process log(variant / reference) over the processes that have
    both (see the module docstring): the paired differences every
    comparison is built on."""
    mine = cells.batches.get(variant, {})
    theirs = cells.batches.get(reference, {})
    return [process_log_ratio(cells, variant, reference, p)
            for p in sorted(set(mine) & set(theirs))]
