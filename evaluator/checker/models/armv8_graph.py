"""The execution graph the armv8 model builds, and its ordered-before.

Events are the explicit memory effects of aarch64.cat: reads (R) and
writes (W); an LSE atomic or a successful exclusive pair is a read and a
write related by rmw.  Barriers are not events: each thread keeps, in
`ThreadInfo`, the masks of its events that each kind of barrier orders
before later ones (bob).  Bits: event i of thread t is bit
i * width + t + 1, the initial write of location j is bit j * width, so
states reached in different ways name the same events alike.

`ob` is kept transitively closed as an ancestor mask per event
(`anc[bit]` = every event ob-before it); adding an edge a -> b fails
when b is already ob-before a (external visibility: ob acyclic).
"""

from __future__ import annotations

from collections.abc import Mapping

from ...errors import CheckerError
from ..memory import INIT_THREAD, EventId

READ, WRITE = "R", "W"


class Ev:
    """One read or write event (immutable once built)."""

    __slots__ = ("bit", "thread", "idx", "kind", "loc", "value", "acq",
                 "rel", "noret", "excl", "amo_al", "partner", "eid",
                 "prev_w", "addr_data", "fwd", "label")

    def __init__(self, bit: int, thread: int, idx: int, kind: str, loc: int,
                 value: int, eid: EventId, *, acq: str = "",
                 rel: bool = False, noret: bool = False, excl: bool = False,
                 amo_al: bool = False, partner: int = 0, prev_w: int = 0,
                 addr_data: int = 0, fwd: int = 0):
        self.bit = bit
        self.thread = thread
        self.idx = idx
        self.kind = kind
        self.loc = loc
        self.value = value            # read (guessed, if deferred) or written
        self.eid = eid                # the explorer's event id (traces)
        self.acq = acq                # "" | "A" | "Q"
        self.rel = rel
        self.noret = noret
        self.excl = excl
        self.amo_al = amo_al          # the write of an LSE atomic with A and L
        self.partner = partner        # a write's rmw read (0: none)
        self.prev_w = prev_w          # a read's po-latest same-loc write
        self.addr_data = addr_data    # a write's addr|data dependency reads
        # a write: its pick addr|data sources; a read: those of the write
        # it follows in po-loc (lrs), which flow on through memory (dtrm
        # includes lrs)
        self.fwd = fwd
        self.label = (kind, loc, value, acq, rel, noret, excl, bool(partner))

    def __repr__(self) -> str:
        return f"Ev({self.thread}:{self.idx} {self.label})"


