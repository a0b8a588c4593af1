"""Breadth-first search over (thread states, memory state).

The explorer knows thread programs (ir.py) and nothing about memory: a
memory model (memory.MemoryModel) says in which ways each access can
happen and which internal steps (TSO flushes) memory may take.  Global
states are hashed; a state is expanded once.  Breadth-first order makes
the first violation found of each property a shortest one (fewest
steps), which is the counterexample we print.

Reductions, all sound:
  * thread-local instructions run eagerly between memory events (see
    ir.py): they commute with everything other threads and memory do;
  * with a model that declares `noop_fences = True` (SC, TSO), a fence
    the model performs as a no-op (same state, nothing read) runs right
    after the thread's previous event.  Such a fence is enabled from
    the moment the thread reaches it until it runs, whatever the other
    threads do (SC: always; TSO: an MFENCE is a no-op only on an empty
    buffer, which only the thread itself can fill), and changes nothing
    they can see, so any path that runs it later can be reordered to run
    it first: the same states with threads past the fence are reached.
    States where a thread sits before such a fence are skipped; no
    property looks at them (P1 needs every running thread in a wait,
    P2 an iteration start, which is kept: the thread stays `fresh`);
  * with a model that builds execution graphs and declares
    `eager_nonreads = True` (RC11), when some thread's next event reads
    nothing (a fence or a store), only that thread moves.  In such a
    model a read picks its write among those already in the graph, so
    the order in which reads are added matters; a store picks its
    place in mo explicitly and a fence has no rf or mo edge, so adding
    either earlier loses no execution.  Precisely: take any consistent
    graph G the full search reaches in which every thread is finished,
    cut, or about to read.  From any prefix R of G the reduced search
    can still reach G: a thread with a pending non-read in R has gone
    further in G (else G would have it pending too), so that event is
    in G, and R plus it is a prefix of G, consistent since RC11's
    axioms only forbid cycles and restricting a graph to a po- and
    rf-closed part keeps every relation a subset of G's; when nothing
    non-reading is pending, some pending read of G reads from a write
    already in R (else po and rf would form a cycle in G).  The states
    the properties look at are of that form: P1 (every running thread
    in a wait, a read), litmus final states, states after a race or a
    failed assertion (extended to a maximal graph); P2's iteration
    starts are kept by leaving the thread `fresh` across the non-reads
    that open an iteration.
  * with a model that declares `any_order = True` (armv8, whose reads
    may wait for a write added later), every execution is built
    whichever thread adds its next event first (models/armv8.py proves
    it), so only one thread moves in each state: a thread whose next
    event does not block (a write or fence first, pollers last); when
    every running thread is at a wait, each one is expanded, since a
    wait may also stay blocked while the others run.  The states P1
    and P2 look at (others finished, a poller waiting or at an
    iteration start) are kept because pollers move last;
  * a path ends where the poller reaches its iteration bound (the
    scenario's cut): nothing is explored beyond it;
  * dead locals are dropped from thread states, and a model may keep
    write identities out of its state's equality (SC, TSO): states with
    the same future are merged.  What a merged path did is still
    reported faithfully, since each state keeps the one path that first
    reached it.
No partial-order reduction beyond that: the state spaces here are small
enough, and every extra rule would need its own soundness argument
under three memory models.
"""

from __future__ import annotations

import gc
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Hashable, NamedTuple, Protocol, Sequence

from ..errors import CheckerError
from . import ir
from .ir import END, LOOP, MEM, Program, run_local
from .memory import Access, EventId, Kind, MemoryModel, Race


class Move(NamedTuple):
    """One transition: a thread's memory event, or a memory-internal step
    (then `access` is None and `note` says what happened)."""

    thread: int
    index: int | None          # event index in the thread (EventId[1])
    before: tuple | None       # thread state before (pc, fresh, values)
    after: tuple | None        # thread state after
    access: Access | None
    value: int | None
    source: EventId | None
    race: Race | None = None
    note: str = ""
    fused: tuple = ()          # no-op fences run right after this move


@dataclass(frozen=True)
class Finding:
    """A property violation found at `node`, possibly continued by `tail`
    (moves made after that state, e.g. the poller running alone)."""

    property: str
    node: int
    tail: tuple[Move, ...] = ()
    facts: dict = field(default_factory=dict, compare=False)


_NONREADS = (Kind.FENCE, Kind.STORE)


class Check(Protocol):
    property: str                   # checks stop once it is found

    def __call__(self, explorer: "Explorer", node: int, threads: tuple,
                 mem: Hashable, counters: tuple) -> Finding | None: ...


@dataclass
class Search:
    """What a search found, with the paths needed to explain it."""

    explored: int
    cut: int
    findings: dict[str, Finding]
    parents: list[int]
    moves: list[Move | None]
    initial: tuple
    seconds: float

    def path(self, node: int) -> list[Move]:
        out = []
        while node > 0:
            out.append(self.moves[node])
            node = self.parents[node]
        out.reverse()
        return out


