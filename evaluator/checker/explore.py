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
  * with a model that declares `history_in_state = True` (RC11), a
    move that closes a write-free cycle of its thread is dropped: the
    thread comes back to a thread state (pc, locals) it had since its
    last write, having only read and fenced in between (a spin-loop
    iteration that changed nothing).  Remove those events from any
    execution that contains them: the rest is still consistent (RC11's
    axioms only forbid cycles; the removed events are reads and fences,
    nobody's rf source, and every relation among the remaining events
    shrinks or stays), every other thread reads the same values, and
    the spinning thread is in the same state with a smaller view, so it
    can still do everything it did.  So every state the dropped move
    leads to has a counterpart without the useless iteration, which the
    search explores.  Properties that look for a thread unable to move
    are not fooled by the smaller view: a wait is an RMW on the eventfd,
    whose writes are all RMWs, so it can only read the coherence-latest
    one, whatever its view; P6 judges on the latest values anyway.
    Without the rule an RC11 spin loop would add a read to the graph
    per iteration and the search would never end
    (SC and TSO need no such rule: their states repeat and merge).  The
    window of thread states since the last write is a function of the
    graph (threads are deterministic given what they read), so merged
    states agree on it.  The termination property (termination.py)
    reports the thread that spins for ever;
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

Every search runs against a limits.Budget (states and continuation
steps, wall-clock time): when it is exhausted the search stops and
records a LimitHit; the verdict is then unknown.  By default the search
also stops at its first finding (the shortest, by breadth-first order);
`stop_at_first=False` keeps exploring for every property's first.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Hashable, Sequence

from .. import memory_models
from ..errors import CheckerError
from . import ir
from .bfs import ASSERTION, DATA_RACE, NON_TERMINATING, NONREADS, \
    BreadthFirst
from .ir import END, LOOP, MEM, Program, run_local
from .limits import Budget
from .loops import inner_loop_pcs
from .memory import Access, Kind, MemoryModel
from .search import Check, Finding, Ghost, Move, Search
from .tree import DepthFirst

__all__ = ["Explorer", "Finding", "Move", "Search", "ended", "ASSERTION",
           "DATA_RACE", "NON_TERMINATING", "ENGINES", "DEFAULT_ENGINE"]

# How the search remembers visited states (`evaluate check --engine`):
#   reference  the whole state, as it was first written (kept to compare
#              the others against: tests/checker/test_engines.py);
#   compact    the model's `key(state)` where it has one (RC11: the
#              graph as interned ids, models/rc11_state.py), so that
#              only the breadth-first frontier holds whole states.  The
#              key is exact (equal keys iff equal states), so the search
#              explores the same states in the same order and every
#              verdict, state count and trace is the reference's.
#              It also lets the model skip the steps a blocking wait
#              would drop (perform_nonzero), which the reference builds
#              and filters.
#   tree       (the default; models whose state is an execution graph:
#              c11) reaches each of the same states once, in one
#              canonical order, so it keeps no visited set: breadth
#              first for the first levels, then depth first keeping only
#              the path (tree.py).  Same verdicts, state counts and
#              counterexample lengths; less memory (flat in the
#              scenario) and less time per state.  Other models are
#              searched as by compact (their states merge histories).
ENGINES = ("compact", "reference", "tree")
DEFAULT_ENGINE = "tree"


def _whole(threads: tuple, mem: Hashable, ghost: Hashable) -> tuple:
    return (threads, mem, ghost)


def _compact(key: Callable[[Hashable], tuple]):
    """One flat tuple per state: the thread states, the memory's exact
    key, the ghost (a fixed number of thread states and a fixed key
    length per exploration, so the concatenation is unambiguous)."""
    def statekey(threads: tuple, mem: Hashable, ghost: Hashable) -> tuple:
        return threads + key(mem) + (ghost,)
    return statekey


