"""Stage 1: load and validate variant specs (variants/*.toml).

A spec says where the variant's hooks come from and what it changes:

* `template = "notify"` with [params] from the registry
  (evaluator/params.py; defaults are 05e514b1), or a custom template
  that declares its own parameters in its header;
* `source = "variants/NAME.c"`: plain C defining the hooks of
  csrc/aio_protocol.h (QEMU's macros from csrc/qemu_atomic.h);
* `based_on = "OTHER"`: everything from OTHER (chains allowed), with the
  [params] given here changed.

Every spec also carries a summary, its provenance and the verdict
expected per memory model when that is established.  All of it is
validated here, orders included (orders.py), so render, check and bench
see only variants that make sense; every error names the spec (or C)
file and line.  Entry point: load_variants().
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

from . import csource, fsutil, memory_models, params as registry
from .errors import SpecError, UnknownVariantError
from .spec_params import Hooks, check_config, parse_params
from .templates import known_templates, read_template_info

# What ratios are measured against unless --baseline says otherwise.
BASELINE = "original-05e514b1"
VERDICTS = ("safe", "unsafe")
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")
_REQUIRED = ("name", "summary", "provenance")
_ORIGINS = ("template", "source", "based_on")
_ALLOWED = set(_REQUIRED) | set(_ORIGINS) | {"params", "expect", "in_all",
                                              "atomics"}
# `atomics` (plain C only): the QEMU atomic.h whose meaning the file's
# atomic_* names have.  They changed in 2016: atomic_add/sub/or/and went
# from GCC __sync builtins (full barriers) to seq_cst __atomic RMWs (no
# fence in C11: the 2020 aarch64 hang), atomic_mb_set from smp_wmb,
# store, smp_mb to store-release, smp_mb (non-x86 hosts, 2019-2020).
ATOMICS = ("2015", "2016")


@dataclass(frozen=True)
class Variant:
    name: str
    summary: str
    provenance: str
    template: str | None             # hooks from this template, or
    params: Mapping[str, object]     # every parameter, resolved
    expect: Mapping[str, str | None]
    path: Path = field(compare=False)
    source: str | None = None        # from this C file (root-relative)
    based_on: str | None = None
    changes: Mapping[str, object] = field(
        default_factory=lambda: MappingProxyType({}))  # set by this spec
    in_all: bool = True              # part of `--variants all`
    source_text: str = field(default="", compare=False, repr=False)
    atomics: str = "2015"            # plain C: ATOMICS, what atomic_* mean

    @property
    def hooks(self) -> str:
        """Where the hooks come from, as a reader would look it up."""
        return self.source or f"templates/{self.template}.c.j2"


@dataclass(frozen=True)
class _Raw:
    """One spec file as read, before its base is resolved."""

    path: Path
    text: str
    data: Mapping[str, object]

    def line(self, key: str) -> int | None:
        return _line_of(self.text, key)


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
                     hint="fix the syntax; see variants/relaxed.toml")


def _line_of(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf"\s*{re.escape(key)}\s*=", line):
            return number
    return None


def _parse_expect(raw: object, spec: _Raw) -> dict[str, str | None]:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise SpecError("[expect] must be a table", path=spec.path)
    models = memory_models.names()
    expect: dict[str, str | None] = dict.fromkeys(models)
    for model, verdict in raw.items():
        line = spec.line(model)
        if model not in models:
            raise SpecError(f"unknown memory model {model!r} in [expect]",
                            path=spec.path, line=line,
                            hint="valid: " + ", ".join(models))
        if verdict not in VERDICTS:
            raise SpecError(f"expected verdict {verdict!r} for {model}",
                            path=spec.path, line=line,
                            hint="use 'safe' or 'unsafe', or leave it out")
        expect[model] = verdict
    return expect


def read_spec(path: Path, text: str | None = None) -> _Raw:
    """One spec file's keys, checked for shape (not yet resolved)."""
    if text is None:
        text = fsutil.read_text(path, "variant spec", SpecError)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _toml_error(path, exc) from None
    spec = _Raw(path, text, data)
    missing = [key for key in _REQUIRED if key not in data]
    if missing:
        raise SpecError("missing key(s): " + ", ".join(missing), path=path,
                        hint="every spec needs " + ", ".join(_REQUIRED))
    unknown = sorted(set(data) - _ALLOWED)
    if unknown:
        raise SpecError("unknown key(s): " + ", ".join(unknown), path=path,
                        line=spec.line(unknown[0]),
                        hint="allowed: " + ", ".join(sorted(_ALLOWED)))
    origins = [key for key in _ORIGINS if key in data]
    if len(origins) != 1:
        raise SpecError(
            "say where the hooks come from with exactly one of "
            + ", ".join(_ORIGINS) + (f" (found {', '.join(origins)})"
                                     if origins else ""),
            path=path, line=spec.line(origins[1]) if origins else None,
            hint='e.g. based_on = "original-05e514b1" and the [params] '
                 "that differ")
    name = check_name(str(data["name"]), path=path)
    if name != path.stem:
        raise SpecError(f"name {name!r} differs from the file name",
                        path=path, line=spec.line("name"),
                        hint=f"rename the file to {name}.toml or fix the name")
    if not isinstance(data.get("params", {}), dict):
        raise SpecError("[params] must be a table", path=path,
                        line=spec.line("params"))
    if not isinstance(data.get("in_all", True), bool):
        raise SpecError("in_all must be true or false", path=path,
                        line=spec.line("in_all"))
    return spec


