"""List the variants: name, summary, provenance and the verdict expected
per memory model (sc, tso, c11; "-" where no verdict is declared)."""

from __future__ import annotations

import argparse
import json
import textwrap

from .. import memory_models
from ..variants import Variant, load_variants
from .common import add_root, project

HELP = "list variants with their provenance and expected verdicts"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_root(parser)
    parser.add_argument("--json", action="store_true",
                        help="print JSON (schema evaluate.variants/1)")


def variant_record(variant: Variant) -> dict:
    return {
        "name": variant.name,
        "summary": variant.summary,
        "provenance": variant.provenance,
        "template": variant.template,
        "params": dict(variant.params),
        "expect": dict(variant.expect),
    }


def _mark(verdict: str | None) -> str:
    return {"safe": "safe", "unsafe": "UNSAFE", None: "-"}[verdict]


def format_table(variants: list[Variant]) -> str:
    models = memory_models.names()
    head = (f"{'variant':<19} "
            + "".join(f"{m:<6} " for m in models) + "summary")
    lines = [head, "-" * 72]
    for v in variants:
        marks = " ".join(f"{_mark(v.expect.get(m)):<6}" for m in models)
        first = f"{v.name:<19} {marks} "
        wrapped = textwrap.wrap(v.summary, 72 - len(first)) or [""]
        lines.append(first + wrapped[0])
        lines += [" " * len(first) + more for more in wrapped[1:]]
        lines += textwrap.wrap("from: " + v.provenance, 72,
                               initial_indent=" " * 4,
                               subsequent_indent=" " * 10)
    lines.append("(expected verdicts as declared in variants/*.toml;"
                 " 'evaluate check'")
    lines.append(" tests them)")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    variants = list(load_variants(project(args).variants).values())
    if args.json:
        print(json.dumps({"schema": "evaluate.variants/1",
                          "variants": [variant_record(v) for v in variants]},
                         indent=2))
    else:
        print(format_table(variants))
    return 0
