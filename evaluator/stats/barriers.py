"""Can this run speak about single-barrier differences?

The one-lock control (<baseline>~lock: exactly one more locked RMW per
operation, controls.py) must come out "slower" in every barrier-gate
scenario of the registry (self-resched: the fast path alone, where one
locked instruction is a large share of an operation).  If it does not,
the run could not see the cost of one barrier, so it cannot tell a
variant that differs from another only in fences, locked RMWs or memory
orders from one that does not differ:

  * such a comparison -- the two arms execute the same system calls
    per operation in that scenario, by the dynamic census -- gets the
    verdict "unresolved" instead of faster/slower/equivalent (an
    "equivalent" would claim the barrier costs nothing; a "faster" rests
    on a run that failed its own sensitivity check);
  * comparisons between arms whose system calls per operation differ
    (full-removal's read(2) every iteration) keep their verdicts: a
    syscall costs tens of barriers;
  * tiers are built from the verdicts, so unresolved pairs do not
    separate tiers, and the recommendation, which reads verdicts, makes
    no single-barrier claim.

Without a one-lock control (older runs, --no-controls) nothing is
downgraded; the report says the run's sensitivity is unknown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..bench import scenarios as scenario_registry
from ..controls import LOCK, arm_name

UNRESOLVED = "unresolved"


def lock_verdicts(comparisons: Sequence, baseline: str) -> dict[str, str]:
    """Scenario -> verdict of the one-lock control against the baseline."""
    name = arm_name(baseline, LOCK)
    return {c.scenario: c.verdict for c in comparisons
            if c.variant == name and c.reference == baseline}


def barrier_resolved(verdicts: Mapping[str, str]) -> bool | None:
    """True: slower in every gate scenario that ran; False: not slower in
    one; None: no gate scenario has a tested one-lock control."""
    gates = [verdicts[s] for s in scenario_registry.barrier_gates()
             if s in verdicts and verdicts[s] != "n/a"]
    if not gates:
        return None
    return all(v == "slower" for v in gates)


def _syscalls(dynamic: Mapping, name: str, scenario: str):
    record = dynamic.get(name) or {}
    entry = (record.get("scenarios") or {}).get(scenario)
    return None if entry is None else entry.get("syscalls")


def same_syscalls(dynamic: Mapping, scenario: str, a: str, b: str) -> bool:
    """Both arms make the same system calls per operation (so they can
    differ only in fences, RMWs and orders); False when unknown."""
    one, two = _syscalls(dynamic, a, scenario), _syscalls(dynamic, b,
                                                          scenario)
    return one is not None and one == two