# ---- resolution -------------------------------------------------------------

def _root_of(spec_path: Path) -> Path:
    """The project root: the directory holding the spec's variants/
    (through symlinks, so a linked spec finds its C file)."""
    return spec_path.resolve().parent.parent


def _hooks_of(spec: _Raw, templates_dir: Path) -> Hooks:
    data = spec.data
    if "source" in data:
        source = str(data["source"])
        path = _source_path(source, spec)
        text = csource.scan(path, source)
        return Hooks(None, source, {}, text)
    template = check_name(str(data["template"]), what="template name",
                          path=spec.path)
    if template == registry.TEMPLATE:
        return Hooks(template, None, {})
    known = known_templates(templates_dir)
    if template not in known:
        # The spec's typo, so the spec's line (not the missing file).
        close = difflib.get_close_matches(template, known, n=1)
        raise SpecError(f"template {template!r}: no such template",
                        path=spec.path, line=spec.line("template"),
                        hint=(f"did you mean {close[0]!r}? " if close
                              else "") + "known: " + ", ".join(known))
    info = read_template_info(templates_dir, template)
    return Hooks(template, None, dict(info.params))


def _with_atomics(spec: _Raw, hooks: Hooks) -> Hooks:
    """The spec's `atomics` on plain-C hooks, its own or its base's (a
    spec based on a paste may read the same C against the other
    atomic.h: based_on = "qemu-2.5" with atomics = "2016")."""
    if "atomics" not in spec.data:
        return hooks
    if hooks.source is None:
        raise SpecError("atomics applies to plain-C hooks only",
                        path=spec.path, line=spec.line("atomics"),
                        hint="a template spells its macros itself: drop it "
                             "(the parameters choose 2015 or later forms)")
    return replace(hooks, atomics=_atomics(spec))


def _atomics(spec: _Raw) -> str:
    value = spec.data.get("atomics", ATOMICS[0])
    if value not in ATOMICS:
        raise SpecError(f"atomics = {value!r}", path=spec.path,
                        line=spec.line("atomics"),
                        hint='"2015" (QEMU <= 2.5: atomic_add is a __sync '
                             'full barrier) or "2016" (QEMU 2.6-5.1: a '
                             "seq_cst __atomic RMW, no fence)")
    return value


def _source_path(source: str, spec: _Raw) -> Path:
    where = dict(path=spec.path, line=spec.line("source"))
    relative = Path(source)
    if relative.is_absolute() or ".." in relative.parts \
            or relative.suffix != ".c":
        raise SpecError(f"source {source!r} must be a .c file inside the "
                        "project", hint='e.g. source = "variants/my-idea.c"',
                        **where)
    path = _root_of(spec.path) / relative
    if not path.is_file():
        raise SpecError(f"source {source!r} does not exist",
                        hint=f"looked for {path}", **where)
    return path


