"""Options and helpers shared by several subcommands."""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import memory_models
from ..errors import EvaluateError
from ..paths import ProjectPaths, find_project
from ..variants import Variant, load_variants, select


def add_root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root", type=Path, default=None, metavar="DIR",
        help="project directory holding variants/, templates/, csrc/ "
             "(default: $EVALUATE_ROOT, else this checkout)")


def add_variants(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--variants", default="all", metavar="all|A,B",
        help="which variants: 'all' or comma-separated names "
             "(see 'evaluate list'); default: all")


def project(args: argparse.Namespace) -> ProjectPaths:
    return find_project(getattr(args, "root", None))


def chosen_variants(args: argparse.Namespace) -> tuple[ProjectPaths,
                                                        list[Variant]]:
    paths = project(args)
    return paths, select(load_variants(paths.variants), args.variants)


def add_models(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--models", default=None, metavar="A,B",
        help="memory models (default: every one: "
             + ",".join(memory_models.names()) + ")")


def parse_models(text: str | None) -> list[str]:
    """--models: a subset of the registry, or all of it."""
    names = memory_models.names()
    return split_list(text, names, "memory model") if text else list(names)


def split_list(text: str, allowed: tuple[str, ...], what: str) -> list[str]:
    """Parse 'a,b' against a closed list of names."""
    items = [part.strip() for part in text.split(",") if part.strip()]
    for item in items:
        if item not in allowed:
            raise EvaluateError(f"unknown {what} {item!r}",
                                hint="valid: " + ", ".join(allowed))
    if not items:
        raise EvaluateError(f"no {what} given",
                            hint="valid: " + ", ".join(allowed))
    return items


def parse_delta(text: str) -> float:
    """'1%' or '0.01' -> 0.01."""
    raw = text.strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"delta {text!r} is not a number (give 1% or 0.01)") from None
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(
            f"delta {text!r} out of range (give e.g. 1% or 0.01)")
    return value
