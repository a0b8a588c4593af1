"""report.json, schema evaluate.report/1.

One machine:

    {"schema", "baseline", "delta", "mde": {scenario: fraction},
     "environment": {...}, "variants": [VARIANT...], ...}

    VARIANT = {"name", "verdicts": {"sc","tso","c11"} -> "safe"|"unsafe"
               (null: not checked), "scenarios": {scenario: {"median_ns",
               "ci95", "ratio", "ratio_ci95", "p_adj", "verdict", "tier",
               "syscalls_per_op"}}}

Unsafe variants are listed with their verdicts and no scenarios.  Beside
those fields: "machine", "alpha", "holm_family", "seed", "command_line",
"rejected" (name, reason), "self_validation", "friedman" and
"comparisons" (every comparison with its bootstrap CI, Wilcoxon p and
processes used).  Several machines: {"schema", "baseline", "delta",
"machines": [one-machine object without "schema", ...]}.
"""

from __future__ import annotations

from .controls import is_control
from .stats import Comparison, ScenarioRanking

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


def _variant(section, name: str) -> dict:
    ranking = section.ranking
    scenarios = {}
    if name not in section.rejected:
        scenarios = {s.scenario: _scenario_entry(s, name, ranking.baseline)
                     for s in ranking.scenarios if name in s.order}
    return {"name": name,
            "verdicts": dict(section.safety[name].verdicts),
            "scenarios": scenarios}


def _comparison(c: Comparison) -> dict:
    return {"scenario": c.scenario, "variant": c.variant,
            "reference": c.reference, "processes": c.processes,
            "unpaired_processes": c.unpaired, "ratio": c.ratio,
            "ci95": _pair(c.ci95), "ci90": _pair(c.ci90),
            "boot_ci95": _pair(c.boot_ci95), "p_t": c.p_t,
            "p_wilcoxon": c.p_wilcoxon, "p_adj": c.p_adj,
            "p_wilcoxon_adj": c.p_wilcoxon_adj, "mde": c.mde,
            "verdict": c.verdict}


def section_json(section, doc) -> dict:
    ranking = section.ranking
    controls = {n for s in ranking.scenarios for n in s.vs_baseline
                if is_control(n)}
    comparisons = [c for s in ranking.scenarios for c in s.pairs]
    comparisons += [s.vs_baseline[n] for s in ranking.scenarios
                    for n in sorted(controls) if n in s.vs_baseline]
    return {
        "machine": section.label,
        "baseline": ranking.baseline,
        "delta": ranking.delta,
        "alpha": ranking.alpha,
        "holm_family": ranking.family,
        "seed": ranking.seed,
        "mde": {s.scenario: s.mde for s in ranking.scenarios},
        "environment": dict(section.sample_set.environment),
        "command_line": doc.command_line,
        "syscall_semantics": section.semantics,
        "quick": section.quick,
        "variants": [_variant(section, n)
                     for n in (*section.ranked_names, *section.rejected)],
        "rejected": [{"name": n, "reason": section.safety[n].reason()}
                     for n in section.rejected],
        "self_validation": [
            {"name": c.variant, "kind": c.kind, "expected": c.expected,
             "verdicts": dict(c.verdicts), "ok": c.ok}
            for c in ranking.self_checks],
        "friedman": {s.scenario: {"p": s.friedman_p,
                                  "processes": s.friedman_blocks}
                     for s in ranking.scenarios},
        "comparisons": [_comparison(c) for c in comparisons],
    }


def report_json(doc, schema: str) -> dict:
    sections = [section_json(s, doc) for s in doc.sections]
    if len(sections) == 1:
        return {"schema": schema, **sections[0]}
    first = doc.sections[0].ranking
    return {"schema": schema, "baseline": first.baseline,
            "delta": first.delta, "machines": sections}
