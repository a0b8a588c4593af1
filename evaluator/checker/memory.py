"""The one small interface between the explorer and a memory model.

The explorer (explore.py) knows threads, program counters and locals; it
knows nothing about memory.  A memory model (models/sc.py, tso.py,
rc11.py) knows memory and nothing about programs.  The explorer asks the
model to perform one access of one thread at a time and gets back every
way the model allows it to happen (a read may see several writes; a
write may be placed at several points of the coherence order).

Model states must be immutable and hashable: the explorer deduplicates
global states (thread states + memory state) by hashing.  Two states that
allow the same futures should compare equal (canonical form), or the
search wastes time; it must never merge states with different futures.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import NamedTuple, Protocol

from ..orders import Order

# (thread, index of the event in that thread's history).  Thread -1 holds
# the initialisation writes, one per location, index = position in the
# sorted list of locations.
EventId = tuple[int, int]
INIT_THREAD = -1


class Kind(Enum):
    LOAD = "load"
    STORE = "store"
    RMW = "rmw"
    FENCE = "fence"


class RmwOp(Enum):
    XCHG = "xchg"
    ADD = "add"
    SUB = "sub"
    OR = "or"
    AND = "and"
    XOR = "xor"        # AArch64 LDEOR
    CAS = "cas"        # compare-exchange (strong): writes only on success


@dataclass(frozen=True)
class ArmAnnot:
    """How an AArch64 instruction's event is ordered (the event sets of
    herd7's aarch64.cat); only the armv8 model reads these.

    acquire: "A" (LDAR, LDAXR, the A forms of the LSE atomics) or "Q"
    (LDAPR, RCpc); release: "L" (STLR, STLXR, the L forms); noret: an
    LSE atomic whose result register is WZR/XZR (herd's NoRet reads);
    barrier: for a FENCE, "full" (DMB ISH/SY), "ld" (ISHLD), "st"
    (ISHST), "isb", or "end" (no instruction: the thread has finished,
    so a model need not wait for its writes any more); bits: access
    size, values are kept modulo 2**bits;
    retried: a store-exclusive whose failure the code retries (a lifted
    LL/SC loop): a model may offer only its success (see
    aarch64/lifter.py: one attempt that must succeed, as herd7 models
    such a loop).
    """

    acquire: str = ""
    release: bool = False
    noret: bool = False
    barrier: str = ""
    bits: int = 64
    retried: bool = False

    @property
    def mask(self) -> int:
        return (1 << self.bits) - 1


class Deps(NamedTuple):
    """Register dependencies of an AArch64 access: bit i set = the read
    of this thread's memory event i flows there (aarch64deps.cat).
    addr/data/ctrl follow data flow through registers and forwarded
    memory; the pick_ masks also follow the conditions of CSEL-like
    instructions (herd's pick dependencies) and include the plain ones."""

    addr: int = 0
    data: int = 0
    ctrl: int = 0
    pick_addr: int = 0
    pick_data: int = 0
    pick_ctrl: int = 0


NO_DEPS = Deps()


@dataclass(frozen=True)
class Access:
    """One memory event a thread wants to perform.

    plain=True marks a non-atomic access (C11 data-race candidate); its
    order is RELAXED for the models' purposes.  For CAS, `operand` is the
    desired value, `expected` the expected one, and `fail_order` the order
    of the read when the comparison fails (the event is then a plain read
    with that order, not an RMW).

    AArch64 programs (evaluator/checker/aarch64) also set `exclusive`
    (LDXR/LDAXR loads, STXR/STLXR stores: such a store may fail, the
    step's value is then its status, 0 = success), `arm` (the
    instruction's ordering annotation) and `deps` (register
    dependencies).  Models of C programs ignore all three.
    """

    kind: Kind
    loc: str = ""
    order: Order = Order.SEQ_CST
    value: int = 0                  # STORE: value written
    op: RmwOp | None = None         # RMW only
    operand: int = 0                # RMW: xchg value / addend / mask / desired
    expected: int = 0               # CAS only
    fail_order: Order | None = None  # CAS only
    plain: bool = False
    exclusive: bool = False
    arm: ArmAnnot | None = None
    deps: Deps = NO_DEPS

    def apply(self, old: int) -> int | None:
        """New value written by an RMW reading `old`; None = no write."""
        new = self._apply(old)
        if new is not None and self.arm is not None:
            new &= self.arm.mask       # AArch64 registers wrap around
        return new

    def _apply(self, old: int) -> int | None:
        match self.op:
            case RmwOp.XCHG:
                return self.operand
            case RmwOp.ADD:
                return old + self.operand
            case RmwOp.SUB:
                return old - self.operand
            case RmwOp.OR:
                return old | self.operand
            case RmwOp.AND:
                return old & self.operand
            case RmwOp.XOR:
                return old ^ self.operand
            case RmwOp.CAS:
                return self.operand if old == self.expected else None
        raise ValueError(f"not an RMW: {self}")


@dataclass(frozen=True)
class Race:
    """Two conflicting accesses not ordered by happens-before."""

    loc: str
    first: EventId      # the earlier-added access
    second: EventId     # the access just performed


@dataclass(frozen=True)
class Step:
    """One way the model lets an access happen."""

    state: Hashable
    value: int | None = None        # value read (LOAD, RMW, CAS)
    source: EventId | None = None   # the write that value came from
    race: Race | None = None        # C11 only


@dataclass(frozen=True)
class Internal:
    """A step the memory takes on its own (e.g. a TSO store-buffer flush)."""

    state: Hashable
    thread: int                     # whose buffer, for the trace
    note: str                       # e.g. "flush notified=1 to memory"


class MemoryModel(Protocol):
    """Optional class attributes the explorer reads with getattr (each
    enables a reduction whose soundness argument is in explore.py):

      noop_fences = True     a fence perform() returns as one Step with an
                             equal state stays so whatever other threads
                             do (SC, TSO);
      eager_nonreads = True  the model builds execution graphs in which
                             a store picks its mo place explicitly, so a
                             pending store or fence may be added at once
                             (RC11);
      history_in_state = True  the state records every thread's whole
                             event history, so anything computed from a
                             thread's own past is a function of the state
                             (enables the spin reduction: RC11);
      any_order = True       every execution can be built whichever
                             thread takes its next non-blocking event
                             first, so only one thread needs to move
                             (armv8: reads may wait for a later write);
      dependencies = True    it reads Access.deps; an AArch64 program
                             loses its dependency tracking for any other
                             model (aarch64/builder.without_dependencies).

    Optional methods, looked up with getattr (defaults keep SC, TSO and
    RC11 as they are):

      bind(program) -> model  a model specialised to one program (e.g.
                             the value domain its reads may guess from);
      complete(state) -> bool False while the state is not yet a whole
                             execution (a read still waits for its
                             write): properties and litmus final states
                             skip such states (see is_complete);
      perform_nonzero(state, event, access) -> Sequence[Step]  the
                             steps of perform that read a non-zero
                             value, without building the others (a
                             blocking wait keeps only those: RC11);
      key(state) -> tuple    an exact, compact stand-in for the state:
                             equal keys iff equal states (within one
                             exploration); the compact engine keeps it
                             instead of the state once it is visited
                             (explore.ENGINES: RC11);
      coherence(state, loc) -> tuple[EventId, ...]  loc's writes in
                             coherence order, for models whose state
                             keeps it; the dropped-work property reads
                             what is owed off it (dropped.py).

    Which programs a model reads ("c11" and/or "aarch64") is the
    registry's fact (memory_models.ModelInfo.isas).
    """

    name: str                       # "sc" | "tso" | "c11"

    def initial(self, init: Mapping[str, int], threads: int) -> Hashable:
        """Memory before any thread runs; init lists every location."""

    def perform(self, state: Hashable, event: EventId,
                access: Access) -> Sequence[Step]:
        """Every way `access` (thread event[0]'s next event) can happen.

        An empty list means the access cannot happen in this state at all
        (the explorer treats the thread as unable to move)."""

    def internal(self, state: Hashable) -> Sequence[Internal]:
        """Steps the memory may take between thread steps (TSO flushes)."""

    def settle(self, state: Hashable) -> Hashable:
        """The state after every pending write has become visible (used
        when a property assumes writes eventually propagate)."""

    def latest(self, state: Hashable, loc: str) -> tuple[int, EventId]:
        """Value and id of the coherence-latest write to loc, as seen from
        a settled state."""


def is_complete(model: MemoryModel, state: Hashable) -> bool:
    """Is `state` a whole execution?  True for every model without the
    optional `complete` hook."""
    complete = getattr(model, "complete", None)
    return True if complete is None else complete(state)
