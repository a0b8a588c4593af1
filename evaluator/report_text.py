"""report.txt: plain text for a patch mail, no line over 72 columns.

The per-scenario ranked table is split in two (timing; tests and safety)
because one row with every column would need about 110 columns.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Sequence

from .controls import base_name, is_control
from .report_content import (environment_items, fault_lines,
                             fmt_interval, fmt_ns, fmt_p, fmt_pct,
                             fmt_ratio, recommendation)
from .stats import ScenarioRanking
from .stats_math import wilcoxon_floor

WIDTH = 72
ARCHES = ("x86-64", "aarch64", "aarch64-lse")
CENSUS_KEYS = ("full_fences", "atomic_rmw", "acq_rel")
VERDICT_SHORT = {"faster": "faster", "slower": "slower",
                 "equivalent": "equiv", "inconclusive": "incon",
                 "n/a": "n/a"}

LEGEND = """\
How to read this: T = tier (variants in one tier could not be told
apart); ns/op = geometric mean over processes of each process's median
batch, 95% t-interval; ratio = time per op relative to the baseline,
from per-process paired log-ratios, 95% t-interval; boot = hierarchical
bootstrap 95% CI (processes, then batches) as a cross-check; p adj =
paired t on logs, Holm-adjusted over every comparison in this report;
verdict: faster/slower = significant and the whole 95% CI beyond
±delta; equiv = 90% CI inside ±delta (TOST); incon = neither; sys/op =
eventfd reads+writes per op; sc/tso/c11: ✓ safe, ✗ unsafe, ? not
checked.  MDE = smallest ratio change a paired t-test of this run
could tell from 1 with 80% power at the Holm-corrected level; a
faster/slower verdict also needs the CI beyond ±delta, so it takes
about MDE + delta."""


@dataclass(frozen=True)
class Column:
    header: str
    width: int
    align: str = ">"


def wrap(text: str, indent: str = "", first: str = "") -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=first or indent,
                         subsequent_indent=indent, break_on_hyphens=False)


def heading(title: str, rule: str = "-") -> list[str]:
    title = title[:WIDTH]
    return ["", title, rule * len(title)]


def table(columns: Sequence[Column], rows: Sequence[Sequence[str]],
          name_column: int = 1) -> list[str]:
    """Fixed-width table.  A name too long for its column gets a line of
    its own, so the numbers stay aligned and the width stays bounded."""
    def line(cells):
        parts = [f"{cell:{col.align}{col.width}}"
                 for cell, col in zip(cells, columns)]
        return " ".join(parts).rstrip()
    out = [line([c.header for c in columns]),
           "-" * (sum(c.width for c in columns) + len(columns) - 1)]
    for row in rows:
        row = list(row)
        if len(row[name_column]) > columns[name_column].width:
            lead = " ".join(row[:name_column + 1])
            out += wrap(lead)
            row[name_column] = ""
        out.append(line(row))
    return out


TIMING = (Column("T", 2, "<"), Column("variant", 19, "<"),
          Column("ns/op", 8), Column("95% CI", 15), Column("ratio", 6),
          Column("95% CI", 15))
TESTS = (Column("T", 2, "<"), Column("variant", 19, "<"),
         Column("p adj", 5), Column("verdict", 7, "<"),
         Column("boot 95% CI", 13), Column("sys/op", 6),
         Column("sc", 3), Column("tso", 3), Column("c11", 3))


def _timing_row(s: ScenarioRanking, name: str, baseline: str) -> list[str]:
    e = s.estimates[name]
    c = s.vs_baseline.get(name)
    ratio = "1.000" if name == baseline else fmt_ratio(c.ratio)
    ci = "(baseline)" if name == baseline else fmt_interval(c.ci95)
    return [str(s.tiers[name]), name, fmt_ns(e.median_ns),
            fmt_interval(e.ci95, fmt_ns), ratio, ci]


def _tests_row(s: ScenarioRanking, name: str, baseline: str,
               safety) -> list[str]:
    e = s.estimates[name]
    c = s.vs_baseline.get(name)
    marks = [safety[name].mark(m) for m in ("sc", "tso", "c11")]
    if name == baseline:
        tested = ["", "base", ""]
    else:
        tested = [fmt_p(c.p_adj), VERDICT_SHORT[c.verdict],
                  fmt_interval(c.boot_ci95)]
    sys_op = "n/a" if e.syscalls_per_op is None \
        else f"{e.syscalls_per_op:.3f}"
    return [str(s.tiers[name]), name, *tested, sys_op, *marks]


def friedman_note(s: ScenarioRanking) -> str:
    if s.friedman_p is None:
        return ("Friedman test: n/a (needs 3 or more ranked variants and "
                "2 or more processes with all of them).")
    return (f"Friedman p {fmt_p(s.friedman_p)} over {s.friedman_blocks} "
            "processes with every ranked variant.")


def robustness_notes(s: ScenarioRanking, ranking) -> list[str]:
    """Say when the signed-rank test could not reach significance at all,
    and where it disagrees with the t-test."""
    notes = []
    floor = wilcoxon_floor(s.processes) * ranking.family
    if not s.order:
        return notes
    if ranking.family and floor > ranking.alpha:
        notes.append(f"With {s.processes} processes the Wilcoxon signed-rank "
                     f"test cannot reach Holm significance (smallest "
                     f"adjusted p {min(floor, 1):.3f}); it serves as a "
                     "robustness check only.")
    else:
        # Only pairs whose own process count lets Wilcoxon reach the
        # Holm level can disagree meaningfully (faults shrink pairs).
        split = sorted(c.variant for c in s.vs_baseline.values()
                       if c.p_adj is not None and c.p_wilcoxon_adj is not None
                       and wilcoxon_floor(c.processes) * ranking.family
                       <= ranking.alpha
                       and (c.p_adj < ranking.alpha)
                       != (c.p_wilcoxon_adj < ranking.alpha))
        if split:
            notes.append("t-test and Wilcoxon disagree on significance "
                         "for: " + ", ".join(split) + ".")
    return notes


def scenario_lines(s: ScenarioRanking, ranking, safety) -> list[str]:
    base = ranking.baseline
    lines = heading(f"Scenario {s.scenario}: {s.processes} processes")
    notes = []
    if s.order:
        lines += table(TIMING, [_timing_row(s, v, base) for v in s.order])
        lines.append("")
        lines += table(TESTS, [_tests_row(s, v, base, safety)
                               for v in s.order])
        notes.append(friedman_note(s) + f" MDE {fmt_pct(s.mde)}.")
        notes += robustness_notes(s, ranking)
    else:
        notes.append("Nothing ranked in this scenario.")
    used = {v: s.vs_baseline[v].processes for v in s.order if v != base}
    short = sorted(v for v, n in used.items() if n < s.processes)
    if short:
        notes.append("Fewer processes (faults or missing data): " + ", ".join(
            f"{v} {used[v]}" for v in short) + ".")
    for name, why in sorted(s.unranked.items()):
        if not is_control(name):
            notes.append(f"Not ranked: {name} ({why}).")
    for note in notes:
        lines += wrap(note)
    return lines


def self_check_lines(ranking) -> list[str]:
    if not ranking.self_checks:
        return []
    lines = heading("Self-validation")
    labels = {"aa": "A/A control (the baseline loaded twice)",
              "positive": "Positive control (baseline + injected delay)"}
    for check in ranking.self_checks:
        outcome = {True: "PASS", False: "FAIL", None: "untested"}[check.ok]
        ratio = {sc: ranking.scenario(sc).vs_baseline[check.variant].ratio
                 for sc in check.verdicts}
        per = "; ".join(f"{sc} {fmt_ratio(ratio[sc])} {v}"
                        for sc, v in check.verdicts.items())
        lines += wrap(f"{labels[check.kind]}, {check.variant}: expected "
                      f"{check.expected}; got {per}: {outcome}.")
    return lines


def _census_cells(entry) -> str:
    arches = (entry or {}).get("arches", {})
    cells = []
    for arch in ARCHES:
        total = (arches.get(arch) or {}).get("total") or {}
        cells.append(" ".join(f"{total.get(k, '-'):>3}" for k in CENSUS_KEYS))
    return "  ".join(cells)


def census_lines(census, names) -> list[str]:
    lines = heading("Instruction census (all protocol functions)")
    lines += wrap("F = full fences, R = atomic RMWs (locked or exclusive "
                  "pairs), A = acquire/release loads and stores.")
    lines.append(f"{'':<19} " + "  ".join(f"{a:^11}" for a in ARCHES))
    lines.append(f"{'variant':<19} " + "  ".join(["  F   R   A"] * 3))
    lines.append("-" * (20 + 11 * 3 + 4))
    for name in names:
        if len(name) > 19:
            lines.append(name)
            name = ""
        lines.append(f"{name:<19} {_census_cells(census.get(name))}")
    return lines


def rejected_lines(rejected, safety, section) -> list[str]:
    lines = heading("Rejected: unsafe, never ranked or recommended")
    if not rejected:
        return lines + ["(none: every checked variant is safe)"]
    faults = fault_lines(section.sample_set, section.ranking, rejected)
    for name in rejected:
        lines += wrap(f"{name}: {safety[name].reason()}.", first="  ",
                      indent="      ")
        lines += [line for f in faults if f.startswith(name + ":")
                  for line in wrap("also " + f.split(": ", 1)[1],
                                   first="      ", indent="      ")]
    return lines


def environment_lines(environment, command_line: str,
                      semantics: str) -> list[str]:
    lines = heading("Environment and reproduction")
    items = environment_items(environment)
    items.insert(0, ("syscall semantics assumed by the checker", semantics))
    for label, value in items:
        lines += wrap(f"{label}: {value}", first="  ", indent="      ")
    lines += wrap(f"report command: {command_line}", first="  ",
                  indent="      ")
    return lines


def variant_lines(names, variants) -> list[str]:
    lines = heading("Variants")
    for name in names:
        meta = variants.get(base_name(name))
        if meta is None:
            lines += wrap(f"{name}: (no spec file)", first="  ")
            continue
        lines += wrap(f"{name}: {meta.summary} [{meta.provenance}]",
                      first="  ", indent="      ")
    return lines


def section_lines(section, doc) -> list[str]:
    ranking, safety = section.ranking, section.safety
    lines = []
    if len(doc.sections) > 1:
        lines += heading(f"Machine: {section.label}", "=")
    lines += wrap(f"Baseline {ranking.baseline}; practical threshold "
                  f"delta ±{fmt_pct(ranking.delta)}; alpha "
                  f"{ranking.alpha} with Holm over {ranking.family} "
                  f"comparison{'s' * (ranking.family != 1)}; "
                  f"seed {ranking.seed}."
                  + (f" {section.runs} runs pooled on this machine."
                     if section.runs > 1 else ""))
    if section.quick:
        lines += ["", "*** SMOKE RUN (--quick): NOT CONCLUSIVE ***"]
    lines += heading("Recommendation")
    lines += wrap(recommendation(ranking, safety,
                                 section.sample_set.environment,
                                 section.semantics, section.quick))
    lines += self_check_lines(ranking)
    for scenario in ranking.scenarios:
        lines += scenario_lines(scenario, ranking, safety)
    lines += heading("Hung or crashed (not rejected)")
    faults = fault_lines(section.sample_set, ranking, section.ranked_names)
    lines += [x for f in faults
              for x in wrap(f, first="  ", indent="      ")] or ["(none)"]
    lines += census_lines(section.sample_set.census, section.ranked_names)
    lines += variant_lines(section.ranked_names, doc.variants)
    lines += rejected_lines(section.rejected, safety, section)
    lines += environment_lines(section.sample_set.environment,
                               doc.command_line, section.semantics)
    return lines


def render_text(doc) -> str:
    title = "evaluate: aio_notify 'notified' fast-path variants, ranked"
    lines = [title, "=" * len(title)]
    lines += wrap(f"Generated {doc.date} by evaluate {doc.version}.")
    for section in doc.sections:
        lines += section_lines(section, doc)
    lines += [""] + LEGEND.splitlines()
    return "\n".join(lines) + "\n"



def summary_text(doc) -> str:
    """The recommendation and the ranked tables only: what the pipeline
    prints on stdout before the report's path."""
    lines = []
    for section in doc.sections:
        if len(doc.sections) > 1:
            lines += heading(f"Machine: {section.label}", "=")
        if section.quick:
            lines += ["*** SMOKE RUN (--quick): NOT CONCLUSIVE ***"]
        lines += heading("Recommendation")
        lines += wrap(recommendation(section.ranking, section.safety,
                                     section.sample_set.environment,
                                     section.semantics, section.quick))
        lines += self_check_lines(section.ranking)
        for scenario in section.ranking.scenarios:
            lines += scenario_lines(scenario, section.ranking,
                                    section.safety)
        if section.rejected:
            lines += [""] + wrap("Rejected as unsafe (see the report): "
                                 + ", ".join(section.rejected) + ".")
    return "\n".join(lines).lstrip("\n") + "\n"
