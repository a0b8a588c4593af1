"""Execution-graph pieces of the RC11 model (see rc11.py for the method).

Relations are Python ints used as bitsets.  Every event has one bit whose
position depends only on (thread, index in that thread), never on the
order in which the explorer happened to add events:

    position(t, i) = i * width + t + 1     (width = threads + 1)
    position(init write of location j) = j * width

so the bitsets of two identical graphs reached by different interleavings
are equal, and graphs can share event objects structurally.

Events, once added, never change: a new event has no sb, rf or hb
successors (the explorer adds events along program order and a read only
reads writes already in the graph), so its hb-predecessor set is final
when it is created.  Only the coherence order (mo) of a location and the
set of readers of each write grow; those live in `Loc`.

These classes use __slots__ instead of frozen dataclasses: hundreds of
thousands of them are created per check and the frozen-dataclass
constructor costs several times more.  Treat them as immutable.
"""

from __future__ import annotations

from ...errors import CheckerError
from ...orders import Order
from ..limits import EVENTS_KIND, SearchLimit
from ..memory import INIT_THREAD, EventId

# A consume *read* is not an acquire: ISO C11 orders it only through
# carried dependencies, which RC11 does not model, so it is a relaxed
# atomic read (it still banks its write's release heads for a later
# acquire fence, C11 7.17.4p4).  A consume *fence* is an acquire fence
# (C11 7.17.4.1p2).  The compiler readings promote consume accesses to
# acquire before they get here (checker/readings.py).
ACQUIRE_ORDERS = frozenset({Order.ACQUIRE, Order.ACQ_REL, Order.SEQ_CST})
FENCE_ACQUIRE_ORDERS = ACQUIRE_ORDERS | {Order.CONSUME}
RELEASE_ORDERS = frozenset({Order.RELEASE, Order.ACQ_REL, Order.SEQ_CST})

# Failure order of a compare-exchange given only its success order (the
# checker's front end always passes both; C++ [atomics.types.operations]
# derives it this way: acq_rel -> acquire, release -> relaxed).
DEFAULT_FAIL_ORDER = {
    Order.RELAXED: Order.RELAXED, Order.CONSUME: Order.CONSUME,
    Order.ACQUIRE: Order.ACQUIRE, Order.RELEASE: Order.RELAXED,
    Order.ACQ_REL: Order.ACQUIRE, Order.SEQ_CST: Order.SEQ_CST,
}

# Event kinds in labels.  An RMW is one event that is both a read and a
# write ("U"); herd7's rc11.cat allows the same ([RMW] in myrmw).
READ, WRITE, UPDATE, FENCE = "R", "W", "U", "F"

MAX_EVENTS = 1 << 14            # per thread, far above any scenario here


class Ev:
    """One event of the execution graph.

    hb: bitset of its happens-before predecessors (init writes included).
    msg: for an atomic write, the hb-closed set of release heads whose
    release sequence it belongs to (hb preds of those heads included), so
    an acquire reading it gains exactly sw;hb? predecessors; 0 otherwise.
    run_start: index of the first event of the trailing run of accesses to
    this event's location ending here (own index for fences): used for the
    sb|≠loc edges of psc (rc11_psc.py).
    """

    __slots__ = ("eid", "bit", "thread", "idx", "loc", "code", "reads",
                 "writes", "atomic", "acq", "rel", "sc", "value", "rf",
                 "hb", "msg", "run_start", "label")

    def __init__(self, eid: EventId, bit: int, thread: int, idx: int,
                 loc: int, code: str, order: Order, *, atomic: bool,
                 acq: bool, rel: bool, value: int, rf: int, hb: int,
                 msg: int, run_start: int):
        self.eid = eid
        self.bit = bit
        self.thread = thread
        self.idx = idx
        self.loc = loc
        self.code = code
        self.reads = code in (READ, UPDATE)
        self.writes = code in (WRITE, UPDATE)
        self.atomic = atomic
        self.acq = acq
        self.rel = rel
        self.sc = atomic and order is Order.SEQ_CST
        self.value = value            # value written, or read by a read
        self.rf = rf                  # bit of the write read (reads only)
        self.hb = hb
        self.msg = msg
        self.run_start = run_start
        # Everything that distinguishes this event in a canonical graph.
        self.label = (code, loc, int(order), atomic, value, rf)

    def __repr__(self) -> str:
        return f"Ev({self.eid}, {self.label})"


