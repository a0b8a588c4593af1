"""The parameters a variant spec may set, parsed and checked.

Which names a spec may use depends on where its hooks come from: every
registry parameter (evaluator/params.py) for the protocol template, a
custom template's own (its header) plus the shared code's, only the
shared code's for a plain-C source.  Values are parsed to their canonical
form; the resolved configuration is then checked as a whole (orders
against their operations, no moot or conflicting value).  `spec` is a
variants._Raw: its path, data, and line(key).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Mapping

from . import params as registry
from .errors import SpecError
from .orders import Op, order_problem, parse_order
from .templates import Param as TemplateParam


@dataclass(frozen=True)
class Hooks:
    """Which parameters a spec may set, given where its hooks come from."""

    template: str | None
    source: str | None
    custom: Mapping[str, TemplateParam]   # a custom template's own
    source_text: str = ""
    # Plain C: which QEMU atomic.h its atomic_* names mean (ATOMICS).
    atomics: str = "2015"

    @property
    def protocol(self) -> bool:
        return self.template == registry.TEMPLATE

    def known(self) -> list[str]:
        if self.protocol:
            return [p.name for p in registry.PARAMS]
        return [*self.custom, *(p.name for p in registry.shared_params())]

    def defaults(self) -> dict[str, object]:
        names = self.known()
        return {n: v for n, v in registry.DEFAULTS.items() if n in names}

    def what(self) -> str:
        return self.source or f"template {self.template}"


def _unknown_param(name: str, hooks: Hooks, spec) -> SpecError:
    line = spec.line(name)
    param = registry.BY_NAME.get(name)
    if param is not None and hooks.source:
        return SpecError(
            f"parameter {name!r} changes {', '.join(param.changes)}, which "
            f"{hooks.source} defines", path=spec.path, line=line,
            hint="edit the C; a plain-C variant may set only the shared "
                 "code's parameters: " + ", ".join(
                     p.name for p in registry.shared_params()))
    close = difflib.get_close_matches(name, hooks.known(), n=1)
    return SpecError(
        f"unknown parameter {name!r} for {hooks.what()}", path=spec.path,
        line=line, hint=(f"did you mean {close[0]!r}? " if close else "")
        + "known: " + ", ".join(hooks.known()))


def _custom_value(param: TemplateParam, value: object) -> object:
    """A custom template's parameter (declared in its header)."""
    if param.kind == "bool" and isinstance(value, bool):
        return value
    if param.kind == "int" and isinstance(value, int) \
            and not isinstance(value, bool):
        return value
    if param.kind == "enum" and value in param.values:
        return value
    if param.kind == "order" and isinstance(value, str):
        order = parse_order(value)
        if order is not None and order_problem(Op.RMW, order) is None:
            return order.short
    raise ValueError(f"{value!r} is not valid (valid: "
                     + (", ".join(param.allowed()) if param.kind != "bool"
                        else "true, false") + ")")


def parse_params(spec, hooks: Hooks) -> dict[str, object]:
    raw = dict(spec.data.get("params", {}))
    known = hooks.known()
    parsed = {}
    for name, value in raw.items():
        if name not in known:
            raise _unknown_param(name, hooks, spec)
        try:
            if name in hooks.custom:
                parsed[name] = _custom_value(hooks.custom[name], value)
            else:
                parsed[name] = registry.BY_NAME[name].parse(value)
        except ValueError as exc:
            param = registry.BY_NAME.get(name)
            raise SpecError(
                f"{name} = {_shown(value)}: {exc}, for "
                + (param.doc if param else hooks.custom[name].doc),
                path=spec.path, line=spec.line(name),
                hint=param.valid_hint() if param else None) from None
    return parsed


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return f'"{value}"' if isinstance(value, str) else repr(value)


def check_config(config: Mapping[str, object], explicit: Mapping[str, object],
                  spec, origins: Mapping[str, Path]) -> None:
    """Orders against their operations, no moot or conflicting value."""
    found = registry.problems(config, set(explicit))
    if not found:
        return
    problem = found[0]
    if problem.param in explicit:
        raise SpecError(problem.message, path=spec.path,
                        line=spec.line(problem.param), hint=problem.hint)
    # Inherited: this spec's changes made it wrong; point at them.
    first = next(iter(explicit), None)
    where = origins.get(problem.param)
    inherited = (f" (inherited from {where.name})" if where else
                 " (the default)")
    raise SpecError(problem.message + inherited, path=spec.path,
                    line=spec.line(first) if first else None,
                    hint=f"set {problem.param} here too; " + problem.hint)
