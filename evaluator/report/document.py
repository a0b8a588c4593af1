"""The report as one document of typed sections.

build_report() turns, per machine, a ranking, its samples and the
checker results into an ordered tuple of sections; the renderers (text,
markdown, jsondoc) each have one function per section type and walk the
sections in the order given here, so the order of the report is decided
in one place: SECTIONS.  Adding a section is one builder in SECTIONS,
its dataclass, and one function per renderer.

Unsafe variants (unsafe under any model checked) appear only in the
Rejected section: never in a ranked table, the census or the
recommendation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from .. import __version__
from ..checker.check import CheckResult
from ..controls import LOCK, arm_name, base_name, is_control
from ..diff import change_items, protocol_diff
from ..errors import EvaluateError, ReportError
from ..paths import ProjectPaths
from ..render import render_variant
from ..samples import SampleSet
from ..stats import Ranking, ScenarioRanking, SelfCheck
from ..stats.precision import ScenarioPrecision, precision
from ..variants import Variant
from .content import (CensusRow, DynamicRow, barrier_lines, census_rows,
                      dynamic_path, dynamic_rows, environment_items,
                      fault_lines, is_quick, machine_label, recommendation,
                      semantics_assumed)
from .builds import (BuildRow, build_names, build_rows,
                     difference_sentences, unknown_builds)
from .safety import (CompilerSplit, Safety, compiler_caveat,
                     compiler_splits, run_reading, safety_of)


@dataclass(frozen=True)
class MachineRun:
    """What one machine contributes: its samples (several runs of the
    same machine may be pooled beforehand), checker results, ranking."""

    sample_set: SampleSet
    check_results: Sequence[CheckResult]
    ranking: Ranking
    runs: int = 1


@dataclass(frozen=True)
class Machine:
    """Facts about one machine's part that several sections share."""

    label: str
    sample_set: SampleSet
    ranking: Ranking
    safety: Mapping[str, Safety]
    semantics: str
    runs: int
    quick: bool
    rejected: tuple[str, ...]          # unsafe: listed, never ranked
    ranked_names: tuple[str, ...]      # everything else but the controls
    reading: str = "gcc"               # the compiler the run was built with
    unknown: tuple[str, ...] = ()      # a limit left a verdict open
    splits: tuple[CompilerSplit, ...] = ()  # verdicts that follow the cc
    checks: tuple[CheckResult, ...] = ()    # every checker result


# ---- section types ---------------------------------------------------


@dataclass(frozen=True)
class Preamble:
    machine: Machine
    several: bool                       # more than one machine in the doc


@dataclass(frozen=True)
class Incomplete:
    """The run did not end normally: say so before anything else."""

    how: str                            # "interrupted (Ctrl-C) after 42 s"
    missing: Mapping[str, tuple[str, ...]]  # scenario -> unmeasured arms


@dataclass(frozen=True)
class Recommendation:
    text: str


@dataclass(frozen=True)
class SelfValidation:
    checks: tuple[SelfCheck, ...]
    ratios: Mapping[str, Mapping[str, float | None]]  # variant -> scen.
    barrier: tuple[str, ...]            # one-lock control, per scenario
    barrier_resolved: bool | None


@dataclass(frozen=True)
class Precision:
    """MDE per scenario, the A/A noise floor and regimes (stats)."""

    scenarios: tuple[ScenarioPrecision, ...]


@dataclass(frozen=True)
class ExecutedScenario:
    scenario: str
    path: str                           # the one-operation path
    rows: tuple[DynamicRow, ...]


@dataclass(frozen=True)
class Executed:
    """The dynamic census: what one operation executes, per scenario."""

    scenarios: tuple[ExecutedScenario, ...]
    architecture: str                   # what the timings ran on


@dataclass(frozen=True)
class ScenarioTables:
    scenario: ScenarioRanking
    ranking: Ranking
    safety: Mapping[str, Safety]


@dataclass(frozen=True)
class Faults:
    lines: tuple[str, ...]              # hung or crashed, not rejected


@dataclass(frozen=True)
class Census:
    rows: tuple[CensusRow, ...]


@dataclass(frozen=True)
class VariantEntry:
    name: str
    spec: Variant | None                # None: no spec file known
    changes: str = ""                   # one line: what differs from base
    diff: str = ""                      # unified diff of the protocol code


@dataclass(frozen=True)
class VariantList:
    entries: tuple[VariantEntry, ...]
    machine: Machine                    # verdicts and per-scenario data


