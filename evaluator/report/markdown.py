"""report.md: the same sections as report.txt, as Markdown (no width
limit, so each scenario is one table with every column).  One function
per section type (RENDERERS); the document decides the order."""

from __future__ import annotations


from .. import memory_models
from ..build.census import ARCHES, CATEGORIES, CATEGORY_LETTERS
from ..controls import is_control
from ..build import targets
from ..checker.results import MARKS
from .builds import broken_builds, build_columns, cell_verdict
from .safety import reading_first
from .content import (census_counts, census_legend, dynamic_legend,
                      fmt_interval, fmt_ns, fmt_p, fmt_pct, fmt_ratio,
                      weakest_sentence)
from .document import (Aarch64Builds, Census, Environment, Executed, Faults,
                       Incomplete, Preamble, Precision, Readings,
                       Recommendation, Rejected, ReportDoc, ScenarioTables,
                       SelfValidation, Unknown, VariantList, Weakest,
                       renderers)
from .text import (LEGEND, control_label, friedman_note, precision_notes,
                   robustness_notes)


def _row(cells) -> str:
    return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"


def _table(header, rows) -> list[str]:
    return [_row(header), _row(["---"] * len(header)),
            *(_row(r) for r in rows), ""]


def preamble(section: Preamble) -> list[str]:
    m = section.machine
    ranking = m.ranking
    lines = []
    if section.several:
        lines += [f"## Machine: {m.label}", ""]
    lines += [f"Baseline `{ranking.baseline}`; practical threshold ±"
              f"{fmt_pct(ranking.delta)}; alpha {ranking.alpha}, Holm over "
              f"{ranking.family} comparison{'s' * (ranking.family != 1)}; "
              f"seed {ranking.seed}."
              + (f" {m.runs} runs pooled on this machine."
                 if m.runs > 1 else ""), ""]
    if m.quick:
        lines += ["**SMOKE RUN (`--quick`): not conclusive.**", ""]
    return lines


def incomplete(section: Incomplete) -> list[str]:
    lines = [f"**INCOMPLETE RUN**: this run did not finish: {section.how}.",
             ""]
    lines += [f"- {sc}: no samples of " + ", ".join(f"`{a}`" for a in arms)
              for sc, arms in section.missing.items()]
    return lines + [""]


def recommendation(section: Recommendation) -> list[str]:
    return ["### Recommendation", "", section.text, ""]


def self_validation(section: SelfValidation) -> list[str]:
    lines = []
    for check in section.checks:
        outcome = {True: "**pass**", False: "**FAIL**",
                   None: "untested"}[check.ok]
        got = ", ".join(f"{sc}: {v}" for sc, v in check.verdicts.items())
        lines.append(f"- {control_label(check.variant, check.kind)}, "
                     f"`{check.variant}` ({check.kind}): expected "
                     f"{check.expected}; got {got} -> {outcome}")
    lines += ["", "Does this run resolve one barrier?", ""]
    lines += [f"- {line}" for line in section.barrier]
    return ["### Self-validation", "", *lines, ""]


def _share(value) -> str:
    return "n/a" if value is None else f"{100 * value:.0f}%"


def precision(section: Precision) -> list[str]:
    header = ["scenario", "A/A processes", "MDE", "A/A noise floor (MDE)",
              "A/A SD (log)", "batch-noise share", "processes for 3%",
              "batches that lost the CPU (left out)"]
    rows = []
    for p in section.scenarios:
        f = p.floor
        rows.append([f"`{p.scenario}`", f.processes if f else "n/a",
                     fmt_pct(p.mde), fmt_pct(f.mde) if f else "n/a",
                     f"{f.sd_log:.4f}" if f else "n/a",
                     _share(f.batch_share) if f else "n/a",
                     (f.needed or ">100000") if f else "n/a",
                     _share(p.preempted_share)])
    lines = ["### Precision", "", *_table(header, rows)]
    for p in section.scenarios:
        lines += [*precision_notes(p)]
        if p.regimes:
            lines.append(f"- `{p.scenario}`: {p.switching} processes "
                         "changed regime during the process (pairing by "
                         "rounds cancels it)")
        for r in p.regimes:
            calls = "n/a" if r.syscalls_per_op is None \
                else f"{r.syscalls_per_op:.3f}"
            lines.append(f"- `{p.scenario}` regime {r.label}: "
                         f"{len(r.processes)} processes, {fmt_ns(r.median_ns)}"
                         f" ns/op, {calls} eventfd calls/op: processes "
                         + ", ".join(map(str, r.processes)))
    return lines + [""]


def executed(section: Executed) -> list[str]:
    letters = "/".join(CATEGORY_LETTERS[k] for k in CATEGORIES)
    lines = ["### Executed per operation (dynamic census)", ""]
    if not any(row.arches for part in section.scenarios
               for row in part.rows):
        return lines + ["(none: this run's samples have no dynamic census)",
                        ""]
    lines += [dynamic_legend() + f". ns/op measured on "
              f"{section.architecture} only.", ""]
    for part in section.scenarios:
        header = ["variant"] + [f"{a} {letters}" for a in ARCHES] + [
            "S", "P", "ns/op"]
        rows = []
        for row in part.rows:
            if row.arches is None:
                rows.append([f"`{row.variant}`", *["-"] * len(ARCHES),
                             "-", "-", fmt_ns(row.ns)])
                continue
            rows.append([f"`{row.variant}`"] + [
                "/".join(str(row.arches[a].get(k, 0)) for k in CATEGORIES)
                for a in ARCHES] + [row.syscalls["S"], row.syscalls["P"],
                                    fmt_ns(row.ns)])
        lines += [f"`{part.scenario}`: {part.path}.", "",
                  *_table(header, rows)]
    return lines


