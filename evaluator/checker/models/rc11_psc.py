"""RC11's SC axiom: psc must be acyclic (Lahav et al., PLDI 2017, §3;
herd7 rc11.cat), kept incrementally.

    scb      = sb ∪ sb|≠loc;hb;sb|≠loc ∪ hb|loc ∪ mo ∪ rb
    psc_base = ([E_sc] ∪ [F_sc];hb?); scb; ([E_sc] ∪ hb?;[F_sc])
    psc_F    = [F_sc]; (hb ∪ hb;eco;hb); [F_sc]
    psc      = psc_base ∪ psc_F

Each state carries, for every node of S (its seq_cst events and
fences), the set of nodes from which psc reaches it (`anc`, the
transitive closure of psc, stored by target).  psc only grows as the
graph grows (hb, mo, rb and eco between existing events never change),
and every psc edge that appears when an event e is added goes through
e, because e has no sb, rf or hb successors and only mo/rb/eco
successors:

  1. X -> e for every psc predecessor X of e (e ∈ S);
  2. e -> Y where e mo/rb d and (Y = d ∈ S, or Y ∈ F_sc with d hb Y)
     (e ∈ S; e has mo/rb successors only if it is not mo-latest, or
     reads a write that is not);
  3. F -> Y for every F ∈ F_sc hb-before e, where e mo/rb d = Y ∈ S, or
     e eco d hb Y ∈ F_sc (the [F_sc];hb;scb and hb;eco;hb paths through
     e).
Any other pair of old events gets no new path: a path through e must
leave e by an mo, rb or eco edge, which is exactly 2 and 3.  So adding e
means adding those edges to the closure and rejecting e if one closes a
cycle.  Usually e is mo-latest and reads the latest write (2 and 3 are
empty): then only anc[e] is new, the union of its predecessors' sets;
two S nodes of one thread are psc-ordered (sb ⊆ scb), so the last
predecessor of each thread stands for that thread's others.

Predecessors of e (case 1):
* e an access: from c scb e, take c itself if c ∈ S and every F_sc
  fence hb-before c.  The sb, sb|≠loc;hb;sb|≠loc and hb|loc parts lie
  inside e's hb predecessors and are fixed; the mo and rb parts come
  from the writes before e in mo and their readers.
* e a fence: every S node hb-before e (an hb path from an access into a
  fence starts with an sb or a same-location sw step, both scb; fence
  to fence is psc_F), plus accesses c ∈ S mo/rb-before some d hb e, plus
  F_sc fences hb-before some c eco-before some d hb e.  "eco-before
  some d hb e" is taken as whole mo-prefixes per location: the extra
  events are hb-before e themselves and add nothing new.
"""

from __future__ import annotations

from .rc11_graph import FENCE, Ev
from .rc11_state import RC11State


def psc_ok(state: RC11State, ev: Ev) -> bool:
    """Add the psc edges of ev, just added to state; False if one closes
    a cycle.  Only a seq_cst event, or one hb-after a seq_cst fence, can
    bring new edges."""
    if not ev.sc and not ev.hb & state.fsc_mask:
        return True
    anc = psc_add(state, ev)
    if anc is None:
        return False
    state.anc = anc
    return True


def psc_add(state: RC11State, ev: Ev) -> dict[int, int] | None:
    """The psc ancestor sets of `state` (which ends with ev), or None
    when ev closes a psc cycle."""
    sc, fsc = state.sc_mask, state.fsc_mask
    fences_before = fsc & ev.hb
    mo_rb = eco = 0
    if ev.code != FENCE:
        mo_rb, eco = _successors(state, ev)
    if not ev.sc and not (fences_before and eco):
        return state.anc                        # no new psc edge
    anc = dict(state.anc)
    if ev.sc:
        anc[ev.bit] = _ancestors(state, anc, _preds(state, ev, sc, fsc))
        out = (sc & mo_rb) | _fences_after(state, fsc, mo_rb)
        if out and not _add_edges(anc, ev.bit, out):
            return None
    if fences_before and eco:
        out = (sc & mo_rb) | _fences_after(state, fsc, eco)
        if out:
            # An SC fence reaches every SC fence hb-after it (psc_F), so
            # the last one per thread stands for the others.
            for f in _last_per_thread(state, fences_before):
                if not _add_edges(anc, f, out):
                    return None
    return anc


def _ancestors(state: RC11State, anc: dict[int, int], preds: int) -> int:
    """Everything that reaches a node with these psc predecessors.  Two
    S nodes of one thread are psc-ordered (sb ⊆ scb), so each thread's
    last predecessor stands for its earlier ones."""
    out = preds
    for m in _last_per_thread(state, preds):
        out |= anc[m]
    return out


