"""Writing frontier points as variants: into a run directory's
variants/ (where `evaluate diff BASE RUN/variants/POINT.toml` reads
them) and, with --save, into the project's variants/.  Each written
spec is loaded back and its C compiled: its sites must be the point's
(emit.verify) before it is kept.

Entry point: write_points(weakening, base, paths, directory).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .. import fsutil
from ..errors import SpecError
from ..paths import ProjectPaths
from ..render import render_variant
from ..variants import Variant, parse_variant
from .emit import EmitError, point_variant, verify
from .run import Weakening, subject_of


@dataclass(frozen=True)
class Saved:
    name: str
    spec: Path | None                   # None: could not be written
    note: str = ""


def _write(directory: Path, name: str, spec: str, source: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    fsutil.replace(directory / f"{name}.c", source)
    path = directory / f"{name}.toml"
    fsutil.replace(path, spec)
    return path


def write_point(weakening: Weakening, base: Variant, paths: ProjectPaths,
                directory: Path, index: int, name: str) -> Saved:
    point = weakening.frontier.points[index]
    try:
        written = point_variant(weakening.subject, point, name,
                                base.params, weakening.request.models)
    except EmitError as exc:
        return Saved(name, None, f"not written as C: {exc}")
    path = _write(directory, name, written.spec, written.source)
    variant = parse_variant(path)
    check = subject_of(render_variant(variant, paths),
                       weakening.request.options, (paths.root, paths.csrc))
    try:
        verify(weakening.subject, point, check.sites)
    except EmitError as exc:
        for stale in (path, path.with_suffix(".c")):
            stale.unlink()
        return Saved(name, None, f"not written: {exc}")
    return Saved(name, path)


def write_points(weakening: Weakening, base: Variant, paths: ProjectPaths,
                 directory: Path, names: list[str]) -> list[Saved]:
    return [write_point(weakening, base, paths, directory, i, name)
            for i, name in enumerate(names)]


def copy_saved(saved: list[Saved], variants_dir: Path) -> list[Path]:
    """--save: the written points into the project's variants/.  A spec
    already there is kept unless it is this very one (a re-run)."""
    out = []
    for item in saved:
        if item.spec is None:
            continue
        for source in (item.spec.with_suffix(".c"), item.spec):
            target = variants_dir / source.name
            text = source.read_text(encoding="utf-8")
            if target.exists() and target.read_text(encoding="utf-8") \
                    != text:
                raise SpecError(
                    "exists and differs from the point written now",
                    path=target, hint="remove it, or keep it and run "
                    "without --save")
            fsutil.replace(target, text)
            out.append(target)
    return out
