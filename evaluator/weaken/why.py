"""Why each barrier stays: for a frontier point and each site above its
lattice minimum, what breaks when that site is weakened one step.

The frontier search checked every one-step weakening of every point it
reports (frontier._reasons), so each reason here is a check's own
result: the property it broke, under the cheapest model that showed it,
and that check's counterexample (the first the breadth-first search
met, so a shortest one).  The sentence reads like a review comment on
the patch that would weaken the site: "without the seq_cst fence at
aio_notify:smp_mb (notify.c.j2:30), under x86-TSO: lost wakeup: ...".

Entry point: reasons(weakening, point) -> list[Reason].
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import memory_models
from ..orders import Order
from ..checker.results import CheckResult
from . import lattice
from .frontier import UNKNOWN, UNSAFE, Outcome, Point
from .sites import Site


@dataclass(frozen=True)
class Reason:
    site: Site
    level: Order                        # at the frontier point
    weakened: Order                     # one step below
    point: Point                        # the weakened point
    verdict: str                        # UNSAFE, or UNKNOWN (a limit)
    model: str                          # the model that said so
    property: str                       # "" when unknown
    trace: tuple[str, ...]              # the counterexample
    sentence: str

    def to_json(self) -> dict:
        return {"site": self.site.name,
                "level": lattice.name(self.site.kind, self.level),
                "weakened_to": lattice.name(self.site.kind, self.weakened),
                "verdict": self.verdict, "model": self.model,
                "property": self.property, "sentence": self.sentence,
                "trace": list(self.trace)}


def _deciding(outcome: Outcome) -> CheckResult | None:
    """The result that makes the point not safe: the first unsafe one
    (models were checked cheapest first), else the first unknown."""
    results = outcome.detail if isinstance(outcome.detail, dict) else {}
    for wanted in (UNSAFE, UNKNOWN):
        for result in results.values():
            if result.verdict == wanted:
                return result
    return None


def change(site: Site, level: Order, weakened: Order) -> str:
    """The change, as a reviewer would name it."""
    at = f"{site.name} ({site.where})"
    if site.kind == lattice.FENCE and weakened == Order.RELAXED:
        return f"without the {level.short} fence at {at}"
    return (f"with {at} {lattice.name(site.kind, weakened)} instead of "
            f"{lattice.name(site.kind, level)}")


def _sentence(site: Site, level: Order, weakened: Order,
              result: CheckResult | None) -> str:
    head = change(site, level, weakened)
    if result is None:
        return f"{head}: not checked (the check budget ran out)"
    label = memory_models.info(result.model).label
    if result.verdict == UNKNOWN:
        return (f"{head}, the check under {label} stopped at a limit "
                f"({result.reason}): it is not shown safe, so the site "
                "stays (raise --max-states to decide it)")
    return f"{head}, under {label}: {result.violations[0].trace[-1]}"


def reasons(frontier, sites: tuple[Site, ...], point: Point
            ) -> list[Reason]:
    """One per site above its minimum, in site order."""
    out = []
    for index, (lower, outcome) in sorted(frontier.reasons[point].items()):
        site = sites[index]
        result = _deciding(outcome)
        trace = result.violations[0].trace if result is not None \
            and result.violations else ()
        out.append(Reason(
            site, point[index], lower[index], lower, outcome.verdict,
            result.model if result is not None else "",
            trace and result.violations[0].property or "",
            tuple(trace),
            _sentence(site, point[index], lower[index], result)))
    return out
