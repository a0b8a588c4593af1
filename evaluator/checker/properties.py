"""The properties every check decides, and why each verdict holds under
each memory model (DESIGN §5).

Interface.  A property is a search.Check: the search calls it on every
state it reaches with (explorer, node, threads, memory, counters,
ghost) and it returns a search.Finding or None.  It may use only the
explorer's thread stepping (instr, kind, access, advance, in_loop,
threads, program), the model's perform/settle/latest/coherence, the
check's budget (limits.Budget) and solo.SoloRun; what it must remember
along a path is a search.Ghost, which the search threads through every
memory move.  That is all a different search engine (issue 11) has to
provide to reuse them unchanged.  P3 and P4 come from the transitions
themselves (a failed assert, a model Step carrying a Race) and a
thread-local cycle (ir.LocalSpin) is P6 found the same way.

Lemma L (the latest values).  From any reachable state, the run in
which threads step reading each location's coherence-latest value and
writing at the end of coherence is allowed:
  SC   memory holds one value per location; reads return it.
  TSO  flush every store buffer first (internal steps, always allowed);
       with empty buffers loads read memory, stores are flushed at
       once, and MFENCE and locked RMWs may proceed: an SC run.
  RC11 add the events one by one: a read of the mo-latest write, or a
       write placed last in mo, has no mo, rb or eco successor, and a
       new event has no sb, rf or hb successor, so it lies on no cycle:
       coherence, atomicity (an RMW reads the mo-latest write, which no
       RMW has read yet), psc acyclicity (new psc edges leave the event
       through mo/rb/eco only) and sb ∪ rf acyclicity keep holding.
Such a run is fair (every write is eventually seen, Lahav et al.,
"Making weak memory models fair", OOPSLA 2021): a behaviour shown on
the latest values is one a fair execution has.  solo.SoloRun is that
run for one thread, on an SC copy of the latest values.

P1 lost-wakeup: every thread still running is blocked in
   event_notifier_wait (no write it may read makes the eventfd
   readable, after every pending write became visible: model.settle)
   while the BH flag's latest value is non-zero.
     SC   no step reads a non-zero eventfd value: memory holds 0;
     TSO  the same after the buffers are flushed (settle);
     RC11 perform() offers every write the wait may still read
          (coherence-later than its view); none is non-zero.
   No running thread can move, so nothing ever runs the BH.  Past the
   poller's bound, P5's continuation reports a sleep with the flag set
   as P1 too (by L).
P2 busy-loop: once every other thread has finished, the poller, run
   alone on the latest values, goes `iterations` aio_poll calls in a row
   without sleeping although no BH is pending.  By L the run is allowed
   in every model and depends only on the poller's state and those
   values (busyloop.BusyLoop memoises it); with nobody else writing,
   the same iterations repeat for ever.
P3 assertion: a transition the model allows runs a failing assert.
   Exact in every model (the step exists).
P4 data-race (C11 only): a model Step reports two conflicting accesses,
   one non-atomic, not ordered by happens-before (RC11's race
   definition); SC and TSO have no such notion (plain accesses compile
   to plain MOVs).
P5 dropped-work: a scheduled BH whose callback never runs although the
   poller goes idle for good.  "Owed" (dropped.BhDebt, a Ghost): in
   coherence order of the BH flag, the last marked write -- a
   qemu_bh_schedule exchange, or an aio_bh_poll exchange that read
   non-zero and so ran the callback -- is a schedule.  Checked where
   every running thread sleeps for good (as in P1) with the flag clear
   (set would be P1), and at the poller's bound once every other thread
   has finished, where the poller runs on alone (L) until it sleeps;
   a claim on the way pays the debt.
     SC   RMWs act on memory at once: coherence order is the order they
          run, and the ghost is one bit;
     TSO  schedules and claims are locked RMWs, performed on memory
          once the buffer drained, so again in the order they run;
          stores owe and pay nothing;
     RC11 an RMW may be inserted before later writes (when a plain
          store follows the write it reads): owed is read off the
          graph's coherence order, the ghost being the set of marked
          events (a function of the graph: no state is split).
   A lost wakeup (P1) leaves the flag set; dropped work is the BH lost
   with the flag cleared, e.g. by an accept that drops it while the
   poller is awake.
P6 non-terminating-loop: a thread spinning for ever on values that can
   no longer change (termination.NonTermination).  At a state where
   every unfinished thread is either asleep in a wait or inside a loop
   of the checked code (loops.py), each is run alone on the latest
   values without changing any of them; if each falls asleep or comes
   back to a state it had, and one comes back, then nothing will ever
   change a value and that one repeats its cycle for ever.
     SC   memory is frozen; round-robin of the cycles is an SC run;
     TSO  flush the buffers first; then as SC (a same-value store
          changes no value);
     RC11 by L, appending the cycles' reads, fences and same-value
          writes is consistent and fair; the explorer's spin reduction
          (explore.py) drops only iterations that come back to an
          earlier state, never the state the thread enters its loop
          from, so this check still sees it.
   Under weak models only the values a read can still see matter: the
   latest is always among them, and a fair run eventually sees nothing
   else, so a loop that the latest values keep going is a loop a fair
   execution never leaves (stale values may let other executions out:
   the hang is possible, which is the bug).  Also found: the poller,
   alone past its bound, cycling; thread-local code repeating a state.
   Not a bounded unrolling: a cycle is a repeated state, however long.

Bounds.  Every check explores the scenario's bounded state space
completely (the reductions in explore.py are sound), continues the
states named above, and charges all of it to one limits.Budget: when
states or time run out the verdict is unknown, never safe.  Paths cut
at the poller's bound while another thread still runs have no verdict
(counted as `cut`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from collections.abc import Callable

from . import busyloop, dropped, lostwakeup, termination
from .busyloop import BUSY_LOOP, BusyLoop
from .dropped import DROPPED_WORK, BhDebt, DroppedWork
from .explore import ASSERTION, DATA_RACE, NON_TERMINATING
from .lostwakeup import LOST_WAKEUP, LostWakeup
from .search import Check, Finding, Ghost
from .termination import NonTermination

if TYPE_CHECKING:
    from .explore import Explorer

# Report order: the first one found is the cell's headline.
PROPERTIES = (LOST_WAKEUP, BUSY_LOOP, DROPPED_WORK, NON_TERMINATING,
              ASSERTION, DATA_RACE)
__all__ = ["PROPERTIES", "LOST_WAKEUP", "BUSY_LOOP", "DROPPED_WORK",
           "NON_TERMINATING", "ASSERTION", "DATA_RACE", "standard",
           "explain"]


def standard(model, busy_iterations: int, marked: bool = True
             ) -> tuple[tuple[Check, ...], Ghost | None]:
    """The checks of every protocol check, and the ghost they need.
    P5 needs the program's marks (which exchange schedules the BH and
    which claims it, known from the C); lifted AArch64 code has none, so
    for it (`marked` False) P5 is left to the check of the C."""
    if not marked:
        return (LostWakeup(), BusyLoop(busy_iterations),
                NonTermination()), None
    debt = BhDebt(model)
    checks = (LostWakeup(), BusyLoop(busy_iterations), DroppedWork(debt),
              NonTermination())
    return checks, debt


_EXPLAIN: dict[str, Callable] = {
    LOST_WAKEUP: lostwakeup.explain,
    BUSY_LOOP: busyloop.explain,
    DROPPED_WORK: dropped.explain,
    NON_TERMINATING: termination.explain,
}


def explain(finding: Finding, explorer: Explorer, name) -> str:
    """The trace's last line: which property broke and why."""
    handler = _EXPLAIN.get(finding.property)
    if handler is not None:
        return handler(finding, explorer, name)
    facts = finding.facts
    if finding.property == ASSERTION:
        failed = facts["assert"]
        return (f"assertion failed: assert({failed.text}) in "
                f"{failed.func} at {failed.where}, run by "
                f"{name(facts['thread'])}")
    race = facts["race"]
    return (f"data race on {race.loc}: P{race.first[0]}#{race.first[1]} "
            f"and P{race.second[0]}#{race.second[1]} conflict (one is a "
            "plain, non-atomic access and one is a write) and neither "
            "happens before the other: undefined behaviour in C11")
