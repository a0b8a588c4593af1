"""Stage: instruction census of each variant's protocol functions.

Each rendered variant is compiled with the benchmark's flags (its build
profile, build/compile.py) for x86-64 (the chosen compiler), for AArch64
v8.0 (-march=armv8-a -mno-outline-atomics: load/store-exclusive loops
instead of calls to libgcc's __aarch64_* helpers) and for AArch64 v8.1
with LSE (-march=armv8.1-a: single-instruction atomics), disassembled
with objdump -dr, and per function these are counted:

  full_fences  mfence; a locked no-op on the stack (`lock orq $0,(%rsp)`,
               GCC 12's seq_cst fence); dmb (ish, ishld, ishst, ...)
  atomic_rmw   lock-prefixed instructions (other than that no-op), xchg
               with memory; one per load-exclusive (an ldxr/stxr or
               ldaxr/stlxr pair); swp*, cas*, ldadd*/ldset*/ldclr*/...
  acq_rel      instructions with acquire or release semantics: ldar*,
               ldapr*, stlr*, ldaxr*, stlxr*, and the a/l/al forms of the
               LSE atomics (x86-64 has none: plain mov)

What "total" counts.  The benchmark builds like QEMU (direct calls,
-fno-semantic-interposition), so the compiler may inline a hook into
aio_poll and still emit the hook's own global body: counting every
function would count those instructions twice, and counting only the
two entry points would miss a hook that stays out of line.  So "total"
counts each function reachable from the harness's entry points
(ENTRY_POINTS) by direct calls or tail jumps once, and nothing else: an
out-of-line copy that no reachable code calls is never executed and is
not counted.  "counted" lists those functions per architecture; the
per-function rows are each body as objdump shows it.  This is still a
static count (every path once); what one operation of a scenario
executes is the dynamic census (bench/dynamic.py).
Entry point: census_variant().
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path
from collections.abc import Mapping, Sequence

from .compile import (CACHE_VERSION, DEFAULT_PROFILE, Toolchain, cached_dir,
                      content_key, csrc_files, default_cache, files_parts,
                      run_compiler, tool_version, variant_flags)
from ..errors import BuildError
from ..paths import ProjectPaths
from ..render import RenderedVariant

FUNCTIONS = ("aio_notify", "aio_notify_accept", "aio_poll_wait",
             "aio_notifier_cb", "aio_poll", "qemu_bh_schedule",
             "aio_compute_timeout")
# What the harness calls (dlsym in csrc/harness/main.c): "total" counts
# these and every function they reach, each once.
ENTRY_POINTS = ("qemu_bh_schedule", "aio_poll")
CATEGORIES = ("full_fences", "atomic_rmw", "acq_rel")
# How tables name the categories: one letter each, and what it counts.
CATEGORY_LETTERS = {"full_fences": "F", "atomic_rmw": "R", "acq_rel": "A"}
CATEGORY_MEANING = {"full_fences": "full fences",
                    "atomic_rmw": "atomic RMWs (locked or exclusive pairs)",
                    "acq_rel": "acquire/release loads and stores"}
ARCHES = ("x86-64", "aarch64", "aarch64-lse")
# Column heads where a table has 8 columns per architecture.
ARCH_SHORT = {"x86-64": "x86-64", "aarch64": "a64", "aarch64-lse": "a64-lse"}
# The dynamic census (bench/dynamic.py) counts CATEGORIES per architecture
# and, the same on every architecture, the system calls the event
# notifier intrinsics make (csrc/harness/notifier.c).  S is what the
# bench's sys/op counts (eventfd write(2) + read(2)); P the ppoll(2)
# waits, which the bench does not count.
SYSCALLS = {"event_notifier_set": "write",
            "event_notifier_test_and_clear": "read",
            "event_notifier_wait": "ppoll"}
SYSCALL_LETTERS = {"S": ("write", "read"), "P": ("ppoll",)}
SYSCALL_MEANING = {"S": "eventfd write(2)+read(2) calls (what sys/op "
                        "counts)", "P": "ppoll(2) waits"}
AARCH64_GCC = "aarch64-linux-gnu-gcc"
AARCH64_OBJDUMP = "aarch64-linux-gnu-objdump"
_ARCH_FLAGS = {
    "x86-64": (),
    "aarch64": ("-march=armv8-a", "-mno-outline-atomics"),
    "aarch64-lse": ("-march=armv8.1-a",),
}


@dataclass(frozen=True)
class Insn:
    mnemonic: str       # lower case, without a lock prefix
    operands: str
    locked: bool = False
    target: str = ""    # a branch's or call's target symbol, if any

    @property
    def text(self) -> str:
        prefix = "lock " if self.locked else ""
        return f"{prefix}{self.mnemonic} {self.operands}".strip()


@dataclass(frozen=True)
class ArchTool:
    arch: str
    cc: str                     # "gcc" or "clang": picks variant_flags
    compiler: tuple[str, ...]   # argv prefix (compiler and target flags)
    objdump: str
    version: str


# ---- classification ------------------------------------------------------

_X86_STACK_NOOP = re.compile(r"^\$0x0,(-?0x[0-9a-f]+)?\(%rsp\)$")
_A64_EXCLUSIVE_LOAD = re.compile(r"^ld(a)?xr[bh]?$|^ld(a)?xp$")
_A64_EXCLUSIVE_STORE_REL = re.compile(r"^stlxr[bh]?$|^stlxp$")
_A64_LSE = re.compile(r"^(swp|casp?|ld(add|clr|eor|set|smax|smin|umax|umin))"
                      r"(?P<order>a|al|l)?[bh]?$")
_A64_ACQ_REL_LS = re.compile(r"^(ldar|ldapr|ldapur|stlr|stlur)[bh]?$")


def classify_x86(insn: Insn) -> set[str]:
    if insn.mnemonic == "mfence":
        return {"full_fences"}
    if insn.locked:
        noop = (insn.mnemonic.rstrip("bwlq") in ("or", "add")
                and _X86_STACK_NOOP.match(insn.operands.replace(" ", "")))
        return {"full_fences"} if noop else {"atomic_rmw"}
    if insn.mnemonic.startswith("xchg") and "(" in insn.operands:
        return {"atomic_rmw"}       # implicitly locked
    return set()


def classify_aarch64(insn: Insn) -> set[str]:
    m = insn.mnemonic
    if m == "dmb":
        return {"full_fences"}
    found = set()
    load_ex = _A64_EXCLUSIVE_LOAD.match(m)
    if load_ex:
        found.add("atomic_rmw")     # one per ldxr/stxr pair
        if m.startswith("lda"):
            found.add("acq_rel")
    elif _A64_EXCLUSIVE_STORE_REL.match(m) or _A64_ACQ_REL_LS.match(m):
        found.add("acq_rel")
    else:
        lse = _A64_LSE.match(m)
        if lse:
            found.add("atomic_rmw")
            if lse.group("order"):
                found.add("acq_rel")
    return found


def classify(arch: str, insn: Insn) -> set[str]:
    return classify_x86(insn) if arch == "x86-64" else classify_aarch64(insn)


def count(arch: str, insns: Sequence[Insn]) -> dict[str, int]:
    counts = dict.fromkeys(CATEGORIES, 0)
    for insn in insns:
        for category in classify(arch, insn):
            counts[category] += 1
    return counts


# ---- disassembly ---------------------------------------------------------

_FUNC_RE = re.compile(r"^[0-9a-f]+ <(?P<name>[^>]+)>:$")
_INSN_RE = re.compile(r"^\s*[0-9a-f]+:\s+(?P<text>\S.*)$")
# objdump -r: "  19: R_X86_64_PLT32\tevent_notifier_set-0x4"
_RELOC_RE = re.compile(r"^\s*[0-9a-f]+:\s+R_[A-Z0-9_]+\s+(?P<sym>[^\s+-]+)")
_TARGET_RE = re.compile(r"<(?P<sym>[^>+]+)(?:\+0x[0-9a-f]+)?>")


def parse_insn(code: str) -> Insn | None:
    """One objdump instruction text (None for padding or '(bad)')."""
    if not code or code.startswith("(bad)"):
        return None
    target = _TARGET_RE.search(code)
    code = code.split("//")[0].split("#")[0].strip()
    parts = code.split(None, 1)
    locked = parts[0] == "lock"
    if locked:
        parts = parts[1].split(None, 1)
    operands = parts[1].strip() if len(parts) > 1 else ""
    return Insn(parts[0].lower(), operands, locked,
                target.group("sym") if target else "")


def parse_objdump(text: str) -> dict[str, list[Insn]]:
    """Instructions per function from `objdump -d[r] --no-show-raw-insn`
    (a relocation line names the real target of the call before it)."""
    functions: dict[str, list[Insn]] = {}
    current: list[Insn] | None = None
    for line in text.splitlines():
        head = _FUNC_RE.match(line.strip())
        if head:
            current = functions.setdefault(head.group("name"), [])
            continue
        if current is None:
            continue
        reloc = _RELOC_RE.match(line)
        if reloc:
            if current:
                current[-1] = replace(current[-1], target=reloc.group("sym"))
            continue
        body = _INSN_RE.match(line)
        insn = parse_insn(body.group("text")) if body else None
        if insn is not None:
            current.append(insn)
    return functions


def reachable(functions: Mapping[str, Sequence[Insn]],
              entries: Sequence[str] = ENTRY_POINTS) -> list[str]:
    """The functions of the object the entry points reach through direct
    calls and jumps (tail calls), in the order found."""
    seen = [e for e in entries if e in functions]
    for name in seen:       # grows while it is walked
        for insn in functions[name]:
            callee = insn.target
            if callee and callee != name and callee in functions \
                    and callee not in seen:
                seen.append(callee)
    return seen


def arch_tool(arch: str, toolchain: Toolchain) -> ArchTool:
    """How to compile and disassemble for one census architecture."""
    flags = _ARCH_FLAGS[arch]
    if arch == "x86-64":
        return ArchTool(arch, toolchain.cc, (toolchain.path, *flags),
                        _need("objdump", "binutils"), toolchain.version)
    objdump = _need(AARCH64_OBJDUMP, "binutils-aarch64-linux-gnu")
    if toolchain.cc == "clang":
        return ArchTool(arch, "clang", (toolchain.path,
                                        "--target=aarch64-linux-gnu", *flags),
                        objdump, toolchain.version)
    gcc = _need(AARCH64_GCC, "gcc-aarch64-linux-gnu")
    return ArchTool(arch, "gcc", (gcc, *flags), objdump, tool_version(gcc))


def _need(tool: str, package: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise BuildError(f"{tool} not found on PATH (needed for the "
                         "instruction census)", hint=f"install {package}")
    return path


def disassemble(rendered: RenderedVariant, paths: ProjectPaths,
                tool: ArchTool, defines: Sequence[str] = (),
                cache: Path | None = None,
                build_profile: str = DEFAULT_PROFILE
                ) -> dict[str, list[Insn]]:
    """Compile to an object for tool.arch (cached) and disassemble it."""
    return parse_objdump(objdump_text(rendered, paths, tool, defines, cache,
                                      build_profile))


def objdump_text(rendered: RenderedVariant, paths: ProjectPaths,
                 tool: ArchTool, defines: Sequence[str] = (),
                 cache: Path | None = None,
                 build_profile: str = DEFAULT_PROFILE) -> str:
    """`objdump -dr --no-show-raw-insn` of the variant's object for
    tool.arch, compiled with the bench's flags (cached by content)."""
    flags = variant_flags(tool.cc, defines, build_profile)
    key = content_key([CACHE_VERSION, "census", *tool.compiler,
                       tool.version, *flags, rendered.text,
                       *files_parts(csrc_files(paths.csrc))])

    def build(tmp: Path) -> None:
        source = tmp / rendered.filename
        source.write_text(rendered.text, encoding="utf-8")
        run_compiler([*tool.compiler, *flags, "-I", str(paths.csrc), "-c",
                      str(source), "-o", str(tmp / "census.o")],
                     f"variant {rendered.name} for {tool.arch}", paths,
                     Path(tool.compiler[0]).name)

    where = cached_dir(cache or default_cache(paths), key, build)
    done = subprocess.run([tool.objdump, "-dr", "--no-show-raw-insn",
                           str(where / "census.o")], capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise BuildError(f"objdump failed: {done.stderr.strip()}",
                         path=where / "census.o")
    return done.stdout


def count_functions(arch: str, functions: Mapping[str, Sequence[Insn]]
                    ) -> dict[str, dict[str, int]]:
    """Per protocol function its own body; "total" over reachable()."""
    counts = {name: count(arch, functions.get(name, ()))
              for name in FUNCTIONS}
    every = [count(arch, functions[f]) for f in reachable(functions)]
    counts["total"] = {c: sum(n[c] for n in every) for c in CATEGORIES}
    return counts


def census_variant(rendered: RenderedVariant, paths: ProjectPaths,
                   toolchain: Toolchain, *, name: str | None = None,
                   defines: Sequence[str] = (),
                   cache: Path | None = None,
                   build_profile: str = DEFAULT_PROFILE) -> dict:
    """The census record of one variant (the "census" line of samples)."""
    arches, counted = {}, {}
    for arch in ARCHES:
        functions = disassemble(rendered, paths, arch_tool(arch, toolchain),
                                defines, cache, build_profile)
        missing = [f for f in FUNCTIONS if f not in functions]
        if missing:
            raise BuildError(f"{arch} object of {rendered.name} lacks "
                             + ", ".join(missing),
                             hint="a hook was renamed or made static")
        arches[arch] = count_functions(arch, functions)
        counted[arch] = reachable(functions)
    return {"variant": name or rendered.name, "arches": arches,
            "counted": counted}


def census_flags(toolchain: Toolchain,
                 build_profile: str = DEFAULT_PROFILE) -> dict[str, str]:
    """Compiler and flags per census architecture, for the environment."""
    out = {}
    for arch in ARCHES:
        tool = arch_tool(arch, toolchain)
        out[arch] = " ".join([Path(tool.compiler[0]).name, *tool.compiler[1:],
                              *variant_flags(tool.cc,
                                             build_profile=build_profile),
                              "-c"]) + f" ({tool.version})"
    return out
