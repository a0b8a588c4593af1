"""The main job: evaluate --variants all.  (Wired up stage by stage.)"""

from __future__ import annotations

import argparse

from .common import add_root, add_variants


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_root(parser)
    add_variants(parser)


def run(args: argparse.Namespace) -> int:
    from .list import format_table
    from ..variants import load_variants, select
    from .common import project
    paths = project(args)
    variants = select(load_variants(paths.variants), args.variants)
    print(format_table(variants))
    return 0
