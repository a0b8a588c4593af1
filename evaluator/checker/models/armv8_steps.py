"""Adding one AArch64 access to an armv8 execution graph.

`Adder` holds what every candidate step of one access shares (the
thread, its info, the translated dependencies); each method returns the
candidate graphs the axioms allow.  The clauses of aarch64.cat each
line implements are named in comments; models/armv8.py's docstring
lists them all and argues why the search is complete.
"""

from __future__ import annotations

from itertools import combinations

from ...errors import CheckerError
from ..memory import Access, Deps, Kind, RmwOp, Step
from .armv8_graph import READ, WRITE, ArmState, Builder, Cycle, Ev


class Adder:
    __slots__ = ("state", "t", "count", "access", "annot", "info", "idx",
                 "deps", "domain")

    def __init__(self, state: ArmState, event, access: Access, domain):
        self.state = state
        self.t, self.count = event
        self.access = access
        self.annot = access.arm
        self.info = info = state.infos[self.t]
        if self.count != len(info.read_of):
            raise CheckerError(f"internal: event {event} out of order "
                               f"(thread has {len(info.read_of)} events)")
        self.idx = len(info.evs)
        self.deps = self.translate(access.deps)
        self.domain = domain            # armv8_domain.Domain

    def second_event(self, middle: ArmState) -> Adder:
        """The adder of an RMW's write, once its read is in `middle`:
        same access and dependencies, the next event index."""
        sub = Adder.__new__(Adder)
        for name in Adder.__slots__:
            setattr(sub, name, getattr(self, name))
        sub.state = middle
        sub.info = middle.infos[self.t]
        sub.idx = self.idx + 1
        return sub

    def translate(self, deps: Deps) -> Deps:
        """Explorer event indexes -> this thread's read bits.  A pick
        dependency on a read also reaches what flowed into the write it
        follows in po-loc (memory forwarding is in dtrm); for the plain
        ones that is already implied: (addr|data); lrs is in dob."""
        read_of = self.info.read_of
        evs = self.info.evs
        ctx = self.state.ctx

        def bits(mask: int, pick: bool) -> int:
            out = 0
            while mask:
                low = mask & -mask
                read = read_of[low.bit_length() - 1]
                out |= read
                if pick and read:
                    out |= evs[ctx.locate(read)[1]].fwd
                mask ^= low
            return out
        a, d, c, pa, pd, pc = deps
        return Deps(bits(a, False), bits(d, False), bits(c, False),
                    bits(pa, True), bits(pd, True), bits(pc, True))

    def bit(self, offset: int = 0) -> int:
        return self.state.ctx.bit(self.t, self.idx + offset)

    # ---- ordered-before predecessors within the thread (lob, pick-lob)
    def read_preds(self, loc: int, acq: str) -> int:
        info, d = self.info, self.deps
        preds = self._common(info, d)
        if acq == "A":
            preds |= info.rel                    # bob: [L]; po; [A]
        last = info.last_w[loc]
        if last:
            w = self.state.event(last)
            preds |= w.addr_data       # dob: (addr|data); [M]; lrs; [R]
            if acq and w.partner:
                preds |= w.partner     # aob: [M]; rmw; lrs; [A|Q]
        return preds

    def write_preds(self, loc: int, rel: bool) -> int:
        info, d = self.info, self.deps
        preds = self._common(info, d)
        preds |= info.m_loc[loc]                 # lwfs: [M]; po-loc; [W]
        preds |= d.data | d.ctrl                 # dob: data, ctrl; [W]
        preds |= info.addr_po                    # dob: addr; [M]; po; [W]
        preds |= info.before_st                  # bob: [W]; dmb.st; [W]
        preds |= d.pick_addr | d.pick_data | d.pick_ctrl   # pob
        preds |= info.pick_addr_po               # pob: pick-addr; [M]; po; [W]
        if rel:
            preds |= info.all_m                  # bob: [M]; po; [L]
        return preds

    @staticmethod
    def _common(info, d: Deps) -> int:
        return (info.before_full                 # bob: dmb.full
                | info.before_ld                 # bob: [R\\NoRet]; dmb.ld
                | info.acq                       # bob: [A|Q]; po; [M]
                | info.al_amo                    # bob: range([A];amo;[L])
                | info.isb                       # IFB-ob: ctrl/addr; ISB; po
                | d.addr)                        # dob: addr

    def pick_lob(self, preds: int) -> int:
        """pick-lob = pick-dep; lob; [W]: pick sources of lob ancestors."""
        info, out = self.info, 0
        rest = preds
        while rest:
            low = rest & -rest
            i = self.state.ctx.locate(low)[1]
            out |= info.ps[i] | info.pl[i]
            rest ^= low
        return out

    def lanc(self, preds: int) -> int:
        info, out = self.info, preds
        rest = preds
        while rest:
            low = rest & -rest
            out |= info.lanc[self.state.ctx.locate(low)[1]]
            rest ^= low
        return out

    # ---- per-thread bookkeeping after an event
    def record(self, b: Builder, ev: Ev, preds: int, info=None) -> None:
        info = info or b.info(self.t)
        d = self.deps
        x = ev.loc
        info.evs = info.evs + (ev,)
        info.all_m |= ev.bit
        info.m_loc = _put(info.m_loc, x, info.m_loc[x] | ev.bit)
        if ev.kind == READ:
            info.reads |= ev.bit
            if not ev.noret:
                info.reads_ret |= ev.bit
            info.r_loc = _put(info.r_loc, x, info.r_loc[x] | ev.bit)
            if ev.acq:
                info.acq |= ev.bit
        else:
            info.writes |= ev.bit
            info.last_w = _put(info.last_w, x, ev.bit)
            if ev.rel:
                info.rel |= ev.bit
            if ev.amo_al:
                info.al_amo |= ev.bit
        info.addr_po |= d.addr
        info.pick_addr_po |= d.pick_addr
        # preds are lob predecessors: all in this thread
        info.lanc = info.lanc + (self.lanc(preds),)
        info.pl = info.pl + (self.pick_lob(preds),)
        info.ps = info.ps + (d.pick_addr | d.pick_data | d.pick_ctrl,)

    def done(self, b: Builder, read_bit: int = 0) -> ArmState | None:
        """The finished state, or None when a waiting read can no longer
        get its write (then no complete execution extends it)."""
        info = b.info(self.t)
        info.read_of = info.read_of + (read_bit,)
        info.ctrl_seen |= self.deps.ctrl | self.deps.pick_ctrl
        state = b.finish()
        rest = state.deferred
        waiting: dict[int, list] = {}
        while rest:
            low = rest & -rest
            read = state.event(low)
            if not self.servable(state, read):
                return None
            waiting.setdefault(read.loc, []).append(read)
            rest ^= low
        for x, reads in waiting.items():
            if not self.enough(state, x, reads):
                return None
        return state

    def enough(self, state: ArmState, x: int, reads: list) -> bool:
        """Can the writes still to come serve all these waiting reads?
        One write has one value, and an RMW needs a source of its own
        (atomic), so they need at least max(#values, #RMWs) writes."""
        need = max(len({r.value for r in reads}),
                   sum(1 for r in reads if r.bit in state.rmw))
        if need <= 1:
            return True
        have = 0
        for u in range(state.ctx.threads):
            _, count = self.remaining(state, u, x)
            if count is None:
                return True
            have += count
        return have >= need

    def still(self, state: ArmState, u: int, x: int):
        """Values thread u may still write to location x."""
        return self.remaining(state, u, x)[0]

    def remaining(self, state: ArmState, u: int, x: int) -> tuple:
        """(values, at most how many writes) u may still make to x."""
        info = state.infos[u]
        if info.ended:
            return frozenset(), 0
        return self.domain.remaining(u, len(info.read_of),
                                     state.ctx.names[x])

    def guesses(self, state: ArmState, x: int) -> set[int]:
        """Values a read of x by this thread may wait for: what another
        thread may still write there."""
        out: set[int] = set()
        for u in range(state.ctx.threads):
            if u != self.t:
                out |= self.still(state, u, x)
        return out

    def servable(self, state: ArmState, read) -> bool:
        """Can some other thread still write what `read` waits for?  Not
        a thread with an event ordered (lob) before all its later writes
        to that location that the read is already ob-before (its rfe
        edge would close a cycle)."""
        x = read.loc
        rmw_write = state.rmw.get(read.bit)
        co = state.co[x]
        for u in range(state.ctx.threads):
            if u == read.thread or read.value not in self.still(state, u, x):
                continue
            info = state.infos[u]
            last = info.last_w[x]
            if rmw_write and last and co.index(last) > co.index(rmw_write):
                continue    # its write goes right before the RMW's, and
                            # after u's own earlier writes there (coWW)
            blockers = (info.m_loc[x] | info.before_full | info.before_ld
                        | info.before_st | info.acq | info.al_amo | info.isb
                        | info.ctrl_seen)
            blocked = False
            while blockers:
                low = blockers & -blockers
                if state.anc.get(low, 0) & read.bit:
                    blocked = True
                    break
                blockers ^= low
            if not blocked:
                return True
        return False

    # ---- edges
    def haz(self, b: Builder, read: Ev, target: int) -> None:
        """Exp-haz-ob: [R]; po-loc; [R]; (ca & ext); [W]."""
        earlier = b.infos[read.thread].r_loc[read.loc] & (read.bit - 1)
        while earlier:
            low = earlier & -earlier
            b.edge(low, target)
            earlier ^= low

    def read_from(self, b: Builder, ev: Ev, src: int) -> None:
        """ev reads src (both in the graph): rf, fr and their ob edges."""
        co = b.co[ev.loc]
        at = co.index(src)
        prev = ev.prev_w
        if prev and co.index(prev) > at:
            raise Cycle            # coWR: a po-earlier write is co-later
        b.rf[ev.bit] = src
        b.add_reader(src, ev.bit)
        if b.event(src).thread != ev.thread:
            b.edge(src, ev.bit)                   # obs: rfe
        for later in co[at + 1:]:
            if b.event(later).thread != ev.thread:
                b.edge(ev.bit, later)             # obs: fre
                self.haz(b, ev, later)

    def place(self, b: Builder, ev: Ev, preds: int, after: int) -> None:
        """Insert write ev in co right after co[ev.loc][after]."""
        x = ev.loc
        co = b.co[x]
        b.add_event(ev, preds)
        for q in co[:after + 1]:
            qe = b.event(q)
            if qe.thread != ev.thread:
                b.edge(q, ev.bit)                 # obs: coe
            readers = b.readers.get(q, 0)
            while readers:
                low = readers & -readers
                reader = b.event(low)
                if reader.thread != ev.thread:
                    b.edge(low, ev.bit)           # obs: fre
                    self.haz(b, reader, ev.bit)
                readers ^= low
        for q in co[after + 1:]:
            if b.event(q).thread != ev.thread:
                b.edge(ev.bit, q)                 # obs: coe
        b.co[x] = co[:after + 1] + (ev.bit,) + co[after + 1:]

    def satisfy(self, b: Builder, read: int, write: Ev) -> None:
        """A read that waited for this write reads it now."""
        ev = b.event(read)
        b.deferred &= ~read
        self.read_from(b, ev, write.bit)

    # ---- choices
    def positions(self, state: ArmState, x: int, forced: int | None,
                  seen: int = 0) -> list[int]:
        """Where a new write of this thread may go in co[x] (insert after
        that index): after its own earlier writes (coWW), after every
        other thread's write it is ob-after (`seen`: coe would close a
        cycle), never between a write and the RMW that read it
        (atomic)."""
        co = state.co[x]
        last = self.info.last_w[x]
        low = co.index(last) if last else 0
        for i in range(len(co) - 1, low, -1):
            if co[i] & seen and state.event(co[i]).thread != self.t:
                low = i
                break
        candidates = [forced] if forced is not None else range(low, len(co))
        return [p for p in candidates
                if p >= low and not self.locked(state, co, p)]

    @staticmethod
    def locked(state: ArmState, co: tuple, p: int) -> bool:
        if p + 1 >= len(co):
            return False
        nxt = state.event(co[p + 1])
        return bool(nxt.partner) and state.rf.get(nxt.partner) == co[p]

    def waiting(self, state: ArmState, x: int, value: int) -> list[int]:
        """Deferred reads of other threads that this write could serve."""
        out = []
        rest = state.deferred
        while rest:
            low = rest & -rest
            ev = state.event(low)
            if ev.loc == x and ev.value == value and ev.thread != self.t:
                out.append(low)
            rest ^= low
        return out

    def write_options(self, state: ArmState, x: int, value: int,
                      forced: int | None, seen: int = 0):
        """(position, reads served) pairs for a new write."""
        waiting = self.waiting(state, x, value)
        co = state.co[x]
        for size in range(len(waiting) + 1):
            for served in combinations(waiting, size):
                pinned = forced
                ok = True
                for r in served:
                    w = state.rmw.get(r)
                    if w is None:
                        continue
                    at = co.index(w) - 1     # right before its RMW write
                    if pinned is not None and pinned != at:
                        ok = False
                        break
                    pinned = at
                if not ok:
                    continue
                for p in self.positions(state, x, pinned, seen):
                    yield p, served


