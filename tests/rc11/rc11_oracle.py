"""Test oracle: RC11 by brute force, a literal transcription of herd7's
rc11.cat (Lahav et al., PLDI 2017) over whole candidate executions.

Independent of the model under test on purpose: RMWs are two events (a
read and a write related by rmw) as in the paper, every rf and mo choice
is enumerated, and each axiom is evaluated on complete relations:

    rb  = rf^-1;mo \\ id            eco = (rf | mo | rb)+
    rs  = [W];(sb&loc)?;[W&A];(rf;rmw)*
    sw  = [E_rel];([F];sb)?;rs;rf;[R&A];(sb;[F])?;[E_acq]
    hb  = (sb | sw)+
    scb = sb | (sb\\loc);hb;(sb\\loc) | hb&loc | mo | rb
    psc = ([SC] | [F&SC];hb?);scb;([SC] | hb?;[F&SC])
          | [F&SC];(hb | hb;eco;hb);[F&SC]
    irreflexive hb;eco?   irreflexive rmw;eco   empty rmw & rb;mo
    acyclic psc           acyclic sb | rf
    race: two events on one location from different threads, one a
    write, one non-atomic, no init write, not hb-ordered.

Relations are lists of successor bitsets (row i = successors of i).
Only for small straight-line programs (harness Op lists).
"""

from __future__ import annotations

import itertools

from evaluator.checker.memory import Kind, RmwOp
from evaluator.orders import Order

from bitrel import (acyclic, empty, ident, inter, inv, irreflexive, minus,
                    opt, plus, seq, star, union)

# E_acq: consume reads are not acquire (ISO C11 orders them only through
# dependencies, which RC11 has none of: they act as relaxed reads), but a
# consume fence is an acquire fence (C11 7.17.4.1p2).  The sw read
# [R & A] includes consume reads, as C11 7.17.4p4 says ("some atomic
# operation X"); herd7's rc11.cat lists RLX|REL|ACQ|ACQ_REL|SC there and
# so leaves consume out -- a deliberate difference.
ACQ = {Order.ACQUIRE, Order.ACQ_REL, Order.SEQ_CST}
FENCE_ACQ = ACQ | {Order.CONSUME}
REL = {Order.RELEASE, Order.ACQ_REL, Order.SEQ_CST}


class _Ev:
    def __init__(self, kind, thread, loc, order, atomic, reg=None,
                 value=None, op=None):
        self.kind = kind              # "R" "W" "F"
        self.thread = thread          # -1 for init
        self.loc = loc
        self.order = order
        self.atomic = atomic
        self.reg = reg
        self.value = value            # constant written, or None
        # (thread, op index) in the program; (-1, loc) for init writes
        self.op = op if op is not None else (thread, loc)


# --- candidate executions ----------------------------------------------

def _events(init, threads, cas_success):
    """Events of one candidate (a CAS that fails has no write event)."""
    evs = [_Ev("W", -1, loc, Order.RELAXED, False, value=v)
           for loc, v in sorted(init.items())]
    rmw_pairs, ops = [], []        # ops: (index of the read, access)
    flags = iter(cas_success)
    for t, program in enumerate(threads):
        for k, (reg, acc) in enumerate(program):
            for ev in _op_events(evs, rmw_pairs, ops, flags, t, reg, acc):
                ev.op = (t, k)
    return evs, rmw_pairs, ops


def _op_events(evs, rmw_pairs, ops, flags, t, reg, acc):
    first = len(evs)
    atomic = not acc.plain
    if acc.kind is Kind.FENCE:
        evs.append(_Ev("F", t, None, acc.order, True))
    elif acc.kind is Kind.LOAD:
        ops.append((len(evs), acc))
        evs.append(_Ev("R", t, acc.loc, acc.order, atomic, reg))
    elif acc.kind is Kind.STORE:
        evs.append(_Ev("W", t, acc.loc, acc.order, atomic, value=acc.value))
    elif acc.op is RmwOp.CAS and not next(flags):
        fail = _fail_default(acc.order) if acc.fail_order is None \
            else acc.fail_order
        ops.append((len(evs), acc))
        evs.append(_Ev("R", t, acc.loc, fail, True, reg))
    else:
        ops.append((len(evs), acc))
        evs.append(_Ev("R", t, acc.loc, acc.order, True, reg))
        evs.append(_Ev("W", t, acc.loc, acc.order, True))
        rmw_pairs.append((len(evs) - 2, len(evs) - 1))
    return evs[first:]


def _fail_default(order):
    return {Order.ACQ_REL: Order.ACQUIRE,
            Order.RELEASE: Order.RELAXED}.get(order, order)


def executions(init, threads):
    """Yield (final state dict, racy locations, execution key) of every
    consistent candidate execution."""
    n_cas = sum(acc.op is RmwOp.CAS for prog in threads for _, acc in prog)
    for flags in itertools.product((False, True), repeat=n_cas):
        evs, rmw_pairs, ops = _events(init, threads, flags)
        yield from _candidates(init, evs, rmw_pairs, ops, flags, threads)


