"""What a search hands to the properties and back: moves, findings, the
search record, and the two hooks a property plugs into the explorer.

  Check   called at every explored state; returns a Finding or None.
          Its `property` names what it looks for; once found, it is not
          called again.
  Ghost   bookkeeping a property needs that the program does not keep
          (the dropped-work property's "is the BH owed?"): a hashable
          value per state, part of the state's identity, updated on
          every memory move.  A ghost must be a function of the path's
          history that two merged states agree on, or be part of the
          state key (it is: explore.py hashes (threads, memory, ghost)).

These are the interface a different search engine (issue 11's faster
RC11 engine) implements to reuse the properties: call each Check on
every state it reaches with (explorer-like object, node, threads,
memory, counters, ghost), and thread the Ghost through its moves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol
from collections.abc import Hashable

from .limits import LimitHit
from .memory import Access, EventId, Race

if TYPE_CHECKING:
    from .memory import Step

# The explore.Explorer running a search.  explore.py imports this module,
# so its class is named here by its role only (no import cycle).
Explorer = Any


class Move(NamedTuple):
    """One transition: a thread's memory event, or a memory-internal step
    (then `access` is None and `note` says what happened)."""

    thread: int
    index: int | None          # event index in the thread (EventId[1])
    before: tuple | None       # thread state before (pc, fresh, values)
    after: tuple | None        # thread state after
    access: Access | None
    value: int | None
    source: EventId | None
    race: Race | None = None
    note: str = ""
    fused: tuple = ()          # no-op fences run right after this move


@dataclass(frozen=True)
class Finding:
    """A property violation found at `node`, possibly continued by `tail`
    (moves made after that state, e.g. the poller running alone)."""

    property: str
    node: int
    tail: tuple[Move, ...] = ()
    facts: dict = field(default_factory=dict, compare=False)


class Check(Protocol):
    property: str                   # checks stop once it is found

    def __call__(self, explorer: Explorer, node: int, threads: tuple,
                 mem: Hashable, counters: tuple,
                 ghost: Hashable) -> Finding | None: ...


class Ghost(Protocol):
    def initial(self, explorer: Explorer, mem: Hashable) -> Hashable: ...

    def step(self, explorer: Explorer, ghost: Hashable, thread: int,
             event: EventId, before: tuple, access: Access,
             step: Step) -> Hashable: ...


@dataclass
class Search:
    """What a search found, with the paths needed to explain it."""

    explored: int
    cut: int
    findings: dict[str, Finding]
    parents: list[int]
    moves: list[Move | None]
    initial: tuple
    seconds: float
    limit: LimitHit | None = None   # the search stopped without deciding
    stopped: bool = False           # stopped at its first finding
    steps: int = 0                  # continuation steps (limits.Budget)

    @property
    def complete(self) -> bool:
        """Every reachable state was explored."""
        return self.limit is None and not self.stopped

    def path(self, node: int) -> list[Move]:
        out = []
        while node > 0:
            out.append(self.moves[node])
            node = self.parents[node]
        out.reverse()
        return out

    def depth(self, node: int) -> int:
        depth = 0
        while node > 0:
            depth += 1
            node = self.parents[node]
        return depth
