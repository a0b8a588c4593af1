"""C11 as RC11 (Lahav, Vafeiadis, Kang, Hur, Dreyer, "Repairing
Sequential Consistency in C/C++11", PLDI 2017; herd7's rc11.cat).

Method (DESIGN §5): the memory state is the execution graph built so
far.  The explorer adds one event at a time, each thread's in program
order.  A read may read any write already in the graph, a write may take
any place in its location's coherence order (mo), an RMW reads some
write and goes right after it in mo; we keep exactly the choices whose
extended graph is RC11-consistent.  RC11 forbids sb ∪ rf cycles, so every
consistent execution of the finished program has an sb ∪ rf-respecting
order in which its prefixes (all consistent too: the axioms only forbid
cycles, and restricting a graph keeps every relation a subset) are built
this way: the search enumerates all RC11 executions and nothing else.

Why checking the new event is enough, even when it does not go last.
A new event e has no sb, rf or hb successors.  Placing e in the middle
of mo, or letting e read a write that is not mo-latest, gives e mo/rb
successors among older events, but every eco pair this creates has e
as an end (a mo e mo b already had a mo b; r rb e mo b already had
r rb b), and hb between older events does not change.  So no earlier
read can become incoherent, and:
  * coherence (hb;eco? irreflexive) can only break as "a hb e, e eco a":
    e must not read, or be placed, before the latest write its hb
    predecessors have seen (Loc.visible);
  * atomicity (rmw ∩ rb;mo = ∅): an RMW sits right after the write it
    reads and nothing is ever inserted between them (Loc.locked);
  * no-thin-air (sb ∪ rf acyclic) holds by construction;
  * psc acyclicity: every new psc edge goes through e; rc11_psc.py
    keeps psc's transitive closure and adds them.
An RMW is one event that both reads and writes (herd7's [RMW] events);
tests/rc11 checks it against rc11.cat with read/write pairs.

Synchronisation: each atomic write carries `msg`, the hb-closed set of
release heads of the release sequences it belongs to (its own release,
the thread's last release fence or release write to the location, and,
for an RMW, the msg of the write it reads).  An acquire read adds the
msg of the write it reads to its hb predecessors; a relaxed read banks
it for a later acquire fence.  That is RC11's sw, hb = (sb ∪ sw)+.

Data races (two accesses to one location from different threads, one a
write, one non-atomic, unordered by hb) are reported with the step and
do not stop the execution.

A state compares equal to another when the graphs are equal: same
events per thread (with their rf source) and the same mo per location.
Event bits are positioned by (thread, index), so the derived bitsets are
equal too and states reached through different interleavings merge.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence

from ...orders import Order
from ..memory import Access, Internal, Kind, Race, RmwOp, Step
from .rc11_graph import (ACQUIRE_ORDERS, DEFAULT_FAIL_ORDER, FENCE,
                         FENCE_ACQUIRE_ORDERS, READ, RELEASE_ORDERS, UPDATE,
                         WRITE, Context, Ev, Loc)
from .rc11_psc import psc_ok
from .rc11_state import RC11State

# perform's `skip`: (id of the write a read would read, its value) ->
# the caller drops that step anyway
Skip = Callable[[tuple, int], bool]


class RC11Model:
    name = "c11"
    # Reads choose among writes already in the graph; stores choose their
    # mo place explicitly; fences have no rf or mo edge.  So the explorer
    # may add a pending store or fence right away (explore.py).
    eager_nonreads = True
    # The state is the execution graph: it holds every thread's whole
    # event history, so whatever is computed from a thread's own past is
    # a function of the state (explore.py's spin reduction needs that).
    history_in_state = True

    def initial(self, init: Mapping[str, int], threads: int,
                keyed: bool = True) -> RC11State:
        """The graph of the initial writes.  keyed=False: the states will
        never be compared (tree.py), so no ids are interned for keys."""
        ctx = Context(dict(init), threads, keyed)
        locs = tuple(Loc((ev.bit,), (ev.bit,), (ev,), (False,), ev.bit,
                         ev.bit, 0) for ev in ctx.init_evs)
        sync = (0, 0, (0,) * len(locs))
        key = (0,) * threads + tuple(ctx.order_id(loc.order)
                                     for loc in locs)
        return RC11State(ctx, ((((), 0, sync),) * threads), locs, key, 0,
                         0, {})

    def key(self, state: RC11State) -> tuple:
        """The graph as a tuple of ints, equal exactly when the states
        are (within one exploration): what the search keeps of a
        visited state (bfs.py)."""
        return state.key

    def internal(self, state: Hashable) -> Sequence[Internal]:
        return []

    def settle(self, state: Hashable) -> Hashable:
        return state

    def latest(self, state: RC11State, loc: str) -> tuple[int, tuple]:
        last = state.locs[state.ctx.loc(loc)].wevs[-1]
        return last.value, last.eid

    def coherence(self, state: RC11State, loc: str) -> tuple[tuple, ...]:
        """Ids of loc's writes in coherence order (init first)."""
        return tuple(ev.eid for ev in state.locs[state.ctx.loc(loc)].wevs)

    def perform(self, state: RC11State, event, access: Access,
                skip: Skip | None = None) -> list[Step]:
        """Every way the access can happen.  `skip(write id, value)`
        names reads the caller would drop (tree.py's late reads): they
        are not built, so neither their state nor their psc check is
        paid for."""
        return self._perform(_New(state, event, skip=skip), access)

    def perform_nonzero(self, state: RC11State, event, access: Access,
                        skip: Skip | None = None) -> list[Step]:
        """perform's steps that read a non-zero value (the explorer
        keeps only those for a blocking wait), the others not built."""
        return self._perform(_New(state, event, nonzero=True, skip=skip),
                             access)

    def _perform(self, new: _New, access: Access) -> list[Step]:
        state = new.state
        if new.nonzero and access.kind in (Kind.FENCE, Kind.STORE):
            return []                   # reads nothing at all
        if access.kind is Kind.FENCE:
            return [new.fence(access.order)]
        x = state.ctx.loc(access.loc)
        if access.kind is Kind.LOAD:
            return new.reads(x, access, access.order, access.plain)
        if access.kind is Kind.STORE:
            return new.store(x, access)
        return new.rmw(x, access)


