"""C11 as RC11 (Lahav, Vafeiadis, Kang, Hur, Dreyer, "Repairing
Sequential Consistency in C/C++11", PLDI 2017; herd7's rc11.cat).

Method (DESIGN §5): the memory state is the execution graph built so
far.  The explorer adds one event at a time, each thread's in program
order.  A read may read any write already in the graph, a write may take
any place in its location's coherence order (mo), an RMW reads some
write and goes right after it in mo; we keep exactly the choices whose
extended graph is RC11-consistent.  RC11 forbids sb ∪ rf cycles, so every
consistent execution of the finished program has an sb ∪ rf-respecting
order in which its prefixes (all consistent too) are built this way:
the search enumerates all RC11 executions and nothing else.

Why checking only the new event is enough.  A new event e has no sb, rf
or hb successors.  Inserting e into mo, or letting e read an older
write, adds mo/rb edges *from* e to older events, but every eco pair it
creates has e as an end (old pairs are unchanged: a mo e mo b already
had a mo b).  So:
  * coherence (hb;eco? irreflexive) can only break as "a hb e, e eco a":
    e must not read or be placed before the latest write its hb
    predecessors observe (Loc.visible);
  * atomicity (rmw ∩ rb;mo = ∅): an RMW sits right after the write it
    reads and nothing is ever inserted between them (Loc.locked);
  * no-thin-air (sb ∪ rf acyclic) holds by construction;
  * psc acyclicity can only break if e has eco successors and is
    seq_cst or follows a seq_cst fence in hb; then the whole psc is
    rechecked (rc11_psc.py).
Data races (two accesses to one location from different threads, one a
write, one non-atomic, unordered by hb) are reported with the step and
do not stop the execution.

A state compares equal to another when the graphs are equal: same
events per thread (with their rf source) and the same mo per location.
Event bits are positioned by (thread, index), so the derived bitsets are
equal too and states reached through different interleavings merge.
"""

from __future__ import annotations

from typing import Hashable, Mapping, Sequence

from ...orders import Order
from ..memory import Access, Internal, Kind, Race, RmwOp, Step
from .rc11_graph import (ACQUIRE_ORDERS, DEFAULT_FAIL_ORDER, FENCE, READ,
                         RELEASE_ORDERS, UPDATE, WRITE, Context, Ev, Loc)
from .rc11_psc import psc_add


