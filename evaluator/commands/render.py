"""Print the C that a variant renders to: the shared protocol header, the
variant's hooks (aio_notify, aio_notify_accept, aio_poll_wait,
aio_notifier_cb) with #line markers into the template, and the shared
protocol code.  This exact text is what is checked and what is timed."""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

from ..checker.frontend import cpp_error
from ..errors import EvaluateError
from ..render import render_variant
from ..variants import load_variants
from .common import add_root, one_variant, project

HELP = "print the C a variant renders to"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_root(parser)
    parser.add_argument("name", help="variant name (see 'evaluate list')")
    parser.add_argument("--expand", action="store_true",
                        help="run the C preprocessor too (what the checker "
                             "parses): macros expanded, csrc/ inlined")


def preprocess(text: str, csrc: str) -> str:
    """cpp without system headers, as the checker runs it."""
    try:
        result = subprocess.run(
            ["gcc", "-E", "-P", "-std=gnu11", "-nostdinc", "-I", csrc, "-"],
            input=text, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise EvaluateError("gcc not found",
                            hint="install gcc (apt-get install gcc)") from None
    if result.returncode != 0:
        raise cpp_error(result.stderr, "the rendered C", Path(csrc))
    return result.stdout


def run(args: argparse.Namespace) -> int:
    paths = project(args)
    variant = one_variant(load_variants(paths.variants), args.name,
                          "render")
    rendered = render_variant(variant, paths)
    text = rendered.text
    if args.expand:
        text = preprocess(text, str(paths.csrc))
    print(text, end="" if text.endswith("\n") else "\n")
    return 0
