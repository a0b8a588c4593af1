"""What `evaluate weaken` prints and writes: the plain-text table of
sites x frontier points (72 columns), the reasons with their traces,
and the JSON document (schema evaluate.weaken/1).

Schema evaluate.weaken/1: {"schema", "variant", "models", "sites":
[{name, kind, level, func, where, pinned}], "points": [{name, orders:
{site: level}, changed: {site: level}, why: [Reason.to_json()],
census}], "base_census", "complete", "budget_spent", "unexplored",
"unknown": [{site: level}], "checks" (points checked), "inferred"
(points decided by monotonicity, not checked), "model_checks" (run
by this search), "resumed_checks" (answered by the journal: --resume),
"space" (points in the lattice), "seconds", "notes"}.  Levels are
lattice names ("absent" for a fence that is not there).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

from .. import memory_models
from . import lattice
from .frontier import Point
from .run import Weakening
from .why import Reason, reasons

SCHEMA = "evaluate.weaken/1"
NAME_WIDTH, CELL_WIDTH, WIDTH = 40, 8, 72
POINTS_PER_TABLE = (WIDTH - NAME_WIDTH) // CELL_WIDTH - 1   # and "base"


def point_name(base: str, number: int) -> str:
    return f"{base}-weakest-{number}"


def names(weakening: Weakening) -> list[str]:
    return [point_name(weakening.subject.name, n)
            for n in range(1, len(weakening.frontier.points) + 1)]


def _row(label: str, cells: Sequence[str]) -> list[str]:
    lines = [label] if len(label) >= NAME_WIDTH else []
    head = "" if lines else label
    lines.append((head.ljust(NAME_WIDTH) + "".join(
        c.ljust(CELL_WIDTH) for c in cells)).rstrip())
    return lines


def table(weakening: Weakening,
          census: Mapping[int, Mapping[str, str]] | None = None
          ) -> list[str]:
    """Sites down, the base and the points across (#1, #2, ... as the
    list under the table names them), POINTS_PER_TABLE at a time."""
    sites = weakening.subject.sites
    points = weakening.frontier.points
    pinned = set(weakening.request.pins)
    out: list[str] = []
    for first in range(0, max(len(points), 1), POINTS_PER_TABLE):
        chunk = range(first, min(first + POINTS_PER_TABLE, len(points)))
        out += [""] if out else []
        out += _row("site", ["base", *(f"#{i + 1}" for i in chunk)])
        for s, site in enumerate(sites):
            mark = " (pinned)" if site.name in pinned else ""
            out += _row(site.name + mark, [
                lattice.name(site.kind, site.level),
                *(lattice.name(site.kind, points[i][s]) for i in chunk)])
        # census rows: labelled as the base's are; "-" for a point
        # that could not be built
        for row, value in (census or {}).get(-1, {}).items():
            out += _row(row, [value, *(census.get(i, {}).get(row, "-")
                                       for i in chunk)])
    return out


def wrap(text: str, indent: str = "") -> list[str]:
    return textwrap.wrap(text, WIDTH, subsequent_indent=indent,
                         break_on_hyphens=False, break_long_words=False)


def summary(weakening: Weakening) -> list[str]:
    f = weakening.frontier
    models = ", ".join(memory_models.info(m).label
                       for m in weakening.request.models)
    free = len(weakening.subject.sites) - len(weakening.request.pins)
    state = ("complete: every weakest safe ordering" if f.complete else
             f"INCOMPLETE: {f.unexplored} region(s) of the lattice not "
             "decided; other weakest safe orderings may exist")
    lines = wrap(f"{weakening.subject.name}: {len(f.points)} weakest safe "
                 f"ordering(s) under {models} ({state}).")
    lines += wrap(f"{len(weakening.subject.sites)} sites ({free} free, "
                  f"{len(weakening.request.pins)} pinned); {f.checks} "
                  f"points checked of the {f.space} the lattice has "
                  f"({f.inferred} more decided by monotonicity), "
                  f"{weakening.cells} model checks"
                  + (f" (and {weakening.resumed} from the journal)"
                     if weakening.resumed else "") + ", "
                  f"{weakening.seconds:.1f} s.")
    if f.unknown:
        lines += wrap(f"{len(f.unknown)} candidate(s) reached a limit "
                      "(unknown, never taken as safe): raise "
                      "--max-states to decide them.")
    if f.budget_spent:
        lines += wrap("The check budget (--budget-checks) ran out: raise "
                      "it to finish the search.")
    return lines


def why_lines(weakening: Weakening, trace_line) -> list[str]:
    """Per point, per site above its minimum: the sentence and the
    trace (a trace already shown is referred to, not repeated)."""
    out: list[str] = []
    shown: dict[tuple, str] = {}
    for name, point in zip(names(weakening), weakening.frontier.points):
        out += ["", f"== why each barrier of {name} stays =="]
        found = point_reasons(weakening, point)
        if not found:
            out.append("(every site is at its weakest level)")
        for reason in found:
            out += [""] + wrap(reason.sentence, "    ")
            if not reason.trace:
                continue
            if reason.trace in shown:
                out.append(f"(same trace as {shown[reason.trace]})")
                continue
            shown[reason.trace] = f"{name} at {reason.site.name}"
            out += [part for line in reason.trace[:-1]
                    for part in trace_line(line)]
    return out


def point_reasons(weakening: Weakening, point: Point) -> list[Reason]:
    return reasons(weakening.frontier, weakening.subject.sites, point)


def _orders(sites, point: Point, changed_only: bool) -> dict[str, str]:
    return {s.name: lattice.name(s.kind, level)
            for s, level in zip(sites, point)
            if not changed_only or level != s.level}


def document(weakening: Weakening, census: Mapping | None = None,
             notes: Sequence[str] = ()) -> dict:
    f = weakening.frontier
    sites = weakening.subject.sites
    pins = set(weakening.request.pins)
    return {
        "schema": SCHEMA,
        "variant": weakening.subject.name,
        "models": list(weakening.request.models),
        "sites": [{"name": s.name, "kind": s.kind,
                   "level": lattice.name(s.kind, s.level), "func": s.func,
                   "where": str(s.where), "pinned": s.name in pins}
                  for s in sites],
        "points": [{"name": name,
                    "orders": _orders(sites, point, False),
                    "changed": _orders(sites, point, True),
                    "why": [r.to_json()
                            for r in point_reasons(weakening, point)],
                    "census": (census or {}).get(i)}
                   for i, (name, point) in enumerate(
                       zip(names(weakening), f.points))],
        "base_census": (census or {}).get(-1),
        "complete": f.complete,
        "budget_spent": f.budget_spent,
        "unexplored": f.unexplored,
        "unknown": [_orders(sites, p, True) for p in f.unknown],
        "checks": f.checks,
        "inferred": f.inferred,
        "model_checks": weakening.cells,
        "resumed_checks": weakening.resumed,
        "space": f.space,
        "seconds": round(weakening.seconds, 3),
        "notes": list(notes),
    }


def written(saved, base: str, notes: Sequence[str]) -> list[str]:
    """Where the points went, and how to look at them."""
    kept = [item for item in saved if item.spec is not None]
    lines = [""]
    if kept:
        lines += wrap("Each point is a plain-C variant: "
                      + ", ".join(str(item.spec) for item in kept) + ".")
        lines += wrap(f"See one as a patch: evaluate diff {base} "
                      f"{kept[0].spec}")
    return lines + [line for note in notes for line in wrap(note, "    ")]
