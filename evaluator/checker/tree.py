"""A search that reaches every state once and keeps no record of the
states it has seen (`evaluate check --engine tree`, issue 11).

Why it needs no visited set.  Under RC11 a state is an execution graph
(the thread states and the ghost are functions of it), and the
breadth-first search (bfs.py) reaches one graph through many orders of
adding its events, which is why it must remember every graph it has
seen.  This search adds the events of each graph in one canonical order
only, so the states form a tree:

  * where some thread's next event reads nothing, the first such
    thread moves alone (the eager rule of explore.py, unchanged), so a
    thread's read and the non-reads after it form one block, added
    together;
  * otherwise every thread is about to read, and thread t may read w
    only if no thread u < t could have read first: when t moves, each
    u < t waiting at a read is told that the write it will read is one
    added from now on (`forbid[u]`: the writes of its location present
    now).  The constraint lapses when u moves;
  * a read the constraint forbids (a late read) is still taken where
    its block cannot complete on this path: while a non-read after it
    is pending (only those follow, and the state where the block is
    complete is dropped), or where it takes the thread to its
    scenario bound (the path ends there in every engine).

Each state is then reached once.  Two paths to one graph first differ
at a state where every thread reads; say t1 < t2 move there, t1 reading
w.  The path that moves t2 forbids t1 every write present then, w among
them, until t1 moves; but t1's next event in the graph is that read of
w, which that path can only add late, in a block it never completes.
And each state the breadth-first search reaches is reached here.  If no
non-read is pending in it, add its blocks in the canonical order itself
(the block of the lowest thread whose read's write is present): each
time t moves past a waiting u < t, u's read, if the graph has it,
reads a write not present yet, as the constraint requires.  If a
non-read is pending, the state is one of those plus part of one
thread's block (the eager rule allows nothing else), reached the same
way and then by that block, late or not.  The spin rule of explore.py
drops a step by the thread's own history only, so it drops the same
steps in every order.  tests/checker/test_engines.py checks both
claims on every complete search: the same set of states as the
reference engine, and none reached twice.

Order.  The tree is visited breadth first while a level holds fewer
than FRONTIER states, then depth first from each state of the last
level.  So a shallow counterexample is found after the same states as
breadth-first order would visit (up to the order within its level), and
memory is the last level plus, below it, the path: a state and a pending
generator of children per level (a graph has about 100 events here),
instead of a key per visited state.  Counterexamples are still
shortest: a finding at depth d bounds the rest of the search to depth
d - 1 (branch and bound), so the one kept has no shallower rival; among
equally short ones it may pick another than bfs.py would.  Time per
state is what it was, minus the visited set's hashing and keys.

Processes.  Below the last breadth-first level the subtrees share
nothing, so with ex.workers > 1 (`evaluate check --jobs N` on a single
check) tree_workers.py searches them in forked processes, with the same
verdict and counterexample as here.  The checks must then be functions
of the state (a memo is fine): what a check keeps in a worker stays
there.
"""

from __future__ import annotations

import time
from dataclasses import replace

from .ir import LOOP, MEM
from .limits import LimitHit, SearchLimit
from .memory import Kind, is_complete
from .search import Finding, Move, Search
from .stepping import Stepping, move_finding
from . import tree_workers

READS = (Kind.LOAD, Kind.RMW)
# Breadth first until a level holds this many states (whole states: about
# 2.6 KB each under RC11), then depth first from each of them.
FRONTIER = 2_000


