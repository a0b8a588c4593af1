"""Frontier points as plain-C variants.

A point can change any site, including one part of a composite macro
(the leading fence of atomic_mb_set) or a site that no spec parameter
names, so it is written as C: the base's rendered hooks with each
changed construct re-spelled with GCC's __atomic builtins at its new
orders (a composite as its parts in a row, an absent fence left out),
and the shared code's sites as its parameters (bh_schedule_xchg, ...).
Every other line is the base's, so `evaluate diff BASE POINT` shows
only the weakening.  The written C is compiled back and its sites
compared with the point (same functions, kinds and orders): a point the
rewriting cannot realise is refused, never written wrong.

Entry point: point_variant(subject, point, name, ...) -> (toml, c).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from .. import params as registry
from ..errors import EvaluateError
from ..orders import Order
from ..checker.memory import RmwOp
from . import lattice
from .frontier import Point
from .sites import _CALL_RE, _NOT_CALLS, Site

_LINE_RE = re.compile(r'^#line (\d+) "([^"]+)"')
SHARED_FILE = "aio_protocol.c.j2"
_FETCH = {RmwOp.XCHG: "__atomic_exchange_n", RmwOp.ADD: "__atomic_fetch_add",
          RmwOp.SUB: "__atomic_fetch_sub", RmwOp.OR: "__atomic_fetch_or",
          RmwOp.AND: "__atomic_fetch_and"}


# GCC's generic builtins (the checker reads them; _spell writes _n forms).
_BY_ADDRESS = frozenset({"__atomic_load", "__atomic_store",
                         "__atomic_exchange", "__atomic_compare_exchange"})


class EmitError(EvaluateError):
    """A point the C rewriting cannot express."""


@dataclass(frozen=True)
class Written:
    name: str
    spec: str                           # the TOML text
    source: str                         # the C text
    changed: Mapping[str, str]          # site -> level, what differs


def hooks_lines(text: str) -> list[tuple[str, int, str]]:
    """The rendered hooks, one (file, line, text) per line, markers
    dropped: from after the #include to the shared code's first line."""
    out, file, line, started = [], "", 0, False
    for raw in text.splitlines():
        match = _LINE_RE.match(raw)
        if match:
            line, file = int(match.group(1)), match.group(2)
            if file.endswith(SHARED_FILE):
                break
            started = True
            continue
        if started:
            out.append((file, line, raw))
            line += 1
    return out