def _closure(state: ArmState, preds: int) -> int:
    """The events ob-before an event with these direct predecessors."""
    seen = preds
    while preds:
        low = preds & -preds
        seen |= state.anc.get(low, 0)
        preds ^= low
    return seen


def _put(items: tuple, i: int, value) -> tuple:
    return items[:i] + (value,) + items[i + 1:]


# ---- the accesses -----------------------------------------------------------

def fence(adder: Adder) -> list[Step]:
    state = adder.state
    b = state.copy()
    info = b.info(adder.t)
    barrier = adder.annot.barrier if adder.annot else "full"
    if barrier == "full":
        info.before_full = info.all_m
    elif barrier == "ld":
        info.before_ld = info.reads_ret
    elif barrier == "st":
        info.before_st = info.writes
    elif barrier == "end":
        info.ended = True           # the thread has finished: no writes
    elif barrier == "isb":
        info.isb |= adder.deps.pick_ctrl | adder.deps.ctrl | \
            info.pick_addr_po | info.addr_po
    done = adder.done(b)
    return [Step(done)] if done is not None else []


def _read_event(adder: Adder, x: int, value: int, bit_offset: int = 0,
                noret: bool = False) -> tuple[Ev, int]:
    annot = adder.annot
    acq = annot.acquire if annot else ""
    last = adder.info.last_w[x]
    ev = Ev(adder.bit(bit_offset), adder.t, adder.idx + bit_offset, READ, x,
            value, (adder.t, adder.count), acq=acq, noret=noret,
            excl=adder.access.exclusive, prev_w=last,
            fwd=adder.state.event(last).fwd if last else 0)
    return ev, adder.read_preds(x, acq)


