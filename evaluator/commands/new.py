"""Scaffold a new variant: copy an existing spec under a new name, ready
to edit.  Change a parameter in variants/NAME.toml, then look at the
result with 'evaluate render NAME' and test it with 'evaluate check
--variants NAME'.  Refuses to overwrite an existing spec."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from .. import fsutil
from ..errors import SpecError
from ..variants import check_name, load_variants
from .common import add_root, one_variant, project

HELP = "scaffold a new variant from an existing one"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_root(parser)
    parser.add_argument("name", help="name of the new variant")
    parser.add_argument("--from", dest="base", required=True, metavar="BASE",
                        help="existing variant to copy")


def scaffold(base_text: str, base_name: str, name: str) -> str:
    """The base spec with its name replaced and provenance reset."""
    text = re.sub(r'(?m)^name\s*=.*$', f'name = "{name}"', base_text,
                  count=1)
    text = re.sub(r'(?m)^provenance\s*=.*$',
                  f'provenance = "new proposal (from {base_name})"', text,
                  count=1)
    # Expectations of the base do not carry over to a changed variant.
    text = re.sub(r'(?ms)^\[expect\].*?(?=^\[|\Z)', "", text).rstrip()
    return (f"# Scaffolded from {base_name}.toml by 'evaluate new'.\n"
            f"# Edit [params], then: evaluate render {name}\n"
            + text + "\n\n[expect]\n# sc = \"safe\"\n# tso = \"safe\"\n"
            "# c11 = \"safe\"\n")


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
    base = one_variant(load_variants(paths.variants), args.base, "--from")
    target = paths.variants / f"{name}.toml"
    write_new(target, scaffold(base.path.read_text(encoding="utf-8"),
                               base.name, name))
    print(f"wrote {target}")
    print(f"next: edit its [params], then 'evaluate render {name}' and "
          f"'evaluate check --variants {name}'")
    return 0
