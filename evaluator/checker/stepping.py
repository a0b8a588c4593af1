"""What every search engine does at one state (bfs.py breadth-first,
tree.py depth-first): step one thread's next memory event in each way
the model allows, run the thread-local code after it, keep the spin
windows and the ghost, and run the property checks.  The engines differ
only in the order they visit states and in what they remember of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from . import ir
from .ir import LOOP, MEM
from .memory import Access, Kind
from .search import Check, Finding, Ghost, Move

NONREADS = (Kind.FENCE, Kind.STORE)
WINDOW = 32                     # thread states kept per spin window
ASSERTION, DATA_RACE, NON_TERMINATING = ("assertion", "data-race",
                                         "non-terminating-loop")
USELESS = object()      # spin_windows: drop this step


def writes(access: Access, value: int | None) -> bool:
    """The event adds a write to memory (a failed CAS does not)."""
    if access.kind is Kind.STORE:
        return True
    return access.kind is Kind.RMW and access.apply(value) is not None


def move_finding(node: int, t: int, failed) -> Finding:
    """The finding of a step that ran a failing assert or entered a
    thread-local cycle."""
    if isinstance(failed, ir.LocalSpin):
        return Finding(NON_TERMINATING, node, facts={"thread": t,
                                                     "local": failed})
    return Finding(ASSERTION, node, facts={"thread": t, "assert": failed})


class Stepping:
    """The per-state work shared by the engines."""

    # The engine compares states (a visited set): the model keeps exact
    # keys for them (models/rc11.py's `key`).
    compares_states = True

    # `explorer` is the explore.Explorer that steps the threads (not
    # annotated: explore.py imports the engines).
    def __init__(self, explorer, checks: Sequence[Check],
                 progress: Callable[[int], None] | None,
                 ghost: Ghost | None, stop_at_first: bool):
        self.ex = explorer
        self.checks = checks
        self.progress = progress
        self.ghost = ghost
        self.stop_at_first = stop_at_first
        self.cut = 0

    def root(self) -> tuple[tuple, list]:
        """The initial state (threads, memory, counters, ghost, spin
        windows) and each thread's failure before its first event."""
        ex = self.ex
        n = len(ex.threads)
        started = [ex.start(t) for t in range(n)]
        threads0 = tuple(state for state, _ in started)
        if self.compares_states:
            mem0 = ex.model.initial(ex.program.init, n)
        else:
            mem0 = ex.model.initial(ex.program.init, n, keyed=False)
        ghost0 = self.ghost.initial(ex, mem0) if self.ghost else None
        windows0 = ((),) * n if ex.prune_spins else None
        return (threads0, mem0, (0,) * n, ghost0, windows0), \
            [failed for _, failed in started]

    def forced(self, threads: tuple) -> int | None:
        """The one thread the model's reduction moves alone, if any
        (explore.py's module doc)."""
        ex = self.ex
        if ex.eager:
            return ex.pending_nonread(threads)
        if ex.any_order:
            return ex.pending_nonblocking(threads)
        return None

    def check(self, check: Check, node, threads, mem, counters, ghost):
        found = check(self.ex, node, threads, mem, counters, ghost)
        self.ex.budget.phase = "search"
        return found

    def steps(self, threads: tuple, mem, counters: tuple, t: int,
              skip=None):
        """(access, steps) of thread t's next memory event; None if its
        next instruction is no memory event.  `skip`: reads not to build
        (models/rc11.py's perform)."""
        ex = self.ex
        ts = threads[t]
        ins = ex.codes[t][ts[0]]
        if ins.kind != MEM:
            return None
        access = ex.access(t, ts)
        event = (t, counters[t])
        if ins.blocking:
            return access, ex.perform_nonzero(mem, event, access, skip)
        if skip is None:
            return access, ex.model.perform(mem, event, access)
        return access, ex.model.perform(mem, event, access, skip=skip)

    def successors(self, t, stepped, threads, counters, ghost, windows):
        """(state, move, race, failed) after each of thread t's steps
        `stepped` (from steps()), useless spin iterations left out."""
        access, steps = stepped
        for step in steps:
            made = self.child(threads, counters, ghost, windows, t, access,
                              step)
            if made is None:
                continue
            threads2, counters2, ghost2, windows2, move, failed = made
            yield ((threads2, step.state, counters2, ghost2, windows2),
                   move, step.race, failed)

    def move_findings(self, threads: tuple, t: int, race, failed,
                      node: int) -> list[Finding]:
        """The findings of thread t's step into `threads` (a race, a
        failing assert, a thread-local cycle); counts the step if it
        took t to its scenario bound (a cut path)."""
        if self.ex.codes[t][threads[t][0]].kind == LOOP:
            self.cut += 1
        found = []
        if race is not None:
            found.append(Finding(DATA_RACE, node, facts={"race": race}))
        if failed is not None:
            found.append(move_finding(node, t, failed))
        return found

    def child(self, threads, counters, ghost, windows, t, access, step):
        """The state after thread t's step: (threads, counters, ghost,
        windows, move, failed), or None for a useless spin iteration
        (explore.py's module doc)."""
        ts = threads[t]
        count = counters[t]
        after, failed, count2, move = self.step_thread(t, ts, count,
                                                       access, step)
        windows2 = self.spin_windows(windows, t, ts, after, access,
                                     step.value)
        if windows2 is USELESS:
            return None
        ghost2 = ghost if self.ghost is None else self.ghost.step(
            self.ex, ghost, t, (t, count), ts, access, step)
        return (threads[:t] + (after,) + threads[t + 1:],
                counters[:t] + (count2,) + counters[t + 1:],
                ghost2, windows2, move, failed)

    def step_thread(self, t, ts, count, access, step):
        """Thread t after one step: (state, failed, next event count,
        the move), no-op fences fused where the model allows."""
        ex = self.ex
        after, failed = ex.advance(t, ts, step.value)
        move = Move(t, count, ts, after, access, step.value, step.source,
                    step.race)
        count2 = count + 1
        if ex.noop_fences and failed is None:
            after, count2, fused, failed = ex.fuse(t, after, step.state,
                                                   count2)
            if fused:
                move = move._replace(fused=fused)
        elif ex.eager and ts[1] and not after[1] and \
                access.kind in NONREADS:
            after = (after[0], 1, after[2])   # still starting
        return after, failed, count2, move

    @staticmethod
    def spin_windows(windows, t, ts, after, access, value):
        """The spin windows after thread t's step, or USELESS for an
        iteration that repeats one in the window (explore.py)."""
        if windows is None:
            return None
        window = windows[t]
        if writes(access, value):
            window = ()
        elif after == ts or after in window:
            return USELESS
        else:
            window = (window + (ts,))[-WINDOW:]
        return windows[:t] + (window,) + windows[t + 1:]