def _sources(adder: Adder, x: int, preds: int = 0):
    """(source bit or 0, value): the writes in co the read may read,
    then each value it may wait for (not once memory is settled).  A
    source must not be co-before a write the read is already ob-after
    (fre would close a cycle) nor before its own thread's last write
    there (coWR): those are skipped before any graph is copied."""
    state = adder.state
    co = state.co[x]
    seen = _closure(state, preds)
    low_index = 0
    last = adder.info.last_w[x]
    if last:
        low_index = co.index(last)
    for i in range(len(co) - 1, low_index, -1):
        if co[i] & seen and state.event(co[i]).thread != adder.t:
            low_index = i
            break
    for w in co[low_index:]:
        yield w, state.event(w).value
    if not state.closed:
        for value in sorted(adder.guesses(state, x)):
            yield 0, value


def _reads(adder: Adder, x: int, noret: bool = False):
    """Each way the access's read of x can go, consistent so far: (the
    state with the read added, the read, its ob predecessors, the write
    it reads (0: a value it waits for), the value)."""
    state = adder.state
    acq = adder.annot.acquire if adder.annot else ""
    for src, value in _sources(adder, x, adder.read_preds(x, acq)):
        b = state.copy()
        ev, preds = _read_event(adder, x, value, noret=noret)
        try:
            b.add_event(ev, preds)
            if src:
                adder.read_from(b, ev, src)
            else:
                b.deferred |= ev.bit
        except Cycle:
            continue
        yield b, ev, preds, src, value


