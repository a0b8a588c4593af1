"""The safety properties, checked at every explored state (DESIGN §5).

  P1 lost-wakeup: every thread still running is blocked in
     event_notifier_wait (no write it may read makes the eventfd
     readable) while a BH is scheduled (the coherence-latest value of
     bh_scheduled is non-zero), after every pending write has become
     visible (model.settle).
  P2 busy-loop: once every other thread has finished, the poller, run
     alone and reading the latest value of every location, goes
     `iterations` aio_poll iterations in a row without blocking although
     no BH is pending: an endless spurious wakeup.
  P3 assertion and P4 data-race come from the explorer's transitions
     (a failed assert, a model Step carrying a Race).

Each property also says, in a reviewer's words, why it broke (`explain`).
"""

from __future__ import annotations

from typing import Hashable

from .explore import Explorer, Finding, Move
from .ir import END, LOOP, MEM
from .memory import is_complete
from .models import sc
from .models.flat import Layout

LOST_WAKEUP = "lost-wakeup"
BUSY_LOOP = "busy-loop"
ASSERTION = "assertion"
DATA_RACE = "data-race"
PROPERTIES = (LOST_WAKEUP, BUSY_LOOP, ASSERTION, DATA_RACE)


def _readable_steps(explorer: Explorer, mem: Hashable, t: int, ts: tuple,
                    count: int) -> list:
    access = explorer.access(t, ts)
    steps = explorer.model.perform(mem, (t, count), access)
    return [s for s in steps if s.value]


class LostWakeup:
    """P1."""

    property = LOST_WAKEUP

    def __call__(self, explorer: Explorer, node: int, threads: tuple,
                 mem: Hashable, counters: tuple) -> Finding | None:
        if not is_complete(explorer.model, mem):
            return None       # not an execution yet (armv8 waiting reads)
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
        model = explorer.model
        settled = model.settle(mem)
        for t in waiting:
            if _readable_steps(explorer, settled, t, threads[t], counters[t]):
                return None
        program = explorer.program
        work, writer = model.latest(settled, program.work_loc)
        if not work:
            return None
        counter, _ = model.latest(settled, program.notifier_loc)
        return Finding(LOST_WAKEUP, node, facts={
            "waiting": tuple(waiting), "work": work, "writer": writer,
            "counter": counter})


