"""List the variants: name, summary, provenance, the verdict expected
per memory model (sc, tso, c11; "-" where no verdict is declared), and
where each one's hooks come from or, for a spec based on another, what
it changes."""

from __future__ import annotations

import argparse
import json
import textwrap

from .. import memory_models, params as registry
from ..variants import Variant, load_variants
from .common import add_root, project

HELP = "list variants with their provenance, changes and expected verdicts"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_root(parser)
    parser.add_argument("--json", action="store_true",
                        help="print JSON (schema evaluate.variants/2)")
    parser.add_argument("--params", action="store_true",
                        help="list the protocol parameters a spec can set "
                             "(name, default, the functions it changes, "
                             "meaning, values)")


def variant_record(variant: Variant) -> dict:
    return {
        "name": variant.name,
        "summary": variant.summary,
        "provenance": variant.provenance,
        "template": variant.template,
        "source": variant.source,
        "based_on": variant.based_on,
        "changes": dict(variant.changes),
        "params": dict(variant.params),
        "expect": dict(variant.expect),
        "in_all": variant.in_all,
    }


def _mark(verdict: str | None) -> str:
    return {"safe": "safe", "unsafe": "UNSAFE", None: "-"}[verdict]


def _value(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def origin_line(variant: Variant) -> str:
    """Where the hooks come from, or what a derived spec changes."""
    if variant.based_on is None:
        kind = f" (plain C, {variant.atomics} atomic.h)" \
            if variant.source else ""
        text = f"hooks: {variant.hooks}{kind}"
    else:
        sets = ", ".join(f"{k} = {_value(v)}"
                         for k, v in variant.changes.items())
        text = f"changes {variant.based_on}: " + (sets or "nothing")
    return text + ("" if variant.in_all else "; not in --variants all")


NAME_WIDTH = 19


def format_table(variants: list[Variant]) -> str:
    models = memory_models.names()
    head = (f"{'variant':<{NAME_WIDTH}} "
            + "".join(f"{m:<6} " for m in models) + "summary")
    lines = [head, "-" * 72]
    for v in variants:
        marks = " ".join(f"{_mark(v.expect.get(m)):<6}" for m in models)
        name = v.name
        if len(name) > NAME_WIDTH:      # its own line keeps the columns
            lines.append(name)
            name = ""
        first = f"{name:<{NAME_WIDTH}} {marks} "
        wrapped = textwrap.wrap(v.summary, 72 - len(first)) or [""]
        lines.append(first + wrapped[0])
        lines += [" " * len(first) + more for more in wrapped[1:]]
        for text in ("from: " + v.provenance, origin_line(v)):
            lines += textwrap.wrap(text, 72, initial_indent=" " * 4,
                                   subsequent_indent=" " * 10,
                                   break_on_hyphens=False)
    lines.append("(expected verdicts as declared in variants/*.toml;"
                 " 'evaluate check'")
    lines.append(" tests them; 'evaluate diff BASE NAME' shows a change)")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    if args.params:
        print(registry.text_table())
        return 0
    variants = list(load_variants(project(args).variants).values())
    if args.json:
        print(json.dumps({"schema": "evaluate.variants/2",
                          "variants": [variant_record(v) for v in variants]},
                         indent=2))
    else:
        print(format_table(variants))
    return 0
