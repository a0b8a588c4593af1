r"""herd7 C litmus tests: read them, run them under a memory model.

Format (herd7's C dialect, as in ../shared/litmus/):

    C SB                                   name line
    { x = 0; y = 0; }                      init ([x]=0; int x = 0; too)
    P0 (atomic_int* x, atomic_int* y) {    one C function per thread
      atomic_store_explicit(x, 1, memory_order_relaxed);
      int r0 = atomic_load_explicit(y, memory_order_relaxed);
    }
    exists (0:r0=0 /\ 1:r0=0)             also ~exists; /\ \/ ~ ( )
    (an optional `locations [x; 0:r1;]` line before it adds variables
    the outcomes are projected on, as in herd7)

Between the name line and the init block, herd7 allows `Key=value`
info lines and ignores the keys it does not know; `Compiler=gcc`,
`Compiler=clang` or `Compiler=language` says which compiler reading of
the builtins (__sync, consume: readings.py) the test is about.  A test
without one is read as `evaluate litmus --cc` says (default: the
language).

Thread bodies go through the checker's own C front end (with #line
markers, so errors name the litmus file's lines).  Entry points:
`read_litmus(path, reading) -> LitmusTest`, `run_litmus(test, model) ->
LitmusResult`: allowed/forbidden (is the condition reachable?) and every
reachable final state projected on the condition's variables.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from .. import fsutil
from ..errors import LitmusSyntaxError, UnsupportedConstruct
from . import readings
from .aarch64.litmus import parse_aarch64_litmus
from .bfs import DATA_RACE
from .explore import DEFAULT_ENGINE, Explorer, ended
from .litmus_syntax import LitmusTest, Reader, holds, parse_final
from .frontend import LocPtr, ThreadSpec, compile_thread, parse_c
from .ir import Program
from .limits import Budget
from .memory import MemoryModel, is_complete
from .results import UNKNOWN
from .models import get_model
from .scenario import locations

# herd7's C base types (CLexer.mll) that hold an int-sized value; the
# checker's values are unbounded, so widths are not modelled (herd7
# itself needs a mixed-size variant for the 8-, 16- and 64-bit ones).
INT_TYPES = ("int8_t", "uint8_t", "int16_t", "uint16_t", "int32_t",
             "uint32_t", "int64_t", "uint64_t", "intptr_t", "uintptr_t")
PRELUDE = ("typedef int atomic_int; typedef int atomic_uint; "
           "typedef int atomic_bool; typedef int atomic_long; "
           "typedef int bool; "
           + " ".join(f"typedef int {name};" for name in INT_TYPES) + "\n")
PARAM_WORDS = frozenset(("const", "volatile", "_Atomic", "atomic_int",
                         "atomic_uint", "atomic_bool", "atomic_long", "bool",
                         "int", "unsigned", "long", "char") + INT_TYPES)
_TYPES_HINT = "int-sized types: " + ", ".join(
    sorted(PARAM_WORDS - {"const", "volatile"}))
_INIT_TYPE = (r"(?:const\s+|volatile\s+)*(?:atomic_int|atomic_bool|int|long|"
              r"char|unsigned(?:\s+int)?|" + "|".join(INT_TYPES) + r")")
# herd7 allows `void` or `void *` before a thread's name (CParser.mly's
# voidopt); the C front end is given `void Pn(` whatever was written.
_THREAD_RE = re.compile(r"(?:void\s*(?:\*\s*)?)?(P(\d+))\s*\(([^)]*)\)"
                        r"\s*\{?")
# herd7's C lexer skips /* */ and // comments in thread bodies; pycparser
# refuses them (no preprocessor runs on a litmus test).
_COMMENT_RE = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
_INFO_RE = re.compile(r"([A-Za-z_][\w-]*)[ \t]*=[ \t]*([^\n\r]*)")
COMPILER_KEY = "Compiler"


@dataclass(frozen=True)
class LitmusResult:
    test: str
    file: str
    model: str
    verdict: str                      # "allowed" | "forbidden" | "unknown"
    outcomes: tuple[tuple[tuple[str, int], ...], ...]
    seconds: float
    explored: int = 0
    reading: str = readings.LITMUS_DEFAULT
    reason: str | None = None         # why it is unknown (a limit)
    # A data race one execution has (c11): the program's behaviour is
    # undefined, whatever the outcomes say; herd7 prints "Flag" for it.
    race: str | None = None

    def to_json(self) -> dict:
        return {"test": self.test, "file": self.file, "model": self.model,
                "cc": self.reading, "verdict": self.verdict,
                "outcomes": [dict(o) for o in self.outcomes],
                "seconds": round(self.seconds, 4), "explored": self.explored,
                "reason": self.reason, "race": self.race}


# ---- reading ---------------------------------------------------------------

def read_litmus(path: Path | str, reading: str | None = None) -> LitmusTest:
    """One litmus file; `reading` applies unless the file declares its
    own Compiler= line (default: the language reading)."""
    path = Path(path)
    text = fsutil.read_text(path, "litmus file", LitmusSyntaxError)
    return parse_litmus(text, str(path), reading)


def parse_litmus(text: str, file: str,
                 reading: str | None = None) -> LitmusTest:
    """A C or AArch64 litmus test, told apart by the header's first word
    (`reading` is for C: AArch64 instructions mean one thing)."""
    reader = Reader(text, file)
    pos = reader.skip_space(0)
    if re.compile(r"AArch64\b").match(text, pos):
        return parse_aarch64_litmus(text, file)
    match = re.compile(r"C[ \t]+(\S+)[^\n]*").match(text, pos)
    if not match:
        raise reader.error("a C litmus test starts with 'C <name>' (an "
                           "AArch64 one with 'AArch64 <name>')", pos,
                           hint="first line like: C SB")
    name = match.group(1)
    pos = reader.skip_space(match.end())
    if text.startswith('"', pos):                   # herd doc string
        end = text.find('"', pos + 1)
        if end < 0:
            raise reader.error("unterminated doc string", pos)
        pos = reader.skip_space(end + 1)
    declared, pos = _parse_info(reader, pos)
    effective = declared or reading or readings.LITMUS_DEFAULT
    if not text.startswith("{", pos):
        raise reader.error("expected the init block '{ x = 0; ... }'", pos)
    close = reader.matching_brace(pos)
    init = _parse_init(reader, pos + 1, close)
    pos = reader.skip_space(close + 1)
    threads: list[tuple[str, tuple[str, ...], int, int]] = []
    while True:
        match = _THREAD_RE.match(text, pos)
        if not match:
            break
        index = int(match.group(2))
        if index != len(threads):
            raise reader.error(f"thread P{index} out of order (expected "
                               f"P{len(threads)})", pos)
        params = _parse_params(reader, match.group(3), pos)
        brace = text.find("{", match.start())
        close = reader.matching_brace(brace)
        threads.append((f"P{index}", params, match.start(1), close + 1))
        pos = reader.skip_space(close + 1)
    if not threads:
        raise reader.error("no thread: expected 'P0 (atomic_int* x) { ... }'",
                           pos)
    final = parse_final(reader, pos, "0:r0=0 /\\ 1:r0=0")
    variables = tuple(dict.fromkeys(final.variables + final.listed))
    program = _compile(reader, threads, init, effective)
    _check_variables(reader, variables + final.filter_variables, program,
                     pos)
    return LitmusTest(name, file, init, final.quantifier, final.condition,
                      final.text, tuple(sorted(variables)), program,
                      effective, declared, filter=final.filter,
                      filter_variables=final.filter_variables)


def _parse_info(reader: Reader, pos: int) -> tuple[str | None, int]:
    """herd7 `Key=value` info lines before the init block; returns the
    Compiler= reading, if any, and where the init block starts."""
    declared = None
    while True:
        match = _INFO_RE.match(reader.text, pos)
        if not match:
            return declared, pos
        if match.group(1) == COMPILER_KEY:
            value = match.group(2).strip()
            if value not in readings.names():
                raise reader.error(f"{COMPILER_KEY}={value}: unknown "
                                   "compiler reading", pos,
                                   hint="valid: " + ", ".join(
                                       readings.names()))
            declared = value
        pos = reader.skip_space(match.end())


def _parse_init(reader: Reader, start: int, end: int) -> dict[str, int]:
    init: dict[str, int] = {}
    for stripped, where in reader.items(start, end):
        match = re.fullmatch(
            rf"(?:({_INIT_TYPE})\s+)?\[?\s*([A-Za-z_]\w*)\s*\]?\s*"
            r"(?:=\s*(-?\d+))?", stripped)
        if match and match.group(3) is None and match.group(1) is None:
            match = None        # `x;`: neither a type nor a value
        if not match:
            if re.match(r"\d+\s*:", stripped):
                raise reader.error(f"register initialisation "
                                   f"{stripped!r} is not supported", where,
                                   hint="initialise the register in the "
                                        "thread body")
            typed = re.match(r"([A-Za-z_]\w*)\s+[A-Za-z_]", stripped)
            if typed and typed.group(1) not in PARAM_WORDS:
                raise reader.error(f"init item {stripped!r}: type "
                                   f"{typed.group(1)} is not supported",
                                   where, hint=_TYPES_HINT)
            raise reader.error(f"cannot read init item {stripped!r}", where,
                               hint="write x = 0; ([x]=0 and int x = 0 "
                                    "work too)")
        init[match.group(2)] = int(match.group(3) or 0)   # `int x;` is 0
    return init


def _parse_params(reader: Reader, text: str, pos: int) -> tuple[str, ...]:
    names = []
    for param in filter(None, (p.strip() for p in text.split(","))):
        match = re.fullmatch(r"(?:volatile\s+|const\s+)*[A-Za-z_]\w*"
                             r"(?:\s+[A-Za-z_]\w*)*\s*\*\s*([A-Za-z_]\w*)",
                             param)
        if not match:
            raise reader.error(f"thread parameter {param!r} is not a "
                               "pointer to a location", pos,
                               hint="write atomic_int* x")
        words = set(re.findall(r"[A-Za-z_]\w*", param[:match.start(1)]))
        unknown = sorted(words - PARAM_WORDS)
        if unknown:
            raise reader.error(f"thread parameter {param!r}: type "
                               f"{' '.join(unknown)} is not supported", pos,
                               hint=_TYPES_HINT)
        names.append(match.group(1))
    return tuple(names)


def _compile(reader: Reader, threads, init: dict[str, int],
             reading: str) -> Program:
    text = reader.text
    pieces = [f'#line 1 "<litmus prelude>"\n{PRELUDE}']
    for name, _params, start, end in threads:
        line = text.count("\n", 0, start) + 1
        source = text[start:end]
        header = _THREAD_RE.match(source)
        source = f"void {name}(" + _blank_comments(source[header.start(3):])
        pieces.append(f'#line {line} "{reader.file}"\n{source}\n')
    try:
        unit = parse_c("".join(pieces), reader.file)
        compiled = [compile_thread(unit, ThreadSpec(
            name, "litmus", name, tuple(LocPtr(p) for p in params), None),
            reading=reading)
            for name, params, _start, _end in threads]
    except UnsupportedConstruct as exc:
        raise LitmusSyntaxError(exc.message, path=exc.path, line=exc.line,
                                hint=exc.hint) from None
    memory = dict(init)
    for _name, params, _start, _end in threads:
        for param in params:
            memory.setdefault(param, 0)
    return Program(tuple(compiled), locations(compiled, memory),
                   reading=reading)


def _blank_comments(source: str) -> str:
    """The C source with each comment replaced by its newlines (or a
    space), so #line positions stay right."""
    return _COMMENT_RE.sub(lambda m: "\n" * m.group().count("\n") or " ",
                           source)


