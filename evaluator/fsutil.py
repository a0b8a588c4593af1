"""Atomic file writes: a reader (or an interrupted run) sees the old file
or the new one, never half of either."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _temp_with(path: Path, text: str, mode: int) -> str:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def write_new(path: Path, text: str, mode: int = 0o644) -> None:
    """Create path atomically; FileExistsError if it exists (link(2),
    unlike rename(2), refuses to replace)."""
    tmp = _temp_with(path, text, mode)
    try:
        os.link(tmp, path)
    finally:
        os.unlink(tmp)


def replace(path: Path, text: str, mode: int | None = None) -> None:
    """Write path atomically, replacing it if it exists (keeping its
    permission bits unless mode is given)."""
    if mode is None:
        mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
    tmp = _temp_with(path, text, mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