class RC11State:
    """One execution graph plus data derived from it (excluded from eq).

    threads[t] = (acquired, rel_fence, rel_writes): msg views of the
    reads so far (an acquire fence gains them), the view of the last
    release fence, and per location the view of the last release write
    (later writes in the thread continue its release sequence).
    reach: the transitive closure of psc (rc11_psc.py).
    """

    __slots__ = ("ctx", "start", "events", "labels", "locs", "threads",
                 "sc_mask", "fsc_mask", "reach", "thash", "lhash", "_hash")

    def __init__(self, ctx: Context, start: tuple, events, labels, locs,
                 threads, sc_mask: int, fsc_mask: int, reach, thash, lhash):
        self.ctx = ctx
        self.start = start          # values of the graph's initial writes
        self.events = events
        self.labels = labels
        self.locs = locs
        self.threads = threads
        self.sc_mask = sc_mask
        self.fsc_mask = fsc_mask
        self.reach = reach
        self.thash = thash
        self.lhash = lhash
        self._hash = hash((start, thash, lhash))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other) -> bool:
        if self is other:
            return True
        if not isinstance(other, RC11State) or self._hash != other._hash:
            return False
        return (self.labels == other.labels and self.start == other.start
                and all(a.order == b.order
                        for a, b in zip(self.locs, other.locs)))

    def event(self, bit: int) -> Ev:
        t, i = self.ctx.locate(bit)
        return self.locs[i].wevs[0] if t < 0 else self.events[t][i]

    def extend(self, ev: Ev, new_loc: Loc | None, thread_info) -> RC11State:
        t, x = ev.thread, ev.loc
        locs, lhash = self.locs, self.lhash
        if new_loc is not None:
            locs = locs[:x] + (new_loc,) + locs[x + 1:]
            if new_loc.order is not self.locs[x].order:
                lhash = lhash[:x] + (hash(new_loc.order),) + lhash[x + 1:]
        sc = ev.bit if ev.sc else 0
        return RC11State(
            self.ctx, self.start,
            self.events[:t] + (self.events[t] + (ev,),) + self.events[t + 1:],
            self.labels[:t] + (self.labels[t] + (ev.label,),)
            + self.labels[t + 1:],
            locs,
            self.threads[:t] + (thread_info,) + self.threads[t + 1:],
            self.sc_mask | sc,
            self.fsc_mask | (sc if ev.code == FENCE else 0),
            self.reach,
            self.thash[:t] + (hash((self.thash[t], ev.label)),)
            + self.thash[t + 1:],
            lhash)

    def quiescent(self) -> bool:
        """Every thread has seen the mo-latest write of every location
        (and no non-atomic access exists, for race detection)."""
        init = self.ctx.init_mask
        for loc in self.locs:
            if loc.plain:
                return False
        for evs in self.events:
            seen = evs[-1].hb | evs[-1].bit if evs else init
            for loc in self.locs:
                if not loc.groups[-1] & seen:
                    return False
        return True

    def restart(self) -> RC11State:
        """The graph reduced to its latest writes, as initial writes."""
        ctx = self.ctx
        evs = tuple(
            Ev(loc.wevs[-1].eid, init.bit, -1, j, j, WRITE, Order.RELAXED,
               atomic=False, acq=False, rel=False, value=loc.wevs[-1].value,
               rf=0, hb=0, msg=0, run_start=0)
            for j, (loc, init) in enumerate(zip(self.locs, ctx.init_evs)))
        locs = tuple(Loc((ev.bit,), (ev.bit,), (ev,), (False,), ev.bit,
                         ev.bit, 0) for ev in evs)
        n = ctx.threads
        return RC11State(ctx, tuple(ev.value for ev in evs), ((),) * n,
                         ((),) * n, locs, ((0, 0, (0,) * len(locs)),) * n,
                         0, 0, {}, (0,) * n,
                         tuple(hash(loc.order) for loc in locs))

    def psc_ok(self, ev: Ev) -> bool:
        """Add ev's psc edges (ev was just added); False on a cycle."""
        if not ev.sc and not ev.hb & self.fsc_mask:
            return True
        reach = psc_add(self, ev)
        if reach is None:
            return False
        self.reach = reach
        return True


