"""ARMv8 (AArch64) as Arm's axiomatic model, herd7's aarch64.cat.

The model reads AArch64 programs (litmus tests, lifted compiled code:
evaluator/checker/aarch64) and is the one in herdtools7's
herd/libdir/aarch64.cat (the version with md5 d0bc3bae..., aarch64hwreqs
.cat, aarch64deps.cat), restricted to explicit memory effects of
normal memory: no MMU, tags, instruction fetch or cache maintenance.
Clauses implemented (names as in the cat files):

  obs     Exp-obs = rf & ext | ca & ext, with ca = fr | co (coe, fre,
          rfe; the initial writes are external to every thread);
          sca-class is the identity here (one access size per location).
  lob     lwfs      [M]; po-loc; [W]
          dob       addr | data | ctrl; [W] | addr; [M]; po; [W]
                    | (addr | data); [M]; lrs; [R]
                    with lrs = [W]; po-loc \\ intervening(W); [R]
          pob       pick-addr; [W] | pick-data | pick-ctrl; [W]
                    | pick-addr; [M]; po; [W]
          aob       [M]; rmw; [M] | [M]; rmw; lrs; [A | Q]
          bob       [M]; po; [dmb.full]; po; [M]
                    | [R \\ NoRet]; po; [dmb.ld]; po; [M]
                    | [W]; po; [dmb.st]; po; [W]
                    | [range([A]; amo; [L])]; po; [M]
                    | [L]; po; [A] | [A | Q]; po; [M] | [M]; po; [L]
          IFB-ob    [R]; (pick-)ctrl; [ISB]; po
                    | [R]; (pick-)addr; [M]; po; [ISB]; po
          (DMB ISH/OSH/SY = dmb.full, ...LD = dmb.ld, ...ST = dmb.st;
          a DSB orders explicit accesses as the DMB: DSB-ob)
  pick-lob  pick-dep; lob; [W]
  haz-ob    Exp-haz-ob = [R]; po-loc; [R]; (ca & ext); [W]
  ob        (lob | pick-lob | haz-ob | obs)+, and `irreflexive ob as
            external`
  internal  coRW1-Exp  [R]; (po-loc | rmw); [W]; rfi; [R] irreflexive
            coWW-Exp   [W]; po-loc; [W]; (ca & int) irreflexive
            coWR-Exp   [W]; po-loc; [R]; (ca & int) irreflexive
  atomic    rmw & (fr; co) empty (rmw = lxsx | amo: exclusive pairs
            whose store succeeded and LSE atomics), except for pairs
            with an internal write between (fri; coi), which we refuse
            to read (CheckerError) as no compiler emits it.
  Dependencies (addr, data, ctrl, pick-*) come from register data flow
  (aarch64/builder.py): herd's basic-dep through registers and forwarded
  memory, a store-exclusive's status register depending on nothing.
  A CAS that fails with a write-back (herd's third CAS alternative)
  writes the value already there right after it: dropping that write
  keeps every execution consistent and every outcome, so we omit it.

Method: deferred reads.  The explorer adds each thread's events in
program order; a read either reads a write already in the graph or
*waits*: it takes a value v now (from the values another thread may
still write there, models/armv8_domain.py) and is marked deferred, and
a write of another thread with value v, added later, serves it (each
new write chooses which waiting reads it serves, so each rf edge is
decided exactly once).  co is built by inserting each new write at a
chosen place (after the thread's own earlier writes, never between a
write and the RMW that reads it; an RMW's write goes right after its
read's source, or, if the read waits, its future source goes right
before it).  Every new edge is added at once to a transitively closed
ob and a step whose edge would close a cycle is dropped; the internal
axioms are checked as their edges appear.  A state with reads still
waiting is not a complete execution (`complete()` is False): neither
litmus final states nor the properties look at it.  A state is dropped
as soon as some waiting read can no longer be served: no other thread
may still write its value there (armv8_domain's per-event-count table,
or the thread passed its end marker), every such thread already has an
event that is lob-before all its later writes there (same location,
DMB, acquire, a branch it took, ISB) and that the read is ob-before (the
rfe edge would close a cycle), or the writes still possible are fewer
than the distinct values and RMW sources waited for.

Why this finds every ARMv8 execution (and only those).  Soundness: a
complete state is a graph whose every relation is the one of a
candidate execution, and every edge passed the acyclicity and internal
checks when it appeared, so the graph satisfies all axioms.
Completeness: take any consistent execution G of the program and any
order in which the explorer adds its events (each thread in program
order).  Every prefix of that construction is a restriction of G to
per-thread po-prefixes, with rf edges only for reads whose source is
already there; each relation there is a subset of G's (lrs, deps and
the bob masks only look po-backwards, so they are the same as in G),
and every axiom only forbids cycles or non-empty sets, so no step of
the construction is refused.  When a read is added, its G-source is
either in the graph (read it) or added later by another thread (wait
with its value: coRW1 forbids reading a po-later write of one's own
thread, and po-earlier ones are already there); the value domain
contains that value (armv8_domain.py argues it) and the pruning rules
only drop states where no completion exists; when the source is added
it serves exactly G's readers among the waiting reads and takes G's co
place restricted to the present writes.  So G is reached, whatever
thread the explorer moves first: that is why the model declares
`any_order` and the explorer moves only one thread at each state
(explore.py: a thread whose next event does not block, a write or
fence before a read, pollers only when no other thread can move; a
blocking wait may stay blocked while the others run, so when only waits
are left every thread is expanded).  Load buffering (LB) is reached by
waiting; store forwarding outside ob (a read ob-before, through other
threads, a write co-before the one it forwards from) because the
forwarded write is po-earlier.  An LL/SC loop lifted from compiled
code is one attempt that succeeds (ArmAnnot.retried, aarch64/lifter.py
says why that loses no behaviour); in litmus tests a store-exclusive
may fail, as herd7 explores it.

tests/armv8/ checks the model against a brute-force transcription of
the same clauses over enumerated candidate executions (oracle.py) and
against herd7's outcomes for ../shared/litmus-aarch64.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

from ...errors import CheckerError
from ..ir import Program
from ..memory import Access, EventId, Internal, Step
from .armv8_domain import Domain, value_domain
from .armv8_graph import ArmState, Context, ThreadInfo
from .armv8_steps import Adder, perform


class Armv8Model:
    name = "armv8"
    # Reads may wait for later writes, so any thread may go first (see
    # the module docstring); the explorer moves one thread at a time.
    any_order = True
    dependencies = True         # reads Access.deps (explore.py keeps them)

    def __init__(self, domain: Domain | None = None):
        self.domain = domain

    def bind(self, program: Program) -> Armv8Model:
        return Armv8Model(value_domain(program))

    def initial(self, init: Mapping[str, int], threads: int) -> ArmState:
        ctx = Context(dict(init), threads)
        co = tuple((ev.bit,) for ev in ctx.init_evs)
        infos = tuple(ThreadInfo(len(ctx.names)) for _ in range(threads))
        return ArmState(ctx, infos, {}, co, {}, {}, 0, {}, False)

    def perform(self, state: ArmState, event: EventId,
                access: Access) -> list[Step]:
        if self.domain is None:
            raise CheckerError("internal: the armv8 model runs only bound "
                               "to a program (Explorer calls bind)")
        return perform(Adder(state, event, access, self.domain))

    def internal(self, state: Hashable) -> Sequence[Internal]:
        return ()

    def settle(self, state: ArmState) -> ArmState:
        """No write will come any more: no read may wait for one."""
        if state.closed:
            return state
        return ArmState(state.ctx, state.infos, state.rf, state.co,
                        state.readers, state.rmw, state.deferred, state.anc,
                        True)

    def complete(self, state: ArmState) -> bool:
        return not state.deferred

    def latest(self, state: ArmState, loc: str) -> tuple[int, EventId]:
        last = state.event(state.co[state.ctx.loc(loc)][-1])
        return last.value, last.eid


MODEL = Armv8Model()
