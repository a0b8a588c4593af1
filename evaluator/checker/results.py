"""Checker results and check.json, the file that carries them between
stages (schema evaluate.check/1).

CheckResult is one cell of the verdict matrix.  The pipeline writes
check.json as soon as the checks finish; `evaluate report` reads it back
as CheckResult objects; `evaluate check --json` prints the same
document.  Entry points: results_document(), write_results(),
read_results().

Schema evaluate.check/1, one record per cell.  Since issue 16 a record
also carries `cc` (the compiler reading), `mark` (✓ ✗ ?), `complete`,
`steps`, `limit` and `reason`, and `verdict` may be "unknown"; a record
without them (written before) reads as cc "gcc", complete, no limit --
what the checker of that time did.  Since issue 13 a record may carry
`build` (an armv8 check of the instructions that build emitted,
build/targets.py); without it the record is a check of the C.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Iterable

from .. import fsutil
from ..errors import ReportError
from .limits import LimitHit
from .readings import CHECK_DEFAULT

SCHEMA = "evaluate.check/1"
FILENAME = "check.json"
SAFE, UNSAFE, UNKNOWN = "safe", "unsafe", "unknown"
MARKS = {SAFE: "✓", UNSAFE: "✗", UNKNOWN: "?"}


def cell_label(variant: str, model: str, build: str = "") -> str:
    """How messages and trace titles name a cell."""
    built = f" as {build} builds it" if build else ""
    return f"{variant}{built} under {model}"


@dataclass(frozen=True)
class Violation:
    property: str                       # one of properties.PROPERTIES
    trace: tuple[str, ...]


@dataclass(frozen=True)
class CheckResult:
    variant: str
    model: str
    syscalls: str
    verdict: str                        # "safe" | "unsafe" | "unknown"
    violations: tuple[Violation, ...]
    explored: int                       # distinct states
    cut: int                            # states where the poller hit its bound
    seconds: float
    scenario: str
    expected: str | None = None
    cc: str = CHECK_DEFAULT             # compiler reading (readings.py)
    limit: LimitHit | None = None       # why and where the search stopped
    complete: bool = True               # every reachable state explored
    steps: int = 0                      # continuation steps charged
    # The build whose emitted instructions were checked (build/targets:
    # "gcc-v8.0"; `cc` is then the compiler that emitted them); "" for
    # a check of the C.
    build: str = ""

    @property
    def unknown(self) -> bool:
        return self.verdict == UNKNOWN

    @property
    def label(self) -> str:
        return cell_label(self.variant, self.model, self.build)

    @property
    def contradicts(self) -> bool:
        """A verdict was reached and differs from the declared
        expectation (unknown contradicts nothing: it shows nothing)."""
        return (self.expected is not None and not self.unknown
                and self.expected != self.verdict)

    @property
    def mark(self) -> str:
        return MARKS[self.verdict]

    @property
    def reason(self) -> str | None:
        """Why the verdict is unknown (None when it is not)."""
        return self.limit.reason if self.unknown and self.limit else None

    def to_json(self) -> dict:
        return {
            "variant": self.variant, "model": self.model,
            "syscalls": self.syscalls, "cc": self.cc, "build": self.build,
            "verdict": self.verdict, "mark": self.mark,
            "expected": self.expected,
            "violations": [{"property": v.property, "trace": list(v.trace)}
                           for v in self.violations],
            "explored": self.explored, "steps": self.steps,
            "seconds": round(self.seconds, 3), "cut": self.cut,
            "complete": self.complete,
            "limit": self.limit.to_json() if self.limit else None,
            "reason": self.reason, "scenario": self.scenario,
        }

    @classmethod
    def from_json(cls, data: dict) -> CheckResult:
        """The inverse of to_json (KeyError/TypeError/ValueError on a
        malformed record: read_results turns them into errors naming the
        file)."""
        violations = tuple(Violation(str(v["property"]),
                                     tuple(map(str, v["trace"])))
                           for v in data["violations"])
        verdict = str(data["verdict"])
        if verdict not in MARKS:
            raise ValueError(f"verdict {verdict!r}")
        limit = data.get("limit")
        return cls(variant=str(data["variant"]), model=str(data["model"]),
                   syscalls=str(data["syscalls"]), verdict=verdict,
                   violations=violations,
                   explored=int(data["explored"]), cut=int(data["cut"]),
                   seconds=float(data["seconds"]),
                   scenario=str(data["scenario"]),
                   expected=data.get("expected"),
                   cc=str(data.get("cc", CHECK_DEFAULT)),
                   limit=LimitHit.from_json(limit) if limit else None,
                   complete=bool(data.get("complete", True)),
                   steps=int(data.get("steps", 0)),
                   build=str(data.get("build", "")))


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