class Loc:
    """One location: its coherence order and who reads what.

    order: bits of the writes in mo order (init first); groups[p] is
    order[p] plus every event reading it; locked[p] says an RMW reads
    order[p] (it then sits at p+1 and nothing may come between).
    """

    __slots__ = ("order", "groups", "wevs", "locked", "accesses", "writes",
                 "plain")

    def __init__(self, order: tuple[int, ...], groups: tuple[int, ...],
                 wevs: tuple[Ev, ...], locked: tuple[bool, ...],
                 accesses: int, writes: int, plain: int):
        self.order = order
        self.groups = groups
        self.wevs = wevs
        self.locked = locked
        self.accesses = accesses
        self.writes = writes
        self.plain = plain

    def visible(self, seen: int) -> int:
        """mo position of the latest write an event with hb-predecessors
        `seen` already observes (writes it follows, or writes read by
        reads it follows).  Coherence forbids reading anything older and
        writing anywhere before it."""
        groups = self.groups
        p = len(groups) - 1
        while not groups[p] & seen:
            p -= 1
        return p

    def before(self, p: int) -> int:
        """Union of groups[0..p-1]: mo/rb/eco predecessors of order[p].

        Every access is in one group, except an RMW: it is in its own and
        in the one of the write it reads (the group just before), so
        complementing the later groups is exact except for the RMW at p.
        """
        groups = self.groups
        if p > len(groups) // 2:
            later = 0
            for g in groups[p:]:
                later |= g
            acc = self.accesses & ~later
            if p and groups[p - 1] & self.order[p]:
                acc |= self.order[p]
            return acc
        acc = 0
        for g in groups[:p]:
            acc |= g
        return acc

    def add_read(self, q: int, ev: Ev) -> Loc:
        groups = self.groups
        return Loc(self.order,
                   groups[:q] + (groups[q] | ev.bit,) + groups[q + 1:],
                   self.wevs, self.locked, self.accesses | ev.bit,
                   self.writes, self.plain | (0 if ev.atomic else ev.bit))

    def add_write(self, q: int, ev: Ev) -> Loc:
        """Insert ev right after order[q] (an RMW reads order[q])."""
        b, k = ev.bit, q + 1
        groups, locked = self.groups, self.locked
        if ev.reads:
            groups = groups[:q] + (groups[q] | b,) + groups[k:]
            locked = locked[:q] + (True,) + locked[k:]
        return Loc(self.order[:k] + (b,) + self.order[k:],
                   groups[:k] + (b,) + groups[k:],
                   self.wevs[:k] + (ev,) + self.wevs[k:],
                   locked[:k] + (False,) + locked[k:],
                   self.accesses | b, self.writes | b,
                   self.plain | (0 if ev.atomic else b))


class Context:
    """Per-run constants shared by every state of one exploration."""

    __slots__ = ("width", "threads", "names", "index", "init_evs",
                 "init_mask", "lanes", "keyed", "_prefix", "_labels",
                 "_histories", "_orders")

    def __init__(self, init: dict[str, int], threads: int,
                 keyed: bool = True):
        self.width = threads + 1
        # False: no state of this exploration is compared with another
        # by key (tree.py), so history() and order_id() intern nothing
        # and return 0, and the tables do not grow with the search
        self.keyed = keyed
        self.threads = threads
        self.names = tuple(sorted(init))
        self.index = {name: j for j, name in enumerate(self.names)}
        self.init_evs = tuple(
            Ev((INIT_THREAD, j), 1 << (j * self.width), INIT_THREAD, j, j,
               WRITE, Order.RELAXED, atomic=False, acq=False, rel=False,
               value=init[name], rf=0, hb=0, msg=0, run_start=0)
            for j, name in enumerate(self.names))
        self.init_mask = 0
        for ev in self.init_evs:
            self.init_mask |= ev.bit
        # lanes[t]: the bits of every event thread t may ever have, so
        # `mask & lanes[t]` keeps thread t's events of a set.
        width = self.width
        every = ((1 << (width * MAX_EVENTS)) - 1) // ((1 << width) - 1)
        self.lanes = tuple(every << (t + 1) for t in range(threads))
        self._prefix: list[list[int]] = [[0] for _ in range(threads)]
        self._labels: dict[tuple, tuple] = {}
        # Exact interning (a trie of label sequences, a table of mo
        # orders): ids are assigned once per distinct value, so equal
        # ids mean equal values, with no hashing error possible.
        self._histories: dict[tuple[int, tuple], int] = {}
        self._orders: dict[tuple[int, ...], int] = {}

    def intern(self, ev: Ev) -> Ev:
        """Share one label object among equal events, so that comparing
        two states' label tuples is mostly comparing pointers."""
        ev.label = self._labels.setdefault(ev.label, ev.label)
        return ev

    def history(self, before: int, label: tuple) -> int:
        """Id of a thread's label sequence: the one with id `before`
        (0: empty) followed by `label`."""
        if not self.keyed:
            return 0
        table = self._histories
        return table.setdefault((before, label), len(table) + 1)

    def order_id(self, order: tuple[int, ...]) -> int:
        """Id of one location's coherence order (a tuple of bits)."""
        if not self.keyed:
            return 0
        table = self._orders
        return table.setdefault(order, len(table))

    def bit(self, thread: int, idx: int) -> int:
        if idx >= MAX_EVENTS:
            # A bound of the representation, not of the program: the
            # check ends as unknown (limits.py), like any other limit.
            raise SearchLimit(EVENTS_KIND,
                              f"thread P{thread} has more than "
                              f"{MAX_EVENTS} memory events")
        return 1 << (idx * self.width + thread + 1)

    def locate(self, bit: int) -> tuple[int, int]:
        """(thread, index) of the event owning `bit` (thread -1: init)."""
        pos = bit.bit_length() - 1
        return pos % self.width - 1, pos // self.width

    def loc(self, name: str) -> int:
        try:
            return self.index[name]
        except KeyError:
            raise CheckerError(
                f"memory location {name!r} has no initial value",
                hint="declare it in the init block / scenario; known: "
                     + ", ".join(self.names)) from None

    def prefix(self, thread: int, length: int) -> int:
        """Bits of events 0..length-1 of `thread` (cached, grows)."""
        table = self._prefix[thread]
        while len(table) <= length:
            table.append(table[-1] | self.bit(thread, len(table) - 1))
        return table[length]
