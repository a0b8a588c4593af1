"""Stage 2: render a variant's C from its template.

The result is one translation unit: the shared protocol header, the
variant's hooks (with #line markers pointing into the template), and the
shared protocol code.  The same text is compiled for the benchmark and
parsed by the checker.  Entry point: render_variant().
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import Path

import jinja2

from . import __version__
from .errors import TemplateError
from .orders import parse_order
from .paths import ProjectPaths
from .templates import (TEMPLATE_SUFFIX, MarkingLoader, Param, TemplateInfo,
                        lines_to_markers, read_template_info)
from .variants import Variant


@dataclass(frozen=True)
class RenderedVariant:
    name: str
    template: str
    text: str

    @property
    def filename(self) -> str:
        return f"{self.name}.c"


def _atomic(value: str) -> str:
    order = parse_order(str(value))
    if order is None:  # validated earlier; this guards template misuse
        raise jinja2.TemplateRuntimeError(f"not a memory order: {value!r}")
    return order.gcc_name


def _c11(value: str) -> str:
    order = parse_order(str(value))
    if order is None:
        raise jinja2.TemplateRuntimeError(f"not a memory order: {value!r}")
    return order.c11_name


def _environment(templates_dir: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=MarkingLoader(str(templates_dir)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["atomic"] = _atomic
    env.filters["c11"] = _c11
    return env


def _check_value(param: Param, value: object, variant: Variant) -> None:
    where = dict(path=variant.path)
    if param.kind == "bool":
        if not isinstance(value, bool):
            raise TemplateError(f"parameter {param.name} = {value!r} is not "
                                "true/false", **where)
        return
    if param.kind == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            raise TemplateError(f"parameter {param.name} = {value!r} is not "
                                "an integer", **where)
        return
    if param.kind == "order" and parse_order(str(value)) is not None \
            and str(value) in param.allowed():
        return
    if param.kind == "enum" and value in param.values:
        return
    what = "memory order" if param.kind == "order" else "value"
    raise TemplateError(f"unknown {what} {value!r} for parameter {param.name}",
                        hint="valid: " + ", ".join(param.allowed()), **where)


def check_params(variant: Variant, info: TemplateInfo) -> None:
    """Every declared parameter given, no undeclared one, values valid."""
    given, declared = set(variant.params), set(info.params)
    for name in sorted(given - declared):
        raise TemplateError(
            f"unknown parameter {name!r} for template {info.name}",
            path=variant.path,
            hint=f"{info.path.name} declares: " + ", ".join(sorted(declared)))
    for name in sorted(declared - given):
        raise TemplateError(
            f"missing parameter {name!r} required by template {info.name}",
            path=variant.path,
            hint=f"add it under [params]: {info.params[name].doc}")
    for name, param in info.params.items():
        _check_value(param, variant.params[name], variant)


def _template_line(exc: BaseException, template_file: str) -> int | None:
    line = getattr(exc, "lineno", None)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith(template_file):
            line = frame.lineno
    return line


def _render_body(env: jinja2.Environment, info: TemplateInfo,
                 variant: Variant) -> str:
    template_file = info.name + TEMPLATE_SUFFIX
    try:
        template = env.get_template(template_file)
        return template.render(**variant.params)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"Jinja syntax error: {exc.message}",
                            path=info.path, line=exc.lineno) from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"undefined variable: {exc.message}",
                            path=info.path,
                            line=_template_line(exc, template_file),
                            hint="declare it in the template header and set "
                                 f"it in {variant.path.name}") from None
    except jinja2.TemplateError as exc:
        raise TemplateError(f"template error: {exc}", path=info.path,
                            line=_template_line(exc, template_file)) from None


def render_variant(variant: Variant, paths: ProjectPaths) -> RenderedVariant:
    """Render one variant to a complete, deterministic C translation unit."""
    info = read_template_info(paths.templates, variant.template)
    check_params(variant, info)
    body = _render_body(_environment(paths.templates), info, variant)
    display = f"templates/{info.name}{TEMPLATE_SUFFIX}"
    head = "\n".join([
        f"/* Generated by evaluate {__version__} from {display}",
        f" * for variant {variant.name}: {variant.summary}.",
        f" * Do not edit: change variants/{variant.name}.toml instead. */",
        '#include "aio_protocol.h"',
        lines_to_markers(body, display).strip("\n"),
    ])
    # Lines after the template body belong to the rendered file itself.
    trailer_line = head.count("\n") + 3
    text = "\n".join([
        head,
        f'#line {trailer_line} "{variant.name}.c"',
        "/* The protocol code shared by every variant. */",
        '#include "aio_protocol.c"',
        "",
    ])
    return RenderedVariant(variant.name, info.name, text)
