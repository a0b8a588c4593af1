"""Sites: the ordering points of a compiled program, and programs with
their orders changed.

A site is one atomic operation or fence of the C source, wherever the
front end inlined it: every memory event lowered from the same
construct (function, file, line, column) and the same part of it is the
same site.  A `__sync` RMW is three sites (its leading fence, the RMW,
its trailing fence), as the compiler makes it; so is a composite macro
such as atomic_mb_set (fence, store, fence).  Plain (non-atomic)
accesses and the event-notifier syscalls are not sites.

Entry points: find_sites(program, read_line) and apply(program, sites,
assignment).  An assignment maps site names to lattice levels.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from ..orders import Order
from ..checker.ir import MEM, Mem, Program, Where
from ..checker.memory import Access, Kind, RmwOp
from . import lattice

_KIND = {Kind.LOAD: lattice.LOAD, Kind.STORE: lattice.STORE,
         Kind.RMW: lattice.RMW, Kind.FENCE: lattice.FENCE}
# A call as written (a QEMU macro, a builtin, a template's own macro);
# the k-th on a statement names its k-th construct.
_CALL_RE = re.compile(r"\b([A-Za-z_]\w*)\s*\(")
_NOT_CALLS = frozenset({"if", "while", "for", "switch", "return", "sizeof",
                        "do", "assert"})

ReadLine = Callable[[str, int], str | None]


@dataclass(frozen=True)
class Site:
    name: str                      # "aio_notify:smp_mb", unique
    kind: str                      # lattice.LOAD | STORE | RMW | FENCE
    level: Order                   # as the program has it
    func: str
    where: Where
    part: int                      # which event of the construct
    positions: tuple[tuple[int, int], ...]   # (thread, pc) of each copy

    def describe(self) -> str:
        level = lattice.name(self.kind, self.level)
        return f"{self.name} ({self.kind} {level}, {self.where})"


def _is_site(ins) -> bool:
    return (ins.kind == MEM and not ins.access.plain
            and not ins.label.startswith("event_notifier")
            and ins.access.kind in _KIND)


def _constructs(program: Program) -> dict[tuple, list[tuple[int, int]]]:
    """(func, file, line, column, part) -> every (thread, pc) of it."""
    found: dict[tuple, list[tuple[int, int]]] = {}
    for t, thread in enumerate(program.threads):
        previous, part = None, 0
        for pc, ins in enumerate(thread.code):
            if not _is_site(ins):
                continue
            node = (ins.func, ins.where.file, ins.where.line,
                    ins.where.column)
            part = part + 1 if node == previous else 0
            previous = node
            found.setdefault((*node, part), []).append((t, pc))
    return found


def _spellings(keys: list[tuple], read_line: ReadLine) -> dict[tuple, str]:
    """The call each construct is written as, from its source line:
    the k-th call on a line is the k-th construct by column."""
    by_line: dict[tuple, list[tuple]] = {}
    for key in keys:
        by_line.setdefault(key[:3], []).append(key)
    out = {}
    for (_func, file, line), members in by_line.items():
        text = read_line(file, line) or ""
        calls = [c for c in _CALL_RE.findall(text) if c not in _NOT_CALLS]
        columns = sorted({k[3] for k in members})
        for key in members:
            if len(calls) == len(columns):
                call = calls[columns.index(key[3])]
            elif len(calls) == 1:
                call = calls[0]
            else:
                call = "op"
            out[key] = call
    return out


def _roles(kinds: list[str]) -> list[str]:
    """Names of the events of one construct: a __sync RMW or a composite
    macro (atomic_mb_set) is fence, access, fence."""
    if len(kinds) == 1:
        return [""]
    accesses = [i for i, k in enumerate(kinds) if k != lattice.FENCE]
    out = []
    for i, kind in enumerate(kinds):
        if kind != lattice.FENCE:
            several = len(accesses) > 1
            out.append(f".{kind}{accesses.index(i) + 1 if several else ''}")
        elif accesses and i < accesses[0]:
            out.append(".fence-before")
        elif accesses and i > accesses[-1]:
            out.append(".fence-after")
        else:
            out.append(f".fence{i + 1}")
    return out


def find_sites(program: Program,
               read_line: ReadLine = lambda file, line: None
               ) -> tuple[Site, ...]:
    """Every site of the program, in the order the threads meet them."""
    constructs = _constructs(program)
    spelled = _spellings(list(constructs), read_line)
    first = {key: program.threads[pos[0][0]].code[pos[0][1]]
             for key, pos in constructs.items()}
    kinds = {key: _KIND[ins.access.kind] for key, ins in first.items()}
    # The events one written call makes (a __sync RMW: one column, three
    # parts; a macro like atomic_mb_set: three calls once expanded) are
    # named together, by role.
    calls: dict[tuple, list[tuple]] = {}
    for key in sorted(constructs, key=lambda k: (k[:3], k[3], k[4])):
        calls.setdefault((*key[:3], spelled[key]), []).append(key)
    names = {}
    for (func, _file, _line, call), members in calls.items():
        roles = _roles([kinds[k] for k in members])
        for key, role in zip(members, roles):
            names[key] = f"{func}:{call}{role}"
    names = _unique(names)
    return tuple(
        Site(names[key], kinds[key],
             lattice.normal(kinds[key], first[key].access.order), key[0],
             first[key].where, key[4], tuple(positions))
        for key, positions in constructs.items())


def _unique(names: dict[tuple, str]) -> dict[tuple, str]:
    """Add @line where a name repeats, then #k (by column) if it still
    does: every site gets a name of its own."""
    def repeated(table):
        counts: dict[str, int] = {}
        for value in table.values():
            counts[value] = counts.get(value, 0) + 1
        return {v for v, n in counts.items() if n > 1}
    twice = repeated(names)
    names = {k: f"{v}@{k[2]}" if v in twice else v for k, v in names.items()}
    twice = repeated(names)
    for value in twice:
        keys = sorted(k for k, v in names.items() if v == value)
        for number, key in enumerate(keys, start=1):
            names[key] = f"{value}#{number}"
    return names


# The read part of an RMW order: what a failed compare-exchange may keep.
_READ_PART = {Order.RELEASE: Order.RELAXED, Order.ACQ_REL: Order.ACQUIRE}


def _with_order(access: Access, level: Order) -> Access:
    fields = {"order": level}
    if access.op is RmwOp.CAS and access.fail_order is not None:
        # C11 7.17.7.4: the failure order is no stronger than the
        # success order's read part (and never release): clamp it.
        read = _READ_PART.get(level, level)
        fail = lattice.normal(lattice.LOAD, access.fail_order)
        if not lattice.leq(lattice.LOAD, fail, read):
            fields["fail_order"] = read
    return replace(access, **fields)


def _mem(ins: Mem, level: Order) -> Mem:
    return Mem(_with_order(ins.access, level), ins.parts, ins.dest,
               ins.blocking, ins.label, ins.where, ins.func)


def apply(program: Program, sites: tuple[Site, ...],
          assignment: Mapping[str, Order]) -> Program:
    """The program with each named site at its assigned level."""
    codes = [list(thread.code) for thread in program.threads]
    for site in sites:
        level = assignment.get(site.name, site.level)
        if level == site.level:
            continue
        for t, pc in site.positions:
            codes[t][pc] = _mem(codes[t][pc], level)
    threads = tuple(replace(thread, code=tuple(code))
                    for thread, code in zip(program.threads, codes))
    return replace(program, threads=threads)


_LINE_RE = re.compile(r'^#line (\d+) "([^"]+)"')


def line_reader(text: str, *roots: Path) -> ReadLine:
    """Source lines as the checker's positions name them: the rendered
    text's own lines (through its #line markers), else the named file
    under one of `roots`.  A statement that spans lines reads as one,
    up to where its parentheses close."""
    table: dict[tuple[str, int], str] = {}
    file, line = "", 0
    for raw in text.splitlines():
        match = _LINE_RE.match(raw)
        if match:
            line, file = int(match.group(1)), match.group(2)
            continue
        table[file, line] = raw
        line += 1

    def read(name: str, number: int) -> str | None:
        if (name, number) not in table:
            for root in roots:
                path = root / name
                if path.is_file():
                    lines = path.read_text(encoding="utf-8").splitlines()
                    for n, content in enumerate(lines, start=1):
                        table.setdefault((name, n), content)
                    break
        return _statement(table, name, number)
    return read


def _statement(table: dict, name: str, number: int) -> str | None:
    if (name, number) not in table:
        return None
    parts, depth = [], 0
    for n in range(number, number + 12):
        text = table.get((name, n))
        if text is None:
            break
        parts.append(text)
        depth += text.count("(") - text.count(")")
        if depth <= 0:
            break
    return " ".join(parts)