# ---- the final condition ---------------------------------------------------

def _check_variables(reader: Reader, variables, program: Program,
                     pos: int) -> None:
    for var in variables:
        if ":" in var:
            index, register = var.split(":")
            t = int(index)
            if t >= len(program.threads):
                raise reader.error(f"the condition names {var} but there "
                                   f"is no thread P{t}", pos)
            if register not in program.threads[t].registers:
                raise reader.error(f"the condition names {var} but P{t} "
                                   f"declares no local {register}", pos)
        elif var not in program.init:
            raise reader.error(f"the condition names location {var}, which "
                               "no thread or init item mentions", pos)


# ---- running ---------------------------------------------------------------

class _Finals:
    """Collects every final state (all threads ended, memory settled)."""

    property = "final-states"        # never reported as a finding

    def __init__(self, test: LitmusTest):
        self.test = test
        self.outcomes: set[tuple[tuple[str, int], ...]] = set()
        self.reachable = False

    def __call__(self, explorer: Explorer, node, threads, mem, counters,
                 ghost=None):
        if not ended(explorer, threads):
            return
        model = explorer.model
        if not is_complete(model, mem):
            return       # reads still waiting for a write (armv8)
        settled = model.settle(mem)
        state: dict[str, int] = {}
        test = self.test
        for var in dict.fromkeys(test.variables + test.filter_variables):
            if ":" in var:
                index, register = var.split(":")
                t = int(index)
                code = explorer.threads[t]
                values = code.expand(threads[t])
                state[var] = values[code.registers[register]]
            else:
                state[var] = model.latest(settled, var)[0]
        if test.filter is not None and not holds(test.filter, state):
            return
        state = {var: state[var] for var in test.variables}
        self.outcomes.add(tuple(sorted(state.items())))
        if holds(self.test.condition, state):
            self.reachable = True
        return


