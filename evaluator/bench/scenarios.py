"""The registry of benchmark scenarios: the one place that lists them.

The bench stage (calibration, CPU placement, the environment record),
the statistics (report order) and the CLI choices read REGISTRY.  The C
harness has its own `names[]` in csrc/harness/scenarios.c, in the same
order (its `enum scenario` indexes it); a test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import BenchError


@dataclass(frozen=True)
class ScenarioInfo:
    name: str
    threads: int            # 1: CPU a only; 2: producer on a, poller on b
    calibration_ops: int    # batch size of the calibration process
    meaning: str            # one line, for --help and the report


REGISTRY: tuple[ScenarioInfo, ...] = (
    ScenarioInfo("self-resched", 1, 4000,
                 "a BH that reschedules itself with notify_me clear (the "
                 "virtio-net tx pattern): the fast path alone"),
    ScenarioInfo("pingpong", 2, 500,
                 "producer and poller on two CPUs, every operation a "
                 "wakeup through the eventfd"),
    ScenarioInfo("flood", 2, 4000,
                 "producer schedules back to back while the poller polls: "
                 "cache-line contention"),
)


def names() -> tuple[str, ...]:
    return tuple(s.name for s in REGISTRY)


def info(name: str) -> ScenarioInfo:
    for entry in REGISTRY:
        if entry.name == name:
            return entry
    raise BenchError(f"unknown scenario {name!r}",
                     hint="valid: " + ", ".join(names()))


def rank_of(name: str) -> int:
    """Position in the registry (report order); unknown names last."""
    order = names()
    return order.index(name) if name in order else len(order)
