"""P5 dropped work: a qemu_bh_schedule() whose BH callback never runs
although the poller goes idle for good (properties.py has the
definition and its soundness under each model).

"Owed" is ghost state (search.Ghost): in coherence order of the BH
flag's writes, is the last write that schedules the BH or claims it
(aio_bh_poll's exchange reading non-zero: the callback runs) a
schedule?  Schedules and claims are the shared code's exchanges,
marked by the scenario (scenario.MARKED).

  * SC and x86-TSO perform every RMW on memory at once (TSO: a locked
    instruction, once the thread's buffer has drained), so coherence
    order of RMWs is the order the search performs them, and stores do
    not change what is owed: the ghost is one bit, set by a schedule,
    cleared by a claim.
  * RC11 may insert an RMW in the middle of coherence order (when a
    plain store follows the write it reads).  There the ghost is the
    set of (event, role) of the marked events -- a function of the
    execution graph, so it splits no states -- and "owed" is read off
    the graph's coherence order (MemoryModel.coherence).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from collections.abc import Hashable

from .busyloop import others_finished
from .ir import LOOP
from .lostwakeup import LOST_WAKEUP, sleepers
from .scenario import CLAIM, SCHEDULE
from .search import Finding
from .solo import SLEEPS, SoloRun, latest_memory

if TYPE_CHECKING:
    from .explore import Explorer

DROPPED_WORK = "dropped-work"


class BhDebt:
    """search.Ghost: whether the last scheduled BH is still owed."""

    def __init__(self, model):
        self.graph = hasattr(model, "coherence")
        self.marks = None           # per thread: pc -> role (scenario)

    def initial(self, explorer: Explorer, mem: Hashable) -> Hashable:
        return frozenset() if self.graph else 0

    def step(self, explorer: Explorer, ghost: Hashable, thread: int,
             event, before: tuple, access, step) -> Hashable:
        marks = self.marks
        if marks is None:
            marks = self.marks = explorer.program.marks or \
                ({},) * len(explorer.threads)
        role = marks[thread].get(before[0])
        if role is None or (role == CLAIM and not step.value):
            return ghost            # not marked, or a claim that found 0
        if self.graph:
            return ghost | {(event, role)}
        return 1 if role == SCHEDULE else 0

    def owed(self, explorer: Explorer, ghost: Hashable,
             mem: Hashable) -> bool:
        if not self.graph:
            return bool(ghost)
        if not ghost:
            return False
        order = explorer.model.coherence(mem, explorer.program.work_loc)
        position = {eid: i for i, eid in enumerate(order)}
        last = max(ghost, key=lambda item: position[item[0]])
        return last[1] == SCHEDULE


class DroppedWork:
    """P5, checked where the poller goes idle for good: states where
    every running thread sleeps (nothing they may read wakes them) and
    the BH flag is clear (if it is set, that is P1), and the cut, where
    the poller, alone once the others finished, runs on until it sleeps
    (solo.SoloRun)."""

    property = DROPPED_WORK

    def __init__(self, debt: BhDebt):
        self.debt = debt
        self.memo: dict = {}

    def __call__(self, explorer: Explorer, node: int, threads: tuple,
                 mem: Hashable, counters: tuple,
                 ghost: Hashable) -> Finding | None:
        program = explorer.program
        waiting = sleepers(explorer, threads, mem, counters, node)
        if waiting is not None:
            settled = explorer.model.settle(mem)
            work, _ = explorer.model.latest(settled, program.work_loc)
            if work or not self.debt.owed(explorer, ghost, settled):
                return None
            counter, _ = explorer.model.latest(settled, program.notifier_loc)
            return Finding(DROPPED_WORK, node, facts={
                "waiting": waiting, "counter": counter})
        for p, ts in enumerate(threads):
            if explorer.kind(p, ts) == LOOP and \
                    others_finished(explorer, threads, p):
                return self.continued(explorer, node, p, ts, mem,
                                      counters[p], ghost)
        return None

    def continued(self, explorer, node, p, ts, mem, count,
                  ghost) -> Finding | None:
        """The cut poller run on alone: does it sleep with the BH owed?"""
        if not self.debt.owed(explorer, ghost, explorer.model.settle(mem)):
            return None
        explorer.budget.phase = DROPPED_WORK
        latest = latest_memory(explorer, mem)
        key = (p, ts, latest.values)
        if self.memo.get(key) is False:
            return None
        run = SoloRun(explorer, p, ts, latest, count)
        for _ in run:
            if self.claimed(explorer, p, run):
                break               # the callback ran: nothing is owed
        self.memo[key] = lost = run.outcome == SLEEPS
        if not lost:
            return None
        end = run.final_mem
        work = end.values[end.layout.of(explorer.program.work_loc)]
        counter = end.values[end.layout.of(explorer.program.notifier_loc)]
        facts = {"waiting": (p,), "counter": counter, "final": run.final,
                 "title": "every other thread has finished; from here "
                          f"P{p} runs alone and reads the latest values"}
        if work:        # the BH flag is set and the poller sleeps: P1
            facts.update(work=work, writer=None)
            return Finding(LOST_WAKEUP, node, tuple(run.moves), facts)
        return Finding(DROPPED_WORK, node, tuple(run.moves), facts)

    @staticmethod
    def claimed(explorer: Explorer, p: int, run: SoloRun) -> bool:
        """The run's last move was a claim that ran the callback."""
        if not run.moves:
            return False
        last = run.moves[-1]
        return explorer.program.mark(p, last.before[0]) == CLAIM and \
            bool(last.value)


def explain(finding: Finding, explorer: Explorer, name) -> str:
    facts = finding.facts
    program = explorer.program
    who = " and ".join(name(t) for t in facts["waiting"])
    scheduled = facts.get("scheduled", "the notifier")
    lost = facts.get("lost")
    how = (f"; {lost} cleared {program.work_loc} without running it"
           if lost else "")
    return (f"dropped work: {who} goes idle for good (it sleeps in "
            f"event_notifier_wait, {program.notifier_loc} = "
            f"{facts['counter']}, and nothing will wake it) while the BH "
            f"scheduled by {scheduled} was never run{how}: no aio_bh_poll "
            f"read {program.work_loc} = 1 after that qemu_bh_schedule, so "
            "the BH callback is never called")
