"""The registry of benchmark scenarios: the one place that lists them.

The bench stage (calibration, CPU placement, the environment record),
the statistics (report order, which scenario gates single-barrier
claims), the dynamic census (each scenario's one-operation path) and the
CLI choices read REGISTRY.  The C harness has its own `names[]` in
csrc/harness/scenarios.c, in the same order (its `enum scenario`
indexes it); a test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import registry
from ..errors import BenchError


@dataclass(frozen=True)
class OpPath:
    """One operation of a scenario as the dynamic census runs it
    (bench/dynamic.py): the protocol calls each thread makes, what the
    BH callback does, the steps that reach the steady state and the
    steps of one operation.  A step is (thread, "call") -- one call to
    its end -- or (thread, "until-blocked") -- run until it would sleep
    in ppoll.  It is the path csrc/harness/scenarios.c runs when the
    two threads take turns as `meaning` says."""

    threads: tuple[tuple[str, str, int | None], ...]   # name, call, blocking
    bh_callback: str        # "reschedule" (the BH schedules itself) | "none"
    init: tuple[tuple[str, int], ...]   # shared locations not starting at 0
    warmup: tuple[tuple[str, str], ...]
    op: tuple[tuple[str, str], ...]
    meaning: str


@dataclass(frozen=True)
class ScenarioInfo:
    name: str
    threads: int            # 1: CPU a only; 2: producer on a, poller on b
    calibration_ops: int    # batch size of the calibration process
    meaning: str            # one line, for --help and the report
    path: OpPath            # one operation, for the dynamic census
    # The one-lock control must come out slower here for the run to speak
    # about single-barrier differences (the fast path alone: one locked
    # instruction is a large share of an operation).
    barrier_gate: bool = False
    # Processes fall into regimes of different cost (flood: how often the
    # poller goes to sleep); the report says which regime each was in.
    regimes: bool = False
    # Relative share of the bench budget (bench/schedule.py).  With equal
    # shares the example run had an MDE of 0.5% in self-resched and 4-7%
    # where wakeups happen: the fast path gets less, they get more.
    budget_weight: float = 1.0


_ONE_THREAD = OpPath(
    threads=(("thread", "aio_poll", 0),), bh_callback="reschedule",
    init=(("bh_scheduled", 1),), warmup=(("thread", "call"),),
    op=(("thread", "call"),),
    meaning="one aio_poll(ctx, false) that runs the BH, which schedules "
            "itself again (notify_me stays 0)")
_TWO_THREADS = (("producer", "qemu_bh_schedule", None),
                ("poller", "aio_poll", 1))

REGISTRY: tuple[ScenarioInfo, ...] = (
    ScenarioInfo("self-resched", 1, 4000,
                 "a BH that reschedules itself with notify_me clear (the "
                 "virtio-net tx pattern): the fast path alone",
                 _ONE_THREAD, barrier_gate=True, budget_weight=1.0),
    ScenarioInfo("pingpong", 2, 500,
                 "producer and poller on two CPUs, every operation a "
                 "wakeup through the eventfd",
                 OpPath(_TWO_THREADS, "none", (),
                        warmup=(("poller", "until-blocked"),),
                        op=(("producer", "call"),
                            ("poller", "until-blocked")),
                        meaning="the poller asleep in ppoll; one "
                                "qemu_bh_schedule; the poller wakes, runs "
                                "the BH and goes back to sleep"),
                 budget_weight=2.0),
    ScenarioInfo("flood", 2, 4000,
                 "producer schedules back to back while the poller polls: "
                 "cache-line contention",
                 OpPath(_TWO_THREADS, "none", (),
                        warmup=(("producer", "call"), ("poller", "call")),
                        op=(("producer", "call"), ("poller", "call")),
                        meaning="the busy regime: one qemu_bh_schedule "
                                "served by one aio_poll(ctx, true) that "
                                "finds it and does not sleep (a schedule "
                                "that finds the poller asleep costs the "
                                "pingpong path instead)"),
                 regimes=True, budget_weight=2.0),
)


def names() -> tuple[str, ...]:
    return tuple(s.name for s in REGISTRY)


def info(name: str) -> ScenarioInfo:
    return registry.find(REGISTRY, name, "scenario", BenchError)


def barrier_gates() -> tuple[str, ...]:
    """Scenarios whose one-lock control decides single-barrier claims."""
    return tuple(s.name for s in REGISTRY if s.barrier_gate)


def rank_of(name: str) -> int:
    """Position in the registry (report order); unknown names last."""
    order = names()
    return order.index(name) if name in order else len(order)
