"""Synthetic benchmark runs with known answers.

Model (log scale): log ns/op of batch i of variant v in process p =
log(base * effect_v) + u_p + w_pv + r_pi + e_pvi, with u_p the
process-level random effect shared by every variant in the process
(placement, frequency: the blocked design cancels it), w_pv a variant x
process interaction (does not cancel), r_pi a round effect shared by
every variant's batch of round i of process p (flood's regimes, the
host taking a vCPU for a while: pairing by rounds cancels it), and
e_pvi the batch noise.  Batch i of every variant is round i (rounds=
False leaves the samples without round numbers, as runs recorded before
rounds were).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from evaluator.samples import Fault, Sample, SampleSet

OPS = 100_000


def simulate(rng: np.random.Generator, effects: Mapping[str, float], *,
             processes: int = 10, batches: int = 10, warmup: int = 2,
             batch_sd: float = 0.01, process_sd: float = 0.01,
             interaction_sd: float = 0.0, round_sd: float = 0.0,
             rounds: bool = True, base_ns: float = 20.0,
             scenarios: Sequence[str] = ("self-resched",),
             syscalls: Mapping[str, float] | None = None,
             faults: Sequence[Fault] = (),
             environment: Mapping[str, object] | None = None) -> SampleSet:
    """`effects` maps variant name -> true ratio to the baseline (1.0)."""
    names = list(effects)
    log_effect = np.log([effects[v] for v in names])
    samples = []
    for scenario in scenarios:
        u = rng.normal(0, process_sd, processes)
        w = rng.normal(0, interaction_sd, (processes, len(names)))
        e = rng.normal(0, batch_sd, (processes, len(names), batches))
        r = rng.normal(0, round_sd, (processes, batches))
        logs = (np.log(base_ns) + log_effect[None, :, None]
                + u[:, None, None] + w[:, :, None] + r[:, None, :] + e)
        for p in range(processes):
            for j, name in enumerate(names):
                per_op = (syscalls or {}).get(name, 0.0)
                for b in range(batches):
                    samples.append(Sample(
                        process=p, variant=name, scenario=scenario,
                        batch=b, warmup=b < warmup, ops=OPS,
                        ns=float(np.exp(logs[p, j, b]) * OPS),
                        eventfd_writes=int(round(per_op * OPS / 2)),
                        eventfd_reads=int(round(per_op * OPS / 2)),
                        round=b if rounds else None))
    return SampleSet(dict(environment or {}), {}, tuple(samples),
                     tuple(faults))