class BusyLoop:
    """P2: `iterations` consecutive poll iterations with nothing to do
    and no sleep, the poller running alone on settled memory.

    Running alone and reading the latest values is an SC run of the
    poller on memory that holds, for each location, its coherence-latest
    value: in every model here reading the latest write, or writing at
    the end of coherence, is always allowed (SC trivially; TSO once
    settled; RC11 because such an event has no outgoing eco, hb or psc
    edge, so it cannot close a forbidden cycle).  So the run uses the SC
    model on `latest()` values, and depends only on the poller's state
    and those values, whatever history led there.

    The run is deterministic: from an iteration start S it visits a
    chain of iteration starts S0 = S, S1, ...; f(Si) = how many of them,
    from Si on, begin with no BH pending and end without sleeping
    (capped at K + 1).  A busy loop is f(Sj) > K for some j <= WARMUP
    (the first iterations may still find the notifier's last BH).  f is
    memoised per (poller state, values).
    """

    property = BUSY_LOOP
    WARMUP = 2

    def __init__(self, iterations: int = 3):
        self.iterations = iterations
        self.memo: dict = {}

    def __call__(self, explorer: Explorer, node: int, threads: tuple,
                 mem: Hashable, counters: tuple) -> Finding | None:
        if not is_complete(explorer.model, mem):
            return None
        for p, ts in enumerate(threads):
            if explorer.threads[p].role != "poller":
                continue
            if not (ts[1] or explorer.kind(p, ts) == LOOP):
                continue       # check at the start of an iteration only
            if explorer.eager and explorer.nonread_next(p, ts):
                continue       # its forced successor, still fresh, is checked
            if all(explorer.kind(t, other) == END
                   for t, other in enumerate(threads) if t != p):
                latest = self.latest(explorer, mem)
                if self.spins(explorer, p, ts, latest, counters[p]):
                    return self.found(explorer, node, p, ts, latest,
                                      counters[p])
        return None

    @staticmethod
    def latest(explorer: Explorer, mem: Hashable):
        """An SC memory holding every location's latest value (and who
        wrote it, for the trace)."""
        model = explorer.model
        settled = model.settle(mem)
        names = sorted(explorer.program.init)
        pairs = [model.latest(settled, loc) for loc in names]
        return sc.ScState(tuple(v for v, _ in pairs),
                          tuple(w for _, w in pairs), Layout(dict.fromkeys(
                              names, 0)))

    @staticmethod
    def run(explorer: Explorer, p: int, ts: tuple, mem: sc.ScState,
            count: int):
        """The poller alone: yields (moves so far, state, memory, at an
        iteration start); ends when it sleeps, finishes or fails."""
        ts = explorer.resume(p, ts)
        moves: list[Move] = []
        start = True
        while explorer.instr(p, ts).kind == MEM:
            yield moves, ts, mem, start
            ins = explorer.instr(p, ts)
            access = explorer.access(p, ts)
            # one step, or for an AArch64 store-exclusive its success
            # first (alone, nothing breaks the poller's monitor)
            step = sc.MODEL.perform(mem, (p, count), access)[0]
            if ins.blocking and not step.value:
                return                      # it sleeps
            after, _ = explorer.advance(p, ts, step.value, bounded=False)
            moves.append(Move(p, count, ts, after, access, step.value,
                              step.source))
            mem = step.state
            ts = after
            start = bool(after[1])
            count += 1

    def spins(self, explorer: Explorer, p: int, ts: tuple, mem: sc.ScState,
              count: int) -> bool:
        limit = self.iterations + 1
        work = mem.layout.of(explorer.program.work_loc)
        chain: list[tuple] = []       # (memo key, idle)
        tail: tuple[int, bool] = (0, True)   # f after the chain, exact?
        for _moves, state, values, start in self.run(explorer, p, ts, mem,
                                                     count):
            if not start:
                continue
            key = (p, state, values)
            if key in self.memo:
                tail = (self.memo[key], True)
                break
            chain.append((key, not values.values[work]))
            if len(chain) > limit + self.WARMUP:
                tail = (0, False)     # unknown beyond here
                break
        value, exact = tail
        # The memoized state that ended the chain sits at position
        # len(chain): it counts like any chain element within WARMUP.
        busy = exact and len(chain) <= self.WARMUP and value >= limit
        for index in range(len(chain) - 1, -1, -1):
            key, idle = chain[index]
            if not idle:
                value, exact = 0, True
            else:
                value = min(value + 1, limit)
                exact = exact or value == limit
            if exact:
                self.memo[key] = value
            if index <= self.WARMUP and value >= limit:
                busy = True
        return busy

    def found(self, explorer: Explorer, node: int, p: int, ts: tuple,
              mem: sc.ScState, count: int) -> Finding:
        """Replay the run for the trace, up to the end of the first idle
        iteration (the others repeat it)."""
        work = mem.layout.of(explorer.program.work_loc)
        idle = 0
        woke = 0
        moves: list[Move] = []
        shown = 0
        values = {}
        for moves, state, memory, start in self.run(explorer, p, ts, mem,
                                                    count):
            if start:
                idle = 0 if memory.values[work] else idle + 1
                if idle == 2:
                    shown = len(moves)
                    values = dict(zip(memory.layout.names, memory.values))
                if idle > self.iterations:
                    break
            if explorer.instr(p, state).blocking:
                woke += 1
        return Finding(BUSY_LOOP, node, tuple(moves[:shown]), facts={
            "values": values, "woke": woke, "iterations": self.iterations,
            "poller": p, "repeats": self.iterations - 1})


# ---- explanations ----------------------------------------------------------

def explain(finding: Finding, explorer: Explorer, name) -> str:
    """The trace's last line: which property broke and why."""
    facts = finding.facts
    program = explorer.program
    if finding.property == LOST_WAKEUP:
        who = " and ".join(name(t) for t in facts["waiting"])
        verb = "sleep" if len(facts["waiting"]) > 1 else "sleeps"
        return (f"lost wakeup: {who} {verb} in event_notifier_wait "
                f"(ppoll) on an eventfd that is not readable "
                f"({program.notifier_loc} = {facts['counter']}) while "
                f"{program.work_loc} = {facts['work']}: the BH is pending, "
                "every other thread has finished, and nothing will ever "
                "wake the poller, so the BH never runs")
    if finding.property == BUSY_LOOP:
        values = facts["values"]
        state = ", ".join(f"{loc} = {v}" for loc, v in values.items())
        if facts["woke"]:
            why = ("event_notifier_wait returns at once because the eventfd "
                   "stays readable and aio_notify_accept never drains it")
        else:
            why = "the poller never waits at all"
        return (f"busy loop: every other thread has finished and no BH is "
                f"pending, yet {name(facts['poller'])}'s aio_poll(ctx, "
                f"true) comes back without sleeping, "
                f"{facts['iterations']} times in a row: {why} ({state}); "
                "the event loop spins on spurious wakeups forever")
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