class Explorer:
    """Runs one program under one memory model."""

    def __init__(self, program: Program, model: MemoryModel,
                 max_states: int = 2_000_000):
        accepts = getattr(model, "isas", ("c11",))
        if program.isa not in accepts:
            raise CheckerError(
                f"the {model.name} model does not read {program.isa} "
                "programs", hint="models for it: sc and armv8"
                if program.isa == "aarch64" else "use sc, tso or c11")
        if program.isa == "aarch64" and not getattr(model, "dependencies",
                                                    False):
            # dependency masks only matter to models that read them
            from .aarch64.builder import without_dependencies
            program = without_dependencies(program)
        bind = getattr(model, "bind", None)
        if bind is not None:
            model = bind(program)
        self.program = program
        self.model = model
        self.max_states = max_states
        self.threads = program.threads
        self.codes = [t.code for t in program.threads]
        self._access: list[dict] = [{} for _ in self.threads]
        self._advance: list[dict] = [{} for _ in self.threads]
        self.noop_fences = bool(getattr(model, "noop_fences", False))
        self.eager = bool(getattr(model, "eager_nonreads", False))
        self.any_order = bool(getattr(model, "any_order", False))
        # any_order: the one thread that moves comes from the first of
        # these groups that can move: other threads, the temporary
        # poller, the poller.  So every state with the other threads
        # finished and a poller at an iteration start or in a wait is
        # reached (P1, P2 look there).
        self.group = [("temp-poller", "poller").index(t.role) + 1
                      if t.role in ("temp-poller", "poller") else 0
                      for t in program.threads]
        self.rank = sorted(range(len(program.threads)),
                           key=lambda t: (self.group[t], t))
        heads = [next((ins for ins in t.code if ins.kind == LOOP), None)
                 for t in self.threads]
        self._counter = [h.counter if h is not None else None for h in heads]

    # -- thread stepping (memoised: thread-local work is deterministic)
    def start(self, t: int) -> tuple:
        code = self.threads[t]
        L = [0] * code.nslots
        pc, fresh, failed = run_local(code.code, 0, L)
        if failed is not None:
            raise CheckerError(f"assertion {failed.text} fails before any "
                               f"memory access ({failed.where})")
        return code.state_at(pc, fresh, L)

    def iteration(self, t: int, state: tuple) -> int | None:
        """Which scenario-loop iteration the thread is in (1-based)."""
        slot = self._counter[t]
        if slot is None:
            return None
        return self.threads[t].expand(state)[slot]

    def nonread_next(self, t: int, state: tuple) -> bool:
        """The thread's next event reads nothing (a fence or a store)."""
        ins = self.codes[t][state[0]]
        return ins.kind == MEM and ins.access.kind in _NONREADS

    def pending_nonread(self, threads: tuple) -> int | None:
        """The first thread whose next event reads nothing."""
        for t, ts in enumerate(threads):
            if self.nonread_next(t, ts):
                return t
        return None

    def pending_nonblocking(self, threads: tuple) -> int | None:
        """any_order: the thread to move: one whose next event is a
        memory event that does not block, from the first group that has
        one (others, temporary poller, poller), a write or fence before a
        read within the group."""
        first = None
        for t in self.rank:
            ins = self.codes[t][threads[t][0]]
            if ins.kind == MEM and not ins.blocking:
                if first is not None and self.group[t] != self.group[first]:
                    break               # no poller before the others
                if ins.access.kind in _NONREADS:
                    return t            # a write first: fewer waiting reads
                if first is None:
                    first = t
        return first

    def kind(self, t: int, state: tuple) -> int:
        return self.codes[t][state[0]].kind

    def instr(self, t: int, state: tuple) -> ir.Instr:
        return self.codes[t][state[0]]

    def access(self, t: int, state: tuple) -> Access:
        memo = self._access[t]
        access = memo.get(state)
        if access is None:
            ins = self.codes[t][state[0]]
            access = ins.make(self.threads[t].expand(state)) if ins.parts \
                else ins.access
            memo[state] = access
        return access

    def advance(self, t: int, state: tuple, value: int | None,
                bounded: bool = True) -> tuple[tuple, ir.Assert | None]:
        """Thread state after its memory event read `value`."""
        key = (state, value, bounded)
        memo = self._advance[t]
        hit = memo.get(key)
        if hit is None:
            code = self.threads[t]
            L = code.expand(state)
            ins = code.code[state[0]]
            if ins.dest is not None:
                L[ins.dest] = value
            pc, fresh, failed = run_local(code.code, state[0] + 1, L, bounded)
            hit = (code.state_at(pc, fresh, L), failed)
            memo[key] = hit
        return hit

    def fuse(self, t: int, state: tuple, mem: Hashable, count: int):
        """Run the no-op fences the thread has reached (see module doc).
        Returns (state, count, fused moves, failed assertion)."""
        fused = []
        fresh = state[1]
        failed = None
        model = self.model
        code = self.codes[t]
        while len(fused) < 64:
            ins = code[state[0]]
            if ins.kind != MEM or ins.access.kind is not Kind.FENCE:
                break
            steps = model.perform(mem, (t, count), ins.access)
            if len(steps) != 1 or steps[0].state != mem:
                break
            after, failed = self.advance(t, state, None)
            fused.append(Move(t, count, state, after, ins.access, None,
                              None))
            state = after
            count += 1
            if failed is not None:
                break
        if fresh and not state[1]:
            state = (state[0], 1, state[2])   # still an iteration start
        return state, count, tuple(fused), failed

    def resume(self, t: int, state: tuple) -> tuple:
        """Lift the iteration bound of a thread stopped at it."""
        if self.kind(t, state) != LOOP:
            return state
        code = self.threads[t]
        L = code.expand(state)
        pc, fresh, _ = run_local(code.code, state[0], L, bounded=False)
        return code.state_at(pc, fresh, L)

    # -- the search
    def search(self, checks: Sequence[Check] = (),
               progress: Callable[[int], None] | None = None) -> Search:
        # The search keeps every state alive and builds no reference
        # cycles, so the cyclic garbage collector only re-scans a growing
        # heap: pausing it halves the time of large (RC11) searches.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._search(checks, progress)
        finally:
            if collecting:
                gc.enable()

    def _search(self, checks: Sequence[Check],
                progress: Callable[[int], None] | None) -> Search:
        started = time.perf_counter()
        model = self.model
        n = len(self.threads)
        threads0 = tuple(self.start(t) for t in range(n))
        mem0 = model.initial(self.program.init, n)
        visited = {(threads0, mem0)}
        parents: list[int] = [-1]
        moves: list[Move | None] = [None]
        findings: dict[str, Finding] = {}
        queue = deque([(0, threads0, mem0, (0,) * n)])
        cut = 0
        codes = self.codes

        def add(parent, threads, mem, counters, move) -> int | None:
            key = (threads, mem)
            if key in visited:
                return None
            visited.add(key)
            parents.append(parent)
            moves.append(move)
            node = len(parents) - 1
            queue.append((node, threads, mem, counters))
            if node >= self.max_states:
                raise CheckerError(
                    f"more than {self.max_states} states under "
                    f"{model.name}", hint="lower --rounds or --iterations, "
                                          "or raise the state limit")
            return node

        def expand(node, threads, mem, counters, t) -> bool:
            """Every step of thread t; False if it cannot move."""
            nonlocal cut
            ts = threads[t]
            ins = codes[t][ts[0]]
            if ins.kind != MEM:
                return False
            access = self.access(t, ts)
            count = counters[t]
            steps = model.perform(mem, (t, count), access)
            if ins.blocking:
                steps = [s for s in steps if s.value]
            for step in steps:
                after, failed = self.advance(t, ts, step.value)
                move = Move(t, count, ts, after, access, step.value,
                            step.source, step.race)
                count2 = count + 1
                if self.noop_fences and failed is None:
                    after, count2, fused, failed = self.fuse(
                        t, after, step.state, count2)
                    if fused:
                        move = move._replace(fused=fused)
                elif self.eager and ts[1] and not after[1] and \
                        access.kind in _NONREADS:
                    after = (after[0], 1, after[2])   # still starting
                threads2 = threads[:t] + (after,) + threads[t + 1:]
                counters2 = counters[:t] + (count2,) + counters[t + 1:]
                child = add(node, threads2, step.state, counters2, move)
                if child is None:
                    continue
                if codes[t][after[0]].kind == LOOP:
                    cut += 1
                if step.race is not None and "data-race" not in findings:
                    findings["data-race"] = Finding(
                        "data-race", child, facts={"race": step.race})
                if failed is not None and "assertion" not in findings:
                    findings["assertion"] = Finding(
                        "assertion", child,
                        facts={"thread": t, "assert": failed})
            return bool(steps)

        while queue:
            node, threads, mem, counters = queue.popleft()
            if progress is not None and not node & 0x3FFF:
                progress(node)
            for check in checks:
                if check.property in findings:
                    continue
                found = check(self, node, threads, mem, counters)
                if found is not None:
                    findings[found.property] = found
            if any(codes[t][ts[0]].kind == LOOP
                   for t, ts in enumerate(threads)):
                continue        # a thread reached its bound: the path ends
            forced = None
            if self.eager:
                forced = self.pending_nonread(threads)
            elif self.any_order:
                forced = self.pending_nonblocking(threads)
            if forced is None or not expand(node, threads, mem, counters,
                                            forced):
                for t in range(n):
                    expand(node, threads, mem, counters, t)
            for internal in model.internal(mem):
                move = Move(internal.thread, None, None, None, None, None,
                            None, None, internal.note)
                add(node, threads, internal.state, counters, move)
        return Search(len(parents), cut, findings, parents, moves, threads0,
                      time.perf_counter() - started)


def ended(explorer: Explorer, threads: tuple) -> bool:
    """Every thread has run to its end."""
    return all(explorer.kind(t, ts) == END for t, ts in enumerate(threads))