def load(adder: Adder) -> list[Step]:
    state = adder.state
    x = state.ctx.loc(adder.access.loc)
    steps = []
    for b, ev, preds, src, value in _reads(adder, x):
        info = b.info(adder.t)
        adder.record(b, ev, preds, info)
        if ev.excl:
            info.monitor = ev
        eid = state.event(src).eid if src else None
        done = adder.done(b, ev.bit)
        if done is not None:
            steps.append(Step(done, value=value, source=eid))
    return steps


def store(adder: Adder) -> list[Step]:
    state = adder.state
    access = adder.access
    x = state.ctx.loc(access.loc)
    annot = adder.annot
    rel = bool(annot and annot.release)
    steps = []
    partner = None
    if access.exclusive:
        monitor = adder.info.monitor
        # A store-exclusive may always fail (herd explores it: status 1),
        # unless the code retries it (a lifted LL/SC loop: one attempt
        # that succeeds, aarch64/lifter.py).
        if not (annot and annot.retried):
            b = state.copy()
            b.info(adder.t).monitor = None
            done = adder.done(b)
            if done is not None:
                steps.append(Step(done, value=1))
        if monitor is None or monitor.loc != x:
            return steps
        partner = monitor
        between = adder.info.m_loc[x] & ~adder.info.reads & \
            ~((partner.bit << 1) - 1)
        if between:
            raise CheckerError(
                "a store to the same location between a load-exclusive and "
                "its store-exclusive is not supported",
                hint="aarch64.cat exempts it from atomicity; no compiler "
                     "emits it")
    preds = adder.write_preds(x, rel)
    if partner is not None:
        preds |= partner.bit                    # aob: [M]; rmw; [M]
    steps += _writes(adder, x, access.value, preds, rel, partner,
                     value_step=0 if access.exclusive else None,
                     amo_al=False)
    return steps