class DepthFirst(Stepping):
    """One search over the canonical tree of states."""

    compares_states = False     # each state is reached once

    def __init__(self, explorer, checks, progress, ghost,
                 stop_at_first: bool):
        super().__init__(explorer, checks, progress, ghost, stop_at_first)
        self.explored = 0
        self.path: list[Move] = []      # from the root to the state
        # property -> (depth, path, finding): the shallowest of each
        self.best: dict[str, tuple[int, tuple, Finding]] = {}
        self.bound: int | None = None   # stop_at_first: best depth
        self.initial: tuple = ()
        self.started = time.perf_counter()

    def run(self) -> Search:
        ex = self.ex
        root, failures = self.root()
        self.initial = root[0]
        hit = None
        try:
            self.enter(root, 0)
            for t, failed in enumerate(failures):
                if failed is not None:
                    self.record(move_finding(0, t, failed), 0)
            if self.bound is None:
                hit = self.below(self.breadth_first(root))
        except SearchLimit as exc:
            hit = (exc.kind, ex.budget.phase, exc.detail, len(self.path))
        limit = None
        if hit is not None:
            kind, phase, detail, depth = hit
            limit = LimitHit(kind, phase, detail, self.explored,
                             ex.budget.steps, depth, ex.budget.elapsed())
        return self.result(limit)

    def below(self, level: list[tuple]) -> tuple | None:
        """Depth first below each state of the last breadth-first level,
        in ex.workers processes if there are more (tree_workers.py)."""
        if self.ex.workers > 1 and len(level) > 1:
            return tree_workers.descend_all(self, level, self.ex.workers)
        for entry in level:
            self.descend(*entry)
        return None

    def breadth_first(self, root: tuple) -> list[tuple]:
        """Visit the tree level by level while a level holds fewer than
        FRONTIER states, so that a shallow counterexample is found as
        soon as breadth-first order finds it; then return the last level
        (state, forbid, late_block, path), for descend() to go on from."""
        level = [(root, (None,) * len(root[0]), False, ())]
        depth = 0
        while level and len(level) < FRONTIER:
            depth += 1
            deeper = []
            for state, forbid, late_block, path in level:
                for child in self.children(*state, forbid, late_block):
                    state2, forbid2, late2, move, race, failed = child
                    self.path = path + (move,)
                    self.on_move(state2, move.thread, race, failed, depth)
                    self.enter(state2, depth)
                    if self.bound is not None:
                        return []       # every shallower state was seen
                    if not self.ex.at_bound(state2[0]):
                        deeper.append((state2, forbid2, late2,
                                       self.path))
            level = deeper
        return level

    def descend(self, state: tuple, forbid: tuple, late_block: bool,
                path: tuple) -> None:
        """Depth first below one state (at depth len(path))."""
        base = len(path)
        self.path = stepped = list(path)
        stack = [self.children(*state, forbid, late_block)]
        while stack:
            depth = base + len(stack)   # of the top state's children
            bounded = self.bound is not None and depth >= self.bound
            child = None if bounded else next(stack[-1], None)
            if child is None:           # done, or no shorter finding here
                stack.pop()
                if stack:
                    stepped.pop()
                continue
            state, forbid, late_block, move, race, failed = child
            stepped.append(move)
            # the step's own findings first, as breadth-first order
            # records them before it checks the state they lead to
            self.on_move(state, move.thread, race, failed, depth)
            self.enter(state, depth)
            if self.ex.at_bound(state[0]):
                stepped.pop()           # the path ends at the bound
            else:
                stack.append(self.children(*state, forbid, late_block))

    def enter(self, state: tuple, depth: int) -> None:
        """Count the state and run the checks on it."""
        ex = self.ex
        ex.budget.state()
        self.explored += 1
        node = self.explored
        if self.progress is not None and not node & 0x3FFF:
            self.progress(node)
        ex.budget.phase = "search"
        threads, mem, counters, ghost, _ = state
        if not is_complete(ex.model, mem):
            return
        for check in self.checks:
            if self.known(check.property, depth):
                continue
            found = self.check(check, node, threads, mem, counters, ghost)
            if found is not None:
                self.record(found, depth)

    def replay(self, entry: tuple, moves: tuple, prop: str) -> None:
        """Record prop's finding at the end of `moves` from a level
        state (tree_workers.py: one another process found): walk down
        to it and find it again, with the budget's limits lifted (it was
        paid for once)."""
        state, forbid, late_block, path = entry
        for move in moves:
            child = next(c for c in self.children(*state, forbid,
                                                  late_block)
                         if c[3] == move)
            state, forbid, late_block, _, race, failed = child
        self.path = list(path) + list(moves)
        budget = self.ex.budget
        saved = (self.cut, budget.states, budget.steps, budget.max_states,
                 budget.deadline)
        budget.max_states, budget.deadline = float("inf"), None
        try:
            found = self.move_findings(state[0], move.thread, race, failed,
                                       0)
            threads, mem, counters, ghost, _ = state
            found += [self.check(check, self.explored + 1, threads, mem,
                                 counters, ghost)
                      for check in self.checks if check.property == prop]
        finally:
            (self.cut, budget.states, budget.steps, budget.max_states,
             budget.deadline) = saved
        finding = next(f for f in found
                       if f is not None and f.property == prop)
        self.best[prop] = (len(self.path), tuple(self.path), finding)

    def on_move(self, state, t, race, failed, depth) -> None:
        for finding in self.move_findings(state[0], t, race, failed, 0):
            self.record(finding, depth)

    def known(self, prop: str, depth: int) -> bool:
        """A finding of prop as shallow as `depth` is already kept."""
        if self.stop_at_first:
            return self.bound is not None and self.bound <= depth
        best = self.best.get(prop)
        return best is not None and best[0] <= depth

    def record(self, finding: Finding, depth: int) -> None:
        if self.known(finding.property, depth):
            return
        kept = (depth, tuple(self.path), finding)
        if self.stop_at_first:
            self.bound = depth
            self.best = {finding.property: kept}
        else:
            self.best[finding.property] = kept

    def children(self, threads, mem, counters, ghost, windows, forbid,
                 late_block):
        """Each child of the state in the canonical tree: (state,
        forbid, late_block, move, race, failed)."""
        forced = self.forced(threads)
        if forced is not None:
            stepped = self.steps(threads, mem, counters, forced)
            if stepped is not None and stepped[1]:
                for child in self.successors(forced, stepped, threads,
                                             counters, ghost, windows):
                    after = child[0][0][forced]
                    if not late_block or self.unfinished(forced, after):
                        yield child[0], forbid, late_block, *child[1:]
                return
        if late_block:
            return
        for t in range(len(threads)):
            forbidden = forbid[t] or ()
            skip = self.late_skip(t, threads[t], forbidden) if forbidden \
                else None
            stepped = self.steps(threads, mem, counters, t, skip)
            if stepped is None:
                continue
            forbid2 = self.waiting(threads, mem, forbid, t)
            for child in self.successors(t, stepped, threads, counters,
                                         ghost, windows):
                late = child[1].source in forbidden
                if not late or self.unfinished(t, child[0][0][t]):
                    yield child[0], forbid2, late, *child[1:]

    def unfinished(self, t: int, ts: tuple) -> bool:
        """A late read's block is kept while it is unfinished: a
        non-read of thread t is pending (t is the only thread with one:
        its read left a state where every thread read), or the step took
        t to its bound (the path ends there).  The finished block is a
        state the canonical order reaches by reading first."""
        ex = self.ex
        return ex.codes[t][ts[0]].kind == LOOP or ex.nonread_next(t, ts)

    def late_skip(self, t: int, ts: tuple, forbidden: frozenset):
        """perform's `skip` for thread t: the late reads whose block
        would be finished at once, so the model does not build them."""
        ex = self.ex

        def skip(source: tuple, value: int) -> bool:
            return source in forbidden and \
                not self.unfinished(t, ex.advance(t, ts, value)[0])
        return skip

    def waiting(self, threads, mem, forbid, t) -> tuple:
        """forbid after thread t reads: each lower thread waiting at a
        read must read a write added later; t's own constraint lapses."""
        ex = self.ex
        out = list(forbid)
        out[t] = None
        for u in range(t):
            if ex.codes[u][threads[u][0]].kind != MEM:
                continue
            access = ex.access(u, threads[u])
            if access.kind in READS:
                out[u] = frozenset(ex.model.coherence(mem, access.loc))
        return tuple(out)

    def result(self, limit: LimitHit | None) -> Search:
        """The search record, with the paths of the findings kept."""
        parents: list[int] = [-1]
        moves: list[Move | None] = [None]
        findings = {}
        for prop, (_, path, finding) in self.best.items():
            node = 0
            for move in path:
                parents.append(node)
                moves.append(move)
                node = len(parents) - 1
            findings[prop] = replace(finding, node=node)
        return Search(self.explored, self.cut, findings, parents, moves,
                      self.initial, time.perf_counter() - self.started,
                      limit, self.stop_at_first and bool(findings),
                      self.ex.budget.steps)
