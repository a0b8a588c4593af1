"""Print what variant B changes in variant A's protocol code: a unified
diff of their rendered C (the hooks and the shared code; no generated
header, no #line markers), each hunk headed by its C function, ready to
paste under a patch's `---`.  A one-line summary of the parameters that
differ comes first, as a `#` comment; --summary prints only that line."""

from __future__ import annotations

import argparse
import textwrap

from ..diff import change_items, change_summary, protocol_diff
from ..render import render_variant
from ..variants import load_variants
from .common import add_root, project, variant_or_spec

HELP = "unified diff of two variants' rendered protocol code"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_root(parser)
    parser.add_argument("a", metavar="A", help="the variant to diff from "
                        "(e.g. the baseline, original-05e514b1)")
    parser.add_argument("b", metavar="B",
                        help="the variant to diff to (a name, or the path "
                             "of a spec such as one evaluate weaken "
                             "wrote)")
    parser.add_argument("-U", "--unified", type=int, default=3,
                        metavar="N", help="lines of context (default 3)")
    parser.add_argument("--summary", action="store_true",
                        help="only the one-line summary (72 columns)")


def run(args: argparse.Namespace) -> int:
    paths = project(args)
    variants = load_variants(paths.variants)
    a = variant_or_spec(variants, args.a, "diff")
    b = variant_or_spec(variants, args.b, "diff")
    if args.summary:
        print(change_summary(a, b))
        return 0
    diff = protocol_diff(render_variant(a, paths), render_variant(b, paths),
                         max(args.unified, 0))
    items = change_items(a, b) or ["no parameter differs"]
    print("\n".join(textwrap.wrap(f"{b.name} vs {a.name}: "
                                   + "; ".join(items), 70,
                                   initial_indent="# ",
                                   subsequent_indent="#   ",
                                   break_on_hyphens=False)))
    print(diff, end="" if diff else "(no difference in the protocol "
                                      "code)\n")
    return 0
