"""Count for real what one benchmark operation executes on x86-64:
valgrind's callgrind runs the harness on one variant's shared object and
records how often each instruction ran (--dump-instr=yes) and how many
system calls were made (--collect-systime=yes).  Two runs that differ
only in the number of timed operations are subtracted, so start-up,
settle operations and the end-of-batch check cancel; the instructions
of the variant's object are classified by objdump + census.classify
(the static census's own rules).  Used by test_dynamic.py to check the
IR-derived dynamic census against the machine.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from pathlib import Path

from evaluator.build.census import CATEGORIES, classify, parse_objdump


def _instructions(library: Path) -> dict[int, object]:
    """Address -> Insn for every instruction of the shared object."""
    text = subprocess.run(["objdump", "-d", "--no-show-raw-insn",
                           str(library)], capture_output=True, text=True,
                          check=True).stdout
    out = {}
    address = re.compile(r"^\s*([0-9a-f]+):")
    insns = iter([])
    for line in text.splitlines():
        match = address.match(line)
        if match:
            parsed = parse_objdump(f"0 <f>:\n{line}\n").get("f", [])
            insns = iter(parsed)
            insn = next(insns, None)
            if insn is not None:
                out[int(match.group(1), 16)] = insn
    return out


_OBJECT = re.compile(r"^(c?ob)=\((\d+)\)(?:\s+(.*))?$")


class _Reader:
    """One callgrind output file, line by line (compressed names:
    "ob=(6) /path" or "cob=(6) /path" the first time, "ob=(6)" after;
    only ob= changes the object the cost lines belong to; the line after
    calls= is the call's inclusive cost, not an execution count)."""

    def __init__(self, library: Path):
        self.library = str(library)
        self.counts: Counter = Counter()
        self.names: dict[str, str] = {}
        self.events: list[str] = []
        self.syscalls = self.address = 0
        self.in_lib = self.skip_next = False

    def line(self, line: str) -> None:
        head = line[:1]
        objects = _OBJECT.match(line)
        if line.startswith("events:"):
            self.events = line.split()[1:]
        elif line.startswith("totals:") and "sysCount" in self.events:
            self.syscalls = int(line.split()[1:][
                self.events.index("sysCount")])
        elif objects:
            self.object(*objects.groups())
        elif line.startswith("calls="):
            self.skip_next = True
        elif head and (head in "+-*" or head.isdigit()):
            self.cost(line.split())

    def object(self, kind: str, ident: str, path: str | None) -> None:
        if path:
            self.names[ident] = path.strip()
        if kind == "ob":
            self.in_lib = self.names.get(ident) == self.library

    def cost(self, parts: list[str]) -> None:
        self.address = _advance(self.address, parts[0])
        if self.skip_next:
            self.skip_next = False
        elif self.in_lib and len(parts) > 2:
            self.counts[self.address] += int(parts[2])


def _self_counts(out_file: Path, library: Path) -> tuple[Counter, int]:
    """Executions per instruction address of `library`, and the total
    number of system calls, from one callgrind output file."""
    reader = _Reader(library)
    for line in out_file.read_text().splitlines():
        reader.line(line)
    return reader.counts, reader.syscalls


def _advance(address: int, token: str) -> int:
    if token == "*":
        return address
    if token[0] == "+":
        return address + int(token[1:], 0)
    if token[0] == "-":
        return address - int(token[1:], 0)
    return int(token, 0)


def run_callgrind(harness: Path, library: Path, scenario: str, ops: int,
                  out_file: Path, settle: int = 10) -> None:
    subprocess.run(
        ["valgrind", "--tool=callgrind", "--fair-sched=yes",
         "--collect-systime=yes", "--dump-instr=yes",
         f"--callgrind-out-file={out_file}", str(harness),
         "--scenario", scenario, "--cpus", "0,1", "--watchdog-ms", "60000",
         "--settle", str(settle), str(library)],
        input=f"0 0 {ops}\n", capture_output=True, text=True, check=True,
        timeout=300)


def per_op(harness: Path, library: Path, scenario: str, tmp: Path,
           small: int = 200, large: int = 600) -> dict:
    """{"x86-64": {category: n}, "syscalls": n} per operation."""
    runs = []
    for ops in (small, large):
        out = tmp / f"{scenario}-{ops}.callgrind"
        run_callgrind(harness, library, scenario, ops, out)
        runs.append(_self_counts(out, library))
    (c1, s1), (c2, s2) = runs
    insns = _instructions(library)
    totals: Counter = Counter()
    for address in set(c1) | set(c2):
        delta = c2[address] - c1[address]
        insn = insns.get(address)
        if insn is None or delta == 0:
            continue
        for category in classify("x86-64", insn):
            totals[category] += delta
    span = large - small
    return {"x86-64": {c: totals.get(c, 0) / span for c in CATEGORIES},
            "syscalls": (s2 - s1) / span}
