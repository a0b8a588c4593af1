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
from .memory import Kind

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

    The poller alone is deterministic (every read takes the latest
    write), so from an iteration start S it visits a chain of iteration
    starts S0 = S, S1, ...; f(Si) = how many of them, from Si on, begin
    with no BH pending and end without sleeping (capped at K + 1).  A
    busy loop is f(Sj) > K for some j <= WARMUP (the first iterations
    may still find the notifier's last BH).  f is memoised per
    iteration start: chains from different states soon meet.
    """

    property = BUSY_LOOP
    WARMUP = 2

    def __init__(self, iterations: int = 3):
        self.iterations = iterations
        self.memo: dict = {}

    def __call__(self, explorer: Explorer, node: int, threads: tuple,
                 mem: Hashable, counters: tuple) -> Finding | None:
        for p, ts in enumerate(threads):
            if explorer.threads[p].role != "poller":
                continue
            if not (ts[1] or explorer.kind(p, ts) == LOOP):
                continue       # check at the start of an iteration only
            if explorer.eager and explorer.pending_nonread((ts,)) == 0:
                continue       # its forced successor, still fresh, is checked
            if all(explorer.kind(t, other) == END
                   for t, other in enumerate(threads) if t != p):
                if self.spins(explorer, p, ts, mem, counters[p]):
                    return self.found(explorer, node, p, ts, mem,
                                      counters[p])
        return None

    def run(self, explorer: Explorer, p: int, ts: tuple, mem: Hashable,
            count: int):
        """The poller alone: yields (moves so far, state, memory, at an
        iteration start); ends when it sleeps, finishes or fails."""
        model = explorer.model
        mem = model.settle(mem)
        ts = explorer.resume(p, ts)
        moves: list[Move] = []
        start = True
        while explorer.instr(p, ts).kind == MEM:
            yield moves, ts, mem, start
            ins = explorer.instr(p, ts)
            access = explorer.access(p, ts)
            steps = [s for s in explorer.perform_ahead(mem, (p, count),
                                                       access)
                     if self._latest(model, mem, s, access, (p, count))]
            if ins.blocking:
                steps = [s for s in steps if s.value]
            if not steps:
                return                      # it sleeps
            step = steps[0]
            after, _ = explorer.advance(p, ts, step.value, bounded=False)
            moves.append(Move(p, count, ts, after, access, step.value,
                              step.source, step.race))
            mem = model.settle(step.state)
            ts = after
            start = bool(after[1])
            count += 1

    def spins(self, explorer: Explorer, p: int, ts: tuple, mem: Hashable,
              count: int) -> bool:
        limit = self.iterations + 1
        work_loc = explorer.program.work_loc
        model = explorer.model
        chain: list[tuple] = []       # (memo key, idle)
        tail: tuple[int, bool] = (0, True)   # f after the chain, exact?
        for _moves, state, settled, start in self.run(explorer, p, ts, mem,
                                                      count):
            if not start:
                continue
            key = (p, state, settled)
            if key in self.memo:
                tail = (self.memo[key], True)
                break
            idle = not model.latest(settled, work_loc)[0]
            chain.append((key, idle))
            if len(chain) > limit + self.WARMUP:
                tail = (0, False)     # unknown beyond here
                break
        value, exact = tail
        busy = False
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

    @staticmethod
    def _latest(model, mem, step, access, event) -> bool:
        """Reads see the coherence-latest write; writes become the latest."""
        kind = access.kind
        if kind is Kind.FENCE:
            return True
        if kind is not Kind.STORE and \
                step.source != model.latest(mem, access.loc)[1]:
            return False
        writes = kind is Kind.STORE or (
            kind is Kind.RMW and access.apply(step.value) is not None)
        if writes:
            settled = model.settle(step.state)
            return model.latest(settled, access.loc)[1] == event
        return True

    def found(self, explorer: Explorer, node: int, p: int, ts: tuple,
              mem: Hashable, count: int) -> Finding:
        """Replay the run for the trace: up to the iteration start where
        the K-th idle iteration has completed."""
        model = explorer.model
        work_loc = explorer.program.work_loc
        idle = 0
        woke = 0
        last_mem = mem
        moves: list[Move] = []
        for moves, state, settled, start in self.run(explorer, p, ts, mem,
                                                     count):
            last_mem = settled
            if start:
                idle = 0 if model.latest(settled, work_loc)[0] else idle + 1
                if idle > self.iterations:
                    break
            if explorer.instr(p, state).blocking:
                woke += 1
        values = {loc: model.latest(last_mem, loc)[0]
                  for loc in explorer.program.init}
        return Finding(BUSY_LOOP, node, tuple(moves), facts={
            "values": values, "woke": woke, "iterations": self.iterations,
            "poller": p})


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
                f"true) came back without sleeping {facts['iterations']} "
                f"times in a row: {why} ({state}); the event loop spins "
                "on spurious wakeups forever")
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
