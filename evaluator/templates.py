"""Templates: a Jinja2 loader that marks every source line so the rendered
C can carry #line markers, and the parameters a custom template declares.

The protocol's own templates (notify.c.j2, the hooks; aio_protocol.c.j2,
the shared code) take the registry's parameters (evaluator/params.py).
A custom template (a test fixture, an experiment) starts with a Jinja
comment holding TOML that declares its own parameters, e.g.

    {#-
    [params.accept_order]
    kind = "order"            # or "bool", "enum" (with values = [...])
    doc = "memory order of the accept-side exchange"
    -#}
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import jinja2

from . import fsutil
from .errors import TemplateError
from .orders import ORDER_NAMES

TEMPLATE_SUFFIX = ".c.j2"
# The shared protocol code every variant is rendered with (not a choice
# for a spec's `template`).
SHARED_TEMPLATE = "aio_protocol"
KINDS = ("bool", "enum", "order", "int")
_HEADER_RE = re.compile(r"\A\{#-?(.*?)-?#\}", re.S)
# Marks the template line a rendered line came from; stripped afterwards.
LINE_TOKEN = "@@evaluate-line:{}@@"
LINE_TOKEN_RE = re.compile(r"@@evaluate-line:(\d+)@@")


@dataclass(frozen=True)
class Param:
    name: str
    kind: str
    values: tuple[str, ...] = ()
    doc: str = ""

    def allowed(self) -> tuple[str, ...]:
        return ORDER_NAMES if self.kind == "order" else self.values


@dataclass(frozen=True)
class TemplateInfo:
    name: str
    path: Path
    params: Mapping[str, Param]
    header_lines: int


def _parse_param(name: str, raw: dict, path: Path) -> Param:
    kind = raw.get("kind")
    if kind not in KINDS:
        raise TemplateError(f"parameter {name!r} has kind {kind!r}", path=path,
                            hint="kind is one of " + ", ".join(KINDS))
    values = tuple(str(v) for v in raw.get("values", ()))
    if kind == "enum" and not values:
        raise TemplateError(f"enum parameter {name!r} lists no values",
                            path=path, hint="add values = [\"a\", \"b\"]")
    return Param(name, kind, values, str(raw.get("doc", "")))


def read_template_info(templates_dir: Path, name: str) -> TemplateInfo:
    """Parse a template's parameter declarations (its leading comment)."""
    path = templates_dir / (name + TEMPLATE_SUFFIX)
    if not path.is_file() or name == SHARED_TEMPLATE:
        raise TemplateError(f"unknown template {name!r}", path=path,
                            hint="known templates: " + ", ".join(
                                known_templates(templates_dir)))
    source = fsutil.read_text(path, "template", TemplateError)
    match = _HEADER_RE.match(source)
    if not match:
        raise TemplateError("no parameter declaration comment at the top",
                            path=path, line=1,
                            hint="start the template with "
                                 "{#- [params.x] ... -#}")
    try:
        table = tomllib.loads(match.group(1))
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError(f"malformed parameter declarations: {exc}",
                            path=path) from None
    params = {key: _parse_param(key, raw, path)
              for key, raw in table.get("params", {}).items()}
    return TemplateInfo(name, path, MappingProxyType(params),
                        match.group(0).count("\n") + 1)


def known_templates(templates_dir: Path) -> list[str]:
    return sorted(p.name[:-len(TEMPLATE_SUFFIX)]
                  for p in templates_dir.glob("*" + TEMPLATE_SUFFIX)
                  if p.name != SHARED_TEMPLATE + TEMPLATE_SUFFIX)


def _is_statement_line(stripped: str) -> bool:
    return stripped.startswith(("{%", "{#"))


def mark_lines(source: str, header_lines: int) -> str:
    """Prefix each C line of the template with a LINE_TOKEN.

    Statement-only lines are left alone so trim_blocks/lstrip_blocks still
    swallow them; continuation lines of a C macro are left alone so a
    #line marker never lands inside a macro definition.
    """
    out = []
    previous = ""
    for number, line in enumerate(source.split("\n"), start=1):
        stripped = line.strip()
        skip = (number <= header_lines or _is_statement_line(stripped)
                or previous.rstrip().endswith("\\"))
        out.append(line if skip else LINE_TOKEN.format(number) + line)
        previous = line
    return "\n".join(out)


class MarkingLoader(jinja2.FileSystemLoader):
    """A FileSystemLoader that applies mark_lines to every template."""

    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        header = _HEADER_RE.match(source)
        header_lines = header.group(0).count("\n") + 1 if header else 0
        return mark_lines(source, header_lines), filename, uptodate


def shift(text: str, columns: int) -> str:
    """Jinja filter: indent (columns > 0) or outdent every line of a
    block, after its line token, so one block of C can sit at two
    depths (inside an `if` or not)."""
    out = []
    for line in text.split("\n"):
        token = LINE_TOKEN_RE.match(line)
        head = token.group(0) if token else ""
        body = line[len(head):]
        if columns >= 0:
            body = " " * columns + body if body.strip() else body
        else:
            body = re.sub(rf"^ {{0,{-columns}}}", "", body)
        out.append(head + body)
    return "\n".join(out)


def lines_to_markers(text: str, display_path: str) -> str:
    """Replace LINE_TOKENs by #line markers where the numbering jumps.
    A line holding several tokens (text a `{{ }}` expanded) comes from
    the innermost: the last one."""
    out: list[str] = []
    expected: int | None = None
    for raw in text.split("\n"):
        found = LINE_TOKEN_RE.findall(raw)
        line = LINE_TOKEN_RE.sub("", raw)
        origin = int(found[-1]) if found else None
        if origin is not None and origin != expected:
            out.append(f'#line {origin} "{display_path}"')
            expected = origin
        out.append(line)
        if expected is not None:
            expected += 1
    return "\n".join(out)
