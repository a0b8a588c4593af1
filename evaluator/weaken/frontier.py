"""The frontier: every minimal safe assignment of orders to sites.

A point gives each site a level of its lattice (lattice.py).  It is
safe when the oracle shows it safe under every chosen model; "unknown"
(a search limit) is never safe.  Safety is monotone -- a stronger order
never adds an execution -- so the safe points form an up-set, and the
frontier is its set of minimal elements.  The search finds all of them
without walking the product lattice:

    M := {}              minimal safe points found so far
    C := {top}           the maximal points not above any point of M
    repeat:
        check every point of C;
        if none is safe, M is complete: a safe point above no point of
        M lies below some point of C, which would then be safe too;
        else weaken a safe point of C one site one step at a time while
        it stays safe: a minimal point m; add it to M, and replace each
        c >= m in C by the maximal points below c that are not >= m.

The result does not depend on the order sites are visited (unlike a
greedy pass, which returns one point of many); only which minimal point
is found first does.  A point on the way (a candidate, a descent
trial) that lies above a point checked safe, or below one checked unsafe
under some model, is decided by monotonicity without a check; every
reported point, and every one-step weakening of it, is checked itself
(never inferred), so each reason is a real counterexample.  Every pair
of checked points is compared: a safe point below an unsafe one, under
one model, breaks monotonicity, which is a checker bug, reported as a
CheckerError.

Entry point: find_frontier(kinds, start, oracle, ...).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ..errors import CheckerError
from ..orders import Order
from . import lattice

Point = tuple[Order, ...]
SAFE, UNSAFE, UNKNOWN = "safe", "unsafe", "unknown"


@dataclass(frozen=True)
class Outcome:
    """The oracle's answer for one point."""

    verdict: str                            # SAFE | UNSAFE | UNKNOWN
    per_model: Mapping[str, str] = field(default_factory=dict)
    detail: object = None                   # e.g. the CheckResults
    inferred: object = None                 # the checked point implying it


Oracle = Callable[[Sequence[Point]], list[Outcome]]


@dataclass(frozen=True)
class Frontier:
    points: tuple[Point, ...]               # minimal safe, found order
    complete: bool                          # every minimal point found
    unexplored: int                         # candidates left untested
    unknown: tuple[Point, ...]              # candidates a limit stopped
    checked: Mapping[Point, Outcome]        # every oracle answer
    space: int                              # points in the lattice
    reasons: Mapping[Point, Mapping[int, tuple[Point, Outcome]]]
    budget_spent: bool = False              # --budget-checks stopped it
    inferred: int = 0                       # points decided by monotonicity

    @property
    def checks(self) -> int:
        return len(self.checked)


class BudgetSpent(Exception):
    """The check budget ran out."""


