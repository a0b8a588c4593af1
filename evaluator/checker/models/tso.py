"""x86-TSO: the checked C compiled with the standard x86-64 mapping.

Each thread has a FIFO store buffer; its loads read its own newest
buffered store to that location (forwarding), else memory.  Mapping
(what GCC and Clang emit on x86-64):

  * loads of any order, relaxed/release (and plain) stores: MOV;
    a store goes into the buffer;
  * seq_cst store: XCHG, a locked instruction;
  * every RMW, compare-exchange included (success or failure) and the
    event-notifier intrinsics: LOCK-prefixed, i.e. atomic on memory;
  * seq_cst fence: MFENCE;  acquire/release/acq_rel fences: nothing.

A locked instruction or MFENCE can only execute once the thread's
buffer is empty: perform() returns no step until then, and the
explorer drains it through internal() flush steps, which are what the
traces show as "flush" lines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ...orders import Order
from ..memory import Access, EventId, Internal, Kind, Step
from .flat import Layout, initial_values, replace


class TsoState:
    __slots__ = ("values", "writers", "buffers", "ids", "layout", "_hash")

    def __init__(self, values, writers, buffers, ids, layout):
        self.values = values        # memory, by location index
        self.writers = writers      # event that wrote each memory value
        self.buffers = buffers      # per thread: ((loc index, value), ...)
        self.ids = ids              # per thread: event ids of those stores
        self.layout = layout
        self._hash = hash((values, buffers))

    def __eq__(self, other) -> bool:
        return (type(other) is TsoState and other.values == self.values
                and other.buffers == self.buffers)

    def __hash__(self) -> int:
        return self._hash

    def write(self, i: int, value: int, event: EventId) -> TsoState:
        return TsoState(replace(self.values, i, value),
                        replace(self.writers, i, event), self.buffers,
                        self.ids, self.layout)

    def buffer(self, t: int, i: int, value: int,
               event: EventId) -> TsoState:
        buffered = self.buffers[t] + ((i, value),)
        return TsoState(self.values, self.writers,
                        replace(self.buffers, t, buffered),
                        replace(self.ids, t, self.ids[t] + (event,)),
                        self.layout)

    def flush(self, t: int) -> tuple[TsoState, str]:
        (i, value), rest = self.buffers[t][0], self.buffers[t][1:]
        event = self.ids[t][0]
        state = TsoState(replace(self.values, i, value),
                         replace(self.writers, i, event),
                         replace(self.buffers, t, rest),
                         replace(self.ids, t, self.ids[t][1:]), self.layout)
        name = self.layout.names[i]
        return state, (f"flush {name} = {value} (P{event[0]}#{event[1]}) "
                       "from the store buffer to memory")


class TsoModel:
    name = "tso"
    noop_fences = True      # see explore.py: fences that change nothing

    def initial(self, init: Mapping[str, int], threads: int) -> TsoState:
        layout = Layout(init)
        values, writers = initial_values(init, layout)
        empty = ((),) * threads
        return TsoState(values, writers, empty, empty, layout)

    def perform(self, state: TsoState, event: EventId,
                access: Access) -> Sequence[Step]:
        t = event[0]
        kind = access.kind
        if kind is Kind.FENCE:
            if access.order == Order.SEQ_CST and state.buffers[t]:
                return ()           # MFENCE waits for the buffer to drain
            return (Step(state),)
        i = state.layout.of(access.loc)
        if kind is Kind.LOAD:
            value, source = self._read(state, t, i)
            return (Step(state, value, source),)
        locked = kind is Kind.RMW or (
            access.order == Order.SEQ_CST and not access.plain)
        if locked and state.buffers[t]:
            return ()               # a locked instruction drains first
        if kind is Kind.STORE:
            if locked:
                return (Step(state.write(i, access.value, event)),)
            return (Step(state.buffer(t, i, access.value, event)),)
        old, source = state.values[i], state.writers[i]
        new = access.apply(old)
        after = state if new is None else state.write(i, new, event)
        return (Step(after, old, source),)

    @staticmethod
    def _read(state: TsoState, t: int, i: int) -> tuple[int, EventId]:
        buffered = state.buffers[t]
        for k in range(len(buffered) - 1, -1, -1):
            if buffered[k][0] == i:
                return buffered[k][1], state.ids[t][k]
        return state.values[i], state.writers[i]

    def internal(self, state: TsoState) -> Sequence[Internal]:
        out = []
        for t, buffered in enumerate(state.buffers):
            if buffered:
                after, note = state.flush(t)
                out.append(Internal(after, t, note))
        return out

    def settle(self, state: TsoState) -> TsoState:
        for t in range(len(state.buffers)):
            while state.buffers[t]:
                state, _ = state.flush(t)
        return state

    def latest(self, state: TsoState, loc: str) -> tuple[int, EventId]:
        i = state.layout.of(loc)
        return state.values[i], state.writers[i]


MODEL = TsoModel()
