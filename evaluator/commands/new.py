"""Write a new variant spec that names only what differs from an existing
variant: `based_on = "BASE"` and the parameters given with --set (the
registry's, evaluator/params.py, listed in README.md).  The spec is
validated, orders included, before it is written; an existing spec is
never overwritten.  Then: 'evaluate diff BASE NAME' shows the change,
'evaluate check --variants NAME' tests it."""

from __future__ import annotations

import argparse
import difflib
import json
from pathlib import Path

from .. import fsutil, params as registry
from ..errors import SpecError
from ..variants import Variant, check_name, load_variants, parse_variant
from .common import add_root, one_variant, project

HELP = "write a variant spec based on another, with --set changes"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_root(parser)
    parser.add_argument("name", help="name of the new variant")
    parser.add_argument("--from", dest="base", required=True, metavar="BASE",
                        help="the variant it is based on")
    parser.add_argument("--set", dest="sets", action="append", default=[],
                        metavar="KEY=VALUE",
                        help="a parameter that differs (repeatable), e.g. "
                             "--set notify_fence=smp_wmb")
    parser.add_argument("--summary", default=None,
                        help="one line saying what it is (default: the "
                             "changes)")


def _no_such_parameter(key: str, base: Variant) -> SpecError:
    """As the spec loader says it: the close name, and for a plain-C base
    that the hooks' parameters are its C."""
    param = registry.BY_NAME.get(key)
    if param is not None and base.source:
        return SpecError(
            f"--set {key}: {key} changes {', '.join(param.changes)}, which "
            f"{base.source} defines", hint="edit the C; a plain-C variant "
            "may set only: " + ", ".join(base.params))
    close = difflib.get_close_matches(key, base.params, n=1)
    return SpecError(f"--set {key}: {base.name} has no parameter {key!r}",
                     hint=(f"did you mean {close[0]!r}? " if close else "")
                     + "its parameters: " + ", ".join(base.params))


def parse_sets(sets: list[str], base: Variant) -> dict[str, object]:
    """--set KEY=VALUE words -> typed values for base's parameters."""
    out: dict[str, object] = {}
    for item in sets:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise SpecError(f"--set {item!r} is not KEY=VALUE",
                            hint="e.g. --set accept_order=acquire")
        param = registry.BY_NAME.get(key)
        if key not in base.params:
            raise _no_such_parameter(key, base)
        if param is None:       # a custom template's own: typed like its base
            out[key] = _like(base.params[key], text)
            continue
        try:
            out[key] = param.from_text(text)
        except ValueError as exc:
            raise SpecError(f"--set {key}={text}: {exc}",
                            hint=param.doc) from None
    return out


def _like(example: object, text: str) -> object:
    if isinstance(example, bool):
        return text.strip().lower() == "true"
    if isinstance(example, int):
        return int(text)
    return text


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value))


def spec_text(name: str, base: Variant, sets: dict[str, object],
              summary: str | None) -> str:
    """The new spec: based_on BASE, the --set values under [params]."""
    changes = ", ".join(f"{k} = {str(v).lower() if isinstance(v, bool) else v}"
                        for k, v in sets.items())
    summary = summary or (f"{base.name} with {changes}" if sets
                          else f"copy of {base.name}")
    lines = [f"# Written by 'evaluate new' from {base.name}.  [params] "
             "holds what differs;",
             f"# 'evaluate diff {base.name} {name}' shows it in the C.",
             f"name = {_toml(name)}",
             f"summary = {_toml(summary)}",
             f"provenance = {_toml(f'new proposal (based on {base.name})')}",
             f"based_on = {_toml(base.name)}",
             "",
             "[params]"]
    lines += [f"{k} = {_toml(v)}" for k, v in sets.items()]
    if not sets:
        lines.append(f"# What {base.name} has, to change (README.md, "
                     "\"Parameters\", says what each means):")
        lines += [f"# {k} = {_toml(v)}" for k, v in base.params.items()]
    lines += ["", "# Once 'evaluate check --variants " + name
              + "' has told you, and you can say why:",
              "# [expect]", '# sc = "safe"', '# tso = "safe"',
              '# c11 = "safe"']
    return "\n".join(lines) + "\n"


def write_new(path: Path, text: str) -> None:
    """Create path atomically; never replace an existing file."""
    try:
        fsutil.write_new(path, text)
    except FileExistsError:
        raise SpecError("already exists; not overwriting", path=path,
                        hint="choose another name or delete it") from None


def run(args: argparse.Namespace) -> int:
    paths = project(args)
    name = check_name(args.name)
    variants = load_variants(paths.variants)
    base = one_variant(variants, args.base, "--from")
    target = paths.variants / f"{name}.toml"
    if target.exists():
        raise SpecError("already exists; not overwriting", path=target,
                        hint="choose another name or delete it")
    text = spec_text(name, base, parse_sets(args.sets, base), args.summary)
    others = {v.name: v.path for v in variants.values()}
    try:
        parse_variant(target, others, text)
    except SpecError as exc:
        raise SpecError(exc.message + " (nothing was written)",
                        path=exc.path, line=exc.line, hint=exc.hint) from None
    write_new(target, text)
    print(f"wrote {target}")
    print(f"next: 'evaluate diff {base.name} {name}', then "
          f"'evaluate check --variants {name}'")
    return 0