@dataclass(frozen=True)
class RejectedEntry:
    name: str
    reason: str
    faults: tuple[str, ...]             # what it also did in the bench


@dataclass(frozen=True)
class Rejected:
    entries: tuple[RejectedEntry, ...]


@dataclass(frozen=True)
class Unknown:
    """Variants a search limit left undecided: never ranked."""

    entries: tuple[tuple[str, str, Mapping[str, str]], ...]
    # (name, one-line verdicts, model -> why it is unknown)


@dataclass(frozen=True)
class Aarch64Builds:
    """Verdicts of the instructions each AArch64 build emitted (armv8),
    beside C11's under the same compiler's reading."""

    builds: tuple[str, ...]             # build names, registry order
    rows: tuple[BuildRow, ...]
    scenario: str                       # the bounds they were checked at
    differences: tuple[str, ...]        # one sentence per case
    unknown: tuple[tuple[str, str, str], ...]   # variant, build, reason


@dataclass(frozen=True)
class Readings:
    """Which compiler's reading the verdicts are for, and the variants
    whose verdict changes with the compiler."""

    reading: str
    splits: tuple[CompilerSplit, ...]


@dataclass(frozen=True)
class WeakestEntry:
    name: str
    base: str                           # what evaluate weaken weakened
    rank: Mapping[str, int]             # scenario -> place (1 = fastest)
    ratio: Mapping[str, float]          # scenario -> time vs baseline
    census: Mapping[str, Mapping[str, int] | None]   # arch -> totals
    of: int                             # variants ranked
    baseline_census: Mapping[str, Mapping[str, int] | None] | None = None


@dataclass(frozen=True)
class Weakest:
    """The weakest safe orderings `evaluate weaken` found (variants
    whose provenance says so), ranked with the others: shown only when
    the run has some."""

    entries: tuple[WeakestEntry, ...]
    baseline: str


@dataclass(frozen=True)
class Environment:
    items: tuple[tuple[str, str], ...]  # labelled facts, in reading order
    environment: Mapping[str, object]   # as recorded
    command_line: str                   # of the report
    semantics: str


# Every section type; each renderer (text, markdown, jsondoc) has one
# function per type, named after it (ScenarioTables -> scenario_tables).
SECTION_TYPES = (Preamble, Incomplete, Recommendation, SelfValidation,
                 Precision, ScenarioTables, Executed, Faults, Census,
                 VariantList, Rejected, Unknown, Aarch64Builds, Readings,
                 Weakest, Environment)


def renderer_name(section_type: type) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", section_type.__name__).lower()


def renderers(namespace: Mapping[str, object]) -> dict[type, Callable]:
    """A renderer module's function for each section type, by name; a
    renderer that lacks one fails at import, not in some report."""
    missing = [renderer_name(t) for t in SECTION_TYPES
               if not callable(namespace.get(renderer_name(t)))]
    if missing:
        raise TypeError("renderer lacks " + ", ".join(missing))
    return {t: namespace[renderer_name(t)] for t in SECTION_TYPES}


@dataclass(frozen=True)
class MachineReport:
    machine: Machine
    sections: tuple[object, ...]


@dataclass(frozen=True)
class ReportDoc:
    machines: tuple[MachineReport, ...]
    variants: Mapping[str, Variant]
    command_line: str
    date: str
    version: str


# ---- builders, in report order ---------------------------------------

Builder = Callable[[Machine, "ReportContext"], Iterable[object]]


@dataclass(frozen=True)
class ReportContext:
    variants: Mapping[str, Variant]
    command_line: str
    several: bool
    paths: ProjectPaths | None          # to render diffs; None: none


def _preamble(m: Machine, ctx: ReportContext):
    yield Preamble(m, ctx.several)


def _incomplete(m: Machine, ctx: ReportContext):
    sample_set = m.sample_set
    if sample_set.complete:
        return
    ending = sample_set.ending
    if ending is None:
        how = ("it has no end record: it was killed, or is still being "
               "written")
    else:
        how = f"it was {ending.status} ({ending.reason}) after " \
              f"{ending.seconds:.0f} s"
    bench = sample_set.environment.get("bench") or {}
    # Reached: measured, or hung/crashed there (a fault is a result).
    measured = {(r.scenario, r.variant)
                for r in (*sample_set.samples, *sample_set.faults)}
    missing = {sc: tuple(v for v in bench.get("variants", [])
                         if (sc, v) not in measured)
               for sc in bench.get("scenarios", [])}
    yield Incomplete(how, {sc: arms for sc, arms in missing.items()
                           if arms})