def _add_edges(anc: dict[int, int], a: int, targets: int) -> bool:
    """Add a -> every node of targets; False if that closes a cycle."""
    above = anc[a] | a
    if above & targets:
        return False
    for z, seen in anc.items():
        if z & targets or seen & targets:
            anc[z] = seen | above
    return True


def _last_per_thread(state: RC11State, mask: int):
    for lane in state.ctx.lanes:
        m = mask & lane
        if m:
            yield 1 << (m.bit_length() - 1)


def _successors(state: RC11State, ev: Ev) -> tuple[int, int]:
    """(mo ∪ rb successors, eco successors) of a new access."""
    loc = state.locs[ev.loc]
    order = loc.order
    at = ev.bit if ev.writes else ev.rf
    if order[-1] == at:
        return 0, 0                     # mo-latest: no successors
    p = order.index(at)
    mo_rb = eco = 0
    for w, g in zip(order[p + 1:], loc.groups[p + 1:]):
        mo_rb |= w
        eco |= g
    return mo_rb, eco


def _fences_after(state: RC11State, fsc: int, mask: int) -> int:
    """SC fences with an hb predecessor in mask.  Along a thread hb
    predecessor sets grow, so each thread's such fences form a suffix of
    its fences: scan back from the last."""
    out = 0
    if not mask:
        return 0
    for lane in state.ctx.lanes:
        mine = fsc & lane
        while mine:
            f = 1 << (mine.bit_length() - 1)
            if not state.event(f).hb & mask:
                break
            out |= f
            mine ^= f
    return out


def _hb_union(state: RC11State, mask: int) -> int:
    """Union of the hb predecessors of the events of mask, plus possibly
    events of mask sb-before others (callers tolerate those): hb
    predecessor sets grow along sb, so each thread's last event counts."""
    acc = 0
    for lane in state.ctx.lanes:
        m = mask & lane
        if m:
            acc |= state.event(1 << (m.bit_length() - 1)).hb
    return acc


def _preds(state: RC11State, ev: Ev, sc: int, fsc: int) -> int:
    if ev.code == FENCE:
        return _fence_preds(state, ev, sc, fsc) & sc
    return _access_preds(state, ev, sc, fsc) & sc


def _access_preds(state: RC11State, ev: Ev, sc: int, fsc: int) -> int:
    scb = _static_scb(state, ev)
    preds = (scb & sc) | (fsc & _hb_union(state, scb))
    if ev.writes:
        loc = state.locs[ev.loc]
        dyn = loc.before(loc.order.index(ev.bit)) & ~ev.bit   # mo ∪ rb
        preds |= dyn & sc
        if fsc:
            preds |= fsc & _hb_union(state, dyn)
    return preds


def _fence_preds(state: RC11State, ev: Ev, sc: int, fsc: int) -> int:
    seen = ev.hb
    mo_rb = eco = 0
    for loc in state.locs:
        order, groups = loc.order, loc.groups
        pv = len(groups) - 1         # latest write it observes at all
        while not groups[pv] & seen:
            pv -= 1
        pw = pv                      # latest write hb-before the fence
        while not order[pw] & seen:
            pw -= 1
        below = loc.before(pw)
        mo_rb |= below
        for g in groups[pw:pv]:
            below |= g
        eco |= below | order[pv]
    preds = (seen | mo_rb) & sc
    if fsc:
        preds |= fsc & _hb_union(state, eco & ~seen)
    return preds


def _static_scb(state: RC11State, ev: Ev) -> int:
    """scb predecessors of access ev through sb, sb|≠loc;hb;sb|≠loc and
    hb|loc (all inside ev.hb, fixed once ev exists)."""
    ctx = state.ctx
    own = state.threads[ev.thread][0]
    scb = ctx.prefix(ev.thread, ev.idx)                   # sb
    scb |= ev.hb & state.locs[ev.loc].accesses            # hb|loc
    # sb|≠loc;hb;sb|≠loc: d' = last sb-predecessor on another location
    # (or a fence); c qualifies if an event after c in c's thread, on a
    # different location from c, is hb-before d'.
    i = ev.idx - 1
    while i >= 0 and own[i].loc == ev.loc:
        i -= 1
    if i < 0:
        return scb
    seen = own[i].hb
    for t, lane in enumerate(ctx.lanes):
        n = (seen & lane).bit_count()
        if n:
            scb |= ctx.prefix(t, state.threads[t][0][n - 1].run_start)
    return scb
