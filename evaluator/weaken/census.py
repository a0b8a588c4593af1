"""The instruction census of the base and of each written point: what a
weakening saves in fences, atomic RMWs and acquire/release instructions,
on x86-64 and AArch64 (build/census.py, the bench's flags).  Without a
compiler or cross compiler the census is left out with a note saying
what to install; the search's results stand without it.

Entry point: census_rows(variants, paths) -> (rows, notes), rows keyed
by point index (-1: the base), each {row label: "F/R/A"}.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..build.census import ARCH_SHORT, CATEGORIES, census_variant
from ..build.compile import find_toolchain
from ..errors import BuildError
from ..paths import ProjectPaths
from ..render import render_variant
from ..variants import Variant

ARCHES = ("x86-64", "aarch64")
LEGEND = ("census: F/R/A per architecture, counted over what the harness "
          "runs: full fences / atomic RMWs / acquire-release "
          "instructions (gcc, the bench's flags; a64 is -march=armv8-a)")


def _label(arch: str) -> str:
    return f"census {ARCH_SHORT[arch]} F/R/A"


def _cells(record: dict) -> dict[str, str]:
    return {_label(arch): "/".join(str(record["arches"][arch]["total"][c])
                                   for c in CATEGORIES)
            for arch in ARCHES}


def census_rows(variants: Sequence[tuple[int, Variant]],
                paths: ProjectPaths) -> tuple[dict[int, dict[str, str]],
                                              list[str]]:
    try:
        toolchain = find_toolchain("gcc")
        rows = {index: _cells(census_variant(render_variant(v, paths),
                                             paths, toolchain))
                for index, v in variants}
    except BuildError as exc:
        return {}, [f"no instruction census: {exc}"]
    return rows, [LEGEND]