class _New:
    """The event being added: shared context for its candidate steps."""

    __slots__ = ("state", "eid", "t", "idx", "bit", "base", "sync",
                 "prev", "nonzero", "skip")

    def __init__(self, state: RC11State, eid, nonzero: bool = False,
                 skip: Skip | None = None):
        self.state = state
        self.nonzero = nonzero      # only reads of a non-zero value
        self.skip = skip
        self.eid = eid
        self.t = t = eid[0]
        events, _, self.sync = state.threads[t]
        self.idx = idx = len(events)
        self.bit = state.ctx.bit(t, idx)
        self.prev = prev = events[-1] if idx else None
        self.base = prev.hb | prev.bit if idx else state.ctx.init_mask

    def run_start(self, x: int) -> int:
        prev = self.prev
        return prev.run_start if prev is not None and prev.loc == x \
            else self.idx

    def make(self, x: int, code: str, order: Order, *, atomic: bool,
             acq: bool, rel: bool, value: int, rf: int, hb: int,
             msg: int) -> Ev:
        return self.state.ctx.intern(
            Ev(self.eid, self.bit, self.t, self.idx, x, code, order,
               atomic=atomic, acq=acq, rel=rel, value=value, rf=rf, hb=hb,
               msg=msg, run_start=self.run_start(x)))

    def race(self, loc: Loc, ev: Ev) -> Race | None:
        others = (loc.accesses if ev.writes else loc.writes) & ~ev.hb
        if ev.atomic:
            others &= loc.plain
        if not others:
            return None
        first = self.state.event(others & -others)
        return Race(self.state.ctx.names[ev.loc], first.eid, ev.eid)

    def own_msg(self, x: int, rel: bool, hb: int) -> int:
        """Release heads an atomic write by this thread starts from."""
        if rel:
            return hb | self.bit
        return self.sync[1] | self.sync[2][x]

    def after_write(self, x: int, rel: bool, hb: int, acquired: int):
        acq_all, rel_fence, rel_writes = self.sync
        if rel:
            rel_writes = rel_writes[:x] + (hb | self.bit,) + rel_writes[x + 1:]
        return (acq_all | acquired, rel_fence, rel_writes)

    def fence(self, order: Order) -> Step:
        acq_all, rel_fence, rel_writes = self.sync
        acq, rel = order in FENCE_ACQUIRE_ORDERS, order in RELEASE_ORDERS
        hb = self.base | acq_all if acq else self.base
        ev = self.state.ctx.intern(
            Ev(self.eid, self.bit, self.t, self.idx, -1, FENCE, order,
               atomic=True, acq=acq, rel=rel, value=0, rf=0, hb=hb, msg=0,
               run_start=self.idx))
        if rel:
            rel_fence = hb | self.bit
        state = self.state.extend(ev, None, (acq_all, rel_fence, rel_writes))
        # Records its psc edges; a fresh fence has no psc successors, so
        # it never closes a cycle.
        psc_ok(state, ev)
        return Step(state)

    def reads(self, x: int, access: Access, order: Order,
              plain: bool) -> list[Step]:
        """Plain or atomic load, or the read of a failed compare-exchange."""
        atomic = not plain
        acq = atomic and order in ACQUIRE_ORDERS
        loc = self.state.locs[x]
        steps = []
        for q in range(loc.visible(self.base), len(loc.order)):
            w = loc.wevs[q]
            if access.kind is Kind.RMW and access.apply(w.value) is not None:
                continue                    # this CAS would succeed
            if self.nonzero and not w.value or \
                    self.skip is not None and self.skip(w.eid, w.value):
                continue
            steps.extend(self._read(x, loc, q, w, order, atomic, acq))
        return steps

    def _read(self, x, loc, q, w, order, atomic, acq):
        hb = self.base | w.msg if acq else self.base
        ev = self.make(x, READ, order if atomic else Order.RELAXED,
                       atomic=atomic, acq=acq, rel=False, value=w.value,
                       rf=w.bit, hb=hb, msg=0)
        sync = self.sync
        if atomic:                  # banked for a later acquire fence
            sync = (sync[0] | w.msg,) + sync[1:]
        state = self.state.extend(ev, loc.add_read(q, ev), sync)
        if not psc_ok(state, ev):
            return []
        return [Step(state, value=w.value, source=w.eid,
                     race=self.race(loc, ev))]

    def store(self, x: int, access: Access) -> list[Step]:
        atomic = not access.plain
        order = access.order if atomic else Order.RELAXED
        rel = atomic and order in RELEASE_ORDERS
        hb = self.base
        ev = self.make(x, WRITE, order, atomic=atomic, acq=False, rel=rel,
                       value=access.value, rf=0, hb=hb,
                       msg=self.own_msg(x, rel, hb) if atomic else 0)
        sync = self.after_write(x, rel, hb, 0) if atomic else self.sync
        loc = self.state.locs[x]
        race = self.race(loc, ev)
        last = len(loc.order) - 1
        steps = []
        for q in range(loc.visible(hb), last + 1):
            if loc.locked[q]:
                continue            # between an RMW and the write it read
            state = self.state.extend(ev, loc.add_write(q, ev), sync)
            if not psc_ok(state, ev):
                continue
            steps.append(Step(state, race=race))
        return steps

    def rmw(self, x: int, access: Access) -> list[Step]:
        order = access.order
        loc = self.state.locs[x]
        steps = []
        if access.op is RmwOp.CAS:
            fail = DEFAULT_FAIL_ORDER[order] if access.fail_order is None \
                else access.fail_order      # (RELAXED is 0: falsy)
            steps = self.reads(x, access, fail, plain=False)
        acq, rel = order in ACQUIRE_ORDERS, order in RELEASE_ORDERS
        last = len(loc.order) - 1
        for q in range(loc.visible(self.base), last + 1):
            w = loc.wevs[q]
            value = access.apply(w.value)
            if value is None or loc.locked[q] or (self.nonzero and
                                                  not w.value):
                continue            # failed CAS, or w already has its RMW
            if self.skip is not None and self.skip(w.eid, w.value):
                continue
            hb = self.base | w.msg if acq else self.base
            ev = self.make(x, UPDATE, order, atomic=True, acq=acq, rel=rel,
                           value=value, rf=w.bit, hb=hb,
                           msg=self.own_msg(x, rel, hb) | w.msg)
            sync = self.after_write(x, rel, hb, w.msg)
            state = self.state.extend(ev, loc.add_write(q, ev), sync)
            if not psc_ok(state, ev):
                continue
            steps.append(Step(state, value=w.value, source=w.eid,
                              race=self.race(loc, ev)))
        return steps


MODEL = RC11Model()
