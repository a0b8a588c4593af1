"""report.txt: plain text for a patch mail, no line over 72 columns.

One function per section type (RENDERERS); the document decides the
order.  The per-scenario ranked table is split in two (timing; tests and
safety) because one row with every column would need about 110 columns.
`summary_text` is what the pipeline prints on stdout: the sections in
SUMMARY only.  `bench_text` is the quick look of `evaluate bench`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .. import memory_models
from ..build.census import (ARCH_SHORT, ARCHES, CATEGORIES, CATEGORY_LETTERS,
                            SYSCALL_LETTERS)
from ..controls import control_of, is_control
from ..stats import ScenarioRanking
from ..stats.inference import wilcoxon_floor
from ..stats.precision import TARGET_MDE, ScenarioPrecision
from ..stats.summary import Row
from ..build import targets
from ..checker.results import MARKS
from .builds import broken_builds, build_columns, cell_verdict
from .safety import reading_first
from .content import (census_counts, census_legend, census_rows,
                      dynamic_legend, fmt_interval, fmt_ns, fmt_p, fmt_pct,
                      fmt_ratio, weakest_sentence)
from .document import (Aarch64Builds, Census, Environment, Executed, Faults,
                       Incomplete, Preamble, Precision, Readings,
                       Recommendation, Rejected, ReportDoc, ScenarioTables,
                       SelfValidation, Unknown, VariantList, Weakest,
                       renderers)

WIDTH = 72
MIN_NAME = 10       # the variant column shrinks to this for more models
VERDICT_SHORT = {"faster": "faster", "slower": "slower",
                 "equivalent": "equiv", "inconclusive": "incon",
                 "unresolved": "unres", "n/a": "n/a"}

LEGEND = """\
How to read this: T = tier (variants in one tier could not be told
apart); ns/op = geometric mean over processes of each process's median
batch, 95% t-interval; ratio = time per op relative to the baseline,
from per-process paired log-ratios, 95% t-interval; boot = hierarchical
bootstrap 95% CI (processes, then batches) as a cross-check; p adj =
paired t on logs, Holm-adjusted over every comparison in this report;
verdict: faster/slower = significant and the whole 95% CI beyond
±delta; equiv = 90% CI inside ±delta (TOST); incon = neither; unres =
this run did not resolve one locked instruction per operation, so it
cannot speak about a difference between arms making the same system
calls (see Self-validation); sys/op = eventfd reads+writes per op;
sc/tso/c11: ✓ safe, ✗ unsafe, ? not checked.  MDE = smallest ratio
change a paired t-test of this run could tell from 1 with 80% power at
the Holm-corrected level; a faster/slower verdict also needs the CI
beyond ±delta, so it takes about MDE + delta."""


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
    for given in rows:
        row = list(given)
        if len(row[name_column]) > columns[name_column].width:
            lead = " ".join(row[:name_column + 1])
            out += wrap(lead)
            row[name_column] = ""
        out.append(line(row))
    return out


def _fit(columns: list[Column], name_column: int = 1) -> list[Column]:
    """Narrow the name column so the table stays within WIDTH."""
    total = sum(c.width for c in columns) + len(columns) - 1
    name = columns[name_column]
    if total > WIDTH:
        columns[name_column] = Column(name.header, max(
            MIN_NAME, name.width - (total - WIDTH)), name.align)
    return columns


def _timing_columns() -> list[Column]:
    return [Column("T", 2, "<"), Column("variant", 19, "<"),
            Column("ns/op", 8), Column("95% CI", 15), Column("ratio", 6),
            Column("95% CI", 15)]


def _tests_columns() -> list[Column]:
    return _fit([Column("T", 2, "<"), Column("variant", 19, "<"),
                 Column("p adj", 5), Column("verdict", 7, "<"),
                 Column("boot 95% CI", 13), Column("sys/op", 6)]
                + [Column(m, max(3, len(m)))
                   for m in memory_models.names()])


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
    marks = [safety[name].mark(m) for m in memory_models.names()]
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


# ---- one function per section type -----------------------------------


def preamble(section: Preamble) -> list[str]:
    m = section.machine
    ranking = m.ranking
    lines = []
    if section.several:
        lines += heading(f"Machine: {m.label}", "=")
    lines += wrap(f"Baseline {ranking.baseline}; practical threshold "
                  f"delta ±{fmt_pct(ranking.delta)}; alpha "
                  f"{ranking.alpha} with Holm over {ranking.family} "
                  f"comparison{'s' * (ranking.family != 1)}; "
                  f"seed {ranking.seed}."
                  + (f" {m.runs} runs pooled on this machine."
                     if m.runs > 1 else ""))
    if m.quick:
        lines += ["", "*** SMOKE RUN (--quick): NOT CONCLUSIVE ***"]
    return lines


def incomplete(section: Incomplete) -> list[str]:
    lines = ["", "*** INCOMPLETE RUN: read every figure with that in mind "
             "***"]
    lines += wrap(f"This run did not finish: {section.how}.")
    for scenario, arms in section.missing.items():
        lines += wrap(f"{scenario}: no samples of {', '.join(arms)}.",
                      first="  ", indent="      ")
    return lines


def recommendation(section: Recommendation) -> list[str]:
    return heading("Recommendation") + wrap(section.text)


def control_label(name: str, kind: str) -> str:
    control = control_of(name)
    return control.label if control else kind


def self_validation(section: SelfValidation) -> list[str]:
    lines = heading("Self-validation")
    for check in section.checks:
        outcome = {True: "PASS", False: "FAIL", None: "untested"}[check.ok]
        ratio = section.ratios[check.variant]
        per = "; ".join(f"{sc} {fmt_ratio(ratio[sc])} {v}"
                        for sc, v in check.verdicts.items())
        lines += wrap(f"{control_label(check.variant, check.kind)}, "
                      f"{check.variant}: expected {check.expected}; got "
                      f"{per}: {outcome}.")
    lines += [""] + wrap("Does this run resolve one barrier?")
    for line in section.barrier:
        lines += wrap(line, first="  ", indent="    ")
    return lines


def _precision_row(p: ScenarioPrecision) -> list[str]:
    floor = p.floor
    lost = "n/a" if p.preempted_share is None \
        else f"{100 * p.preempted_share:.0f}%"
    if floor is None:
        return [p.scenario, "-", fmt_pct(p.mde), "n/a", "n/a", "n/a", lost]
    share = "n/a" if floor.batch_share is None \
        else f"{100 * floor.batch_share:.0f}%"
    needed = ">1e5" if floor.needed is None else str(floor.needed)
    return [p.scenario, str(floor.processes), fmt_pct(p.mde),
            fmt_pct(floor.mde), share, needed, lost]


def precision_notes(p: ScenarioPrecision) -> list[str]:
    """Why a scenario misses the target, from its A/A noise floor."""
    floor = p.floor
    if floor is None or p.mde is None or p.mde <= TARGET_MDE:
        return []
    where = ("inside processes (batch noise): more or longer batches per "
             "process would help" if (floor.batch_share or 0) >= 0.5
             else "between processes (placement, frequency, the host): "
                  "only more processes help")
    stolen = "" if p.preempted_share is None else (
        f" In {100 * p.preempted_share:.0f}% of its batches another task "
        "took a measuring thread's CPU (involuntary context switches); "
        "those are left out, the rest still vary this much.")
    return [f"{p.scenario}: MDE {fmt_pct(p.mde)} > {fmt_pct(TARGET_MDE)}. The "
            f"A/A control alone allows {fmt_pct(floor.mde)} with "
            f"{floor.processes} processes (SD of its per-process "
            f"log-ratio {floor.sd_log:.3f}); its noise is mostly {where}; "
            f"at that noise {fmt_pct(TARGET_MDE)} needs "
            f"{'over 100000' if floor.needed is None else floor.needed} "
            "processes." + stolen]


def regime_lines(p: ScenarioPrecision) -> list[str]:
    if not p.regimes:
        return []
    if len(p.regimes) == 1:
        head = (f"{p.scenario} regimes (processes grouped by the "
                "baseline's ns/op; a new regime past a 25% gap): one in "
                "this run:")
    else:
        head = (f"{p.scenario} regimes (processes grouped by the "
                "baseline's ns/op; a new regime past a 25% gap). "
                f"{p.switching} processes changed regime during the "
                "process; the arms of one round share its regime and "
                "each process's log-ratio pairs them by round, so a "
                "regime change is not read as a difference:")
    lines = wrap(head)
    for r in p.regimes:
        calls = "n/a" if r.syscalls_per_op is None \
            else f"{r.syscalls_per_op:.3f}"
        lines += wrap(f"{r.label}: {len(r.processes)} processes, "
                      f"{fmt_ns(r.median_ns)} ns/op, {calls} eventfd "
                      "calls/op: " + " ".join(map(str, r.processes)),
                      first="  ", indent="    ")
    return lines


def precision(section: Precision) -> list[str]:
    lines = heading("Precision")
    lines += wrap("MDE = smallest difference this run could detect; "
                  "floor = the MDE the A/A control's noise alone allows; "
                  "batch = share of that noise from batches inside "
                  "processes; for 3% = processes the floor needs for an "
                  "MDE of 3%; lost = batches in which another task took "
                  "a measuring thread's CPU, left out.") + [""]
    columns = [Column("scenario", 13, "<"), Column("A/A n", 5),
               Column("MDE", 6), Column("floor", 6), Column("batch", 5),
               Column("for 3%", 6), Column("lost", 5)]
    lines += table(columns, [_precision_row(p) for p in section.scenarios],
                   name_column=0)
    for p in section.scenarios:
        for note in precision_notes(p):
            lines += [""] + wrap(note)
        regimes = regime_lines(p)
        if regimes:
            lines += [""] + regimes
    return lines


def _executed_table(rows) -> list[str]:
    letters = " ".join(f"{CATEGORY_LETTERS[k]:>2}" for k in CATEGORIES)
    calls = " ".join(f"{k:>2}" for k in SYSCALL_LETTERS)
    group = len(letters)
    head = "  ".join(f"{ARCH_SHORT[a]:^{group}}" for a in ARCHES)
    lines = [f"{'':<19} {head}".rstrip(),
             f"{'variant':<19} " + "  ".join([letters] * len(ARCHES))
             + f"  {calls} {'ns/op':>8}"]
    lines.append("-" * len(lines[1]))
    for row in rows:
        name = row.variant
        if len(name) > 19:
            lines.append(name)
            name = ""
        if row.arches is None:
            lines.append(f"{name:<19} (no census: {row.note})"[:WIDTH])
            continue
        cells = "  ".join(" ".join(f"{row.arches[a].get(k, 0):>2}"
                                   for k in CATEGORIES) for a in ARCHES)
        sys_ = " ".join(f"{row.syscalls[k]:>2}" for k in SYSCALL_LETTERS)
        lines.append(f"{name:<19} {cells}  {sys_} {fmt_ns(row.ns):>8}")
    return lines


def executed(section: Executed) -> list[str]:
    lines = heading("Executed per operation (dynamic census)")
    if not any(row.arches for part in section.scenarios
               for row in part.rows):
        return lines + wrap("(none: this run's samples have no dynamic "
                            "census; runs of evaluate since issue 15 "
                            "record one)")
    lines += wrap(dynamic_legend() + ". Counted on the checker's IR of the "
                  "same C, one operation of each scenario on the path "
                  "given; a64 = AArch64 v8.0 (LL/SC), a64-lse = v8.1 "
                  f"(LSE). ns/op was measured on {section.architecture} "
                  "only: the other columns are not timed.")
    for part in section.scenarios:
        lines += [""] + wrap(f"{part.scenario}: {part.path}.")
        lines += _executed_table(part.rows)
    return lines


def scenario_tables(section: ScenarioTables) -> list[str]:
    s, ranking, safety = section.scenario, section.ranking, section.safety
    base = ranking.baseline
    lines = heading(f"Scenario {s.scenario}: {s.processes} processes")
    notes = []
    if s.order:
        lines += table(_timing_columns(),
                       [_timing_row(s, v, base) for v in s.order])
        lines.append("")
        lines += table(_tests_columns(), [_tests_row(s, v, base, safety)
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


def faults(section: Faults) -> list[str]:
    lines = heading("Hung or crashed (not rejected)")
    return lines + ([x for f in section.lines
                     for x in wrap(f, first="  ", indent="      ")]
                    or ["(none)"])


def census_table(rows) -> list[str]:
    """The census block: one column group per architecture (ARCHES), one
    letter per category (CATEGORY_LETTERS)."""
    letters = "".join(f"{CATEGORY_LETTERS[k]:>4}" for k in CATEGORIES)
    group = len(letters) - 1
    lines = [f"{'':<19} " + "  ".join(f"{a:^{group}}" for a in ARCHES),
             f"{'variant':<19} " + "  ".join([letters[1:]] * len(ARCHES)),
             "-" * (20 + group * len(ARCHES) + 2 * (len(ARCHES) - 1))]
    for row in rows:
        name = row.variant
        if len(name) > 19:
            lines.append(name)
            name = ""
        cells = "  ".join(" ".join(f"{n:>3}" for n in census_counts(
            row.totals[arch])) for arch in ARCHES)
        lines.append(f"{name:<19} {cells}")
    return lines


def census(section: Census) -> list[str]:
    lines = heading("Instruction census (static, reachable functions)")
    lines += wrap(census_legend() + ".")
    return lines + census_table(section.rows)


def variant_list(section: VariantList) -> list[str]:
    lines = heading("Variants")
    for entry in section.entries:
        if entry.spec is None:
            lines += wrap(f"{entry.name}: (no spec file)", first="  ")
            continue
        lines += wrap(f"{entry.name}: {entry.spec.summary} "
                      f"[{entry.spec.provenance}]", first="  ",
                      indent="      ")
        if entry.changes:
            lines += wrap(f"changes: {entry.changes}", first="      ",
                          indent="      ")
    return lines


def rejected(section: Rejected) -> list[str]:
    lines = heading("Rejected: unsafe, never ranked or recommended")
    if not section.entries:
        return lines + ["(none: every checked variant is safe)"]
    for entry in section.entries:
        lines += wrap(f"{entry.name}: {entry.reason}.", first="  ",
                      indent="      ")
        for fault in entry.faults:
            lines += wrap("also " + fault, first="      ", indent="      ")
    return lines


def unknown(section: Unknown) -> list[str]:
    lines = heading("Unknown: a search limit left the verdict open "
                    "(never ranked)")
    for name, verdicts, limits in section.entries:
        lines += wrap(f"{name}: {verdicts}.", first="  ", indent="      ")
        for model, why in limits.items():
            lines += wrap(f"{model}: {why}", first="      ",
                          indent="        ")
    return lines


def aarch64_builds(section: Aarch64Builds) -> list[str]:
    lines = heading("AArch64 builds: the emitted instructions under ARMv8")
    lines += wrap("Each build compiles the variant with the bench's flags "
                  "and the -march below; its protocol functions are "
                  "disassembled, lifted and checked under armv8 (herd7's "
                  "aarch64.cat), beside C11 as the same compiler reads the "
                  f"C.  Bounds: {section.scenario}; dropped work is "
                  "decided on the C only.")
    columns = build_columns(section.builds)
    cols = [Column("variant", 19, "<")] + [Column(c.head, len(c.head))
                                          for c in columns]
    rows = [[row.variant] + [MARKS.get(cell_verdict(row, c), "-")
                             for c in columns] for row in section.rows]
    lines += ["", *table(cols, rows, name_column=0)]
    for build in section.builds:
        target = targets.get(build)
        lines += wrap(f"{target.column} = {build}: {target.summary}.",
                      first="  ", indent="      ")
    for prop, cells in broken_builds(section.rows).items():
        lines += wrap(f"✗ {prop}: {', '.join(cells)}.", first="  ",
                      indent="      ")
    for variant, build, reason in section.unknown:
        lines += wrap(f"? {variant} as {build}: {reason}.", first="  ",
                      indent="      ")
    for sentence in section.differences:
        lines += [""] + wrap(sentence)
    return lines


def readings(section: Readings) -> list[str]:
    lines = heading("Compiler readings")
    lines += wrap(f"The verdicts above are for the builtins as "
                  f"{section.reading} compiles them (this run's compiler: "
                  "__sync RMWs and consume mean different things to gcc "
                  "and clang).")
    if not section.splits:
        return lines + wrap("No verdict changes with the compiler.")
    for split in section.splits:
        ways = "; ".join(f"{v} with {cc}" + (f" ({shape})" if v != "safe"
                                             else "")
                         for cc, v, shape in reading_first(
                             split, section.reading))
        lines += wrap(f"{split.variant}, {split.model}: {ways}.",
                      first="  ", indent="      ")
    return lines


def environment(section: Environment) -> list[str]:
    lines = heading("Environment and reproduction")
    items = [("syscall semantics assumed by the checker", section.semantics),
             *section.items]
    for label, value in items:
        lines += wrap(f"{label}: {value}", first="  ", indent="      ")
    lines += wrap(f"report command: {section.command_line}", first="  ",
                  indent="      ")
    return lines


def weakest(section: Weakest) -> list[str]:
    lines = heading("Weakest safe orderings (evaluate weaken)")
    for e in section.entries:
        lines += wrap(weakest_sentence(e, section.baseline), first="  ",
                      indent="    ")
    return lines


RENDERERS = renderers(globals())


def _summary_preamble(section: Preamble) -> list[str]:
    lines = []
    if section.several:
        lines += heading(f"Machine: {section.machine.label}", "=")
    if section.machine.quick:
        lines += ["*** SMOKE RUN (--quick): NOT CONCLUSIVE ***"]
    return lines


def _summary_rejected(section: Rejected) -> list[str]:
    if not section.entries:
        return []
    return [""] + wrap("Rejected as unsafe (see the report): "
                       + ", ".join(e.name for e in section.entries) + ".")


# The pipeline's stdout: these section types only, rendered so.
SUMMARY: dict[type, Callable[[object], list[str]]] = {
    Preamble: _summary_preamble, Incomplete: incomplete,
    Recommendation: recommendation,
    SelfValidation: self_validation, ScenarioTables: scenario_tables,
    Rejected: _summary_rejected,
}


def _render(doc: ReportDoc, renderers: Mapping[type, Callable]) -> list[str]:
    lines = []
    for machine in doc.machines:
        for section in machine.sections:
            render = renderers.get(type(section))
            if render is not None:
                lines += render(section)
    return lines


def render_text(doc: ReportDoc) -> str:
    title = "evaluate: aio_notify 'notified' fast-path variants, ranked"
    lines = [title, "=" * len(title)]
    lines += wrap(f"Generated {doc.date} by evaluate {doc.version}.")
    lines += _render(doc, RENDERERS)
    lines += [""] + LEGEND.splitlines()
    return "\n".join(lines) + "\n"


def summary_text(doc: ReportDoc) -> str:
    """The recommendation and the ranked tables only: what the pipeline
    prints on stdout before the report's path."""
    return "\n".join(_render(doc, SUMMARY)).lstrip("\n") + "\n"


