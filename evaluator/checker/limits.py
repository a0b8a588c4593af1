"""Search limits: every phase of a check runs against one budget.

A check explores states breadth-first, then continues some of them
(the busy-loop, dropped-work and termination continuations run a thread
alone).  All of it is charged to one `Budget`: one unit per explored
state or continuation step, and a wall-clock deadline.  When either is
exhausted the phase raises `SearchLimit`; the explorer catches it and
the check ends with the verdict *unknown* (never *safe*), recording how
far it got in a `LimitHit`.

Memory grows with the states kept (each explored state stays alive for
its trace), so the state limit is also the memory limit; DEFAULT_MEMORY
gives the measured cost per state for the help text.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from .. import memory_models
from ..errors import CheckerError

DEFAULT_MAX_STATES = 2_000_000
MAX_STATES_KIND, TIMEOUT_KIND, EVENTS_KIND = "max-states", "timeout", \
    "events"
_CLOCK_EVERY = 1024          # charges between two looks at the clock


class SearchLimit(Exception):
    """A phase ran out of budget (states, time) or hit a model bound."""

    def __init__(self, kind: str, detail: str):
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


@dataclass(frozen=True)
class LimitHit:
    """Where a search stopped without deciding: for the verdict's reason
    and the report ("how far it got")."""

    kind: str              # "max-states" | "timeout" | "events"
    phase: str             # "search" | "busy-loop" | "dropped-work" | ...
    detail: str            # what was exhausted, in words
    explored: int          # states explored when it stopped
    steps: int             # continuation steps charged
    depth: int             # BFS depth reached (shortest path length)
    seconds: float

    @property
    def stopped(self) -> str:
        """What was exhausted, when and how far the search got."""
        return (f"{self.detail} during the {self.phase} phase after "
                f"{self.explored} states (depth {self.depth}) and "
                f"{self.steps} continuation steps in {self.seconds:.1f} s")

    @property
    def reason(self) -> str:
        """stopped, and the protocol check's options that would help."""
        fix = {MAX_STATES_KIND: "raise --max-states or lower --rounds/"
                                "--iterations",
               TIMEOUT_KIND: "raise --timeout or lower --rounds/"
                             "--iterations",
               EVENTS_KIND: "lower --rounds/--iterations"}.get(
            self.kind, "lower the scenario bounds")
        return f"{self.stopped}; {fix}"

    def to_json(self) -> dict:
        return {"kind": self.kind, "phase": self.phase,
                "detail": self.detail, "explored": self.explored,
                "steps": self.steps, "depth": self.depth,
                "seconds": round(self.seconds, 3), "reason": self.reason}

    @classmethod
    def from_json(cls, data: dict) -> LimitHit:
        return cls(kind=str(data["kind"]), phase=str(data["phase"]),
                   detail=str(data["detail"]),
                   explored=int(data["explored"]), steps=int(data["steps"]),
                   depth=int(data["depth"]), seconds=float(data["seconds"]))


class Budget:
    """States and time one check may use, shared by all its phases."""

    def __init__(self, max_states: int = DEFAULT_MAX_STATES,
                 timeout: float | None = None):
        if max_states < 1:
            raise CheckerError(f"max states {max_states}",
                               hint="give at least 1")
        if timeout is not None and timeout <= 0:
            raise CheckerError(f"timeout {timeout} s",
                               hint="give a positive number of seconds")
        self.max_states = max_states
        self.timeout = timeout
        self.started = time.monotonic()
        self.deadline = None if timeout is None else self.started + timeout
        self.states = 0
        self.steps = 0
        self.phase = "search"
        self._tick = 0
        # tree_workers.py: the charges of the check's other processes
        self.shared = None
        self.others = 0
        self._synced = 0

    def share(self, total) -> None:
        """Count against `total` too (a multiprocessing.Value: the
        states and steps of every process searching this check, this
        one's included), synced at each look at the clock."""
        self.shared = total
        self._synced = self.states + self.steps
        self.others = total.value - self._synced

    def sync(self) -> None:
        own = self.states + self.steps
        with self.shared.get_lock():
            self.shared.value += own - self._synced
            total = self.shared.value
        self._synced = own
        self.others = total - own

    def state(self) -> None:
        """One more explored state."""
        self.states += 1
        self._charge()

    def step(self, n: int = 1) -> None:
        """n continuation steps (a thread run alone)."""
        self.steps += n
        self._charge(n)

    def _charge(self, n: int = 1) -> None:
        if self.states + self.steps + self.others > self.max_states:
            raise SearchLimit(MAX_STATES_KIND,
                              f"the state limit ({self.max_states} states "
                              "and steps) was reached")
        self._tick += n
        if self._tick >= _CLOCK_EVERY:
            self._tick = 0
            self.check_clock()

    def check_clock(self) -> None:
        if self.shared is not None:
            self.sync()
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise SearchLimit(TIMEOUT_KIND,
                              f"the time limit ({self.timeout:g} s) was "
                              "reached")

    def elapsed(self) -> float:
        return time.monotonic() - self.started


def memory_estimate(max_states: int, isa: str = "c11") -> str:
    """'about 5.2 GB under c11, 1.3 GB under tso, ...' for --help (the
    registry's measured bytes per state, models of `isa` programs)."""
    models = [memory_models.info(name) for name in memory_models.names(isa)]
    parts = [f"{max_states * m.bytes_per_state / 1e9:.1f} GB under {m.name}"
             for m in sorted(models, key=lambda m: -m.bytes_per_state)]
    return "about " + ", ".join(parts)
