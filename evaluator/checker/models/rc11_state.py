"""The state of the RC11 model: one execution graph (see rc11.py for the
method, rc11_graph.py for events and locations, rc11_psc.py for the SC
axiom kept incrementally)."""

from __future__ import annotations

from .rc11_graph import FENCE, Context, Ev, Loc


class RC11State:
    """One execution graph, plus data derived from it (not compared).

    threads[t] = (events, labels, sync, hash) of thread t: its events in
    program order, their labels (what equality compares), its sync views
    and a running hash of the labels.  sync = (acquired, rel_fence,
    rel_writes): msg views of the thread's atomic reads so far (an
    acquire fence gains them), the view of its last release fence, and
    per location the view of its last release write (its later writes
    there continue that release sequence).
    anc: psc ancestors of each seq_cst event and fence (rc11_psc.py).
    """

    __slots__ = ("ctx", "threads", "locs", "lhash", "sc_mask", "fsc_mask",
                 "anc", "_hash")

    def __init__(self, ctx: Context, threads: tuple, locs: tuple,
                 lhash: tuple, sc_mask: int, fsc_mask: int, anc: dict):
        self.ctx = ctx
        self.threads = threads
        self.locs = locs
        self.lhash = lhash
        self.sc_mask = sc_mask
        self.fsc_mask = fsc_mask
        self.anc = anc
        self._hash = hash((tuple([th[3] for th in threads]), lhash))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other) -> bool:
        if self is other:
            return True
        if not isinstance(other, RC11State) or self._hash != other._hash:
            return False
        return (all(a[1] == b[1] for a, b in zip(self.threads, other.threads))
                and all(a.order == b.order
                        for a, b in zip(self.locs, other.locs)))

    @property
    def events(self) -> tuple[tuple[Ev, ...], ...]:
        return tuple(th[0] for th in self.threads)

    def event(self, bit: int) -> Ev:
        t, i = self.ctx.locate(bit)
        return self.locs[i].wevs[0] if t < 0 else self.threads[t][0][i]

    def extend(self, ev: Ev, new_loc: Loc | None, sync: tuple) -> RC11State:
        t, x, label = ev.thread, ev.loc, ev.label
        events, labels, _, h = self.threads[t]
        threads = list(self.threads)
        threads[t] = (events + (ev,), labels + (label,), sync,
                      hash((h, label)))
        locs, lhash = self.locs, self.lhash
        if new_loc is not None:
            locs = list(locs)
            locs[x] = new_loc
            locs = tuple(locs)
            if new_loc.order is not self.locs[x].order:
                lhash = list(lhash)
                lhash[x] = hash(new_loc.order)
                lhash = tuple(lhash)
        sc = ev.bit if ev.sc else 0
        return RC11State(self.ctx, tuple(threads), locs, lhash,
                         self.sc_mask | sc,
                         self.fsc_mask | (sc if ev.code == FENCE else 0),
                         self.anc)
