"""Writing a report: report.txt, report.md and report.json side by side
in a run directory, never overwriting an earlier report (the next free
stem is report-2, report-3, ...).  Entry points: render_all(), save().
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .. import fsutil
from ..errors import ReportError
from .document import ReportDoc
from .jsondoc import report_json
from .markdown import render_markdown
from .text import render_text

SUFFIXES = ("txt", "md", "json")


@dataclass(frozen=True)
class ReportPaths:
    txt: Path
    md: Path
    json: Path


def render_all(doc: ReportDoc) -> dict[str, str]:
    """The three files' text, by suffix."""
    return {"txt": render_text(doc), "md": render_markdown(doc),
            "json": json.dumps(report_json(doc), indent=2,
                               ensure_ascii=False, allow_nan=False) + "\n"}


def _free_stem(out_dir: Path) -> str:
    """report, else report-2, report-3 ...: the first stem none of whose
    three files exists."""
    stem, number = "report", 1
    while any((out_dir / f"{stem}.{ext}").exists() for ext in SUFFIXES):
        number += 1
        stem = f"report-{number}"
    return stem


def save(doc: ReportDoc, out_dir: Path) -> ReportPaths:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = _free_stem(out_dir)
    texts = render_all(doc)
    paths = ReportPaths(*(out_dir / f"{stem}.{ext}" for ext in SUFFIXES))
    for ext, path in zip(SUFFIXES, (paths.txt, paths.md, paths.json)):
        try:
            fsutil.write_new(path, texts[ext])
        except FileExistsError:
            raise ReportError("report appeared while writing", path=path,
                              hint="run again; nothing was overwritten"
                              ) from None
    return paths
