"""The registry of AArch64 build configurations: the one place that
lists them.

The armv8 model checks the instructions a compiler emitted, so its
verdict belongs to a build, not to the C: each entry here is a column of
`evaluate check --models armv8` and of the report's AArch64 table.  The
flags are the census's for that architecture (census._ARCH_FLAGS:
-march=armv8-a -mno-outline-atomics keeps the load/store-exclusive loops
inline instead of calls to libgcc's __aarch64_* helpers; -march=armv8.1-a
gives the LSE single-instruction atomics), on top of the bench's build
profile, so the object checked is the one the census counts.  clang
cross-compiles with --target=aarch64-linux-gnu; only compiling is needed
(no AArch64 libc or linker).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass

from .. import registry
from ..errors import BuildError
from .census import AARCH64_GCC, AARCH64_OBJDUMP


@dataclass(frozen=True)
class BuildTarget:
    name: str           # CLI, JSON and table key: "gcc-v8.0"
    cc: str             # the compiler (build/compile.COMPILERS)
    arch: str           # census architecture: its flags (census.ARCHES)
    column: str         # table head, at most 7 characters
    emits: str          # its atomics in a few words, for sentences
    summary: str        # the build, one line

    def compilers(self) -> tuple[str, ...]:
        """The executables this build needs on PATH."""
        cc = AARCH64_GCC if self.cc == "gcc" else "clang"
        return (cc, AARCH64_OBJDUMP)


TARGETS: tuple[BuildTarget, ...] = (
    BuildTarget("gcc-v8.0", "gcc", "aarch64", "gcc8.0", "LL/SC loops",
                "GCC, -march=armv8-a -mno-outline-atomics: LL/SC "
                "exclusive loops"),
    BuildTarget("gcc-v8.1", "gcc", "aarch64-lse", "gcc8.1", "LSE atomics",
                "GCC, -march=armv8.1-a: LSE atomics (LDADDAL, SWPAL, CASAL)"),
    BuildTarget("clang-v8.0", "clang", "aarch64", "cl8.0", "LL/SC loops",
                "clang --target=aarch64-linux-gnu, -march=armv8-a "
                "-mno-outline-atomics"),
    BuildTarget("clang-v8.1", "clang", "aarch64-lse", "cl8.1",
                "LSE atomics",
                "clang --target=aarch64-linux-gnu, -march=armv8.1-a"),
)


def names() -> tuple[str, ...]:
    return tuple(target.name for target in TARGETS)


def get(name: str) -> BuildTarget:
    return registry.find(TARGETS, name, "build", BuildError)


def missing_tools(target: BuildTarget) -> tuple[str, ...]:
    return tuple(tool for tool in target.compilers()
                 if shutil.which(tool) is None)


def installed() -> tuple[tuple[BuildTarget, ...], tuple[str, ...]]:
    """The builds whose tools are on PATH, and a note per build that is
    not ('clang-v8.0: clang not found')."""
    found, notes = [], []
    for target in TARGETS:
        missing = missing_tools(target)
        if missing:
            notes.append(f"{target.name}: {', '.join(missing)} not found")
        else:
            found.append(target)
    return tuple(found), tuple(notes)
