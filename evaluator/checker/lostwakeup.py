"""P1 lost wakeup: every thread still running sleeps in
event_notifier_wait while the BH is scheduled (properties.py has the
definition and its soundness under each model)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from collections.abc import Hashable

from .ir import END, MEM
from .search import Finding

if TYPE_CHECKING:
    from .explore import Explorer

LOST_WAKEUP = "lost-wakeup"


def readable_steps(explorer: Explorer, mem: Hashable, t: int, ts: tuple,
                   count: int) -> list:
    """The ways thread t's wait can return (it reads a non-zero value)."""
    access = explorer.access(t, ts)
    return explorer.perform_nonzero(mem, (t, count), access)


def sleepers(explorer: Explorer, threads: tuple, mem: Hashable,
             counters: tuple, node: int | None = None
             ) -> tuple[int, ...] | None:
    """The threads asleep when every running thread is in a wait that
    nothing it may read can end (after every pending write became
    visible); None if some running thread can still move.  Two
    properties ask at every state: the answer for `node` is kept."""
    cached = explorer.scratch.get("sleepers")
    if node is not None and cached is not None and cached[0] == node:
        return cached[1]
    found = _sleepers(explorer, threads, mem, counters)
    if node is not None:
        explorer.scratch["sleepers"] = (node, found)
    return found


def _sleepers(explorer, threads, mem, counters):
    waiting = []
    for t, ts in enumerate(threads):
        ins = explorer.instr(t, ts)
        if ins.kind == END:
            continue
        if ins.kind != MEM or not ins.blocking:
            return None
        waiting.append(t)
    if not waiting:
        return None
    settled = explorer.model.settle(mem)
    for t in waiting:
        if readable_steps(explorer, settled, t, threads[t], counters[t]):
            return None
    return tuple(waiting)


class LostWakeup:
    """P1."""

    property = LOST_WAKEUP

    def __call__(self, explorer: Explorer, node: int, threads: tuple,
                 mem: Hashable, counters: tuple,
                 ghost: Hashable = None) -> Finding | None:
        waiting = sleepers(explorer, threads, mem, counters, node)
        if waiting is None:
            return None
        model = explorer.model
        settled = model.settle(mem)
        program = explorer.program
        work, writer = model.latest(settled, program.work_loc)
        if not work:
            return None
        counter, _ = model.latest(settled, program.notifier_loc)
        return Finding(LOST_WAKEUP, node, facts={
            "waiting": waiting, "work": work, "writer": writer,
            "counter": counter})


def explain(finding: Finding, explorer: Explorer, name) -> str:
    facts = finding.facts
    program = explorer.program
    who = " and ".join(name(t) for t in facts["waiting"])
    verb = "sleep" if len(facts["waiting"]) > 1 else "sleeps"
    return (f"lost wakeup: {who} {verb} in event_notifier_wait "
            f"(ppoll) on an eventfd that is not readable "
            f"({program.notifier_loc} = {facts['counter']}) while "
            f"{program.work_loc} = {facts['work']}: the BH is pending, "
            "every other thread has finished, and nothing will ever "
            "wake the poller, so the BH never runs")
