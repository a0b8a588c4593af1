"""One thread run alone on the latest values: the continuation the
busy-loop, dropped-work and termination properties share.

From a state where the other threads have stopped writing, the run
gives the thread SC memory holding every location's coherence-latest
value and lets it go on by itself.  Every model here allows that run
after the state it starts from (properties.py says why, per model), so
whatever it shows is a real behaviour.  The run is deterministic: it
depends only on the thread's state and those values, so properties can
memoise on them whatever history led there.

It ends when the thread sleeps (a wait with nothing to read), finishes,
reaches its scenario bound (bounded runs), fails (an assertion, a
thread-local cycle), or comes back to a (thread state, memory) pair it
had already: then it repeats for ever -- a CYCLE inside one scenario
call (a loop that never ends), or PERIODIC across calls (the poller
going round its event loop for ever without sleeping: the busy-loop
property's business).  The iteration count is left out of the
comparison: past the bound nothing reads it.  Every step is charged to
the check's budget (limits.py), so a run that neither ends nor repeats
stops the check as unknown instead of running away.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from collections.abc import Hashable, Iterator

from .ir import END, LOOP, MEM, LocalSpin
from .models import sc
from .models.flat import Layout
from .search import Move

if TYPE_CHECKING:
    from .explore import Explorer

SLEEPS, ENDS, CUT, CYCLE, PERIODIC, FAILS, WRITES, NEXT_CALL = (
    "sleeps", "ends", "cut", "cycle", "periodic", "fails", "writes",
    "next-call")


def latest_memory(explorer: Explorer, mem: Hashable) -> sc.ScState:
    """An SC memory holding every location's latest value (and who wrote
    it, for the trace), after every pending write became visible."""
    model = explorer.model
    settled = model.settle(mem)
    names = sorted(explorer.program.init)
    pairs = [model.latest(settled, loc) for loc in names]
    return sc.ScState(tuple(v for v, _ in pairs), tuple(w for _, w in pairs),
                      Layout(dict.fromkeys(names, 0)))


class SoloRun:
    """Iterate over it to run the thread: it yields (state, memory,
    at an iteration start) before each event; afterwards `outcome` says
    how the run ended (None if the caller stopped early), `moves` what
    it did and, for a cycle, `cycle_at` the index in `moves` where the
    repeated part starts.

    bounded: stop at the scenario bound (CUT) instead of lifting it;
    frozen: stop (WRITES) at the first event that changes a value, and
    (NEXT_CALL) when the thread starts its next scenario call: the
    termination property asks whether the thread spins without changing
    anything, within one call;
    repeats: stop where the run repeats (False replays a run already
    known to go on, for a trace: the caller bounds it).
    """

    def __init__(self, explorer: Explorer, thread: int, state: tuple,
                 mem: sc.ScState, count: int, *, bounded: bool = False,
                 frozen: bool = False, repeats: bool = True):
        self.explorer = explorer
        self.thread = thread
        self.state = state
        self.mem = mem
        self.count = count
        self.bounded = bounded
        self.frozen = frozen
        self.repeats = repeats      # False: do not stop where it repeats
        self.moves: list[Move] = []
        self.outcome: str | None = None
        self.cycle_at: int | None = None
        self.failed = None
        self.final = state          # the thread's state where it ended
        self.final_mem = mem        # the memory where it ended

    def __iter__(self) -> Iterator[tuple[tuple, sc.ScState, bool]]:
        ex, t = self.explorer, self.thread
        budget = ex.budget
        ts = self.state if self.bounded else ex.resume(t, self.state)
        mem, count = self.mem, self.count
        start = True
        seen: dict[tuple, int] = {}
        last_start = 0              # moves before the latest call began
        while True:
            self.final, self.final_mem = ts, mem
            ins = ex.instr(t, ts)
            if ins.kind != MEM:
                self.outcome = {END: ENDS, LOOP: CUT}.get(ins.kind, FAILS)
                return
            key = (ex.uncounted(t, ts), mem.values)
            if key in seen and self.repeats:
                self.cycle_at = seen[key]
                self.outcome = CYCLE if self.cycle_at >= last_start \
                    else PERIODIC
                return
            seen[key] = len(self.moves)
            yield ts, mem, start
            access = ex.access(t, ts)
            # one step, or for an AArch64 store-exclusive its success
            # first (alone, nothing breaks the thread's monitor)
            step = sc.MODEL.perform(mem, (t, count), access)[0]
            if ins.blocking and not step.value:
                self.outcome = SLEEPS
                return
            if self.frozen and step.state.values != mem.values:
                self.outcome = WRITES
                return
            after, failed = ex.advance(t, ts, step.value,
                                       bounded=self.bounded)
            budget.step()
            self.moves.append(Move(t, count, ts, after, access, step.value,
                                   step.source))
            mem, ts, count = step.state, after, count + 1
            start = bool(after[1])
            if start:
                last_start = len(self.moves)
            if failed is not None:
                self.failed = failed
                self.final, self.final_mem = ts, mem
                self.outcome = CYCLE if isinstance(failed, LocalSpin) \
                    else FAILS
                self.cycle_at = len(self.moves) if self.outcome == CYCLE \
                    else None
                return
            if self.frozen and start:
                self.final, self.final_mem = ts, mem
                self.outcome = NEXT_CALL
                return

    def run(self) -> SoloRun:
        """Run to the end."""
        for _ in self:
            pass
        return self