def run_litmus(test: LitmusTest, model: str | MemoryModel,
               budget: Budget | None = None,
               engine: str = DEFAULT_ENGINE) -> LitmusResult:
    """Every final state of the test under the model.  A search that
    exhausts its budget has no verdict: "unknown", with the reason and
    no outcomes (the set would be incomplete)."""
    if isinstance(model, str):
        model = get_model(model)
    started = time.perf_counter()
    finals = _Finals(test)
    search = Explorer(test.program, model, budget=budget,
                      engine=engine).search(
        (finals,), stop_at_first=False)
    if search.limit is not None:
        return LitmusResult(test.name, test.path.name, model.name, UNKNOWN,
                            (), time.perf_counter() - started,
                            search.explored, test.reading,
                            search.limit.stopped + "; raise --max-states "
                            "or --timeout")
    return LitmusResult(
        test=test.name, file=test.path.name, model=model.name,
        verdict="allowed" if finals.reachable else "forbidden",
        outcomes=tuple(sorted(finals.outcomes, key=lambda o: [v for _, v
                                                               in o])),
        seconds=time.perf_counter() - started, explored=search.explored,
        reading=test.reading, race=_race(search.findings.get(DATA_RACE)))


def _race(finding) -> str | None:
    """Which accesses race, P<thread>#<event> as in traces."""
    if finding is None:
        return None
    race = finding.facts["race"]
    return (f"data race on {race.loc} between P{race.first[0]}"
            f"#{race.first[1]} and P{race.second[0]}#{race.second[1]}: "
            "undefined behaviour in C11")