class Context:
    """Per-run constants: locations, bit layout, initial writes."""

    def __init__(self, init: Mapping[str, int], threads: int):
        self.threads = threads
        self.width = threads + 1
        self.names = tuple(sorted(init))
        self.index = {name: j for j, name in enumerate(self.names)}
        self._where: dict[int, tuple[int, int]] = {}     # bit -> (t, i)
        self.init_evs = tuple(
            Ev(1 << (j * self.width), INIT_THREAD, j, WRITE, j,
               int(init[name]), (INIT_THREAD, j))
            for j, name in enumerate(self.names))

    def bit(self, thread: int, idx: int) -> int:
        return 1 << (idx * self.width + thread + 1)

    def locate(self, bit: int) -> tuple[int, int]:
        hit = self._where.get(bit)
        if hit is None:
            pos = bit.bit_length() - 1
            hit = self._where[bit] = (pos % self.width - 1, pos // self.width)
        return hit

    def loc(self, name: str) -> int:
        try:
            return self.index[name]
        except KeyError:
            raise CheckerError(f"memory location {name!r} has no initial "
                               "value", hint="known: " + ", ".join(self.names)
                               ) from None


class ThreadInfo:
    """What one thread's program order has made ordered so far.

    The masks hold this thread's event bits: every event (all_m), per
    location (m_loc, r_loc), events before the latest DMB of each kind
    (before_full, before_ld: reads not NoRet, before_st: writes), A|Q
    reads (acq), L writes (rel), writes of A+L LSE atomics (al_amo),
    reads that are address dependencies of some event so far (addr_po,
    pick_addr_po), what a passed ISB orders before every later event
    (isb).  last_w: per location the po-latest write.  lanc/pl: per
    event its lob ancestors and their pick sources (pick-lob).
    read_of: explorer event index -> bit of its read (0: none).
    """

    __slots__ = ("evs", "read_of", "all_m", "reads", "reads_ret", "writes",
                 "m_loc", "r_loc",
                 "before_full", "before_ld", "before_st", "acq", "rel",
                 "al_amo", "addr_po", "pick_addr_po", "isb", "last_w",
                 "monitor", "lanc", "pl", "ps", "ctrl_seen", "ended")

    def __init__(self, nlocs: int):
        self.evs: tuple[Ev, ...] = ()
        self.read_of: tuple[int, ...] = ()
        self.all_m = self.reads = self.reads_ret = self.writes = 0
        self.m_loc = (0,) * nlocs
        self.r_loc = (0,) * nlocs
        self.before_full = self.before_ld = self.before_st = 0
        self.acq = self.rel = self.al_amo = 0
        self.addr_po = self.pick_addr_po = self.isb = 0
        self.ctrl_seen = 0        # reads a passed branch depended on
        self.ended = False        # passed its end marker: writes no more
        self.last_w: tuple[int, ...] = (0,) * nlocs
        self.monitor: Ev | None = None      # the pending load-exclusive
        self.lanc: tuple[int, ...] = ()     # per event: lob ancestors
        self.ps: tuple[int, ...] = ()       # per event: its pick sources
        self.pl: tuple[int, ...] = ()       # per event: ps of its lanc

    def copy(self) -> ThreadInfo:
        return _copy_info(self)


def _make_copier():
    """ThreadInfo.copy as straight-line code (it runs for every step)."""
    body = "\n".join(f"    new.{n} = old.{n}" for n in ThreadInfo.__slots__)
    namespace = {"ThreadInfo": ThreadInfo}
    exec(f"def _copy(old):\n    new = ThreadInfo.__new__(ThreadInfo)\n"
         f"{body}\n    return new", namespace)
    return namespace["_copy"]


_copy_info = _make_copier()


class ArmState:
    """One (partial) execution: events, rf, co, ob; plus `deferred`, the
    reads whose write is still to come, and `closed` (settle(): no more
    writes will come, so no read may wait for one)."""

    __slots__ = ("ctx", "infos", "rf", "co", "readers", "rmw", "deferred",
                 "anc", "closed", "_key", "_hash")

    def __init__(self, ctx: Context, infos: tuple, rf: dict, co: tuple,
                 readers: dict, rmw: dict, deferred: int, anc: dict,
                 closed: bool):
        self.ctx = ctx
        self.infos = infos           # per thread ThreadInfo
        self.rf = rf                 # read bit -> source bit (satisfied)
        self.co = co                 # per location: write bits, co order
        self.readers = readers       # write bit -> mask of reads of it
        self.rmw = rmw               # read bit -> its rmw write bit
        self.deferred = deferred     # reads still waiting for their write
        self.anc = anc               # bit -> ob-ancestor mask
        self.closed = closed
        self._key = None
        self._hash = None

    # -- identity: the graph, not derived data
    def key(self) -> tuple:
        if self._key is None:
            self._key = (tuple(tuple(e.label for e in info.evs)
                               for info in self.infos),
                         tuple(sorted(self.rf.items())), self.co,
                         self.closed)
        return self._key

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(self.key())
        return self._hash

    def __eq__(self, other) -> bool:
        return self is other or (isinstance(other, ArmState)
                                 and hash(self) == hash(other)
                                 and self.key() == other.key())

    # -- lookups
    def event(self, bit: int) -> Ev:
        t, i = self.ctx.locate(bit)
        if t < 0:
            return self.ctx.init_evs[i]
        return self.infos[t].evs[i]

    def source(self, read: int) -> int:
        return self.rf.get(read, 0)

    def copy(self) -> Builder:
        return Builder(self)


class Cycle(Exception):
    """An edge would close an ob cycle, or an internal axiom fails."""


class Builder:
    """A mutable copy of a state while one step is being added."""

    def __init__(self, state: ArmState):
        self.ctx = state.ctx
        self.infos = list(state.infos)
        self.rf = dict(state.rf)
        self.co = list(state.co)
        self.readers = state.readers
        self._readers_copied = False
        self.rmw = state.rmw
        self.deferred = state.deferred
        self.anc = dict(state.anc)
        self.closed = state.closed
        self.state = state

    def event(self, bit: int) -> Ev:
        t, i = self.ctx.locate(bit)
        if t < 0:
            return self.ctx.init_evs[i]
        return self.infos[t].evs[i]

    def info(self, t: int) -> ThreadInfo:
        """Thread t's info, copied on first write."""
        info = self.infos[t]
        if info is self.state.infos[t]:
            info = info.copy()
            self.infos[t] = info
        return info

    def add_reader(self, write: int, read: int) -> None:
        if not self._readers_copied:
            self.readers = dict(self.readers)
            self._readers_copied = True
        self.readers[write] = self.readers.get(write, 0) | read

    # -- ob
    def add_event(self, ev: Ev, preds: int) -> None:
        """A new event with its ob predecessors (it has no successors)."""
        anc = 0
        rest = preds
        while rest:
            low = rest & -rest
            anc |= low | self.anc.get(low, 0)
            rest ^= low
        self.anc[ev.bit] = anc

    def edge(self, a: int, b: int) -> None:
        """a ob b; raise Cycle if b is already ob-before (or is) a."""
        anc = self.anc
        if a == b or anc.get(a, 0) & b:
            raise Cycle
        if anc.get(b, 0) & a:
            return                          # already ordered
        new = anc.get(a, 0) | a
        for x, mask in anc.items():
            if (x == b or mask & b) and new & ~mask:
                anc[x] = mask | new

    def finish(self) -> ArmState:
        return ArmState(self.ctx, tuple(self.infos), self.rf,
                        tuple(self.co), self.readers, self.rmw,
                        self.deferred, self.anc, self.closed)
