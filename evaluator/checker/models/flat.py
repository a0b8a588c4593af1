"""What the SC and TSO models share: one value per location.

A state compares equal on what decides the future (values, store
buffers) and carries, outside that key, which write each value came
from: traces need it ("reads 1 from P0#3"), the future does not, so two
paths that wrote the same values through different writes meet in one
state.
"""

from __future__ import annotations

from collections.abc import Mapping

from ...errors import CheckerError
from ..memory import INIT_THREAD, EventId


class Layout:
    """Location names <-> indexes, fixed for one run."""

    __slots__ = ("names", "index")

    def __init__(self, init: Mapping[str, int]):
        self.names = tuple(sorted(init))
        self.index = {name: i for i, name in enumerate(self.names)}

    def of(self, loc: str) -> int:
        try:
            return self.index[loc]
        except KeyError:
            raise CheckerError(f"access to unknown location {loc!r}",
                               hint="known: " + ", ".join(self.names)) \
                from None


def initial_values(init: Mapping[str, int], layout: Layout
                   ) -> tuple[tuple[int, ...], tuple[EventId, ...]]:
    values = tuple(int(init[name]) for name in layout.names)
    writers = tuple((INIT_THREAD, i) for i in range(len(layout.names)))
    return values, writers


def replace(items: tuple, i: int, item) -> tuple:
    return items[:i] + (item,) + items[i + 1:]
