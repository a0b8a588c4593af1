"""check.json: checker results between stages (schema evaluate.check/1).

The pipeline writes it as soon as the checks finish; `evaluate report`
reads it back as CheckResult objects; `evaluate check --json` prints the
same document.  Entry points: results_document(), write_results(),
read_results().
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from .. import fsutil
from ..errors import ReportError
from .check import CheckResult

SCHEMA = "evaluate.check/1"
FILENAME = "check.json"


def results_document(results: Iterable[CheckResult]) -> dict:
    return {"schema": SCHEMA, "results": [r.to_json() for r in results]}


def write_results(run_dir: Path, results: Iterable[CheckResult]) -> Path:
    path = Path(run_dir) / FILENAME
    fsutil.replace(path, json.dumps(results_document(results), indent=1,
                                    ensure_ascii=False) + "\n")
    return path


def read_results(path: Path) -> list[CheckResult]:
    """check.json -> its results, refusing other schemas and torn files."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ReportError(f"not JSON: {exc.msg}", path=path,
                          line=exc.lineno) from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        found = data.get("schema") if isinstance(data, dict) else None
        raise ReportError(f"schema {found!r}, expected {SCHEMA!r}",
                          path=path,
                          hint="save it with 'evaluate check --json'")
    results = []
    for number, record in enumerate(data.get("results") or [], start=1):
        try:
            results.append(CheckResult.from_json(record))
        except (KeyError, TypeError, ValueError) as exc:
            raise ReportError(f"result {number} is malformed ({exc!r})",
                              path=path,
                              hint="rewrite it with 'evaluate check "
                                   "--json'") from None
    return results
