"""Which threads run what: the protocol scenario, as a declarative spec.

Default (issue 3): one notifier that, `rounds` times, schedules the BH
and calls aio_notify (qemu_bh_schedule does both, every round); one
poller looping `aio_poll(ctx, true)`, cut after `iterations` (a path
that reaches the bound ends there without a verdict); optionally one
or two temporary pollers that each run `temp_iterations` aio_poll calls
and leave, as QEMU allowed in 2015.  The BH callback is a no-op.  Every
shared location starts at 0.

The defaults catch both negative controls (bug-notified-first needs one
round and one aio_poll call, bug-skip-set three rounds and two calls, as
in QEMU's SPIN models; the C11 hang of qemu-4.2-c11-rmw one round and
one call) with twice the poller iterations any of them needs, and keep
the C11 search to about 10^5 states per variant.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import CheckerError
from .frontend import LocPtr, ThreadSpec, Unit, compile_thread
from .ir import MEM, Program, ThreadCode
from .memory import Kind
from .readings import CHECK_DEFAULT

STUBS = frozenset({"aio_bh_cb"})
WORK_LOC = "bh_scheduled"
NOTIFIER_LOC = "notifier"
# The shared code's BH exchanges (csrc/aio_protocol.c), which the
# dropped-work property watches: scheduling and claiming the BH.
SCHEDULE, CLAIM = "bh-schedule", "bh-claim"
MARKED = {"qemu_bh_schedule": SCHEDULE, "aio_bh_poll": CLAIM}


@dataclass(frozen=True)
class Scenario:
    rounds: int = 3             # qemu_bh_schedule calls by the notifier
    pollers: int = 1            # 2, 3: one or two temporary pollers
    iterations: int = 4         # aio_poll calls before the poller is cut
    temp_iterations: int = 2    # aio_poll calls of the temporary poller
    busy_iterations: int = 3    # P2: idle iterations that make a busy loop

    def __post_init__(self) -> None:
        for name in ("rounds", "iterations", "temp_iterations",
                     "busy_iterations"):
            if getattr(self, name) < 1:
                raise CheckerError(f"{name} = {getattr(self, name)} must be "
                                   "at least 1")
        if self.pollers not in (1, 2, 3):
            raise CheckerError(f"pollers = {self.pollers}",
                               hint="1 (the event loop), 2 (plus a "
                                    "temporary poller) or 3 (plus two)")

    def describe(self) -> str:
        text = (f"{self.rounds} round(s) of qemu_bh_schedule, poller cut "
                f"after {self.iterations} aio_poll calls")
        if self.pollers > 1:
            who = "temporary poller" if self.pollers == 2 else \
                f"{self.pollers - 1} temporary pollers"
            text += f", {who} for {self.temp_iterations} calls"
        return text + f", busy loop after {self.busy_iterations} idle calls"


def thread_specs(scenario: Scenario) -> tuple[ThreadSpec, ...]:
    ctx = LocPtr("")
    specs = [
        ThreadSpec("notifier", "notifier", "qemu_bh_schedule", (ctx,),
                   scenario.rounds, False, STUBS, "qemu_bh_schedule(ctx)"),
        ThreadSpec("poller", "poller", "aio_poll", (ctx, 1),
                   scenario.iterations, True, STUBS, "aio_poll(ctx, true)"),
    ]
    for k in range(2, scenario.pollers + 1):
        specs.append(ThreadSpec(f"poller{k}", "temp-poller", "aio_poll",
                                (ctx, 1), scenario.temp_iterations, False,
                                STUBS, "aio_poll(ctx, true)"))
    return tuple(specs)


def locations(threads, extra: dict[str, int]) -> dict[str, int]:
    """Every shared location the threads touch, starting at 0."""
    init = dict(extra)
    for thread in threads:
        for ins in thread.code:
            if ins.kind == MEM and ins.access.loc:
                init.setdefault(ins.access.loc, 0)
    return init


def marks(thread: ThreadCode) -> dict[int, str]:
    """pc -> SCHEDULE / CLAIM for the shared code's exchanges of the BH
    flag (in a variant's own code such an exchange is not marked)."""
    out = {}
    for pc, ins in enumerate(thread.code):
        if ins.kind == MEM and ins.access.kind is Kind.RMW and \
                ins.access.loc == WORK_LOC and ins.func in MARKED:
            out[pc] = MARKED[ins.func]
    return out


def build_program(unit: Unit, scenario: Scenario,
                  syscalls: str = "acq_rel",
                  reading: str = CHECK_DEFAULT) -> Program:
    threads = tuple(compile_thread(unit, spec, syscalls, reading)
                    for spec in thread_specs(scenario))
    init = locations(threads, dict(unit.globals))
    for loc in (WORK_LOC, NOTIFIER_LOC):
        if loc not in init:
            raise CheckerError(
                f"the protocol never touches ctx->{loc}",
                path=unit.filename,
                hint="the checker's properties watch bh_scheduled (work "
                     "pending) and notifier (the eventfd)")
    return Program(threads, init, syscalls, WORK_LOC, NOTIFIER_LOC,
                   reading, tuple(marks(t) for t in threads))