def _close(text: str, open_at: int) -> int:
    depth = 0
    for i in range(open_at, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return i
    raise EmitError("unbalanced parentheses in the rendered C")


def _arguments(text: str) -> list[str]:
    args, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            args.append(text[start:i].strip())
            start = i + 1
    last = text[start:].strip()
    return args + ([last] if last else [])


def _spell(site: Site, op: RmwOp | None, level: Order,
           args: list[str]) -> str | None:
    """One event at `level` as a builtin call; None: an absent fence."""
    order = level.gcc_name
    if site.kind == lattice.FENCE:
        return None if level == Order.RELAXED else \
            f"__atomic_thread_fence({order})"
    if site.kind == lattice.LOAD and args:
        return f"__atomic_load_n({args[0]}, {order})"
    if site.kind == lattice.STORE and len(args) >= 2:
        return f"__atomic_store_n({args[0]}, {args[1]}, {order})"
    if site.kind == lattice.RMW and op in _FETCH and len(args) >= 2:
        return f"{_FETCH[op]}({args[0]}, {args[1]}, {order})"
    raise EmitError(f"cannot write {site.name} at {level.short} as C",
                    hint="pin it (--pin) to keep it as written")


def _calls(text: str) -> list[re.Match]:
    return [m for m in _CALL_RE.finditer(text)
            if m.group(1) not in _NOT_CALLS]


def _group(sites: list[Site], calls: list[re.Match]) -> list[list[Site]]:
    """The sites of each call of a statement, as find_sites names them:
    by column when there are as many calls as columns, else one call."""
    columns = sorted({s.where.column for s in sites})
    if len(calls) == len(columns):
        return [[s for s in sites if s.where.column == c] for c in columns]
    if len(calls) == 1:
        return [sites]
    raise EmitError(f"cannot tell the calls of {sites[0].where} apart",
                    hint="pin its sites (--pin) to keep them")


def rewrite(text: str, sites: list[Site], levels: Mapping[str, Order],
            ops: Mapping[str, RmwOp | None]) -> str:
    """A statement with its changed calls re-spelled (the innermost
    first, so an outer call's arguments carry the inner rewrite)."""
    calls = _calls(text)
    groups = _group(sorted(sites, key=lambda s: (s.where.column, s.part)),
                    calls)
    for match, group in reversed(list(zip(calls, groups))):
        if all(levels[s.name] == s.level for s in group):
            continue
        if match.group(1) in _BY_ADDRESS:
            # __atomic_load(p, &ret, o): an _n spelling would drop ret.
            raise EmitError(f"cannot re-spell {group[0].name}: "
                            f"{match.group(1)}() passes its values by "
                            "address", hint="pin it (--pin), or write "
                            "its _n form in the base")
        end = _close(text, match.end() - 1)
        args = _arguments(text[match.end():end])
        parts = [_spell(s, ops[s.name], levels[s.name], args)
                 for s in group]
        kept = [p for p in parts if p is not None]
        if len(group) > 1 and not text[end + 1:].lstrip().startswith(";"):
            raise EmitError(f"{group[0].name}: a composite inside an "
                            "expression cannot be split",
                            hint="pin its parts (--pin)")
        if not kept and _alone(text, match.start(), end):
            # a statement that was only the fence: the line says what
            # went (it stays a line, so later lines keep their numbers)
            return f"/* {text[match.start():end + 1]}; dropped */"
        new = "; ".join(kept) if kept else "/* fence dropped */ (void)0"
        text = text[:match.start()] + new + text[end + 1:]
    return text


def _alone(text: str, start: int, end: int) -> bool:
    """The call from start to end (its closing parenthesis) is the
    whole statement."""
    return not text[:start].strip() and text[end + 1:].strip() == ";"


def _statement_span(lines: list[tuple[str, int, str]], at: int) -> int:
    """How many lines the statement starting at lines[at] takes (up to
    where its parentheses close, as sites._statement reads it)."""
    depth = 0
    for n in range(at, min(at + 12, len(lines))):
        depth += lines[n][2].count("(") - lines[n][2].count(")")
        if depth <= 0:
            return n - at + 1
    return 1


def hooks_source(text: str, sites: tuple[Site, ...],
                 levels: Mapping[str, Order],
                 ops: Mapping[str, RmwOp | None]) -> str:
    """The base's hooks with the point's changes, as one C file."""
    lines = hooks_lines(text)
    by_line: dict[tuple[str, int], list[Site]] = {}
    for site in sites:
        by_line.setdefault((site.where.file, site.where.line),
                           []).append(site)
    out = [raw for _, _, raw in lines]
    for i, (file, line, _raw) in enumerate(lines):
        group = by_line.get((file, line))
        if not group or all(levels[s.name] == s.level for s in group):
            continue
        span = _statement_span(lines, i)
        indent = out[i][:len(out[i]) - len(out[i].lstrip())]
        joined = " ".join(out[j].strip() for j in range(i, i + span))
        out[i] = indent + rewrite(joined, group, levels, ops)
        for j in range(i + 1, i + span):
            out[j] = ""             # keep the line numbers of the rest
    return "\n".join(out).strip("\n") + "\n"


def shared_params(base_params: Mapping[str, object],
                  sites: tuple[Site, ...],
                  levels: Mapping[str, Order]) -> dict[str, object]:
    """The shared code's parameters: the base's, with each shared site
    at its level (one order parameter per shared function)."""
    out = {p.name: base_params.get(p.name, p.default)
           for p in registry.shared_params()}
    for site in sites:
        if not site.where.file.endswith(SHARED_FILE):
            continue
        params = [p for p in registry.shared_params()
                  if p.kind == "order" and p.changes == (site.func,)]
        if len(params) != 1:
            raise EmitError(f"no parameter of the shared code sets "
                            f"{site.name}", hint="pin it (--pin)")
        if levels[site.name] != site.level:
            out[params[0].name] = levels[site.name].short
    return {k: v for k, v in out.items()
            if v != registry.BY_NAME[k].default}


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def spec_text(name: str, summary: str, provenance: str,
              params: Mapping[str, object], models: tuple[str, ...],
              changed: Mapping[str, str]) -> str:
    lines = ["# Written by evaluate weaken: a weakest safe ordering.",
             "# Sites changed from the base:"]
    lines += [f"#   {site} = {level}" for site, level in changed.items()]
    lines += [f"name = {_toml_value(name)}",
              f"summary = {_toml_value(summary)}",
              f"provenance = {_toml_value(provenance)}",
              f'source = "variants/{name}.c"',
              "# run by name or with --weaken: a frontier point saved",
              "# into variants/ must not change what --variants all runs",
              "in_all = false", ""]
    if params:
        lines += ["[params]"] + [f"{k} = {_toml_value(v)}"
                                 for k, v in params.items()] + [""]
    lines += ["[expect]"] + [f'{m} = "safe"' for m in models]
    return "\n".join(lines) + "\n"


def point_variant(subject, point: Point, name: str, base_params,
                  models: tuple[str, ...]) -> Written:
    """The point as a spec and its C (not yet written anywhere)."""
    levels = subject.assignment(point)
    ops = {s.name: subject.program.threads[s.positions[0][0]]
           .code[s.positions[0][1]].access.op for s in subject.sites}
    hooks = [s for s in subject.sites
             if not s.where.file.endswith(SHARED_FILE)]
    source = hooks_source(subject.rendered.text, tuple(hooks), levels, ops)
    changed = {s.name: lattice.name(s.kind, levels[s.name])
               for s in subject.sites if levels[s.name] != s.level}
    params = shared_params(base_params, subject.sites, levels)
    summary = (f"weakest safe ordering of {subject.name} under "
               f"{','.join(models)}: {len(changed)} sites weakened")
    spec = spec_text(name, summary, f"evaluate weaken from {subject.name}",
                     params, models, changed)
    return Written(name, spec, source, changed)


def _shape(sites, levels) -> list[tuple[str, str, str]]:
    """What a check sees of a program's sites: function, kind, order
    (an absent fence is no event at all)."""
    return sorted((s.func, s.kind, levels[s.name].short) for s in sites
                  if not (s.kind == lattice.FENCE
                          and levels[s.name] == Order.RELAXED))


def verify(subject, point: Point, written_sites) -> None:
    """The written C has the point's sites at the point's orders."""
    want = _shape(subject.sites, subject.assignment(point))
    got = _shape(written_sites, {s.name: s.level for s in written_sites})
    if want != got:
        missing = sorted(set(want) - set(got))
        extra = sorted(set(got) - set(want))
        raise EmitError("the written C does not realise the point "
                        f"(missing {missing}, extra {extra})",
                        hint="this is a bug of evaluate weaken; pin the "
                             "sites involved (--pin) meanwhile")
