"""The breadth-first search itself (Explorer.search runs one): states
are (thread states, memory, ghost); explore.py's docstring gives the
reductions and why each is sound.

Engines (issue 11; explore.ENGINES, `evaluate check --engine`).  Under
RC11 a state is a prefix of an execution graph and the search keeps
every visited one, so memory, not time, was what ran out first: the
reference engine keeps each visited state whole (its graph's event
objects, per-location tuples, psc closure), 2.6 KB a state (542 MB for
qemu-5.2's 209,095 states).  The compact engine (always used for sc
and tso) keeps, for a visited state, only an exact key: the thread
states, then the graph as ints (each thread's label sequence as an id
in a trie of sequences, each location's coherence order as an id in a table of
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
    than this change could verify.  Its first half is tree.py (the
    tree engine): the same states, each reached once in a canonical
    order, so no visited set and memory linear in the graph; what it
    does not do yet is skip the states (80% of them with two pollers)
    where some thread waits for a write that a later event must bring.
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

from .limits import LimitHit, SearchLimit
from .memory import is_complete
from .search import Finding, Move, Search
from .stepping import (ASSERTION, DATA_RACE, NON_TERMINATING, NONREADS,
                       Stepping, move_finding)

__all__ = ["BreadthFirst", "ASSERTION", "DATA_RACE", "NON_TERMINATING",
           "NONREADS"]


class _Stop(Exception):
    """The first finding was made and the search stops there."""


class BreadthFirst(Stepping):
    """One breadth-first search: the queue, the visited states and the
    paths back to the root."""

    def __init__(self, explorer, checks, progress, ghost,
                 stop_at_first: bool):
        super().__init__(explorer, checks, progress, ghost, stop_at_first)
        self.findings: dict[str, Finding] = {}
        self.parents: list[int] = [-1]
        self.moves: list[Move | None] = [None]
        self.visited: set = set()
        # What a visited state is remembered by: the whole state
        # (reference engine), or the model's exact compact key
        # (explore.ENGINES), so that only the frontier holds full states.
        self.statekey = explorer.statekey
        self.queue: deque = deque()
        self.stop_at: int | None = None     # see found_on_move
        self.initial: tuple = ()
        self.started = time.perf_counter()

    def run(self) -> Search:
        ex = self.ex
        root, failures = self.root()
        threads0, mem0, _, ghost0, _ = root
        self.initial = threads0
        self.visited.add(self.statekey(threads0, mem0, ghost0))
        self.queue.append((0,) + root)
        limit = None
        stopped = False
        node = 0
        try:
            ex.budget.state()
            for t, failed in enumerate(failures):
                if failed is not None:
                    self.found_on_move(move_finding(0, t, failed))
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
        forced = self.forced(threads)
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
        for check in self.checks:
            if check.property in self.findings:
                continue
            found = self.check(check, node, threads, mem, counters, ghost)
            if found is not None:
                self.found(found)

    def expand(self, node, threads, mem, counters, ghost, windows,
               t) -> bool:
        """Every step of thread t; False if it cannot move."""
        stepped = self.steps(threads, mem, counters, t)
        if stepped is None:
            return False
        for state, move, race, failed in self.successors(
                t, stepped, threads, counters, ghost, windows):
            child = self.add(node, *state, move)
            if child is None:
                continue
            for finding in self.move_findings(state[0], t, race, failed,
                                              child):
                self.found_on_move(finding)
        return bool(stepped[1])