class Explorer:
    """Runs one program under one memory model."""

    def __init__(self, program: Program, model: MemoryModel,
                 max_states: int | None = None,
                 budget: Budget | None = None,
                 engine: str = DEFAULT_ENGINE, workers: int = 1):
        program, model = _prepared(program, model)
        if engine not in ENGINES:
            raise CheckerError(f"unknown search engine {engine!r}",
                               hint="one of: " + ", ".join(ENGINES))
        self.engine = engine
        self.workers = workers      # processes for one tree search
        key = getattr(model, "key", None)
        self.statekey = _compact(key) if engine == "compact" and key \
            else _whole
        self.program = program
        self.model = model
        if budget is None:
            budget = Budget() if max_states is None else Budget(max_states)
        self.budget = budget
        self.max_states = budget.max_states
        self.threads = program.threads
        self.codes = [t.code for t in program.threads]
        self._access: list[dict] = [{} for _ in self.threads]
        self._advance: list[dict] = [{} for _ in self.threads]
        # per-state answers properties share (lostwakeup.sleepers)
        self.scratch: dict = {}
        self.noop_fences = bool(getattr(model, "noop_fences", False))
        self.eager = bool(getattr(model, "eager_nonreads", False))
        self.loops = tuple(inner_loop_pcs(t) for t in self.threads)
        # per thread, the pcs of its non-reading memory events and of
        # its scenario-loop bound (asked at every state: set lookups)
        self.nonread_pcs = tuple(_pcs(code, _is_nonread)
                                 for code in self.codes)
        self.bound_pcs = tuple(_pcs(code, lambda ins: ins.kind == LOOP)
                               for code in self.codes)
        self.has_loops = any(self.loops)
        self.prune_spins = bool(getattr(model, "history_in_state", False)) \
            and self.has_loops
        self.any_order = bool(getattr(model, "any_order", False))
        # tree.py's canonical order needs graph states (equal graphs,
        # equal futures) and the eager rule; other models merge states
        # that different histories reach, so they keep a visited set
        self.tree = engine == "tree" and self.eager and bool(
            getattr(model, "history_in_state", False))
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
        # per thread and pc: where the scenario loop's counter sits in a
        # state's values (None: not live there, or no scenario loop)
        self._counter_at = [
            tuple(t.live[pc].index(c) if c in t.live[pc] else None
                  for pc in range(len(t.code))) if c is not None else None
            for t, c in zip(self.threads, self._counter)]

    # -- thread stepping (memoised: thread-local work is deterministic)
    def start(self, t: int) -> tuple[tuple, ir.Assert | ir.LocalSpin | None]:
        code = self.threads[t]
        L = [0] * code.nslots
        pc, fresh, failed = run_local(code.code, 0, L)
        return code.state_at(pc, fresh, L), failed

    def iteration(self, t: int, state: tuple) -> int | None:
        """Which scenario-loop iteration the thread is in (1-based)."""
        slot = self._counter[t]
        if slot is None:
            return None
        return self.threads[t].expand(state)[slot]

    def uncounted(self, t: int, state: tuple) -> tuple:
        """The state without the scenario loop's iteration count.  Past
        the bound nothing reads the count (the bound is lifted), so two
        states equal up to it have the same future."""
        at = self._counter_at[t]
        if at is None or at[state[0]] is None:
            return state
        i = at[state[0]]
        values = state[2]
        return (state[0], state[1], values[:i] + values[i + 1:])

    def nonread_next(self, t: int, state: tuple) -> bool:
        """The thread's next event reads nothing (a fence or a store)."""
        return state[0] in self.nonread_pcs[t]

    def pending_nonread(self, threads: tuple) -> int | None:
        """The first thread whose next event reads nothing."""
        pcs = self.nonread_pcs
        for t, ts in enumerate(threads):
            if ts[0] in pcs[t]:
                return t
        return None

    def at_bound(self, threads: tuple) -> bool:
        """Some thread reached its scenario-loop bound."""
        pcs = self.bound_pcs
        return any(ts[0] in pcs[t] for t, ts in enumerate(threads))


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
                if ins.access.kind in NONREADS:
                    return t            # a write first: fewer waiting reads
                if first is None:
                    first = t
        return first
    def perform_nonzero(self, mem: Hashable, event, access: Access,
                        skip=None):
        """The steps of a blocking wait: those that read a non-zero
        value (the model's perform_nonzero builds only those, if it has
        one).  `skip` as for perform (tree.py; RC11 only)."""
        nonzero = getattr(self.model, "perform_nonzero", None)
        if nonzero is not None and self.engine != "reference":
            extra = {} if skip is None else {"skip": skip}
            return nonzero(mem, event, access, **extra)
        return [s for s in self.model.perform(mem, event, access)
                if s.value]

    def kind(self, t: int, state: tuple) -> int:
        return self.codes[t][state[0]].kind

    def instr(self, t: int, state: tuple) -> ir.Instr:
        return self.codes[t][state[0]]

    def in_loop(self, t: int, state: tuple) -> bool:
        """The thread rests inside a loop of the checked code."""
        return state[0] in self.loops[t]

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
                bounded: bool = True
                ) -> tuple[tuple, ir.Assert | ir.LocalSpin | None]:
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
               progress: Callable[[int], None] | None = None,
               ghost: Ghost | None = None,
               stop_at_first: bool = True) -> Search:
        # The search keeps every state alive and builds no reference
        # cycles, so the cyclic garbage collector only re-scans a growing
        # heap: pausing it halves the time of large (RC11) searches.
        collecting = gc.isenabled()
        gc.disable()
        try:
            engine = DepthFirst if self.tree else BreadthFirst
            return engine(self, checks, progress, ghost,
                          stop_at_first).run()
        finally:
            if collecting:
                gc.enable()


def _is_nonread(ins: ir.Instr) -> bool:
    return ins.kind == MEM and ins.access.kind in NONREADS


def _pcs(code: Sequence[ir.Instr], keep) -> frozenset[int]:
    return frozenset(pc for pc, ins in enumerate(code) if keep(ins))


def ended(explorer: Explorer, threads: tuple) -> bool:
    """Every thread has run to its end."""
    return all(explorer.kind(t, ts) == END for t, ts in enumerate(threads))


def _prepared(program: Program, model: MemoryModel):
    """The program and model one search runs: the model must read the
    program's language; AArch64 dependency masks are dropped for a model
    that does not read them; a model may bind to the program."""
    if not memory_models.reads(model.name, program.isa):
        raise CheckerError(
            f"the {model.name} model does not read {program.isa} "
            "programs", hint="models for it: " + ", ".join(
                memory_models.names(program.isa)))
    if program.isa == "aarch64" and not getattr(model, "dependencies",
                                                False):
        from .aarch64.builder import without_dependencies
        program = without_dependencies(program)
    bind = getattr(model, "bind", None)
    if bind is not None:
        model = bind(program)
    return program, model
