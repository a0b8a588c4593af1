"""report.json, schema evaluate.report/1.

One machine:

    {"schema", "baseline", "delta", "mde": {scenario: fraction},
     "environment": {...}, "variants": [VARIANT...], ...}

    VARIANT = {"name", "verdicts": {model -> "safe"|"unsafe"|null (not
               checked)}, one key per registered memory model,
               "scenarios": {scenario: {"median_ns", "ci95", "ratio",
               "ratio_ci95", "p_adj", "verdict", "tier",
               "syscalls_per_op"}}}

Unsafe variants are listed with their verdicts and no scenarios.  Beside
those fields: "machine", "alpha", "holm_family", "seed", "quick",
"recommendation", "self_validation" (one entry per control: "aa",
"positive", "positive-lock"), "barrier" ("resolved": the one-lock
control slower where it must be, true/false/null, and the statements
per scenario), "precision" (per scenario: MDE, the A/A noise floor,
regimes), "friedman", "comparisons" (every comparison with its
bootstrap CI, Wilcoxon p and processes used), "executed" (the dynamic
census per scenario and arm, with its per-source-line sites), "faults",
"census", "rejected" (name, reason), "aarch64_builds" (when builds
were checked: per variant its C11 verdict per compiler reading and per
build the armv8 verdict, first property and reason; the bounds; one
sentence per C11-vs-build difference), "command_line",
"syscall_semantics".  Several machines: {"schema", "baseline", "delta",
"machines": [one-machine object without "schema", ...]}.

One function per section type (RENDERERS) returns the keys that section
contributes; they are merged in the document's order (lists and
per-scenario tables accumulate over the scenario sections).
"""

from __future__ import annotations


from ..build import targets
from ..controls import is_control
from ..stats import Comparison, ScenarioRanking
from ..stats.precision import precision_json
from .builds import first_property
from .document import (Aarch64Builds, Census, Environment, Executed, Faults,
                       Incomplete, Preamble, Precision, Readings,
                       Recommendation, Rejected, ReportDoc, ScenarioTables,
                       SelfValidation, Unknown, VariantList, Weakest,
                       renderers)

SCHEMA = "evaluate.report/1"
SCENARIO_FIELDS = ("median_ns", "ci95", "ratio", "ratio_ci95", "p_adj",
                   "verdict", "tier", "syscalls_per_op")


def _pair(interval):
    return list(interval) if interval is not None else None


def _scenario_entry(s: ScenarioRanking, name: str, baseline: str) -> dict:
    e = s.estimates[name]
    c = s.vs_baseline.get(name)
    is_base = name == baseline
    return {
        "median_ns": e.median_ns,
        "ci95": _pair(e.ci95),
        "ratio": 1.0 if is_base else c.ratio,
        "ratio_ci95": [1.0, 1.0] if is_base else _pair(c.ci95),
        "p_adj": None if is_base else c.p_adj,
        "verdict": "baseline" if is_base else c.verdict,
        "tier": s.tiers.get(name),
        "syscalls_per_op": e.syscalls_per_op,
    }


def _comparison(c: Comparison) -> dict:
    return {"scenario": c.scenario, "variant": c.variant,
            "reference": c.reference, "processes": c.processes,
            "unpaired_processes": c.unpaired, "ratio": c.ratio,
            "ci95": _pair(c.ci95), "ci90": _pair(c.ci90),
            "boot_ci95": _pair(c.boot_ci95), "p_t": c.p_t,
            "p_wilcoxon": c.p_wilcoxon, "p_adj": c.p_adj,
            "p_wilcoxon_adj": c.p_wilcoxon_adj, "mde": c.mde,
            "verdict": c.verdict}


def preamble(section: Preamble) -> dict:
    m = section.machine
    r = m.ranking
    return {"machine": m.label, "baseline": r.baseline, "delta": r.delta,
            "alpha": r.alpha, "holm_family": r.family, "seed": r.seed,
            "quick": m.quick}


def incomplete(section: Incomplete) -> dict:
    return {"incomplete": {"how": section.how,
                           "missing": {sc: list(arms) for sc, arms in
                                       section.missing.items()}}}


def recommendation(section: Recommendation) -> dict:
    return {"recommendation": section.text}


def self_validation(section: SelfValidation) -> dict:
    return {"self_validation": [
        {"name": c.variant, "kind": c.kind, "expected": c.expected,
         "verdicts": dict(c.verdicts), "ok": c.ok} for c in section.checks],
        "barrier": {"resolved": section.barrier_resolved,
                    "statements": list(section.barrier)}}