def _candidates(init, evs, rmw_pairs, ops, flags, threads):
    reads = [i for i, e in enumerate(evs) if e.kind == "R"]
    writes = {loc: [i for i, e in enumerate(evs)
                    if e.kind == "W" and e.loc == loc] for loc in init}
    rf_choices = [writes[evs[r].loc] for r in reads]
    mo_choices = [[(ws[0],) + p for p in itertools.permutations(ws[1:])]
                  for ws in writes.values()]
    for rf_pick in itertools.product(*rf_choices):
        rf_of = dict(zip(reads, rf_pick))
        values = _values(evs, rmw_pairs, ops, rf_of, flags, threads)
        if values is None:
            continue
        for mo_pick in itertools.product(*mo_choices):
            verdict = _consistent(evs, rmw_pairs, rf_of, mo_pick)
            if verdict is not None:
                final = {evs[order[0]].loc: values[order[-1]]
                         for order in mo_pick}
                for r in reads:
                    if evs[r].reg is not None:
                        final[f"{evs[r].thread}:{evs[r].reg}"] = values[r]
                yield final, verdict, _key(evs, rf_of, mo_pick)


def _key(evs, rf_of, mo_orders):
    """rf and mo by program operation, as rc11_harness.execution_key."""
    rf = {}
    for r, w in rf_of.items():
        rf[evs[r].op] = evs[w].op
    mo = tuple(sorted((evs[order[0]].loc,
                       tuple(evs[w].op for w in order))
                      for order in mo_orders))
    return tuple(sorted(rf.items())), mo


def _values(evs, rmw_pairs, ops, rf_of, flags, threads):
    """Value of every event, or None if rf is cyclic or a CAS outcome
    contradicts the value it read."""
    values = {i: e.value for i, e in enumerate(evs) if e.value is not None}
    write_of = dict(rmw_pairs)
    pending = list(ops)
    while pending:
        progress = False
        for item in list(pending):
            r, acc = item
            src = rf_of[r]
            if src not in values:
                continue
            old = values[src]
            values[r] = old
            if r in write_of:
                new = acc.apply(old)
                if new is None:
                    return None         # chose success, but compare fails
                values[write_of[r]] = new
            elif acc.kind is Kind.RMW and acc.apply(old) is not None:
                return None             # chose failure, but compare holds
            pending.remove(item)
            progress = True
        if not progress:
            return None                 # rf cycle through RMW values
    return values


def _consistent(evs, rmw_pairs, rf_of, mo_orders):
    n = len(evs)
    def mask(pred):
        return sum(1 << i for i, e in enumerate(evs) if pred(e))
    R, W, Fn = (mask(lambda e, k=k: e.kind == k) for k in "RWF")
    A = mask(lambda e: e.atomic)
    SC = mask(lambda e: e.atomic and e.order is Order.SEQ_CST)
    E_rel = mask(lambda e: e.atomic and e.order in REL)
    E_acq = mask(lambda e: e.atomic and (e.order in FENCE_ACQ if e.kind == "F"
                                         else e.order in ACQ))
    IW = mask(lambda e: e.thread < 0)
    sb = [0] * n
    loc = [0] * n
    for i, a in enumerate(evs):
        for j, b in enumerate(evs):
            if a.thread >= 0 and a.thread == b.thread and i < j:
                sb[i] |= 1 << j
            if a.loc is not None and a.loc == b.loc:
                loc[i] |= 1 << j
    rf = [0] * n
    for r, w in rf_of.items():
        rf[w] |= 1 << r
    rmw = [0] * n
    for r, w in rmw_pairs:
        rmw[r] |= 1 << w
    mo = [0] * n
    for order in mo_orders:
        for k, a in enumerate(order):
            for b in order[k + 1:]:
                mo[a] |= 1 << b
    def I(m):
        return ident(n, m)
    rb = minus(seq(inv(rf), mo), ident(n))
    eco = plus(union(rf, mo, rb))
    rs = seq(seq(seq(I(W), opt(inter(sb, loc))), I(W & A)),
              star(seq(rf, rmw)))
    sw = seq(seq(seq(seq(seq(seq(I(E_rel), opt(seq(I(Fn), sb))),
                                  rs), rf), I(R & A)),
                   opt(seq(sb, I(Fn)))), I(E_acq))
    hb = plus(union(sb, sw))
    sbl = minus(sb, loc)
    scb = union(sb, seq(seq(sbl, hb), sbl), inter(hb, loc), mo, rb)
    left = union(I(SC), seq(I(Fn & SC), opt(hb)))
    right = union(I(SC), seq(opt(hb), I(Fn & SC)))
    psc = union(seq(seq(left, scb), right),
                 seq(seq(I(Fn & SC),
                           union(hb, seq(seq(hb, eco), hb))),
                      I(Fn & SC)))
    if not (irreflexive(seq(hb, opt(eco)))
            and irreflexive(seq(rmw, eco))
            and empty(inter(rmw, seq(rb, mo)))
            and acyclic(psc)
            and acyclic(union(sb, rf))):
        return None
    return _races(evs, hb, loc, W, A, IW)


def _races(evs, hb, loc, W, A, IW):
    racy = set()
    for i, a in enumerate(evs):
        for j, b in enumerate(evs):
            if (i < j and loc[i] >> j & 1 and a.thread != b.thread
                    and (W >> i | W >> j) & 1 and not (IW >> i | IW >> j) & 1
                    and not (A >> i & A >> j & 1)
                    and not (hb[i] >> j & 1 or hb[j] >> i & 1)):
                racy.add(a.loc)
    return frozenset(racy)


def outcomes(init, threads):
    """(final states as frozensets, racy locations, execution keys)."""
    finals, racy, keys = set(), set(), set()
    for final, races, key in executions(init, threads):
        finals.add(frozenset(final.items()))
        racy |= races
        keys.add(key)
    return finals, racy, keys
