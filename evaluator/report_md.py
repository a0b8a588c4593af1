"""report.md: the same content as report.txt, as Markdown tables (no
width limit, so each scenario is one table with every column)."""

from __future__ import annotations

from .controls import is_control
from .report_content import (environment_items, fault_lines, fmt_interval,
                             fmt_ns, fmt_p, fmt_pct, fmt_ratio,
                             recommendation)
from .report_text import (ARCHES, CENSUS_KEYS, LEGEND, friedman_note,
                          robustness_notes)


def _row(cells) -> str:
    return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"


def _table(header, rows) -> list[str]:
    return [_row(header), _row(["---"] * len(header)),
            *(_row(r) for r in rows), ""]


def _scenario(s, ranking, safety) -> list[str]:
    base = ranking.baseline
    header = ["tier", "variant", "sc", "tso", "c11", "ns/op", "95% CI",
              "ratio", "95% CI", "bootstrap 95% CI", "p adj (Holm)",
              "Wilcoxon p adj", "verdict", "processes", "syscalls/op"]
    rows = []
    for name in s.order:
        e, c = s.estimates[name], s.vs_baseline.get(name)
        marks = [safety[name].mark(m) for m in ("sc", "tso", "c11")]
        timing = [fmt_ns(e.median_ns), fmt_interval(e.ci95, fmt_ns)]
        if name == base:
            tested = ["1", "(baseline)", "", "", "", "baseline",
                      str(e.processes)]
        else:
            tested = [fmt_ratio(c.ratio), fmt_interval(c.ci95),
                      fmt_interval(c.boot_ci95), fmt_p(c.p_adj),
                      fmt_p(c.p_wilcoxon_adj), c.verdict, str(c.processes)]
        sys_op = "n/a" if e.syscalls_per_op is None \
            else f"{e.syscalls_per_op:.3f}"
        rows.append([s.tiers[name], f"`{name}`", *marks, *timing, *tested,
                     sys_op])
    lines = [f"### Scenario `{s.scenario}` ({s.processes} processes)", ""]
    if rows:
        lines += _table(header, rows)
        lines.append(friedman_note(s) + " Minimum detectable effect "
                     f"{fmt_pct(s.mde)}.")
        lines += robustness_notes(s, ranking)
    else:
        lines.append("Nothing ranked in this scenario.")
    for name, why in sorted(s.unranked.items()):
        if not is_control(name):
            lines.append(f"Not ranked: `{name}` ({why}).")
    return lines + [""]


def _census(census, names) -> list[str]:
    header = ["variant"] + [f"{a} F/R/A" for a in ARCHES]
    rows = []
    for name in names:
        arches = (census.get(name) or {}).get("arches", {})
        cells = []
        for arch in ARCHES:
            total = (arches.get(arch) or {}).get("total")
            cells.append("/".join(str(total.get(k, "-"))
                                  for k in CENSUS_KEYS) if total else "-")
        rows.append([f"`{name}`", *cells])
    return ["### Instruction census", "",
            "F = full fences, R = atomic RMWs, A = acquire/release "
            "loads and stores; totals over every protocol function "
            "(aio_notify, accept, poll, notify_me raise/lower, BH "
            "schedule).", "", *_table(header, rows)]


def _self_checks(ranking) -> list[str]:
    lines = []
    for check in ranking.self_checks:
        outcome = {True: "**pass**", False: "**FAIL**",
                   None: "untested"}[check.ok]
        got = ", ".join(f"{sc}: {v}" for sc, v in check.verdicts.items())
        lines.append(f"- `{check.variant}` ({check.kind}): expected "
                     f"{check.expected}; got {got} -> {outcome}")
    return ["### Self-validation", "", *lines, ""] if lines else []


def _section(section, doc) -> list[str]:
    ranking, safety = section.ranking, section.safety
    lines = []
    if len(doc.sections) > 1:
        lines += [f"## Machine: {section.label}", ""]
    lines += [f"Baseline `{ranking.baseline}`; practical threshold ±"
              f"{fmt_pct(ranking.delta)}; alpha {ranking.alpha}, Holm over "
              f"{ranking.family} comparison{'s' * (ranking.family != 1)}; "
              f"seed {ranking.seed}."
              + (f" {section.runs} runs pooled on this machine."
                 if section.runs > 1 else ""), ""]
    if section.quick:
        lines += ["**SMOKE RUN (`--quick`): not conclusive.**", ""]
    lines += ["### Recommendation", "",
              recommendation(ranking, safety, section.sample_set.environment,
                             section.semantics, section.quick), ""]
    lines += _self_checks(ranking)
    for scenario in ranking.scenarios:
        lines += _scenario(scenario, ranking, safety)
    faults = fault_lines(section.sample_set, ranking, section.ranked_names)
    lines += ["### Hung or crashed (not rejected)", ""]
    lines += [f"- {f}" for f in faults] or ["(none)"]
    lines += [""] + _census(section.sample_set.census, section.ranked_names)
    lines += ["### Variants", ""]
    for name in section.ranked_names:
        meta = doc.variants.get(name)
        text = f"{meta.summary} ({meta.provenance})" if meta else "no spec"
        lines.append(f"- `{name}`: {text}")
    lines += ["", "### Rejected: unsafe, never ranked or recommended", ""]
    rejected_faults = fault_lines(section.sample_set, ranking,
                                  section.rejected)
    for name in section.rejected:
        also = [f.split(": ", 1)[1] for f in rejected_faults
                if f.startswith(name + ":")]
        lines.append(f"- `{name}`: {safety[name].reason()}"
                     + (f"; also {'; '.join(also)}" if also else ""))
    if not section.rejected:
        lines.append("(none)")
    lines += ["", "### Environment and reproduction", "",
              f"- syscall semantics assumed by the checker: "
              f"`{section.semantics}`"]
    lines += [f"- {label}: `{value}`" for label, value in
              environment_items(section.sample_set.environment)]
    lines += [f"- report command: `{doc.command_line}`", ""]
    return lines


def render_markdown(doc) -> str:
    lines = ["# evaluate: aio_notify 'notified' fast-path variants, ranked",
             "", f"Generated {doc.date} by evaluate {doc.version}.", ""]
    for section in doc.sections:
        lines += _section(section, doc)
    lines += ["### How to read this", "", " ".join(LEGEND.split()), ""]
    return "\n".join(lines)
