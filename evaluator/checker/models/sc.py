"""Sequential consistency: one memory, every access immediate.

Memory orders are ignored (every order is at least as strong as SC
needs).  internal() has nothing to do and settle() is the identity.

AArch64 programs run here too, as their instructions interleaved: a
load-exclusive sets its thread's monitor on the location, any other
thread's write there clears it, and a store-exclusive succeeds (status
0) only while the monitor holds, or fails (status 1) at any time, as
herd7 lets it.  C programs never set a monitor, so the state stays a
tuple of values for them.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

from ..memory import Access, EventId, Internal, Kind, Step
from .flat import Layout, initial_values, replace


class ScState:
    __slots__ = ("values", "writers", "layout", "monitors", "_hash")

    def __init__(self, values, writers, layout, monitors=frozenset()):
        self.values = values
        self.writers = writers
        self.layout = layout
        self.monitors = monitors    # AArch64: {(thread, location index)}
        self._hash = hash((values, monitors)) if monitors else hash(values)

    def __eq__(self, other) -> bool:
        return (type(other) is ScState and other.values == self.values
                and other.monitors == self.monitors)

    def __hash__(self) -> int:
        return self._hash

    def write(self, i: int, value: int, event: EventId) -> ScState:
        monitors = self.monitors
        if monitors:        # another thread's write breaks its monitor
            monitors = frozenset(m for m in monitors
                                 if m[1] != i or m[0] == event[0])
        return ScState(replace(self.values, i, value),
                       replace(self.writers, i, event), self.layout,
                       monitors)

    def monitor(self, thread: int, i: int | None) -> ScState:
        """Set (i) or clear (None) the thread's exclusive monitor."""
        monitors = frozenset(m for m in self.monitors if m[0] != thread)
        if i is not None:
            monitors |= {(thread, i)}
        return ScState(self.values, self.writers, self.layout, monitors)


class ScModel:
    name = "sc"
    noop_fences = True      # see explore.py: fences that change nothing

    def initial(self, init: Mapping[str, int], threads: int) -> ScState:
        layout = Layout(init)
        return ScState(*initial_values(init, layout), layout)

    def perform(self, state: ScState, event: EventId,
                access: Access) -> Sequence[Step]:
        kind = access.kind
        if kind is Kind.FENCE:
            return (Step(state),)
        i = state.layout.of(access.loc)
        old, source = state.values[i], state.writers[i]
        if kind is Kind.LOAD:
            if access.exclusive:
                state = state.monitor(event[0], i)
            return (Step(state, old, source),)
        if kind is Kind.STORE:
            if access.exclusive:
                return self._store_exclusive(state, event, access, i)
            return (Step(state.write(i, access.value, event)),)
        new = access.apply(old)
        after = state if new is None else state.write(i, new, event)
        return (Step(after, old, source),)

    @staticmethod
    def _store_exclusive(state: ScState, event: EventId, access: Access,
                         i: int) -> Sequence[Step]:
        failed = Step(state.monitor(event[0], None), 1)
        if (event[0], i) not in state.monitors:
            return (failed,)
        done = state.write(i, access.value, event).monitor(event[0], None)
        return (Step(done, 0), failed)

    def internal(self, state: Hashable) -> Sequence[Internal]:
        return ()

    def settle(self, state: ScState) -> ScState:
        return state

    def latest(self, state: ScState, loc: str) -> tuple[int, EventId]:
        i = state.layout.of(loc)
        return state.values[i], state.writers[i]


MODEL = ScModel()