class _Resolver:
    """Resolves based_on chains (memoised, cycles refused)."""

    def __init__(self, raw: Mapping[str, _Raw], templates_dir: Path):
        self.raw = raw
        self.templates_dir = templates_dir
        self.done: dict[str, tuple[Variant, Hooks, dict[str, Path]]] = {}

    def variant(self, name: str, chain: tuple[str, ...] = ()
                ) -> tuple[Variant, Hooks, dict[str, Path]]:
        if name in self.done:
            return self.done[name]
        spec = self.raw[name]
        if "based_on" in spec.data:
            base_name = self._base_name(spec, (*chain, name))
            base, hooks, origins = self.variant(base_name, (*chain, name))
            config, origins = dict(base.params), dict(origins)
        else:
            base_name = None
            hooks = _hooks_of(spec, self.templates_dir)
            config, origins = hooks.defaults(), {}
        hooks = _with_atomics(spec, hooks)
        explicit = parse_params(spec, hooks)
        config.update(explicit)
        check_config(config, explicit, spec, origins)
        origins.update(dict.fromkeys(explicit, spec.path))
        variant = _build(spec, hooks, config, explicit, base_name)
        self.done[name] = (variant, hooks, origins)
        return self.done[name]

    def _base_name(self, spec: _Raw, chain: tuple[str, ...]) -> str:
        base = str(spec.data["based_on"])
        where = dict(path=spec.path, line=spec.line("based_on"))
        if base not in self.raw:
            close = difflib.get_close_matches(base, self.raw, n=1)
            raise SpecError(f"based_on {base!r}: no such variant",
                            hint=(f"did you mean {close[0]!r}? " if close
                                  else "") + "known: "
                            + ", ".join(self.raw), **where)
        if base in chain:
            cycle = " -> ".join((*chain[chain.index(base):], base))
            raise SpecError(f"based_on cycle: {cycle}",
                            hint="one spec in the chain must name a "
                                 "template or source instead", **where)
        return base


def _build(spec: _Raw, hooks: Hooks, config: dict[str, object],
           explicit: dict[str, object], base: str | None) -> Variant:
    data = spec.data
    return Variant(
        name=str(data["name"]),
        summary=str(data["summary"]),
        provenance=str(data["provenance"]),
        template=hooks.template,
        source=hooks.source,
        params=MappingProxyType(config),
        expect=MappingProxyType(_parse_expect(data.get("expect"), spec)),
        path=spec.path,
        based_on=base,
        changes=MappingProxyType(explicit),
        in_all=bool(data.get("in_all", True)),
        source_text=hooks.source_text,
        atomics=hooks.atomics,
    )


def parse_variant(path: Path, others: Mapping[str, Path] | None = None,
                  text: str | None = None) -> Variant:
    """One spec; `others` are the specs it may be based on (by name).
    `text` stands in for the file's contents (evaluate new validates a
    spec before writing it)."""
    raw = {name: read_spec(p) for name, p in (others or {}).items()}
    raw[path.stem] = read_spec(path, text)
    return _Resolver(raw, _templates_dir(path)).variant(path.stem)[0]


def _templates_dir(spec_path: Path) -> Path:
    return spec_path.parent.parent / "templates"


def load_variants(variants_dir: Path) -> dict[str, Variant]:
    """All specs in the directory, by name, in name order."""
    specs = sorted(variants_dir.glob("*.toml"))
    if not specs:
        raise SpecError("no variant specs (*.toml)", path=variants_dir)
    raw = {spec.path.stem: spec for spec in map(read_spec, specs)}
    resolver = _Resolver(raw, variants_dir.parent / "templates")
    return {name: resolver.variant(name)[0] for name in raw}


def select(variants: Mapping[str, Variant], wanted: str) -> list[Variant]:
    """Resolve 'all' or a comma-separated list of names, in given order.
    'all' leaves out variants whose spec says in_all = false."""
    if wanted.strip() == "all":
        return [v for v in variants.values() if v.in_all]
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