def _recommendation(m: Machine, ctx: ReportContext):
    names = [*m.ranked_names, *m.rejected, *m.unknown]
    yield Recommendation(recommendation(
        m.ranking, m.safety, m.sample_set.environment, m.semantics,
        m.quick, compiler_caveat(m.splits, m.ranked_names, m.reading),
        " ".join(difference_sentences(m.checks, names))))


def _self_validation(m: Machine, ctx: ReportContext):
    ratios = {c.variant: {sc: m.ranking.scenario(sc).vs_baseline[
        c.variant].ratio for sc in c.verdicts}
        for c in m.ranking.self_checks}
    yield SelfValidation(m.ranking.self_checks, ratios,
                         tuple(barrier_lines(m.ranking)),
                         m.ranking.barrier_resolved)


def _precision(m: Machine, ctx: ReportContext):
    r = m.ranking
    yield Precision(tuple(precision(m.sample_set, s.scenario, r.baseline,
                                    s.mde, r.family, r.alpha, r.seed)
                          for s in r.scenarios))


def _scenarios(m: Machine, ctx: ReportContext):
    for scenario in m.ranking.scenarios:
        yield ScenarioTables(scenario, m.ranking, m.safety)


def _faults(m: Machine, ctx: ReportContext):
    yield Faults(tuple(fault_lines(m.sample_set, m.ranking,
                                   m.ranked_names)))


def _executed(m: Machine, ctx: ReportContext):
    lock = arm_name(m.ranking.baseline, LOCK)
    parts = []
    for s in m.ranking.scenarios:
        names = [v for v in s.order] + ([lock] if lock in s.estimates
                                        else [])
        parts.append(ExecutedScenario(
            s.scenario, dynamic_path(s.scenario),
            tuple(dynamic_rows(m.sample_set.dynamic, s, names))))
    machine = str(m.sample_set.environment.get("machine") or "unknown")
    yield Executed(tuple(parts), machine)


WEAKEN_PROVENANCE = "evaluate weaken from "


def _weakest_entry(m: Machine, name: str, base: str) -> WeakestEntry:
    scenarios = m.ranking.scenarios
    row, base_row = census_rows(m.sample_set.census,
                                [name, m.ranking.baseline])
    return WeakestEntry(
        name, base,
        {s.scenario: list(s.order).index(name) + 1 for s in scenarios
         if name in s.order},
        {s.scenario: s.vs_baseline[name].ratio for s in scenarios
         if name in s.vs_baseline},
        row.totals, len(m.ranked_names), base_row.totals)


def _weakest(m: Machine, ctx: ReportContext):
    found = [(n, ctx.variants[n].provenance[len(WEAKEN_PROVENANCE):])
             for n in m.ranked_names if n in ctx.variants
             and ctx.variants[n].provenance.startswith(WEAKEN_PROVENANCE)]
    if found:
        yield Weakest(tuple(_weakest_entry(m, n, b) for n, b in found),
                      m.ranking.baseline)


def _census(m: Machine, ctx: ReportContext):
    yield Census(tuple(census_rows(m.sample_set.census, m.ranked_names)))


def _entry(name: str, baseline: str, ctx: ReportContext) -> VariantEntry:
    spec = ctx.variants.get(base_name(name))
    base = ctx.variants.get(baseline)
    if spec is None or base is None or name == baseline \
            or ctx.paths is None:
        return VariantEntry(name, spec)
    try:
        diff = protocol_diff(render_variant(base, ctx.paths),
                             render_variant(spec, ctx.paths))
    except EvaluateError as exc:        # the spec changed since the run
        return VariantEntry(name, spec, f"(no diff: {exc})")
    return VariantEntry(name, spec, "; ".join(change_items(base, spec)),
                        diff)


def _variant_list(m: Machine, ctx: ReportContext):
    yield VariantList(tuple(_entry(n, m.ranking.baseline, ctx)
                            for n in m.ranked_names), m)


def _rejected(m: Machine, ctx: ReportContext):
    faults = fault_lines(m.sample_set, m.ranking, m.rejected)
    yield Rejected(tuple(
        RejectedEntry(name, m.safety[name].reason(),
                      tuple(f.split(": ", 1)[1] for f in faults
                            if f.startswith(name + ":")))
        for name in m.rejected))


