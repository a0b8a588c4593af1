"""Stage: the dynamic census -- what ONE operation of each scenario
executes, per variant (issue 15).

The static census (census.py) counts instructions once per path in the
object; a reviewer needs what runs: in self-resched atomic_mb_set is
never executed, because notify_me is 0.  So, per variant and scenario:
full fences, atomic RMWs (locked or exclusive pairs) and
acquire/release accesses executed per operation on each census
architecture (x86-64, AArch64 LL/SC, AArch64 LSE), and the eventfd
system calls (write, read, ppoll).

How: the checker's front end compiles the same rendered C to its IR
(frontend.parse_c, compile_thread); the scenario's one-operation path
(bench/scenarios.py, OpPath) is run on it by checker.sequential, first
the warm-up steps, then the steps of one operation; every memory event
the operation executed becomes instructions through the one mapping
table (isa.py) and is classified as the static census classifies
objdump's output (census.classify).  The event-notifier intrinsics are
system calls, counted as such and not as instructions.  What the C
harness does around the protocol (its BH callback's bookkeeping, its
batch loop) is not counted: the callback is modelled as "schedule the
BH again" (self-resched) or nothing.

tests/bench/test_dynamic.py checks the result on x86-64 against what
valgrind's callgrind counts for real in the compiled shared object.
Entry point: dynamic_census().
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from ..build.census import ARCHES, CATEGORIES, SYSCALLS, classify
from ..build.isa import instructions, key_of
from ..checker.csubset import LocPtr, ThreadSpec
from ..checker.frontend import INTRINSICS, compile_thread, parse_c
from ..checker.memory import Kind
from ..checker.scenario import locations
from ..checker.sequential import Executed, Sequential
from ..render import RenderedVariant
from . import scenarios

STUBS = frozenset({"aio_bh_cb"})
CALLBACKS = {
    "reschedule": "\nvoid aio_bh_cb(AioContext *ctx)\n{\n"
                  "    qemu_bh_schedule(ctx);\n}\n",
    "none": "",
}
# __sync builtins that are full barriers (GCC): fence, RMW, fence in the
# IR, one instruction sequence on the machine (isa.py "sync-rmw").
_NOT_FULL_BARRIERS = ("__sync_lock_test_and_set", "__sync_lock_release",
                      "__sync_synchronize")


def _is_sync_unit(label: str) -> bool:
    return label.startswith("__sync_") and label not in _NOT_FULL_BARRIERS


def _text(rendered: RenderedVariant, defines: Sequence[str],
          callback: str) -> str:
    head = "".join(f"#define {d.replace('=', ' ', 1)}\n" for d in defines)
    return head + rendered.text + CALLBACKS[callback]


def _threads(path: scenarios.OpPath, unit) -> list:
    ctx = LocPtr("")
    stubs = STUBS if path.bh_callback == "none" else frozenset()
    out = []
    for name, call, blocking in path.threads:
        args = (ctx,) if blocking is None else (ctx, blocking)
        role = "poller" if call == "aio_poll" else "notifier"
        out.append(compile_thread(unit, ThreadSpec(
            name, role, call, args, 1, True, stubs, f"{call}()")))
    return out


def op_events(rendered: RenderedVariant, csrc: Path, scenario: str,
              defines: Sequence[str] = (), units: dict | None = None
              ) -> list[Executed]:
    """The memory events one operation of `scenario` executes (`units`:
    parsed C by callback, shared between the scenarios of one arm)."""
    path = scenarios.info(scenario).path
    units = {} if units is None else units
    if path.bh_callback not in units:
        units[path.bh_callback] = parse_c(
            _text(rendered, defines, path.bh_callback), rendered.filename,
            csrc)
    unit = units[path.bh_callback]
    threads = _threads(path, unit)
    init = locations(threads, dict(unit.globals))
    init.update(dict(path.init))
    run = Sequential(threads, init)
    for thread, action in path.warmup:
        _step(run, thread, action)
    events = []
    for thread, action in path.op:
        events += _step(run, thread, action)
    return events


def _step(run: Sequential, thread: str, action: str) -> list[Executed]:
    return run.call(thread) if action == "call" else \
        run.until_blocked(thread)


def charge(event: Executed, arch: str, compiler: str) -> Counter:
    """The census categories one executed event costs on `arch`."""
    counts: Counter = Counter()
    if event.label in INTRINSICS:
        return counts                       # a system call, not ours
    sync = _is_sync_unit(event.label)
    if sync and event.access.kind == Kind.FENCE:
        return counts                       # charged at the RMW
    key = key_of(event.access, sync=sync, wrote=event.wrote)
    for insn in instructions(key, arch, compiler, event.access.op):
        counts.update(classify(arch, insn))
    return counts


def syscalls_of(events: Sequence[Executed]) -> dict[str, int]:
    counts = Counter(SYSCALLS[e.label] for e in events
                     if e.label in SYSCALLS)
    return {kind: counts.get(kind, 0) for kind in SYSCALLS.values()}


def _per_arch(events: Sequence[Executed], compiler: str) -> dict:
    out = {}
    for arch in ARCHES:
        total: Counter = Counter()
        for event in events:
            total += charge(event, arch, compiler)
        out[arch] = {c: total.get(c, 0) for c in CATEGORIES}
    return out


def _sites(events: Sequence[Executed], compiler: str, root: Path,
           rendered: RenderedVariant) -> list[dict]:
    """The same counts per source line (function and template line), with
    the line as rendered (a template line may be a Jinja expression)."""
    order: dict[tuple[str, str], list[Executed]] = {}
    for event in events:
        order.setdefault((event.func, str(event.where)), []).append(event)
    lines = rendered_lines(rendered.text)
    sites = []
    for (func, where), group in order.items():
        first = group[0].where
        text = lines.get((first.file, first.line))
        sites.append({"func": func, "where": where,
                      "source": text if text is not None else
                      _file_line(root / first.file, first.line),
                      "events": len(group),
                      "arches": _per_arch(group, compiler),
                      "syscalls": syscalls_of(group)})
    return sites


_LINE_MARKER = re.compile(r'^#line (\d+) "([^"]+)"')


def rendered_lines(text: str) -> dict[tuple[str, int], str]:
    """(file, line) -> the rendered line, following the #line markers
    the renderer writes (render.py)."""
    out, where = {}, None
    for raw in text.splitlines():
        marker = _LINE_MARKER.match(raw)
        if marker:
            where = [marker.group(2), int(marker.group(1))]
            continue
        if where is not None:
            out[where[0], where[1]] = raw.strip()
            where[1] += 1
    return out


def _file_line(path: Path, line: int) -> str:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return ""
    return lines[line - 1].strip() if 0 < line <= len(lines) else ""


def dynamic_census(rendered: RenderedVariant, csrc: Path, *,
                   name: str | None = None, defines: Sequence[str] = (),
                   compiler: str = "gcc",
                   scenario_names: Sequence[str] | None = None) -> dict:
    """The "dynamic" record of one arm (a line of samples.jsonl): per
    scenario the per-operation counts per architecture, the syscalls,
    and the same per source line."""
    out, units = {}, {}
    for scenario in scenario_names or scenarios.names():
        events = op_events(rendered, csrc, scenario, defines, units)
        out[scenario] = {
            "path": scenarios.info(scenario).path.meaning,
            "arches": _per_arch(events, compiler),
            "syscalls": syscalls_of(events),
            "sites": _sites(events, compiler, csrc.parent, rendered),
        }
    return {"variant": name or rendered.name, "compiler": compiler,
            "defines": list(defines), "scenarios": out}