def precision(section: Precision) -> dict:
    return {"precision": {p.scenario: precision_json(p)
                          for p in section.scenarios}}


def executed(section: Executed) -> dict:
    return {"executed": {part.scenario: {
        "path": part.path, "timed_on": section.architecture,
        "arms": {row.variant: {
            "arches": dict(row.arches) if row.arches else None,
            "syscalls": dict(row.syscalls) if row.syscalls else None,
            "ns_per_op": row.ns, "note": row.note,
            "sites": [dict(site) for site in row.sites]}
            for row in part.rows}} for part in section.scenarios}}


def scenario_tables(section: ScenarioTables) -> dict:
    s = section.scenario
    controls = sorted(n for n in s.vs_baseline if is_control(n))
    return {"mde": {s.scenario: s.mde},
            "friedman": {s.scenario: {"p": s.friedman_p,
                                      "processes": s.friedman_blocks}},
            "comparisons": [_comparison(c) for c in s.pairs]
            + [_comparison(s.vs_baseline[n]) for n in controls]}


def weakest(section: Weakest) -> dict:
    return {"weakest": [{"variant": e.name, "weakened_from": e.base,
                         "rank": dict(e.rank), "ratio": dict(e.ratio),
                         "census": {a: dict(t) if t else None
                                    for a, t in e.census.items()},
                         "baseline_census": {
                             a: dict(t) if t else None
                             for a, t in (e.baseline_census or {}).items()}}
                        for e in section.entries]}


def faults(section: Faults) -> dict:
    return {"faults": list(section.lines)}


def census(section: Census) -> dict:
    return {"census": {row.variant: {arch: dict(total) if total else None
                                     for arch, total in row.totals.items()}
                       for row in section.rows}}


def variant_list(section: VariantList) -> dict:
    m = section.machine
    baseline = m.ranking.baseline
    listed = {e.name: e for e in section.entries}

    def entry(name: str) -> dict:
        scenarios = {}
        if name not in m.rejected:
            scenarios = {s.scenario: _scenario_entry(s, name, baseline)
                         for s in m.ranking.scenarios if name in s.order}
        out = {"name": name, "verdicts": dict(m.safety[name].verdicts),
               "scenarios": scenarios}
        if name in listed:
            out |= {"changes": listed[name].changes,
                    "diff": listed[name].diff}
        return out
    return {"variants": [entry(n) for n in (*m.ranked_names, *m.rejected)]}


def rejected(section: Rejected) -> dict:
    return {"rejected": [{"name": e.name, "reason": e.reason}
                         for e in section.entries]}


def unknown(section: Unknown) -> dict:
    return {"unknown": [{"name": name, "reason": verdicts,
                         "limits": dict(limits)}
                        for name, verdicts, limits in section.entries]}


def aarch64_builds(section: Aarch64Builds) -> dict:
    return {"aarch64_builds": {
        "builds": {b: targets.get(b).summary for b in section.builds},
        "scenario": section.scenario,
        "variants": [{"variant": row.variant, "c11": dict(row.c11),
                      "builds": {b: {"verdict": r.verdict,
                                     "property": first_property(r),
                                     "reason": r.reason}
                                 for b, r in row.builds.items()}}
                     for row in section.rows],
        "differences": list(section.differences)}}


def readings(section: Readings) -> dict:
    return {"compiler_reading": section.reading,
            "compiler_splits": [
                {"variant": s.variant, "model": s.model,
                 "verdicts": dict(s.verdicts), "shapes": dict(s.shapes)}
                for s in section.splits]}


def environment(section: Environment) -> dict:
    return {"environment": dict(section.environment),
            "command_line": section.command_line,
            "syscall_semantics": section.semantics}


RENDERERS = renderers(globals())


def _merge(into: dict, part: dict) -> None:
    for key, value in part.items():
        if key in into and isinstance(value, list):
            into[key] = into[key] + value
        elif key in into and isinstance(value, dict):
            into[key] = {**into[key], **value}
        else:
            into[key] = value


def machine_json(sections) -> dict:
    out: dict = {}
    for section in sections:
        _merge(out, RENDERERS[type(section)](section))
    return out


def report_json(doc: ReportDoc) -> dict:
    machines = [machine_json(m.sections) for m in doc.machines]
    if len(machines) == 1:
        return {"schema": SCHEMA, **machines[0]}
    first = doc.machines[0].machine.ranking
    return {"schema": SCHEMA, "baseline": first.baseline,
            "delta": first.delta, "machines": machines}
