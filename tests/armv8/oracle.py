"""Test oracle: ARMv8 by brute force, a literal transcription of herd7's
aarch64.cat (aarch64hwreqs.cat, aarch64deps.cat) over whole candidate
executions of small loop-free AArch64 programs.

Independent of models/armv8*.py on purpose: each thread's paths are
enumerated with every read returning every value of a given domain
(herd's way), then every rf (any write to the location, values equal)
and every co (permutations, initial write first) is tried, and the
relations are computed on the whole execution and checked as the cat
file states them:

    po-loc = po & loc      ca = fr | co      fr = (rf^-1; co) \\ id
    lrs   = [W]; (po-loc \\ (po-loc; [W]; po-loc)); [R]
    lwfs  = [M]; po-loc; [W]
    dob   = addr | data | ctrl; [W] | addr; [M]; po; [W]
            | addr; [M]; lrs; [R] | data; [M]; lrs; [R]
    pob   = pick-addr; [W] | pick-data | pick-ctrl; [W]
            | pick-addr; [M]; po; [W]
    aob   = [M]; rmw; [M] | [M]; rmw; lrs; [A | Q]
    bob   = [M]; po; [dmb.full]; po; [M]
            | [R \\ NoRet]; po; [dmb.ld]; po; [M]
            | [W]; po; [dmb.st]; po; [W]
            | [range([A]; amo; [L])]; po; [M]
            | [L]; po; [A] | [A | Q]; po; [M] | [M]; po; [L]
    IFB-ob = [R]; (ctrl | pick-ctrl); [ISB]; po
            | [R]; (addr | pick-addr); [M]; po; [ISB]; po
    lob   = (lwfs | dob | pob | aob | bob | IFB-ob)+
    pick-lob = (pick-addr | pick-data | pick-ctrl); lob; [W]
    haz-ob = [R]; po-loc; [R]; (ca & ext); [W]
    obs   = rf & ext | ca & ext
    ob    = (lob | pick-lob | haz-ob | obs)+         irreflexive ob
    irreflexive [R]; (po-loc | rmw); [W]; rfi; [R]            (coRW1)
    irreflexive [W]; po-loc; [W]; (ca & int)                  (coWW)
    irreflexive [W]; po-loc; [R]; (ca & int)                  (coWR)
    empty (rmw & (fr; co)) \\ (rmw & (fri; [W]; coi))          (atomic)

`sc=True` checks SC instead: acyclic (po | rmw | rf | co | fr), atomic.
Dependency masks come from the IR (Access.deps, the front end's data
flow through registers), the only part shared with the model; the
oracle closes them through memory forwarding (dtrm includes lrs).
Relations are lists of successor bitsets.  Only for a handful of
events per thread.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from evaluator.checker.ir import END, MEM, Program, run_local
from evaluator.checker.memory import Kind

from bitrel import (empty, ident, inter, inv, irreflexive, minus,
                    plus, seq, union)


# --- events of one thread run --------------------------------------------

@dataclass
class Ev:
    kind: str                  # "R" "W" "F"
    thread: int                # -1: initial write
    instr: int                 # the instruction (explorer event index)
    loc: str | None = None
    value: int = 0
    acq: str = ""              # "A" | "Q"
    rel: bool = False
    noret: bool = False
    barrier: str = ""          # F: "full" | "ld" | "st" | "isb"
    amo: bool = False          # part of an LSE atomic
    deps: tuple = (0,) * 6     # explorer-index masks (Access.deps)
    partner: int | None = None  # rmw: index (in the run) of the read


@dataclass
class Run:
    events: list = field(default_factory=list)
    registers: dict = field(default_factory=dict)


def thread_runs(code, t: int, domain: dict) -> list[Run]:
    """Every path of one thread, each read returning each domain value."""
    runs: list[Run] = []
    L = [0] * code.nslots
    pc, _, _ = run_local(code.code, 0, L)
    stack = [(pc, L, [], None, 0)]
    while stack:
        pc, L, evs, monitor, instr = stack.pop()
        ins = code.code[pc]
        if ins.kind == END:
            runs.append(Run(evs, {name: L[slot] for name, slot
                                  in code.registers.items()}))
            continue
        if ins.kind != MEM:
            raise ValueError(f"oracle: thread {t} stops at pc {pc}")
        access = ins.make(L) if ins.parts else ins.access
        for value, new, monitor2 in _outcomes(access, t, instr, domain,
                                              monitor, len(evs), ins):
            L2 = list(L)
            if ins.dest is not None:
                L2[ins.dest] = value
            pc2, _, failed = run_local(code.code, pc + 1, L2)
            if failed is None:
                stack.append((pc2, L2, evs + new, monitor2, instr + 1))
    return runs


def _outcomes(access, t, instr, domain, monitor, base, ins):
    annot = access.arm
    kind = access.kind
    deps = tuple(access.deps)
    if kind is Kind.FENCE:
        yield None, [Ev("F", t, instr, barrier=annot.barrier, deps=deps)], \
            monitor
        return
    loc = access.loc
    values = sorted(domain[loc])
    if ins.blocking:
        values = [v for v in values if v]
    if kind is Kind.LOAD:
        for v in values:
            ev = Ev("R", t, instr, loc, v, acq=annot.acquire, deps=deps)
            yield v, [ev], ((base, loc) if access.exclusive else monitor)
        return
    if kind is Kind.STORE:
        w = Ev("W", t, instr, loc, access.value, rel=annot.release,
               deps=deps)
        if not access.exclusive:
            yield None, [w], monitor
            return
        yield 1, [], None                       # the store-exclusive fails
        if monitor is not None and monitor[1] == loc:
            w.partner = monitor[0]
            yield 0, [w], None
        return
    for v in values:                             # LSE atomic
        new = access.apply(v)
        r = Ev("R", t, instr, loc, v, acq=annot.acquire, noret=annot.noret,
               amo=True, deps=deps)
        if new is None:
            yield v, [r], monitor
            continue
        w = Ev("W", t, instr, loc, new, rel=annot.release, amo=True,
               deps=deps, partner=base)
        yield v, [r, w], monitor


# --- candidate executions ------------------------------------------------

def outcomes(program: Program, domain: dict, variables, sc: bool = False
             ) -> set:
    """Final states (projected on `variables`) of every consistent
    execution."""
    runs = [thread_runs(code, t, domain)
            for t, code in enumerate(program.threads)]
    found = set()
    for combo in itertools.product(*runs):
        found |= _combo(program, combo, variables, sc)
    return found


def _combo(program, combo, variables, sc):
    evs = [Ev("W", -1, -1, loc, value) for loc, value in
           sorted(program.init.items())]
    rmw = []                 # (read index, write index)
    for run in combo:
        base = len(evs)
        for ev in run.events:
            evs.append(ev)
        for k, ev in enumerate(run.events):
            if ev.kind == "W" and ev.partner is not None:
                rmw.append((base + ev.partner, base + k))
    n = len(evs)
    reads = [i for i, e in enumerate(evs) if e.kind == "R"]
    writes = {}
    for i, e in enumerate(evs):
        if e.kind == "W":
            writes.setdefault(e.loc, []).append(i)
    rf_choices = []
    for r in reads:
        options = [w for w in writes.get(evs[r].loc, [])
                   if evs[w].value == evs[r].value]
        if not options:
            return set()
        rf_choices.append(options)
    co_choices = [[(ws[0],) + p for p in itertools.permutations(ws[1:])]
                  for ws in writes.values()]
    static = _static(evs, rmw, n)
    found = set()
    for rf_pick in itertools.product(*rf_choices):
        for co_pick in itertools.product(*co_choices):
            if _consistent(evs, static, dict(zip(reads, rf_pick)), co_pick,
                           sc):
                found.add(_final(evs, combo, co_pick, variables))
    return found


def _final(evs, combo, co_pick, variables):
    memory = {evs[order[0]].loc: evs[order[-1]].value for order in co_pick}
    state = {}
    for var in variables:
        if ":" in var:
            t, reg = var.split(":")
            state[var] = combo[int(t)].registers[reg]
        else:
            state[var] = memory[var]
    return tuple(sorted(state.items()))


@dataclass
class Static:
    """Relations fixed by the thread runs (independent of rf and co)."""

    n: int
    po: list
    loc: list
    ext: list
    R: int
    W: int
    M: int
    rmw: list
    lob: list
    pick_dep: list


def _mask(evs, pred):
    m = 0
    for i, e in enumerate(evs):
        if pred(e):
            m |= 1 << i
    return m


def _static(evs, rmw_pairs, n):
    po = [0] * n
    loc = [0] * n
    ext = [0] * n
    for i, a in enumerate(evs):
        for j, b in enumerate(evs):
            if a.thread >= 0 and a.thread == b.thread and a.instr < b.instr:
                po[i] |= 1 << j
            if a.kind != "F" and b.kind != "F" and a.loc == b.loc:
                loc[i] |= 1 << j
            if a.thread != b.thread:
                ext[i] |= 1 << j
    R = _mask(evs, lambda e: e.kind == "R")
    W = _mask(evs, lambda e: e.kind == "W")
    M = R | W
    rmw = [0] * n
    for r, w in rmw_pairs:
        rmw[r] |= 1 << w
    amo = [row if evs[i].amo else 0 for i, row in enumerate(rmw)]
    A = _mask(evs, lambda e: e.acq == "A")
    AQ = _mask(evs, lambda e: e.acq in ("A", "Q"))
    L = _mask(evs, lambda e: e.rel)
    noret = _mask(evs, lambda e: e.noret)
    full = _mask(evs, lambda e: e.barrier == "full")
    dmb_ld = _mask(evs, lambda e: e.barrier == "ld")
    dmb_st = _mask(evs, lambda e: e.barrier == "st")
    isb = _mask(evs, lambda e: e.barrier == "isb")

    def I(mask):
        return ident(n, mask)

    # dependencies: from the IR masks (explorer instruction indexes)
    read_of = {}
    for i, e in enumerate(evs):
        if e.kind == "R":
            read_of[(e.thread, e.instr)] = i
    names = ("addr", "data", "ctrl", "pick_addr", "pick_data", "pick_ctrl")
    dep = {name: [0] * n for name in names}
    for j, e in enumerate(evs):
        for k, name in enumerate(names):
            mask = e.deps[k]
            while mask:
                low = mask & -mask
                src = read_of.get((e.thread, low.bit_length() - 1))
                if src is not None:
                    dep[name][src] |= 1 << j
                mask ^= low
    addr, data, ctrl = dep["addr"], dep["data"], dep["ctrl"]
    paddr, pdata, pctrl = dep["pick_addr"], dep["pick_data"], dep["pick_ctrl"]
    po_loc = inter(po, loc)
    lrs = seq(seq(I(W), minus(po_loc, seq(seq(po_loc, I(W)), po_loc))),
              I(R))
    # dtrm includes lrs: what flows into a write's address or data flows
    # on to the reads that follow it in po-loc (the IR masks only follow
    # registers)
    fwd = seq(seq(union(addr, data), I(W)), lrs)
    pfwd = seq(seq(union(addr, data, paddr, pdata), I(W)), lrs)
    through = union(ident(n, (1 << n) - 1), plus(fwd))
    pthrough = union(ident(n, (1 << n) - 1), plus(pfwd))
    addr, data, ctrl = (seq(through, r) for r in (addr, data, ctrl))
    paddr, pdata, pctrl = (seq(pthrough, r) for r in (paddr, pdata, pctrl))
    # data targets writes only, addr memory events (as in the cat file)
    data = seq(data, I(W))
    pdata = seq(pdata, I(W))
    addr = seq(addr, I(M))
    paddr = seq(paddr, I(M))
    lwfs = seq(seq(I(M), po_loc), I(W))
    dob = union(addr, data, seq(ctrl, I(W)), seq(seq(addr, I(M)),
                                                 seq(po, I(W))),
                seq(seq(addr, I(M)), lrs), seq(seq(data, I(M)), lrs))
    pob = union(seq(paddr, I(W)), pdata, seq(pctrl, I(W)),
                seq(seq(paddr, I(M)), seq(po, I(W))))
    aob = union(seq(seq(I(M), rmw), I(M)),
                seq(seq(seq(I(M), rmw), lrs), I(AQ)))
    al_amo = 0
    for i in range(n):
        if A >> i & 1:
            al_amo |= amo[i] & L
    bob = union(
        seq(seq(seq(seq(I(M), po), I(full)), po), I(M)),
        seq(seq(seq(seq(I(R & ~noret), po), I(dmb_ld)), po), I(M)),
        seq(seq(seq(seq(I(W), po), I(dmb_st)), po), I(W)),
        seq(seq(I(al_amo), po), I(M)),
        seq(seq(I(L), po), I(A)),
        seq(seq(I(AQ), po), I(M)),
        seq(seq(I(M), po), I(L)))
    ifb = union(seq(seq(seq(I(R), union(ctrl, pctrl)), I(isb)), po),
                seq(seq(seq(seq(seq(I(R), union(addr, paddr)), I(M)), po),
                        I(isb)), po))
    lob = plus(union(lwfs, dob, pob, aob, bob, ifb))
    lob = seq(seq(I(M), lob), I(M))
    pick_dep = union(paddr, pdata, seq(pctrl, I(M)))
    return Static(n, po, loc, ext, R, W, M, rmw, lob, pick_dep)


def _consistent(evs, s: Static, rf_of, co_pick, sc: bool) -> bool:
    n = s.n
    rf = [0] * n
    for r, w in rf_of.items():
        rf[w] |= 1 << r
    co = [0] * n
    for order in co_pick:
        for a, b in itertools.combinations(order, 2):
            co[a] |= 1 << b
    fr = minus(seq(inv(rf), co), ident(n, (1 << n) - 1))
    ca = union(fr, co)
    intl = [~row & ((1 << n) - 1) for row in s.ext]
    fri = inter(fr, intl)
    coi = inter(co, intl)
    atomic = minus(inter(s.rmw, seq(fr, co)),
                   inter(s.rmw, seq(seq(fri, ident(n, s.W)), coi)))
    if not empty(atomic):
        return False
    if sc:
        return irreflexive(plus(union(s.po, s.rmw, rf, co, fr)))
    I = lambda m: ident(n, m)       # noqa: E731
    po_loc = inter(s.po, s.loc)
    rfi = inter(rf, intl)
    if not irreflexive(seq(seq(seq(seq(I(s.R), union(po_loc, s.rmw)),
                                   I(s.W)), rfi), I(s.R))):
        return False                                   # coRW1
    if not irreflexive(seq(seq(seq(I(s.W), po_loc), I(s.W)),
                           inter(ca, intl))):
        return False                                   # coWW
    if not irreflexive(seq(seq(seq(I(s.W), po_loc), I(s.R)),
                           inter(ca, intl))):
        return False                                   # coWR
    pick_lob = seq(seq(s.pick_dep, s.lob), I(s.W))
    haz = seq(seq(seq(seq(I(s.R), po_loc), I(s.R)), inter(ca, s.ext)),
              I(s.W))
    obs = union(inter(rf, s.ext), inter(ca, s.ext))
    ob = plus(union(s.lob, pick_lob, haz, obs))
    return irreflexive(ob)
