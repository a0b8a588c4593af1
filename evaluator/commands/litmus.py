"""Run herd7 C and AArch64 litmus tests under the checker's models.

Each FILE (or every *.litmus in a DIRECTORY) is read in herd7's C
dialect (a `C name` line, an init block `{ x = 0; y = 0; }`, threads
`P0 (atomic_int* x, ...) { ... }` using atomic_*_explicit and
atomic_thread_fence) or in its AArch64 dialect (an `AArch64 name` line,
`{ 0:X10=x; }`, a `P0 | P1 ;` table of instructions), told apart by the
first word; the final `exists (...)` condition has /\\, \\/, ~, registers
(0:r0=1, 0:X0=1) and locations (x=2).  For each model the output says
whether the condition is reachable (allowed / forbidden) and lists
every reachable final state projected on the condition's variables.
C tests run under sc, tso and c11; AArch64 tests under armv8 (and sc,
the same instructions interleaved).

When the file's directory has an expected.csv (file, then SC, TSO, C11
or ARMv8 columns), verdicts are compared with it and the exit status is
1 on a mismatch.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

from ..checker import LitmusResult, read_litmus, run_litmus
from ..checker.models import available, get_model
from ..errors import CheckerError
from .common import split_list

HELP = "run herd7 C and AArch64 litmus tests (SC, x86-TSO, C11, ARMv8)"
SCHEMA = "evaluate.litmus/1"
COLUMNS = {"sc": "SC", "tso": "TSO", "c11": "C11", "armv8": "ARMv8"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE",
                        help="litmus files, or directories of *.litmus")
    parser.add_argument(
        "--models", default=None, metavar="sc,tso,c11,armv8",
        help="memory models (default: every available one that reads the "
             "test: " + ",".join(available(None)) + "); a model that does not "
             "read a test's language is skipped for it")
    parser.add_argument("--json", action="store_true",
                        help=f"print JSON (schema {SCHEMA})")


def litmus_files(paths: list[Path]) -> list[Path]:
    files = []
    for path in paths:
        if path.is_dir():
            found = sorted(path.glob("*.litmus"))
            if not found:
                raise CheckerError("no *.litmus files", path=path)
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise CheckerError("no such litmus file or directory",
                               path=path)
    return files


def expectations(file: Path) -> dict[str, str]:
    """Verdicts per model for `file` from expected.csv beside it."""
    table = file.parent / "expected.csv"
    if not table.is_file():
        return {}
    with table.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row.get("file") == file.name:
                return {model: row[column] for model, column in
                        COLUMNS.items() if row.get(column)}
    return {}


def run(args: argparse.Namespace) -> int:
    models = split_list(args.models, tuple(COLUMNS), "memory model") \
        if args.models else list(available(None))
    for name in models:
        get_model(name)
    tests = [read_litmus(path) for path in litmus_files(args.files)]
    results: list[tuple[LitmusResult, str | None]] = []
    for test in tests:
        expected = expectations(test.path)
        runnable = [name for name in models if reads(name, test)]
        if not runnable:
            raise CheckerError(
                f"none of the models {', '.join(models)} reads "
                f"{test.arch} litmus tests", path=test.path,
                hint="models for it: " + ", ".join(
                    m for m in available(None) if reads(m, test)))
        for name in runnable:
            results.append((run_litmus(test, name), expected.get(name)))
    if args.json:
        print(json.dumps({"schema": SCHEMA,
                          "results": [r.to_json() for r, _ in results]},
                         indent=2))
    else:
        conditions = {t.file: f"{t.quantifier} {t.condition_text}"
                      for t in tests}
        print("\n".join(render_text(results, tests, conditions)))
    return 1 if any(e is not None and e != r.verdict
                    for r, e in results) else 0


def reads(model: str, test) -> bool:
    """Does the model read the test's language (its program's isa)?"""
    return test.program.isa in getattr(get_model(model), "isas", ("c11",))


def outcome_text(outcome) -> str:
    return " ".join(f"{name}={value}" for name, value in outcome)


def render_text(results, tests, conditions) -> list[str]:
    lines: list[str] = []
    width = max([4] + [len(r.model) for r, _ in results])
    by_file: dict[str, list] = {}
    for result, expected in results:
        by_file.setdefault(result.file, []).append((result, expected))
    for test in tests:
        lines.append(f"{test.name} ({test.path.name}): "
                     f"{conditions[test.file]}")
        for result, expected in by_file[test.path.name]:
            mark = ""
            if expected is not None and expected != result.verdict:
                mark = f"  ! expected {expected}"
            count = len(result.outcomes)
            lines.append(f"  {result.model:<{width}} {result.verdict:<10} "
                         f"{count} final state{'s' * (count != 1)}{mark}")
            lines += wrap_outcomes([outcome_text(o)
                                    for o in result.outcomes])
    return lines


def wrap_outcomes(items: list[str], indent: int = 7,
                  width: int = 72) -> list[str]:
    """Outcomes separated by ';', never split across lines."""
    lines: list[str] = []
    line = ""
    for item in items:
        candidate = f"{line};  {item}" if line else item
        if line and indent + len(candidate) > width:
            lines.append(" " * indent + line + ";")
            candidate = item
        line = candidate
    if line:
        lines.append(" " * indent + line)
    return lines