def _writes(adder: Adder, x: int, value: int, preds: int, rel: bool,
            partner: Ev | None, value_step, amo_al: bool,
            base: ArmState | None = None, read_bit: int = 0,
            read_value=None, read_eid=None, offset: int = 0) -> list[Step]:
    """Every placement of a new write (and the waiting reads it serves)."""
    state = base or adder.state
    forced = None
    if partner is not None:
        src = state.rf.get(partner.bit)
        if src:
            forced = state.co[x].index(src)     # atomic: right after it
            if adder.locked(state, state.co[x], forced):
                return []                       # another RMW read it
    wbit = adder.bit(offset)
    ev = Ev(wbit, adder.t, adder.idx + offset, WRITE, x, value,
            (adder.t, adder.count), rel=rel, excl=adder.access.exclusive,
            amo_al=amo_al, partner=partner.bit if partner else 0,
            addr_data=adder.deps.addr | adder.deps.data,
            fwd=adder.deps.pick_addr | adder.deps.pick_data)
    pick = adder.pick_lob(preds)
    seen = _closure(state, preds | pick)
    steps = []
    for p, served in adder.write_options(state, x, value, forced, seen):
        b = state.copy()
        info = b.info(adder.t)
        adder.record(b, ev, preds, info)
        if adder.access.exclusive:
            info.monitor = None
        try:
            adder.place(b, ev, preds | pick, p)
            if partner is not None:
                b.edge(partner.bit, wbit)
                b.rmw = {**b.rmw, partner.bit: wbit}
            for r in served:
                adder.satisfy(b, r, ev)
        except Cycle:
            continue
        step_value = read_value if read_bit else value_step
        done = adder.done(b, read_bit)
        if done is not None:
            steps.append(Step(done, value=step_value, source=read_eid))
    return steps


def rmw(adder: Adder) -> list[Step]:
    """An LSE atomic: a read, then (unless a CAS fails) a write right
    after the read's source in co."""
    state = adder.state
    access = adder.access
    annot = adder.annot
    x = state.ctx.loc(access.loc)
    noret = bool(annot and annot.noret)
    rel = bool(annot and annot.release)
    steps = []
    for b, ev, preds, src, value in _reads(adder, x, noret):
        new = access.apply(value)
        adder.record(b, ev, preds)
        eid = state.event(src).eid if src else None
        if new is None:                          # a failed CAS: read only
            done = adder.done(b, ev.bit)
            if done is not None:
                steps.append(Step(done, value=value, source=eid))
            continue
        middle = b.finish()
        sub = adder.second_event(middle)
        wpreds = adder.write_preds(x, rel)      # po-before the instruction
        amo_al = bool(ev.acq == "A" and rel)
        steps += _writes(sub, x, new, wpreds | ev.bit, rel, ev, None,
                         amo_al, base=middle, read_bit=ev.bit,
                         read_value=value, read_eid=eid)
    return steps


def perform(adder: Adder) -> list[Step]:
    kind = adder.access.kind
    if kind is Kind.FENCE:
        return fence(adder)
    if kind is Kind.LOAD:
        return load(adder)
    if kind is Kind.STORE:
        return store(adder)
    if adder.access.op is RmwOp.CAS or kind is Kind.RMW:
        return rmw(adder)
    raise CheckerError(f"internal: access kind {kind}")