def scenario_tables(section: ScenarioTables) -> list[str]:
    s, ranking, safety = section.scenario, section.ranking, section.safety
    base = ranking.baseline
    models = memory_models.names()
    header = ["tier", "variant", *models, "ns/op", "95% CI",
              "ratio", "95% CI", "bootstrap 95% CI", "p adj (Holm)",
              "Wilcoxon p adj", "verdict", "processes", "syscalls/op"]
    rows = []
    for name in s.order:
        e, c = s.estimates[name], s.vs_baseline.get(name)
        marks = [safety[name].mark(m) for m in models]
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


def faults(section: Faults) -> list[str]:
    return (["### Hung or crashed (not rejected)", ""]
            + ([f"- {f}" for f in section.lines] or ["(none)"]) + [""])


def census(section: Census) -> list[str]:
    letters = "/".join(CATEGORY_LETTERS[k] for k in CATEGORIES)
    header = ["variant"] + [f"{a} {letters}" for a in ARCHES]
    rows = [[f"`{row.variant}`"] + ["/".join(census_counts(row.totals[a]))
                                    if row.totals[a] else "-"
                                    for a in ARCHES]
            for row in section.rows]
    return ["### Instruction census", "",
            f"{census_legend()}; static totals over every function the "
            "harness's entry points (qemu_bh_schedule, aio_poll) reach, "
            "each once.", "",
            *_table(header, rows)]


def variant_list(section: VariantList) -> list[str]:
    lines = ["### Variants", ""]
    for entry in section.entries:
        spec = entry.spec
        text = f"{spec.summary} ({spec.provenance})" if spec else "no spec"
        lines.append(f"- `{entry.name}`: {text}")
        if entry.changes:
            lines.append(f"  changes: {entry.changes}")
        if entry.diff:
            lines += ["", "  ```diff",
                      *(f"  {line}" for line in entry.diff.splitlines()),
                      "  ```", ""]
    return lines + [""]


def rejected(section: Rejected) -> list[str]:
    lines = ["### Rejected: unsafe, never ranked or recommended", ""]
    for entry in section.entries:
        lines.append(f"- `{entry.name}`: {entry.reason}"
                     + (f"; also {'; '.join(entry.faults)}"
                        if entry.faults else ""))
    if not section.entries:
        lines.append("(none)")
    return lines + [""]


def unknown(section: Unknown) -> list[str]:
    lines = ["### Unknown: a search limit left the verdict open (never "
             "ranked)", ""]
    for name, verdicts, limits in section.entries:
        lines.append(f"- `{name}`: {verdicts}")
        lines += [f"  - {model}: {why}" for model, why in limits.items()]
    return lines + [""]


def aarch64_builds(section: Aarch64Builds) -> list[str]:
    columns = build_columns(section.builds)
    header = ["variant"] + [c.head for c in columns]
    rows = [[f"`{row.variant}`"] + [MARKS.get(cell_verdict(row, c), "-")
                                    for c in columns]
            for row in section.rows]
    lines = ["### AArch64 builds: the emitted instructions under ARMv8", "",
             "Each build compiles the variant with the bench's flags and "
             "its `-march`; the protocol functions are disassembled, lifted "
             "and checked under armv8 (herd7's `aarch64.cat`), beside C11 "
             f"as the same compiler reads the C. Bounds: {section.scenario};"
             " dropped work is decided on the C only.", "",
             *_table(header, rows)]
    lines += [f"- {targets.get(b).column} = `{b}`: "
              f"{targets.get(b).summary}" for b in section.builds]
    lines += [f"- ✗ {prop}: {', '.join(cells)}"
              for prop, cells in broken_builds(section.rows).items()]
    lines += [f"- ? `{variant}` as `{build}`: {reason}"
              for variant, build, reason in section.unknown]
    return lines + [""] + [f"{s}\n" for s in section.differences]


def readings(section: Readings) -> list[str]:
    lines = ["### Compiler readings", "",
             f"The verdicts are for the builtins as `{section.reading}` "
             "compiles them (this run's compiler).", ""]
    if not section.splits:
        return lines + ["No verdict changes with the compiler.", ""]
    lines += [f"- `{s.variant}`, {s.model}: " + "; ".join(
        f"{v} with {cc}" + (f" ({shape})" if v != "safe" else "")
        for cc, v, shape in reading_first(s, section.reading))
        for s in section.splits]
    return lines + [""]


def environment(section: Environment) -> list[str]:
    lines = ["### Environment and reproduction", "",
             f"- syscall semantics assumed by the checker: "
             f"`{section.semantics}`"]
    lines += [f"- {label}: `{value}`" for label, value in section.items]
    return lines + [f"- report command: `{section.command_line}`", ""]


def weakest(section: Weakest) -> list[str]:
    return (["### Weakest safe orderings (evaluate weaken)", ""]
            + [f"- {weakest_sentence(e, section.baseline)}"
               for e in section.entries] + [""])


RENDERERS = renderers(globals())


def render_markdown(doc: ReportDoc) -> str:
    lines = ["# evaluate: aio_notify 'notified' fast-path variants, ranked",
             "", f"Generated {doc.date} by evaluate {doc.version}.", ""]
    for machine in doc.machines:
        for section in machine.sections:
            lines += RENDERERS[type(section)](section)
    lines += ["### How to read this", "", " ".join(LEGEND.split()), ""]
    return "\n".join(lines)
