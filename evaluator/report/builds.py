"""What the armv8 model says of each AArch64 build, for the report.

A C11 verdict is about the language; a build verdict is about the
instructions one compiler emitted for one -march (build/lifted.py).
This module gathers the build cells of check.json per variant and
explains, one sentence per variant, where the two disagree: the C11
verdict is read under the reading of the same compiler (clang's builds
against the C as clang reads it), so a difference is the build's, not
the builtins'.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..build import targets
from ..checker.results import SAFE, UNKNOWN, UNSAFE, CheckResult
from .safety import and_list, outranks

C11 = "c11"
# How a trace opens each call of the scenario's loops (trace.py), and how
# Scenario.describe() states its bounds, per bounded call.
_CALLS = {
    "qemu_bh_schedule": (re.compile(r"-- qemu_bh_schedule\(ctx\) #(\d+)"),
                         re.compile(r"(\d+) round\(s\) of qemu_bh_")),
    "aio_poll": (re.compile(r"-- aio_poll\(ctx, true\) #(\d+)"),
                 re.compile(r"cut after (\d+) aio_poll calls"))}


@dataclass(frozen=True)
class BuildRow:
    variant: str
    c11: Mapping[str, str | None]       # compiler reading -> C11 verdict
    builds: Mapping[str, CheckResult]   # build name -> its check


def strongest(results: Iterable[CheckResult]) -> dict[tuple, CheckResult]:
    """Per (variant, model, cc, build) the deciding result: unsafe over
    unknown over safe (several syscall semantics may have been run)."""
    out: dict[tuple, CheckResult] = {}
    for r in results:
        key = (r.variant, r.model, r.cc, r.build)
        held = out.get(key)
        if held is None or outranks(r.verdict, held.verdict):
            out[key] = r
    return out


def build_rows(results: Iterable[CheckResult],
               names: Iterable[str]) -> list[BuildRow]:
    """One row per variant of `names` that has build checks."""
    cells = strongest(results)
    rows = []
    for name in names:
        builds = {b: r for (v, _, _, b), r in cells.items()
                  if v == name and b}
        if not builds:
            continue
        c11 = {cc: r.verdict for (v, m, cc, b), r in cells.items()
               if v == name and m == C11 and not b}
        order = [t.name for t in targets.TARGETS if t.name in builds]
        rows.append(BuildRow(name, c11, {b: builds[b] for b in order}))
    return rows


def build_names(rows: Iterable[BuildRow]) -> list[str]:
    """The builds present, in registry order."""
    present = {b for row in rows for b in row.builds}
    return [t.name for t in targets.TARGETS if t.name in present]


def first_property(result: CheckResult) -> str:
    return result.violations[0].property if result.violations \
        else result.verdict


def calls_needed(result: CheckResult) -> dict[str, int]:
    """Per bounded call, how many the result's first counterexample
    makes (the most by one thread)."""
    trace = result.violations[0].trace if result.violations else ()
    return {call: max((int(m.group(1)) for line in trace
                       for m in [opens.search(line)] if m), default=0)
            for call, (opens, _) in _CALLS.items()}


def calls_allowed(result: CheckResult) -> dict[str, int]:
    """Per bounded call, the bound the result was checked with (0 when
    its scenario does not say)."""
    out = {}
    for call, (_, bound) in _CALLS.items():
        found = bound.search(result.scenario)
        out[call] = int(found.group(1)) if found else 0
    return out


def beyond_bounds(c11: CheckResult, checked: Iterable[CheckResult]
                  ) -> list[tuple[str, int, int]]:
    """(call, made, allowed) for each bounded call that C11's
    counterexample makes more of than some build check allowed."""
    allowed = [calls_allowed(r) for r in checked]
    out = []
    for call, made in calls_needed(c11).items():
        least = min((a[call] for a in allowed if a[call]), default=0)
        if 0 < least < made:
            out.append((call, made, least))
    return out


def _differences(row: BuildRow) -> dict[tuple[str, str], list[str]]:
    """(direction, cc) -> builds whose verdict differs from C11 under
    that compiler's reading; direction "stronger" (C11 unsafe, build
    safe) or "weaker" (C11 safe, build unsafe)."""
    out: dict[tuple[str, str], list[str]] = {}
    for build, result in row.builds.items():
        cc = targets.get(build).cc
        c11 = row.c11.get(cc)
        if c11 == UNSAFE and result.verdict == SAFE:
            out.setdefault(("stronger", cc), []).append(build)
        elif c11 == SAFE and result.verdict == UNSAFE:
            out.setdefault(("weaker", cc), []).append(build)
    return out


def difference_sentences(results: Iterable[CheckResult],
                         names: Iterable[str]) -> list[str]:
    """One sentence per variant and direction in which a build's verdict
    differs from C11's (under the same compiler's reading); variants
    that differ in the same plain way share one sentence."""
    results = list(results)
    cells = strongest(results)
    out = []
    shared: dict[tuple, list[str]] = {}
    for row in build_rows(results, names):
        c11 = {cc: r for (v, m, cc, b), r in cells.items()
               if v == row.variant and m == C11 and not b}
        for (direction, cc), builds in _differences(row).items():
            plain = direction == "stronger" and not beyond_bounds(
                c11[cc], [row.builds[b] for b in builds])
            if plain:
                key = (cc, tuple(builds), first_property(c11[cc]))
                shared.setdefault(key, []).append(row.variant)
            else:
                out.append(_sentence(row, direction, cc, builds, c11[cc]))
    return [_held_by_choice(variants, *key)
            for key, variants in shared.items()] + out


def _held_by_choice(variants: list[str], cc: str, builds: tuple[str, ...],
                    broken: str) -> str:
    emitted = and_list([f"{b} ({targets.get(b).emits})" for b in builds])
    one = len(variants) == 1
    return (f"{and_list(variants)} {'is' if one else 'are'} unsafe under C11 "
            f"as {cc} reads {'it' if one else 'them'} ({broken}) but safe "
            f"as {emitted} builds {'it' if one else 'them'}: that code "
            "orders more than the C asks for, so it holds by the "
            "compiler's choice, not by the source.")


def _sentence(row: BuildRow, direction: str, cc: str, builds: list[str],
              c11: CheckResult) -> str:
    emitted = and_list([f"{b} ({targets.get(b).emits})" for b in builds])
    if direction == "weaker":
        broken = and_list(sorted({first_property(row.builds[b])
                               for b in builds}))
        return (f"{row.variant} is safe under C11 as {cc} reads it but "
                f"breaks ({broken}) as {emitted} builds it: the emitted "
                "code allows what the C forbids, a compiler or checker "
                "bug worth reporting.")
    beyond = beyond_bounds(c11, [row.builds[b] for b in builds])
    made = and_list([f"{n} {call} calls" for call, n, _ in beyond])
    allowed = and_list([f"{a}" for _, _, a in beyond])
    return (f"{row.variant} is unsafe under C11 as {cc} reads it "
            f"({first_property(c11)} in {made}); {emitted} showed "
            f"nothing within the {allowed} the builds were checked "
            "with, which does not make them safe.")


def unknown_builds(rows: Iterable[BuildRow]) -> list[tuple[str, str, str]]:
    """(variant, build, reason) of the build checks that reached a limit."""
    return [(row.variant, b, r.reason or "a limit was reached")
            for row in rows for b, r in row.builds.items()
            if r.verdict == UNKNOWN]


# ---- what every renderer shows -------------------------------------------

@dataclass(frozen=True)
class BuildColumn:
    head: str           # "C11 gcc" or a build's column head
    cc: str             # the compiler of the group
    build: str = ""     # "" for the C11 column of the group


def build_columns(builds: Iterable[str]) -> list[BuildColumn]:
    """Per compiler: its C11 reading, then its builds (registry order)."""
    chosen = [targets.get(b) for b in builds]
    columns: list[BuildColumn] = []
    for cc in dict.fromkeys(t.cc for t in chosen):
        columns.append(BuildColumn(f"C11 {cc}", cc))
        columns += [BuildColumn(t.column, cc, t.name) for t in chosen
                    if t.cc == cc]
    return columns


def cell_verdict(row: BuildRow, column: BuildColumn) -> str | None:
    if column.build:
        result = row.builds.get(column.build)
        return result.verdict if result else None
    return row.c11.get(column.cc)


def broken_builds(rows: Iterable[BuildRow]) -> dict[str, list[str]]:
    """property -> 'variant (build, build)' for every unsafe build."""
    out: dict[str, dict[str, list[str]]] = {}
    for row in rows:
        for build, result in row.builds.items():
            if result.verdict == UNSAFE:
                out.setdefault(first_property(result), {}).setdefault(
                    row.variant, []).append(build)
    return {prop: [f"{v} ({', '.join(b)})" for v, b in per.items()]
            for prop, per in out.items()}