def _unknown(m: Machine, ctx: ReportContext):
    if m.unknown:
        yield Unknown(tuple((n, m.safety[n].reason(), m.safety[n].limits)
                            for n in m.unknown))


def _aarch64_builds(m: Machine, ctx: ReportContext):
    names = [*m.ranked_names, *m.rejected, *m.unknown]
    rows = build_rows(m.checks, names)
    if not rows:
        return
    first = next(iter(rows[0].builds.values()))
    yield Aarch64Builds(tuple(build_names(rows)), tuple(rows),
                        first.scenario,
                        tuple(difference_sentences(m.checks, names)),
                        tuple(unknown_builds(rows)))


def _readings(m: Machine, ctx: ReportContext):
    yield Readings(m.reading, m.splits)


def _environment(m: Machine, ctx: ReportContext):
    env = m.sample_set.environment
    yield Environment(tuple(environment_items(env)), env, ctx.command_line,
                      m.semantics)


SECTIONS: list[Builder] = [
    _preamble, _incomplete, _recommendation, _self_validation, _precision,
    _scenarios, _executed, _faults, _census, _variant_list, _rejected,
    _unknown, _aarch64_builds, _readings, _weakest, _environment,
]


# ---- the document ----------------------------------------------------


def _present(sample_set: SampleSet) -> list[str]:
    return sorted({s.variant for s in sample_set.samples}
                  | {f.variant for f in sample_set.faults})


def rankable_variants(sample_set: SampleSet,
                      check_results: Iterable[CheckResult]) -> list[str]:
    """Variants in the samples that the checker, under the reading of the
    compiler the run was built with, neither calls unsafe nor left
    unknown (controls follow their baseline)."""
    reading = run_reading(sample_set.environment)
    names = _present(sample_set)
    verdicts = safety_of(check_results, [base_name(n) for n in names],
                         "", reading)
    return [v for v in names if not (verdicts[base_name(v)].unsafe
                                     or verdicts[base_name(v)].unknown)]


def _machine(run: MachineRun, quick: bool) -> Machine:
    ranking = run.ranking
    names = _present(run.sample_set)
    reading = run_reading(run.sample_set.environment)
    safety = safety_of(run.check_results, names, ranking.baseline, reading)
    if safety[ranking.baseline].unsafe or safety[ranking.baseline].unknown:
        raise ReportError(
            f"the baseline {ranking.baseline} is "
            f"{safety[ranking.baseline].reason()}",
            hint="choose a variant shown safe with --baseline")
    rejected = tuple(v for v in names if safety[v].unsafe)
    unknown = tuple(v for v in names if safety[v].unknown
                    and not is_control(v))
    leaked = [v for s in ranking.scenarios for v in
              (*s.order, *s.vs_baseline) if v in rejected + unknown]
    if leaked:
        raise ReportError(
            "unsafe or unknown variant(s) in the ranking: "
            + ", ".join(sorted(set(leaked))),
            hint="rank with variants=rankable_variants(samples, checks)")
    first = ranking.scenarios[0].order if ranking.scenarios else ()
    others = [v for v in names if v not in rejected + unknown
              and not is_control(v)]
    ranked = [v for v in first if v in others]
    ranked += [v for v in others if v not in ranked]
    return Machine(
        label=machine_label(run.sample_set.environment),
        sample_set=run.sample_set, ranking=ranking, safety=safety,
        semantics=semantics_assumed(run.check_results), runs=run.runs,
        quick=is_quick(run.sample_set, quick), rejected=rejected,
        ranked_names=tuple(ranked), reading=reading, unknown=unknown,
        splits=tuple(compiler_splits(run.check_results)),
        checks=tuple(run.check_results))


def build_report(machines: Sequence[MachineRun],
                 variants: Mapping[str, Variant], command_line: str, *,
                 quick: bool = False, date: str | None = None,
                 paths: ProjectPaths | None = None) -> ReportDoc:
    """The report's content, ready for the three renderers (pure but
    for rendering the variants' C when `paths` is given, for diffs)."""
    if not machines:
        raise ReportError("nothing to report", hint="give a run directory")
    stamp = date or datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    ctx = ReportContext(dict(variants), command_line, len(machines) > 1,
                        paths)
    reports = []
    for run in machines:
        machine = _machine(run, quick)
        sections = tuple(section for build in SECTIONS
                         for section in build(machine, ctx))
        reports.append(MachineReport(machine, sections))
    return ReportDoc(tuple(reports), dict(variants), command_line, stamp,
                     __version__)
