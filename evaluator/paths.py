"""Where the project's inputs live.

The tool reads variants/, templates/ and csrc/ from a project root: the
directory named by $EVALUATE_ROOT, else the checkout this package was
installed from (pip install -e .), else the current directory.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .errors import EvaluateError
from .fsutil import os_error_text


@dataclass(frozen=True)
class ProjectPaths:
    root: Path

    @property
    def variants(self) -> Path:
        return self.root / "variants"

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def csrc(self) -> Path:
        return self.root / "csrc"

    @property
    def reports(self) -> Path:
        return self.root / "reports"


def _looks_like_root(path: Path) -> bool:
    return (path / "variants").is_dir() and (path / "templates").is_dir()


def find_project(explicit: Path | str | None = None) -> ProjectPaths:
    """Locate the project root, or explain how to point at one."""
    candidates: list[Path] = []
    if explicit is not None:
        candidates.append(Path(explicit))
    elif os.environ.get("EVALUATE_ROOT"):
        candidates.append(Path(os.environ["EVALUATE_ROOT"]))
    else:
        candidates += [Path(__file__).resolve().parent.parent, Path.cwd()]
    for candidate in candidates:
        if _looks_like_root(candidate):
            return ProjectPaths(candidate.resolve())
    raise EvaluateError(
        f"no variants/ and templates/ directories under {candidates[0]}",
        hint="run from the evaluate checkout, install it with "
             "'pip install -e .', or set EVALUATE_ROOT")


def _make_dir(path: Path, what: str, *, exist_ok: bool) -> None:
    if path.exists() and not path.is_dir():
        raise EvaluateError(f"{what} is a file, not a directory", path=path,
                            hint="give a directory (new or empty)")
    try:
        path.mkdir(parents=True, exist_ok=exist_ok)
    except FileExistsError:
        raise
    except OSError as exc:
        raise EvaluateError(f"cannot create the {what}: "
                            f"{os_error_text(exc)}", path=path,
                            hint="choose another --out directory") from None


def new_run_dir(reports: Path, suffix: str = "") -> Path:
    """A fresh reports/<UTC stamp>-<random>[suffix]/ directory: runs never
    share a directory, so no run can overwrite another's samples."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    while True:
        path = reports / f"{stamp}-{secrets.token_hex(3)}{suffix}"
        try:
            _make_dir(path, "run directory", exist_ok=False)
            return path
        except FileExistsError:
            continue


def run_dir(reports: Path, out: Path | None) -> Path:
    """--out (made if need be; it must not hold an earlier run's samples)
    or a fresh reports/<run-id>/: never overwrite an earlier run."""
    if out is None:
        return new_run_dir(reports)
    out = Path(out)
    if (out / "samples.jsonl").exists() or \
            (out / "samples.jsonl.gz").exists():
        raise EvaluateError("already holds samples of an earlier run",
                            path=out / "samples.jsonl",
                            hint="choose a new --out directory")
    _make_dir(out, "--out directory", exist_ok=True)
    return out
