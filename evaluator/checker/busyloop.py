"""P2 busy loop: once every other thread has finished, the poller, run
alone on the latest values, goes `iterations` aio_poll calls in a row
without sleeping although no BH is pending (properties.py has the
soundness argument under each model)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from collections.abc import Hashable

from .ir import END, LOOP
from .models import sc
from .search import Finding
from .solo import PERIODIC, SoloRun, latest_memory

if TYPE_CHECKING:
    from .explore import Explorer

BUSY_LOOP = "busy-loop"


def others_finished(explorer: Explorer, threads: tuple, p: int) -> bool:
    return all(explorer.kind(t, ts) == END
               for t, ts in enumerate(threads) if t != p)


class BusyLoop:
    """P2: `iterations` consecutive poll iterations with nothing to do
    and no sleep, the poller running alone on settled memory.

    The run (solo.SoloRun) is deterministic: from an iteration start S
    it visits a chain of iteration starts S0 = S, S1, ...; f(Si) = how
    many of them, from Si on, begin with no BH pending and end without
    sleeping (capped at K + 1).  A busy loop is f(Sj) > K for some j <=
    WARMUP (the first iterations may still find the notifier's last BH).
    f is memoised per (poller state, values).  A run that cycles inside
    one aio_poll call never completes another iteration: f stops there
    (that is the termination property's business).  A run that repeats
    across calls (PERIODIC) goes round the same iterations for ever:
    f after the chain follows from that period.
    """

    property = BUSY_LOOP
    WARMUP = 2

    def __init__(self, iterations: int = 3):
        self.iterations = iterations
        self.memo: dict = {}

    def __call__(self, explorer: Explorer, node: int, threads: tuple,
                 mem: Hashable, counters: tuple,
                 ghost: Hashable = None) -> Finding | None:
        for p, ts in enumerate(threads):
            if explorer.threads[p].role != "poller":
                continue
            if not (ts[1] or explorer.kind(p, ts) == LOOP):
                continue       # check at the start of an iteration only
            if explorer.eager and explorer.nonread_next(p, ts):
                continue       # its forced successor, still fresh, is checked
            if others_finished(explorer, threads, p):
                explorer.budget.phase = BUSY_LOOP
                latest = latest_memory(explorer, mem)
                if self.spins(explorer, p, ts, latest, counters[p]):
                    return self.found(explorer, node, p, ts, latest,
                                      counters[p])
        return None

    def spins(self, explorer: Explorer, p: int, ts: tuple,
              mem: sc.ScState, count: int) -> bool:
        limit = self.iterations + 1
        work = mem.layout.of(explorer.program.work_loc)
        chain: list[tuple] = []       # (memo key, idle)
        at: list[int] = []            # where each chain start is in the run
        tail: tuple[int, bool] = (0, True)   # f after the chain, exact?
        run = SoloRun(explorer, p, ts, mem, count)
        for state, values, start in run:
            if not start:
                continue
            key = (p, state, values)
            if key in self.memo:
                tail = (self.memo[key], True)
                break
            chain.append((key, not values.values[work]))
            at.append(len(run.moves))
            if len(chain) > limit + self.WARMUP:
                tail = (0, False)     # unknown beyond here
                break
        if run.outcome == PERIODIC:
            # the starts from cycle_at on repeat for ever, in that order
            period = [idle for (_, idle), index in zip(chain, at)
                      if index >= run.cycle_at]
            tail = (_leading(period, limit), True)
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
        shown = 0
        values = {}
        run = SoloRun(explorer, p, ts, mem, count, repeats=False)
        for state, memory, start in run:
            if start:
                idle = 0 if memory.values[work] else idle + 1
                if idle == 2:
                    shown = len(run.moves)
                    values = dict(zip(memory.layout.names, memory.values))
                if idle > self.iterations:
                    break
            if explorer.instr(p, state).blocking:
                woke += 1
        return Finding(BUSY_LOOP, node, tuple(run.moves[:shown]), facts={
            "values": values, "woke": woke, "iterations": self.iterations,
            "poller": p, "repeats": self.iterations - 1,
            "title": "every other thread has finished; from here "
                     f"P{p} runs alone and reads the latest values"})


def _leading(period: list[bool], limit: int) -> int:
    """Idle iterations in a row from the start of a period repeated for
    ever (capped at limit)."""
    if period and all(period):
        return limit
    count = 0
    for idle in period:
        if not idle:
            break
        count += 1
    return min(count, limit)


def explain(finding: Finding, explorer: Explorer, name) -> str:
    facts = finding.facts
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
