"""The state of the RC11 model: one execution graph (see rc11.py for the
method, rc11_graph.py for events and locations, rc11_psc.py for the SC
axiom kept incrementally)."""

from __future__ import annotations

from .rc11_graph import FENCE, Context, Ev, Loc


class RC11State:
    """One execution graph, plus data derived from it (not compared).

    threads[t] = (events, history, sync) of thread t: its events in
    program order, the id of their label sequence (Context.history:
    equal ids, equal sequences) and its sync views.  sync = (acquired,
    rel_fence, rel_writes): msg views of the thread's atomic reads so
    far (an acquire fence gains them), the view of its last release
    fence, and per location the view of its last release write (its
    later writes there continue that release sequence).
    key: the graph itself, exactly: every thread's history id, then
    every location's mo id (Context.order_id).  Two states of one
    exploration are equal iff their keys are; the search may keep the
    key alone for a visited state (bfs.py).
    anc: psc ancestors of each seq_cst event and fence (rc11_psc.py).
    """

    __slots__ = ("ctx", "threads", "locs", "key", "sc_mask", "fsc_mask",
                 "anc", "_hash")

    def __init__(self, ctx: Context, threads: tuple, locs: tuple,
                 key: tuple, sc_mask: int, fsc_mask: int, anc: dict):
        self.ctx = ctx
        self.threads = threads
        self.locs = locs
        self.key = key
        self.sc_mask = sc_mask
        self.fsc_mask = fsc_mask
        self.anc = anc
        self._hash = hash(key)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other) -> bool:
        if self is other:
            return True
        if not isinstance(other, RC11State) or self._hash != other._hash:
            return False
        if self.ctx is other.ctx and self.ctx.keyed:
            return self.key == other.key
        # ids are per exploration: compare the graphs themselves
        return self.labels() == other.labels() and all(
            a.order == b.order for a, b in zip(self.locs, other.locs))

    def labels(self) -> tuple:
        return tuple(tuple(ev.label for ev in th[0]) for th in self.threads)

    @property
    def events(self) -> tuple[tuple[Ev, ...], ...]:
        return tuple(th[0] for th in self.threads)

    def event(self, bit: int) -> Ev:
        t, i = self.ctx.locate(bit)
        return self.locs[i].wevs[0] if t < 0 else self.threads[t][0][i]

    def extend(self, ev: Ev, new_loc: Loc | None, sync: tuple) -> RC11State:
        t, x, ctx = ev.thread, ev.loc, self.ctx
        events, history, _ = self.threads[t]
        threads = list(self.threads)
        history = ctx.history(history, ev.label)
        threads[t] = (events + (ev,), history, sync)
        key = list(self.key)
        key[t] = history
        locs = self.locs
        if new_loc is not None:
            locs = list(locs)
            locs[x] = new_loc
            locs = tuple(locs)
            if new_loc.order is not self.locs[x].order:
                key[ctx.threads + x] = ctx.order_id(new_loc.order)
        sc = ev.bit if ev.sc else 0
        return RC11State(ctx, tuple(threads), locs, tuple(key),
                         self.sc_mask | sc,
                         self.fsc_mask | (sc if ev.code == FENCE else 0),
                         self.anc)
