"""Stage: write the report of a run -- report.txt (≤72 columns, for a
patch mail), report.md and report.json (schema evaluate.report/1) -- in
the run directory, never overwriting an earlier report.

Entry points:

    names = rankable_variants(sample_set, check_results)
    ranking = rank(sample_set, baseline, delta, variants=names)
    write_report(run_dir, sample_set, check_results, variants, ranking,
                 command_line, quick=False) -> ReportPaths

and write_merged_report(out_dir, machines, variants, command_line) for
several machines (one section each; samples are never pooled across
machines).  Unsafe variants (unsafe under any model checked) appear only
in the rejected list: never in a ranked table, the census or the
recommendation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from . import __version__
from . import fsutil
from .errors import ReportError
from .report_content import (Safety, is_quick, machine_label, safety_of,
                             semantics_assumed)
from .report_json import report_json
from .report_md import render_markdown
from .report_text import render_text
from .samples import SampleSet
from .controls import base_name, is_control
from .stats import Ranking
from .variants import Variant

REPORT_SCHEMA = "evaluate.report/1"


@dataclass(frozen=True)
class ReportPaths:
    txt: Path
    md: Path
    json: Path


@dataclass(frozen=True)
class MachineRun:
    """What one machine contributes: its samples (several runs of the
    same machine may be pooled beforehand), checker results, ranking."""

    sample_set: SampleSet
    check_results: Sequence[Mapping]
    ranking: Ranking
    runs: int = 1


@dataclass(frozen=True)
class Section:
    """One machine's part of the report, with everything derived."""

    label: str
    sample_set: SampleSet
    ranking: Ranking
    safety: Mapping[str, Safety]
    semantics: str
    runs: int
    quick: bool
    rejected: tuple[str, ...]          # unsafe: listed, never ranked
    ranked_names: tuple[str, ...]      # everything else but the controls


@dataclass(frozen=True)
class ReportDoc:
    sections: tuple[Section, ...]
    variants: Mapping[str, Variant]
    command_line: str
    date: str
    version: str


def _present(sample_set: SampleSet) -> list[str]:
    return sorted({s.variant for s in sample_set.samples}
                  | {f.variant for f in sample_set.faults})


def rankable_variants(sample_set: SampleSet,
                      check_results: Iterable[Mapping]) -> list[str]:
    """Variants in the samples that no checker result calls unsafe."""
    unsafe = {r.get("variant") for r in check_results
              if r.get("verdict") == "unsafe"}
    return [v for v in _present(sample_set)
            if base_name(v) not in unsafe]


def _section(machine: MachineRun, quick: bool) -> Section:
    ranking = machine.ranking
    names = _present(machine.sample_set)
    safety = safety_of(machine.check_results, names, ranking.baseline)
    if safety[ranking.baseline].unsafe:
        raise ReportError(
            f"the baseline {ranking.baseline} is "
            f"{safety[ranking.baseline].reason()}",
            hint="choose a safe variant with --baseline")
    rejected = tuple(v for v in names if safety[v].unsafe)
    leaked = [v for s in ranking.scenarios for v in
              (*s.order, *s.vs_baseline) if v in rejected]
    if leaked:
        raise ReportError(
            "unsafe variant(s) in the ranking: "
            + ", ".join(sorted(set(leaked))),
            hint="rank with variants=rankable_variants(samples, checks)")
    first = ranking.scenarios[0].order if ranking.scenarios else ()
    others = [v for v in names if v not in rejected and not is_control(v)]
    ranked = [v for v in first if v in others]
    ranked += [v for v in others if v not in ranked]
    return Section(
        label=machine_label(machine.sample_set.environment),
        sample_set=machine.sample_set, ranking=ranking, safety=safety,
        semantics=semantics_assumed(machine.check_results),
        runs=machine.runs, quick=is_quick(machine.sample_set, quick),
        rejected=rejected, ranked_names=tuple(ranked))


def build_report(machines: Sequence[MachineRun],
                 variants: Mapping[str, Variant], command_line: str, *,
                 quick: bool = False, date: str | None = None) -> ReportDoc:
    """Pure: the report's content, ready for the three renderers."""
    if not machines:
        raise ReportError("nothing to report", hint="give a run directory")
    stamp = date or datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return ReportDoc(tuple(_section(m, quick) for m in machines),
                     dict(variants), command_line, stamp, __version__)


def render_all(doc: ReportDoc) -> dict[str, str]:
    """The three files' text, by suffix."""
    return {"txt": render_text(doc), "md": render_markdown(doc),
            "json": json.dumps(report_json(doc, REPORT_SCHEMA), indent=2,
                               ensure_ascii=False, allow_nan=False) + "\n"}


def _free_stem(out_dir: Path) -> str:
    """report, else report-2, report-3 ...: the first stem none of whose
    three files exists."""
    stem, number = "report", 1
    while any((out_dir / f"{stem}.{ext}").exists()
              for ext in ("txt", "md", "json")):
        number += 1
        stem = f"report-{number}"
    return stem


def _write_new(path: Path, text: str) -> None:
    try:
        fsutil.write_new(path, text)
    except FileExistsError:
        raise ReportError("report appeared while writing", path=path,
                          hint="run again; nothing was overwritten") from None


def save(doc: ReportDoc, out_dir: Path) -> ReportPaths:
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = _free_stem(out_dir)
    texts = render_all(doc)
    paths = ReportPaths(*(out_dir / f"{stem}.{ext}"
                          for ext in ("txt", "md", "json")))
    for ext, path in zip(("txt", "md", "json"),
                         (paths.txt, paths.md, paths.json)):
        _write_new(path, texts[ext])
    return paths


def write_report(run_dir: Path, sample_set: SampleSet,
                 check_results: Sequence[Mapping],
                 variants: Mapping[str, Variant], ranking: Ranking,
                 command_line: str, *, quick: bool = False,
                 date: str | None = None) -> ReportPaths:
    """Write report.{txt,md,json} for one run into its directory."""
    doc = build_report([MachineRun(sample_set, check_results, ranking)],
                       variants, command_line, quick=quick, date=date)
    return save(doc, Path(run_dir))


def write_merged_report(out_dir: Path, machines: Sequence[MachineRun],
                        variants: Mapping[str, Variant], command_line: str,
                        *, date: str | None = None) -> ReportPaths:
    """One report, one section per machine."""
    doc = build_report(machines, variants, command_line, date=date)
    return save(doc, Path(out_dir))


def read_checks(path: Path) -> list[dict]:
    """check.json (schema evaluate.check/1) -> its results list."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ReportError(f"not JSON: {exc.msg}", path=path,
                          line=exc.lineno) from None
    if not isinstance(data, dict) or data.get("schema") != "evaluate.check/1":
        found = data.get("schema") if isinstance(data, dict) else None
        raise ReportError(f"schema {found!r}, expected 'evaluate.check/1'",
                          path=path,
                          hint="save it with 'evaluate check --json'")
    return list(data.get("results", []))
