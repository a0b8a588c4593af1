"""Sequential consistency: one memory, every access immediate.

Memory orders are ignored (every order is at least as strong as SC
needs).  internal() has nothing to do and settle() is the identity.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

from ..memory import Access, EventId, Internal, Kind, Step
from .flat import Layout, initial_values, replace


class ScState:
    __slots__ = ("values", "writers", "layout", "_hash")

    def __init__(self, values, writers, layout):
        self.values = values
        self.writers = writers
        self.layout = layout
        self._hash = hash(values)

    def __eq__(self, other) -> bool:
        return type(other) is ScState and other.values == self.values

    def __hash__(self) -> int:
        return self._hash

    def write(self, i: int, value: int, event: EventId) -> ScState:
        return ScState(replace(self.values, i, value),
                       replace(self.writers, i, event), self.layout)


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
            return (Step(state, old, source),)
        if kind is Kind.STORE:
            return (Step(state.write(i, access.value, event)),)
        new = access.apply(old)
        after = state if new is None else state.write(i, new, event)
        return (Step(after, old, source),)

    def internal(self, state: Hashable) -> Sequence[Internal]:
        return ()

    def settle(self, state: ScState) -> ScState:
        return state

    def latest(self, state: ScState, loc: str) -> tuple[int, EventId]:
        i = state.layout.of(loc)
        return state.values[i], state.writers[i]


MODEL = ScModel()
