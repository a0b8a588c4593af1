"""The breadth-first search itself (Explorer.search runs one): states
are (thread states, memory, ghost); explore.py's docstring gives the
reductions and why each is sound.

Engines (issue 11; explore.ENGINES, `evaluate check --engine`).  Under
RC11 a state is a prefix of an execution graph and the search keeps
every visited one, so memory, not time, was what ran out first: the
reference engine keeps each visited state whole (its graph's event
objects, per-location tuples, psc closure), 2.6 KB a state (542 MB for
qemu-5.2's 209,095 states).  The compact engine (the default) keeps,
for a visited state, only an exact key: the thread states, then the
graph as ints (each thread's label sequence as an id in a trie of
sequences, each location's coherence order as an id in a table of
orders: models/rc11_state.py), then the ghost; whole states live only
on the breadth-first frontier (about 5% of the states).  That is about
0.7 KB a state, parents and moves included (176 MB for qemu-5.2).  The
key is injective, not a hash: two keys are equal exactly when the
graphs are, so the search visits the same states in the same order and
every verdict, state count and trace is the reference's
(tests/checker/test_engines.py compares them).

Why this and not the other candidates the issue lists:
  * storing fingerprints only (hash compaction) would cut memory further
    but could merge two different states on a collision and miss a
    violation: a "safe" verdict must not rest on a probability;
  * symmetry between pollers needs identical pollers: the scenario's
    temporary poller runs temp_iterations calls and leaves while the
    event loop's poller is cut after iterations calls (scenario.py), so
    no permutation of threads maps states to states with the same
    future;
  * partial-order reduction by independence: in every shipped variant
    each thread reads and writes every shared location (notify_me,
    notified, bh_scheduled, the eventfd), so no pending read is
    independent of the other threads until they finish;
  * a stateless graph-revisiting engine (TruSt, POPL'22) explores each
    execution once in memory linear in the graph and is what removes
    the prefix blow-up of three threads; it is a new search with its own
    optimality argument and its own way to find P1/P2's states, more
    than this change could verify.
So the same states are built and checked and the CPU per state is
about what it was; the compact engine saves only the steps a blocking
wait would drop (models/rc11.py's perform_nonzero) and some per-state
bookkeeping.  benchmarks/rc11_scale.py's docstring has the profile.

Breadth-first order makes the first finding of each property a shortest
one.  With stop_at_first a finding of a check ends the search at once
(every state it could be compared with is at least as deep); a finding
on a transition (a race, an assertion, a thread-local cycle) is made at
a child not yet visited, so the search goes on until it visits that
child, and a shallower finding made meanwhile replaces it.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence

from . import ir
from .ir import LOOP, MEM
from .limits import LimitHit, SearchLimit
from .memory import Access, Kind, is_complete
from .search import Check, Finding, Ghost, Move, Search


NONREADS = (Kind.FENCE, Kind.STORE)
WINDOW = 32                     # thread states kept per spin window
ASSERTION, DATA_RACE, NON_TERMINATING = ("assertion", "data-race",
                                         "non-terminating-loop")


def writes(access: Access, value: int | None) -> bool:
    """The event adds a write to memory (a failed CAS does not)."""
    if access.kind is Kind.STORE:
        return True
    return access.kind is Kind.RMW and access.apply(value) is not None


_USELESS = object()     # spin_windows: drop this step


class _Stop(Exception):
    """The first finding was made and the search stops there."""


class BreadthFirst:
    """One breadth-first search: the queue, the visited states and the
    paths back to the root."""

    # `explorer` is the explore.Explorer that steps the threads (not
    # annotated: explore.py imports this module).
    def __init__(self, explorer, checks: Sequence[Check],
                 progress: Callable[[int], None] | None,
                 ghost: Ghost | None, stop_at_first: bool):
        self.ex = explorer
        self.checks = checks
        self.progress = progress
        self.ghost = ghost
        self.stop_at_first = stop_at_first
        self.findings: dict[str, Finding] = {}
        self.parents: list[int] = [-1]
        self.moves: list[Move | None] = [None]
        self.visited: set = set()
        # What a visited state is remembered by: the whole state
        # (reference engine), or the model's exact compact key
        # (explore.ENGINES), so that only the frontier holds full states.
        self.statekey = explorer.statekey
        self.queue: deque = deque()
        self.cut = 0
        self.stop_at: int | None = None     # see found_on_move
        self.initial: tuple = ()
        self.started = time.perf_counter()

    def run(self) -> Search:
        ex = self.ex
        n = len(ex.threads)
        started = [ex.start(t) for t in range(n)]
        threads0 = self.initial = tuple(state for state, _ in started)
        mem0 = ex.model.initial(ex.program.init, n)
        ghost0 = self.ghost.initial(ex, mem0) if self.ghost else None
        windows0 = ((),) * n if ex.prune_spins else None
        self.visited.add(self.statekey(threads0, mem0, ghost0))
        self.queue.append((0, threads0, mem0, (0,) * n, ghost0, windows0))
        limit = None
        stopped = False
        node = 0
        try:
            ex.budget.state()
            for t, (_, failed) in enumerate(started):
                if failed is not None:
                    self.failure(0, t, failed)
                    if self.stop_at_first:
                        raise _Stop
            while self.queue:
                entry = self.queue.popleft()
                node = entry[0]
                self.visit(*entry)
        except _Stop:
            stopped = True
        except SearchLimit as exc:
            search = self.result(None, False)
            limit = LimitHit(exc.kind, ex.budget.phase, exc.detail,
                             len(self.parents), ex.budget.steps,
                             search.depth(node), ex.budget.elapsed())
        return self.result(limit, stopped)

    def result(self, limit: LimitHit | None, stopped: bool) -> Search:
        return Search(len(self.parents), self.cut, self.findings,
                      self.parents, self.moves, self.initial,
                      time.perf_counter() - self.started, limit, stopped,
                      self.ex.budget.steps)

    def found(self, finding: Finding) -> None:
        """A check's finding at the state being visited: with
        stop_at_first it ends the search, dropping findings of
        transitions not yet reached (they are no shorter)."""
        if finding.property in self.findings:
            return
        if self.stop_at_first:
            self.findings = {finding.property: finding}
            raise _Stop
        self.findings[finding.property] = finding

    def found_on_move(self, finding: Finding) -> None:
        """A transition's finding (race, assertion, local cycle) at a
        child just added.  With stop_at_first the search goes on until
        it visits that child, so that every shallower state is checked
        first and the counterexample kept is a shortest one."""
        if finding.property in self.findings:
            return
        self.findings[finding.property] = finding
        if self.stop_at_first and self.stop_at is None:
            self.stop_at = finding.node

    def failure(self, node: int, t: int, failed) -> None:
        if isinstance(failed, ir.LocalSpin):
            self.found_on_move(Finding(NON_TERMINATING, node, facts={
                "thread": t, "local": failed}))
        else:
            self.found_on_move(Finding(ASSERTION, node, facts={
                "thread": t, "assert": failed}))

    def add(self, parent, threads, mem, counters, ghost, windows,
            move) -> int | None:
        key = self.statekey(threads, mem, ghost)
        if key in self.visited:
            return None
        self.ex.budget.state()
        self.visited.add(key)
        self.parents.append(parent)
        self.moves.append(move)
        node = len(self.parents) - 1
        self.queue.append((node, threads, mem, counters, ghost, windows))
        return node

    def visit(self, node, threads, mem, counters, ghost, windows) -> None:
        if self.stop_at is not None and node >= self.stop_at:
            raise _Stop         # every shallower state has been checked
        ex = self.ex
        if self.progress is not None and not node & 0x3FFF:
            self.progress(node)
        ex.budget.phase = "search"
        # a state with reads still waiting for their write (armv8) is
        # not an execution yet: no property looks at it
        if is_complete(ex.model, mem):
            self.run_checks(node, threads, mem, counters, ghost)
        if ex.at_bound(threads):
            return              # a thread reached its bound: the path ends
        forced = None
        if ex.eager:
            forced = ex.pending_nonread(threads)
        elif ex.any_order:
            forced = ex.pending_nonblocking(threads)
        if forced is None or not self.expand(node, threads, mem, counters,
                                             ghost, windows, forced):
            for t in range(len(threads)):
                self.expand(node, threads, mem, counters, ghost, windows, t)
        for internal in ex.model.internal(mem):
            move = Move(internal.thread, None, None, None, None, None,
                        None, None, internal.note)
            self.add(node, threads, internal.state, counters, ghost,
                     windows, move)

    def run_checks(self, node, threads, mem, counters, ghost) -> None:
        ex = self.ex
        for check in self.checks:
            if check.property in self.findings:
                continue
            found = check(ex, node, threads, mem, counters, ghost)
            ex.budget.phase = "search"
            if found is not None:
                self.found(found)

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
        """The spin windows after thread t's step, or _USELESS for an
        iteration that repeats one in the window (module doc)."""
        if windows is None:
            return None
        window = windows[t]
        if writes(access, value):
            window = ()
        elif after == ts or after in window:
            return _USELESS
        else:
            window = (window + (ts,))[-WINDOW:]
        return windows[:t] + (window,) + windows[t + 1:]

    def expand(self, node, threads, mem, counters, ghost, windows,
               t) -> bool:
        """Every step of thread t; False if it cannot move."""
        ex = self.ex
        ts = threads[t]
        ins = ex.codes[t][ts[0]]
        if ins.kind != MEM:
            return False
        access = ex.access(t, ts)
        count = counters[t]
        if ins.blocking:
            steps = ex.perform_nonzero(mem, (t, count), access)
        else:
            steps = ex.model.perform(mem, (t, count), access)
        for step in steps:
            after, failed, count2, move = self.step_thread(t, ts, count,
                                                           access, step)
            windows2 = self.spin_windows(windows, t, ts, after, access,
                                         step.value)
            if windows2 is _USELESS:
                continue            # a useless spin iteration (module doc)
            ghost2 = ghost if self.ghost is None else self.ghost.step(
                ex, ghost, t, (t, count), ts, access, step)
            threads2 = threads[:t] + (after,) + threads[t + 1:]
            counters2 = counters[:t] + (count2,) + counters[t + 1:]
            child = self.add(node, threads2, step.state, counters2, ghost2,
                             windows2, move)
            if child is None:
                continue
            if ex.codes[t][after[0]].kind == LOOP:
                self.cut += 1
            if step.race is not None:
                self.found_on_move(Finding(DATA_RACE, child,
                                           facts={"race": step.race}))
            if failed is not None:
                self.failure(child, t, failed)
        return bool(steps)
