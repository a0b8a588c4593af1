"""Stage: compile rendered variants and the benchmark harness.

Each variant becomes one shared object with the same symbols as every
other (qemu_bh_schedule, aio_poll, the hooks), so one harness process can
dlopen them side by side (RTLD_LOCAL).  The harness executable exports the
eventfd intrinsics and aio_bh_cb (-rdynamic) that the objects leave
undefined.  Builds are cached by content hash under <root>/.cache/build/:
the rendered text, every file it includes from csrc/, the compiler and its
version, and the flags.  Entry points: build_variant(), build_harness().

Why the variant flags are what they are (PROFILES): QEMU links the
protocol into an executable (Debian builds it -fPIE), where no global
function can be interposed, so calls between aio_poll, aio_notify and
the hooks are direct and the compiler inlines them where it sees fit.
A shared object needs -fPIC, and -fPIC by default lets another object
interpose every global symbol: GCC then calls each hook through the PLT
and never inlines it, which adds an indirect jump per call and hides
part of a locked instruction's cost behind it (issue 15 measured the
test-then-xchg/original ratio at ~1.00 with the PLT, ~0.76 without).
-fno-semantic-interposition takes back exactly that assumption and
nothing else: the code is still position-independent, one TU per
variant, loaded side by side.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import BuildError
from ..paths import ProjectPaths
from ..render import RenderedVariant

COMPILERS = ("gcc", "clang")


@dataclass(frozen=True)
class BuildProfile:
    """How the variants are compiled (the harness is always the same)."""

    name: str
    flags: tuple[str, ...]                      # for every compiler
    per_compiler: Mapping[str, tuple[str, ...]]
    meaning: str


# -march stays at the distribution default (x86-64 baseline on Debian).
PROFILES = {p.name: p for p in (
    BuildProfile(
        "qemu", ("-std=gnu11", "-O2", "-fPIC",
                 "-fno-semantic-interposition"), {},
        "as in a QEMU executable: direct calls between the protocol "
        "functions, which the compiler may inline"),
    # Kept only to measure what the build change is worth (issue 15's
    # before/after, benchmarks/bench_sanity.py --before): every call
    # between protocol functions through the PLT, none inlined.
    BuildProfile(
        "interposable", ("-std=gnu11", "-O2", "-fPIC"),
        {"clang": ("-fsemantic-interposition",)},
        "the pre-issue-15 build: every hook interposable, called through "
        "the PLT, never inlined"),
)}
DEFAULT_PROFILE = "qemu"
SHARED_FLAGS = ("-shared",)
HARNESS_FLAGS = ("-std=gnu11", "-O2", "-pthread", "-rdynamic")
HARNESS_LIBS = ("-ldl",)
CACHE_VERSION = "evaluate-build/1"
_ERROR_RE = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+):(?:\d+:)? "
                       r"(?:fatal )?error: ", re.M)


@dataclass(frozen=True)
class Toolchain:
    cc: str             # "gcc" or "clang", as given to --cc
    path: str           # resolved executable
    version: str        # first line of `cc --version`


@dataclass(frozen=True)
class Build:
    name: str           # the name samples carry (a variant, or a control)
    library: Path       # the shared object
    source: Path        # the rendered C it was built from
    flags: tuple[str, ...]
    key: str            # content hash


def find_toolchain(cc: str = "gcc") -> Toolchain:
    """Resolve --cc to an executable and record its version."""
    if cc not in COMPILERS:
        raise BuildError(f"unknown compiler {cc!r}",
                         hint="valid: " + ", ".join(COMPILERS))
    path = shutil.which(cc)
    if path is None:
        raise BuildError(f"compiler {cc!r} not found on PATH",
                         hint=f"install {cc} or use --cc "
                              + "|".join(c for c in COMPILERS if c != cc))
    return Toolchain(cc, path, tool_version(path))


# Cross toolchains for building the harness and the variants for another
# architecture (the AArch64 build is run under qemu-user by the tests, for
# correctness only: emulated timings are never measurements).
CROSS_COMPILERS = {"aarch64": ("aarch64-linux-gnu-gcc",
                               "gcc-aarch64-linux-gnu libc6-dev-arm64-cross")}


def cross_toolchain(arch: str) -> Toolchain:
    """The GCC cross compiler for `arch` (Debian gcc-<arch>-linux-gnu)."""
    if arch not in CROSS_COMPILERS:
        raise BuildError(f"no cross compiler for {arch!r}",
                         hint="valid: " + ", ".join(CROSS_COMPILERS))
    name, packages = CROSS_COMPILERS[arch]
    path = shutil.which(name)
    if path is None:
        raise BuildError(f"{name} not found on PATH",
                         hint=f"install {packages}")
    return Toolchain("gcc", path, tool_version(path))


def tool_version(path: str) -> str:
    done = subprocess.run([path, "--version"], capture_output=True,
                          text=True, check=False)
    lines = (done.stdout or done.stderr).splitlines()
    return lines[0].strip() if lines else "unknown"


def default_cache(paths: ProjectPaths) -> Path:
    return paths.root / ".cache" / "build"


def csrc_files(csrc: Path) -> list[Path]:
    """The protocol files a rendered variant includes (not the harness)."""
    return sorted(p for p in csrc.iterdir() if p.suffix in (".c", ".h"))


def content_key(parts: Iterable[str | bytes]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()[:24]


def files_parts(files: Iterable[Path]) -> list[str | bytes]:
    parts: list[str | bytes] = []
    for file in files:
        parts += [file.name, file.read_bytes()]
    return parts


def compile_error(stderr: str, what: str, paths: ProjectPaths,
                  cc: str) -> BuildError:
    """The compiler's own message; path and line point at the template
    line when the error is in a variant's hooks (the #line markers make
    the compiler print templates/<name>.c.j2:<line>)."""
    match = _ERROR_RE.search(stderr)
    path, line = None, None
    if match:
        path = Path(match.group("file"))
        if not path.is_absolute():
            path = paths.root / path
        line = int(match.group("line"))
    text = "\n".join(stderr.strip().splitlines()[:30])
    # A plain-C variant's errors are in its own file, not a template.
    shown = "template line" if path is None or path.suffix == ".j2" \
        else "line"
    return BuildError(f"{what} does not compile with {cc}:\n{text}",
                      path=path, line=line,
                      hint=f"fix the {shown} shown; "
                           "'evaluate render NAME' prints the C")


def run_compiler(argv: Sequence[str], what: str, paths: ProjectPaths,
                 cc: str) -> None:
    done = subprocess.run(list(argv), capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise compile_error(done.stderr, what, paths, cc)


def _publish(tmp: Path, final: Path) -> None:
    """Move a finished build directory into the cache atomically."""
    try:
        os.rename(tmp, final)
    except OSError:
        if not final.is_dir():      # not a concurrent identical build
            raise
        shutil.rmtree(tmp, ignore_errors=True)


def cached_dir(cache: Path, key: str, build) -> Path:
    """cache/<key>, made by build(tmp_dir) if it is not there yet."""
    final = cache / key
    if final.is_dir():
        return final
    cache.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=cache))
    try:
        build(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _publish(tmp, final)
    return final


def profile(name: str) -> BuildProfile:
    if name not in PROFILES:
        raise BuildError(f"unknown build profile {name!r}",
                         hint="valid: " + ", ".join(PROFILES))
    return PROFILES[name]


def variant_flags(cc: str, defines: Sequence[str] = (),
                  build_profile: str = DEFAULT_PROFILE) -> tuple[str, ...]:
    chosen = profile(build_profile)
    return (chosen.flags + tuple(chosen.per_compiler.get(cc, ()))
            + tuple(f"-D{d}" for d in defines))


def build_variant(rendered: RenderedVariant, paths: ProjectPaths,
                  toolchain: Toolchain, *, name: str | None = None,
                  defines: Sequence[str] = (),
                  cache: Path | None = None,
                  build_profile: str = DEFAULT_PROFILE) -> Build:
    """Compile one rendered variant into a shared object (cached)."""
    flags = variant_flags(toolchain.cc, defines, build_profile) \
        + SHARED_FLAGS
    key = content_key([CACHE_VERSION, "variant", toolchain.path,
                       toolchain.version, *flags, rendered.text,
                       *files_parts(csrc_files(paths.csrc))])

    def build(tmp: Path) -> None:
        source = tmp / rendered.filename
        source.write_text(rendered.text, encoding="utf-8")
        run_compiler([toolchain.path, *flags, "-I", str(paths.csrc),
                      str(source), "-o", str(tmp / "variant.so")],
                     f"variant {rendered.name}", paths, toolchain.cc)

    where = cached_dir(cache or default_cache(paths), key, build)
    return Build(name or rendered.name, where / "variant.so",
                 where / rendered.filename, flags, key)


def copy_build(build: Build, name: str, cache: Path) -> Build:
    """The same object under another file name: dlopen of one path twice
    returns one handle, so the A/A copy needs its own file."""
    key = content_key([CACHE_VERSION, "copy", build.key, name])

    def copy(tmp: Path) -> None:
        shutil.copyfile(build.library, tmp / "variant.so")

    where = cached_dir(cache, key, copy)
    return Build(name, where / "variant.so", build.source, build.flags, key)


def harness_sources(paths: ProjectPaths) -> list[Path]:
    return sorted((paths.csrc / "harness").glob("*.c"))


def build_harness(paths: ProjectPaths, toolchain: Toolchain,
                  cache: Path | None = None) -> Path:
    """Compile csrc/harness/ into the harness executable (cached)."""
    harness_dir = paths.csrc / "harness"
    sources = harness_sources(paths)
    if not sources:
        raise BuildError("no harness sources", path=harness_dir)
    headers = sorted(harness_dir.glob("*.h")) + csrc_files(paths.csrc)
    key = content_key([CACHE_VERSION, "harness", toolchain.path,
                       toolchain.version, *HARNESS_FLAGS, *HARNESS_LIBS,
                       *files_parts(sources + headers)])

    def build(tmp: Path) -> None:
        run_compiler([toolchain.path, *HARNESS_FLAGS, "-I", str(paths.csrc),
                      *map(str, sources), "-o", str(tmp / "harness"),
                      *HARNESS_LIBS], "the harness", paths, toolchain.cc)

    return cached_dir(cache or default_cache(paths), key, build) / "harness"
