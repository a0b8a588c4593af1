"""Stage 1: load and validate variant specs (variants/*.toml).

A spec names a template and its parameters, says where the variant comes
from, and what verdict we expect per memory model when it is a known
case.  Entry point: load_variants().
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from . import memory_models
from .errors import SpecError, UnknownVariantError

# What ratios are measured against unless --baseline says otherwise.
BASELINE = "original-05e514b1"
VERDICTS = ("safe", "unsafe")
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")
_REQUIRED = ("name", "summary", "provenance", "template", "params")
_ALLOWED = set(_REQUIRED) | {"expect"}


@dataclass(frozen=True)
class Variant:
    name: str
    summary: str
    provenance: str
    template: str
    params: Mapping[str, object]
    expect: Mapping[str, str | None]
    path: Path = field(compare=False)


def check_name(name: str, *, what: str = "variant name",
               path: Path | None = None) -> str:
    """Refuse names that could escape a directory or confuse a shell."""
    if not _NAME_RE.match(name) or ".." in name:
        raise SpecError(
            f"{what} {name!r} has path or special characters", path=path,
            hint="use letters, digits, '-', '_', '.' (no '/', no '..')")
    return name


def _toml_error(path: Path, exc: tomllib.TOMLDecodeError) -> SpecError:
    match = re.search(r"line (\d+)", str(exc))
    line = int(match.group(1)) if match else None
    return SpecError(f"malformed TOML: {exc}", path=path, line=line,
                     hint="fix the syntax; see "
                          "variants/original-05e514b1.toml")


def _line_of(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf"\s*{re.escape(key)}\s*=", line):
            return number
    return None


def _parse_expect(raw: object, path: Path, text: str) -> dict[str, str | None]:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise SpecError("[expect] must be a table", path=path)
    models = memory_models.names()
    expect: dict[str, str | None] = dict.fromkeys(models)
    for model, verdict in raw.items():
        line = _line_of(text, model)
        if model not in models:
            raise SpecError(f"unknown memory model {model!r} in [expect]",
                            path=path, line=line,
                            hint="valid: " + ", ".join(models))
        if verdict not in VERDICTS:
            raise SpecError(f"expected verdict {verdict!r} for {model}",
                            path=path, line=line,
                            hint="use 'safe' or 'unsafe', or leave it out")
        expect[model] = verdict
    return expect


def parse_variant(path: Path) -> Variant:
    """Read one spec file; the file name (without .toml) is the name."""
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _toml_error(path, exc) from None
    missing = [key for key in _REQUIRED if key not in data]
    if missing:
        raise SpecError("missing key(s): " + ", ".join(missing), path=path,
                        hint="every spec needs " + ", ".join(_REQUIRED))
    unknown = sorted(set(data) - _ALLOWED)
    if unknown:
        raise SpecError("unknown key(s): " + ", ".join(unknown), path=path,
                        line=_line_of(text, unknown[0]),
                        hint="allowed: " + ", ".join(sorted(_ALLOWED)))
    name = check_name(str(data["name"]), path=path)
    if name != path.stem:
        raise SpecError(f"name {name!r} differs from the file name",
                        path=path, line=_line_of(text, "name"),
                        hint=f"rename the file to {name}.toml or fix the name")
    if not isinstance(data["params"], dict):
        raise SpecError("[params] must be a table", path=path)
    return Variant(
        name=name,
        summary=str(data["summary"]),
        provenance=str(data["provenance"]),
        template=check_name(str(data["template"]), what="template name",
                            path=path),
        params=MappingProxyType(dict(data["params"])),
        expect=MappingProxyType(_parse_expect(data.get("expect"), path, text)),
        path=path,
    )


def load_variants(variants_dir: Path) -> dict[str, Variant]:
    """All specs in the directory, by name, in name order."""
    specs = sorted(variants_dir.glob("*.toml"))
    if not specs:
        raise SpecError("no variant specs (*.toml)", path=variants_dir)
    return {variant.name: variant for variant in map(parse_variant, specs)}


def select(variants: Mapping[str, Variant], wanted: str) -> list[Variant]:
    """Resolve 'all' or a comma-separated list of names, in given order."""
    if wanted.strip() == "all":
        return list(variants.values())
    chosen = []
    for name in (part.strip() for part in wanted.split(",")):
        if not name:
            continue
        check_name(name)
        if name not in variants:
            close = difflib.get_close_matches(name, variants, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise UnknownVariantError(
                f"unknown variant {name!r}",
                hint=hint + "known: " + ", ".join(variants))
        chosen.append(variants[name])
    if not chosen:
        raise UnknownVariantError("no variant named",
                                  hint="use --variants all or a,b")
    return chosen