class RC11Model:
    name = "c11"
    # Reads choose among writes already in the graph; stores choose their
    # mo place explicitly; fences have no rf or mo edge.  So the explorer
    # may add a pending store or fence right away (explore.py).
    eager_nonreads = True

    def initial(self, init: Mapping[str, int], threads: int) -> RC11State:
        ctx = Context(dict(init), threads)
        locs = tuple(Loc((ev.bit,), (ev.bit,), (ev,), (False,), ev.bit,
                         ev.bit, 0) for ev in ctx.init_evs)
        info = (0, 0, (0,) * len(locs))
        return RC11State(ctx, tuple(init[n] for n in ctx.names),
                         ((),) * threads, ((),) * threads, locs,
                         (info,) * threads, 0, 0, {}, (0,) * threads,
                         tuple(hash(loc.order) for loc in locs))

    def internal(self, state: Hashable) -> Sequence[Internal]:
        return []

    def settle(self, state: Hashable) -> Hashable:
        return state

    def latest(self, state: RC11State, loc: str) -> tuple[int, tuple]:
        last = state.locs[state.ctx.loc(loc)].wevs[-1]
        return last.value, last.eid

    def perform(self, state: RC11State, event, access: Access) -> list[Step]:
        t = event[0]
        evs = state.events[t]
        idx = len(evs)
        new = _New(state, event, t, idx)
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

    __slots__ = ("state", "eid", "t", "idx", "bit", "base", "info",
                 "prev")

    def __init__(self, state: RC11State, eid, t: int, idx: int):
        self.state = state
        self.eid = eid
        self.t = t
        self.idx = idx
        self.bit = state.ctx.bit(t, idx)
        self.prev = state.events[t][-1] if idx else None
        self.base = (self.prev.hb | self.prev.bit if idx
                     else state.ctx.init_mask)
        self.info = state.threads[t]

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
        return self.info[1] | self.info[2][x]

    def after_write(self, x: int, rel: bool, hb: int, acquired: int):
        acq_all, rel_fence, rel_writes = self.info
        if rel:
            rel_writes = rel_writes[:x] + (hb | self.bit,) + rel_writes[x + 1:]
        return (acq_all | acquired, rel_fence, rel_writes)

    def fence(self, order: Order) -> Step:
        acq_all, rel_fence, rel_writes = self.info
        acq, rel = order in ACQUIRE_ORDERS, order in RELEASE_ORDERS
        hb = self.base | acq_all if acq else self.base
        ev = self.state.ctx.intern(
            Ev(self.eid, self.bit, self.t, self.idx, -1, FENCE, order,
               atomic=True, acq=acq, rel=rel, value=0, rf=0, hb=hb, msg=0,
               run_start=self.idx))
        if rel:
            rel_fence = hb | self.bit
        state = self.state.extend(ev, None, (acq_all, rel_fence, rel_writes))
        # A fence has no psc successors yet: it cannot close a cycle.
        state.psc_ok(ev)
        return Step(_compact(state))

    def reads(self, x: int, access: Access, order: Order,
              plain: bool) -> list[Step]:
        """Plain or atomic load, or the read of a failed compare-exchange."""
        atomic = not plain
        acq = atomic and order in ACQUIRE_ORDERS
        loc = self.state.locs[x]
        last = len(loc.order) - 1
        steps = []
        for q in range(loc.visible(self.base), last + 1):
            w = loc.wevs[q]
            if access.kind is Kind.RMW and access.apply(w.value) is not None:
                continue                    # this CAS would succeed
            steps.extend(self._read(x, loc, q, last, w, order, atomic, acq))
        return steps

    def _read(self, x, loc, q, last, w, order, atomic, acq):
        hb = self.base | w.msg if acq else self.base
        ev = self.make(x, READ, order if atomic else Order.RELAXED,
                       atomic=atomic, acq=acq, rel=False, value=w.value,
                       rf=w.bit, hb=hb, msg=0)
        acq_all, rel_fence, rel_writes = self.info
        info = (acq_all | w.msg, rel_fence, rel_writes) if atomic else self.info
        state = self.state.extend(ev, loc.add_read(q, ev), info)
        if not state.psc_ok(ev):
            return []
        return [Step(_compact(state), value=w.value, source=w.eid,
                     race=self.race(loc, ev))]

    def store(self, x: int, access: Access) -> list[Step]:
        atomic = not access.plain
        order = access.order if atomic else Order.RELAXED
        rel = atomic and order in RELEASE_ORDERS
        hb = self.base
        ev = self.make(x, WRITE, order, atomic=atomic, acq=False, rel=rel,
                       value=access.value, rf=0, hb=hb,
                       msg=self.own_msg(x, rel, hb) if atomic else 0)
        info = self.after_write(x, rel, hb, 0) if atomic else self.info
        loc = self.state.locs[x]
        race = self.race(loc, ev)
        last = len(loc.order) - 1
        steps = []
        for q in range(loc.visible(hb), last + 1):
            if loc.locked[q]:
                continue            # between an RMW and the write it read
            state = self.state.extend(ev, loc.add_write(q, ev), info)
            if not state.psc_ok(ev):
                continue
            steps.append(Step(_compact(state), race=race))
        return steps

    def rmw(self, x: int, access: Access) -> list[Step]:
        order = access.order
        loc = self.state.locs[x]
        steps = []
        if access.op is RmwOp.CAS:
            fail = access.fail_order or DEFAULT_FAIL_ORDER[order]
            steps = self.reads(x, access, fail, plain=False)
        acq, rel = order in ACQUIRE_ORDERS, order in RELEASE_ORDERS
        last = len(loc.order) - 1
        for q in range(loc.visible(self.base), last + 1):
            w = loc.wevs[q]
            value = access.apply(w.value)
            if value is None or loc.locked[q]:
                continue            # failed CAS, or w already has its RMW
            hb = self.base | w.msg if acq else self.base
            ev = self.make(x, UPDATE, order, atomic=True, acq=acq, rel=rel,
                           value=value, rf=w.bit, hb=hb,
                           msg=self.own_msg(x, rel, hb) | w.msg)
            info = self.after_write(x, rel, hb, w.msg)
            state = self.state.extend(ev, loc.add_write(q, ev), info)
            if not state.psc_ok(ev):
                continue
            steps.append(Step(_compact(state), value=w.value, source=w.eid,
                              race=self.race(loc, ev)))
        return steps


def _compact(state: RC11State) -> RC11State:
    return state.restart() if state.quiescent() else state


MODEL = RC11Model()
