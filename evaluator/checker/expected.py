"""expected.csv of a litmus directory: the verdicts its tests must give.

Format (as in ../shared/litmus/): a header naming the columns, `file`
required, `test` optional, then one column per memory model, named as
the registry's `column` (SC, TSO, C11, ARMv8); one row per litmus file
of the directory, each verdict `allowed`, `forbidden` or empty (not
stated).  Anything else is an error naming expected.csv, the line and
the bad value, so that a typo in a column or a verdict cannot turn a
check into no check.  Entry point: read_expected(directory).
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

from .. import fsutil, memory_models
from ..errors import CheckerError

FILENAME = "expected.csv"
VERDICTS = ("allowed", "forbidden")
FIXED = ("test", "file")


def read_expected(directory: Path) -> dict[str, dict[str, str]]:
    """file name -> {model: verdict} ({} without an expected.csv)."""
    table = Path(directory) / FILENAME
    if not table.is_file():
        return {}
    return _read(table.resolve(), table.stat().st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _read(table: Path, _mtime: int) -> dict[str, dict[str, str]]:
    text = fsutil.read_text(table, "expected.csv", CheckerError)
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise CheckerError("empty file", path=table,
                           hint="first line: test,file,SC,TSO,C11")
    columns = _columns(table, [c.strip() for c in rows[0]])
    out: dict[str, dict[str, str]] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        name, verdicts = _row(table, line, columns, row)
        if name in out:
            raise CheckerError(f"{name} is listed twice", path=table,
                               line=line)
        out[name] = verdicts
    return out


def _columns(table: Path, header: list[str]) -> dict[int, str]:
    """Column index -> model name (or a FIXED name)."""
    by_column = {m.column: m.name for m in memory_models.REGISTRY}
    valid = ", ".join([*FIXED, *by_column])
    if "file" not in header:
        raise CheckerError("no 'file' column", path=table, line=1,
                           hint=f"columns: {valid}")
    out = {}
    for index, name in enumerate(header):
        if name in FIXED:
            out[index] = name
        elif name in by_column:
            out[index] = by_column[name]
        else:
            raise CheckerError(f"unknown column {name!r}", path=table,
                               line=1, hint=f"columns: {valid}")
    if len(set(out.values())) < len(out):
        raise CheckerError("a column is named twice", path=table, line=1)
    return out


def _row(table: Path, line: int, columns: dict[int, str], row: list[str]
         ) -> tuple[str, dict[str, str]]:
    if len(row) > len(columns):
        raise CheckerError(f"{len(row)} cells for {len(columns)} columns",
                           path=table, line=line)
    cells = {columns[i]: cell.strip() for i, cell in enumerate(row)}
    name = cells.get("file", "")
    if not name:
        raise CheckerError("no file name", path=table, line=line)
    if not (table.parent / name).is_file():
        raise CheckerError(f"{name} is not a file of {table.parent.name}/",
                           path=table, line=line,
                           hint="a row per *.litmus file of the directory")
    verdicts = {}
    for model, value in cells.items():
        if model in FIXED or not value:
            continue
        if value not in VERDICTS:
            raise CheckerError(f"{name}: {value!r} under "
                               f"{memory_models.info(model).column}",
                               path=table, line=line,
                               hint="allowed, forbidden or empty")
        verdicts[model] = value
    return name, verdicts