# ---- evaluate bench --------------------------------------------------


def _num(value: float | None, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


def _bench_ns(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.1f}" if value < 10000 else f"{value:.0f}"


def _bench_faults(rows: Sequence[Row]) -> list[str]:
    out = []
    for row in rows:
        for kind, n in sorted(row.faults.items()):
            out.append(f"  {row.variant}: {kind} in {n} process"
                       + ("es" if n > 1 else ""))
        if row.fault_detail:
            out += textwrap.wrap(row.fault_detail, WIDTH,
                                 initial_indent="    first: ",
                                 subsequent_indent="      ")
    return out


def bench_text(rows: Sequence[Row], census_records: Mapping[str, Mapping],
               baseline: str) -> str:
    """`evaluate bench`'s summary and census, at most 72 columns."""
    columns = [Column("variant", 22, "<"), Column("ns/op", 9),
               Column("ratio", 6), Column("sys/op", 6), Column("wr/op", 6),
               Column("rd/op", 6), Column("procs", 5)]
    out = ["geometric mean over processes of their median batch; ratio:",
           f"paired, to {baseline}; sys/op = wr/op + rd/op: eventfd",
           "write(2)/read(2) calls per op"]
    for scenario in dict.fromkeys(r.scenario for r in rows):
        mine = [r for r in rows if r.scenario == scenario]
        out += ["", scenario]
        out += table(columns, [[
            r.variant, _bench_ns(r.ns_per_op), _num(r.ratio, ".3f"),
            _num(r.syscalls_per_op, ".2f"), _num(r.writes_per_op, ".2f"),
            _num(r.reads_per_op, ".2f"), str(r.processes)] for r in mine],
            name_column=0)
        faults = _bench_faults(mine)
        if faults:
            out += ["faults (those processes are left out):", *faults]
    out += ["", "Instruction census (static: every function the entry "
            "points reach, once)", *wrap(census_legend() + ".")]
    out += census_table(census_rows(census_records, census_records))
    return "\n".join(out)