class _Search:
    def __init__(self, kinds: Sequence[str], pinned: Sequence[bool],
                 oracle: Oracle, budget: int | None,
                 on_minimal: Callable[[Point], None], batch: int | None):
        self.kinds = tuple(kinds)
        self.pinned = tuple(pinned)
        self.oracle = oracle
        self.budget = budget
        self.on_minimal = on_minimal
        self.batch = batch
        self.checked: dict[Point, Outcome] = {}
        self.inferred: dict[Point, Outcome] = {}
        self.candidates: list[Point] = []

    # -- the order
    def leq(self, a: Point, b: Point) -> bool:
        return all(lattice.leq(k, x, y) for k, x, y in zip(self.kinds, a, b))

    def lower_covers(self, p: Point) -> list[tuple[int, Point]]:
        out = []
        for i, kind in enumerate(self.kinds):
            if self.pinned[i]:
                continue
            for v in lattice.lower_covers(kind, p[i]):
                out.append((i, p[:i] + (v,) + p[i + 1:]))
        return out

    # -- checking
    def check(self, points: Sequence[Point],
              infer: bool = True) -> list[Outcome]:
        """The outcome of each point: checked by the oracle, or, with
        `infer`, implied by monotonicity from a point already checked
        (safe above a safe point, unsafe below an unsafe one)."""
        if infer:
            for point in dict.fromkeys(points):
                if point not in self.checked and point not in self.inferred:
                    implied = self.implied(point)
                    if implied is not None:
                        self.inferred[point] = implied
        todo = [p for p in dict.fromkeys(points) if p not in self.checked
                and not (infer and p in self.inferred)]
        if todo:
            if self.budget is not None and \
                    len(self.checked) + len(todo) > self.budget:
                raise BudgetSpent
            for point, outcome in zip(todo, self.oracle(todo)):
                self.monotone(point, outcome)
                self.checked[point] = outcome
        return [self.checked.get(p) or self.inferred[p] for p in points]

    def known(self, point: Point) -> Outcome:
        return self.checked.get(point) or self.inferred.get(point) or \
            Outcome(UNKNOWN)

    def implied(self, point: Point) -> Outcome | None:
        """Monotonicity: above a safe point is safe, below a point
        unsafe under some model is unsafe under it."""
        for old, seen in self.checked.items():
            if seen.verdict == SAFE and self.leq(old, point):
                return Outcome(SAFE, dict(seen.per_model), inferred=old)
            unsafe = [m for m, v in seen.per_model.items() if v == UNSAFE]
            if unsafe and self.leq(point, old):
                return Outcome(UNSAFE, {m: UNSAFE for m in unsafe},
                               inferred=old)
        return None

    def monotone(self, new: Point, outcome: Outcome) -> None:
        for old, seen in self.checked.items():
            for low, high, lo, hi in ((old, new, seen, outcome),
                                      (new, old, outcome, seen)):
                if not self.leq(low, high):
                    continue
                for model, verdict in lo.per_model.items():
                    if verdict == SAFE and hi.per_model.get(model) == UNSAFE:
                        raise CheckerError(
                            f"monotonicity broken under {model}: a weaker "
                            "assignment is safe and a stronger one unsafe "
                            f"({_text(low)} safe, {_text(high)} unsafe)",
                            hint="this is a checker bug: please report it "
                                 "with both assignments")

    # -- the search
    def descend(self, point: Point) -> Point:
        """Weaken a safe point site by site, each to its weakest level
        that stays safe.  A site's weaker levels are tried weakest
        first, one rank of its lattice at a time (relaxed; then acquire
        and release together; ...): the first rank with a safe level
        holds the site's minimal safe levels, and the levels above it
        are never checked.  That matters because a safe check explores
        everything while an unsafe one stops at its first
        counterexample.  One pass is enough: lowering a later site
        cannot make an earlier one's weaker level safe again
        (monotonicity; _reasons checks each one-step weakening of the
        result itself)."""
        for i, kind in enumerate(self.kinds):
            if self.pinned[i]:
                continue
            below = [v for v in lattice.levels(kind)
                     if v != point[i] and lattice.leq(kind, v, point[i])]
            for rank in sorted({lattice.rank(kind, v) for v in below}):
                trials = [point[:i] + (v,) + point[i + 1:] for v in below
                          if lattice.rank(kind, v) == rank]
                safe = [t for t, o in zip(trials, self.check(trials))
                        if o.verdict == SAFE]
                if safe:
                    point = safe[0]
                    break
        return point

    def split(self, c: Point, m: Point) -> list[Point]:
        """The maximal points below c that are not above m."""
        out = []
        for i, kind in enumerate(self.kinds):
            if self.pinned[i]:
                continue        # a one-level lattice: all of it is >= m
            for v in lattice.not_above(kind, m[i]):
                level = lattice.meet(kind, c[i], v)
                out.append(c[:i] + (level,) + c[i + 1:])
        return out

    def run(self, top: Point, found: list[Point]) -> None:
        """The main loop; self.candidates holds C when it stops."""
        self.candidates = [top]
        while True:
            safe = self.first_safe(self.candidates)
            if safe is None:
                return
            minimal = self.descend(safe)
            self.check([minimal], infer=False)    # reported: checked
            found.append(minimal)
            self.on_minimal(minimal)
            self.candidates = self.maximal(
                [d for c in self.candidates
                 for d in ([c] if not self.leq(minimal, c)
                           else self.split(c, minimal))])

    def first_safe(self, points: list[Point]) -> Point | None:
        """The first safe point of C, checking `batch` points at a time
        (the oracle's parallelism): the rest wait, since the descent
        may make them moot (split into points below them), and a safe
        check is the expensive kind."""
        step = self.batch or max(len(points), 1)
        for first in range(0, len(points), step):
            chunk = points[first:first + step]
            safe = [c for c, o in zip(chunk, self.check(chunk))
                    if o.verdict == SAFE]
            if safe:
                return safe[0]
        return None

    def maximal(self, points: list[Point]) -> list[Point]:
        unique = list(dict.fromkeys(points))
        return [p for p in unique
                if not any(q != p and self.leq(p, q) for q in unique)]


def _text(point: Point) -> str:
    return "(" + ", ".join(o.short for o in point) + ")"


def _space(kinds: Sequence[str], pinned: Sequence[bool]) -> int:
    size = 1
    for kind, pin in zip(kinds, pinned):
        size *= 1 if pin else len(lattice.levels(kind))
    return size


def find_frontier(kinds: Sequence[str], start: Point, oracle: Oracle, *,
                  pinned: Sequence[bool] | None = None,
                  budget: int | None = None,
                  on_minimal: Callable[[Point], None] = lambda p: None,
                  batch: int | None = None) -> Frontier:
    """Every minimal safe point of the lattice (pinned sites stay at
    their `start` level).  The oracle takes a batch of points, so a
    caller can check them in parallel: `batch` is how many candidates
    are worth checking at once (None: all); on_minimal hears of each
    minimal point as it is found."""
    pinned = tuple(pinned or (False,) * len(kinds))
    search = _Search(kinds, pinned, oracle, budget, on_minimal, batch)
    top = tuple(start[i] if pinned[i] else lattice.top(k)
                for i, k in enumerate(kinds))
    found: list[Point] = []
    spent = True
    with contextlib.suppress(BudgetSpent):      # a bounded search
        search.run(top, found)
        spent = False
    # C's points not shown unsafe: untested (budget) or unknown (a limit).
    left = [c for c in search.candidates
            if search.known(c).verdict != UNSAFE]
    try:
        reasons = {m: _reasons(search, m) for m in found}
    except BudgetSpent:
        spent = True
        reasons = {m: _known_reasons(search, m) for m in found}
    # A candidate checked safe whose descent the budget cut is left
    # unexplored, not unknown: only a limit makes a point unknown.
    unknown = tuple(c for c in left
                    if c in search.checked
                    and search.checked[c].verdict == UNKNOWN)
    return Frontier(tuple(found), not left, len(left), unknown,
                    dict(search.checked), _space(kinds, pinned), reasons,
                    spent, len(search.inferred))


def _reasons(search: _Search, point: Point):
    """Per site above its minimum: the one-step weakening and what the
    oracle said of it (checked now if the descent inferred nothing)."""
    covers = search.lower_covers(point)
    outcomes = search.check([lower for _, lower in covers], infer=False)
    out: dict[int, tuple[Point, Outcome]] = {}
    for (site, lower), outcome in zip(covers, outcomes):
        out.setdefault(site, (lower, outcome))
    return out


def _known_reasons(search: _Search, point: Point):
    return {site: (lower, search.checked[lower])
            for site, lower in search.lower_covers(point)
            if lower in search.checked}
