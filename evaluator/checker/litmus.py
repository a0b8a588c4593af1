r"""herd7 C litmus tests: read them, run them under a memory model.

Format (herd7's C dialect, as in ../shared/litmus/):

    C SB                                   name line
    { x = 0; y = 0; }                      init ([x]=0; int x = 0; too)
    P0 (atomic_int* x, atomic_int* y) {    one C function per thread
      atomic_store_explicit(x, 1, memory_order_relaxed);
      int r0 = atomic_load_explicit(y, memory_order_relaxed);
    }
    exists (0:r0=0 /\ 1:r0=0)             also ~exists; /\ \/ ~ ( )

Thread bodies go through the checker's own C front end (with #line
markers, so errors name the litmus file's lines).  Entry points:
`read_litmus(path) -> LitmusTest`, `run_litmus(test, model) ->
LitmusResult`: allowed/forbidden (is the condition reachable?) and every
reachable final state projected on the condition's variables.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from ..errors import CheckerError, LitmusSyntaxError, UnsupportedConstruct
from .explore import Explorer, ended
from .frontend import LocPtr, ThreadSpec, compile_thread, parse_c
from .ir import Program
from .memory import MemoryModel, is_complete
from .models import get_model
from .scenario import locations

PRELUDE = ("typedef int atomic_int; typedef int atomic_uint; "
           "typedef int atomic_bool; typedef int atomic_long; "
           "typedef int bool; typedef int intptr_t;\n")
_THREAD_RE = re.compile(r"P(\d+)\s*\(([^)]*)\)\s*\{?")
_COMMENT_RE = re.compile(r"\(\*.*?\*\)", re.S)


@dataclass(frozen=True)
class LitmusTest:
    name: str
    file: str
    init: Mapping[str, int]
    quantifier: str                   # "exists" | "~exists"
    condition: tuple                  # ("and"|"or", a, b) ("not", a)
                                      # ("eq", var, n) ("const", bool)
    condition_text: str
    variables: tuple[str, ...]        # what outcomes are projected on
    program: Program
    arch: str = "C"                   # the header word: "C" | "AArch64"

    @property
    def path(self) -> Path:
        return Path(self.file)


@dataclass(frozen=True)
class LitmusResult:
    test: str
    file: str
    model: str
    verdict: str                      # "allowed" | "forbidden"
    outcomes: tuple[tuple[tuple[str, int], ...], ...]
    seconds: float
    explored: int = 0

    def to_json(self) -> dict:
        return {"test": self.test, "file": self.file, "model": self.model,
                "verdict": self.verdict,
                "outcomes": [dict(o) for o in self.outcomes],
                "seconds": round(self.seconds, 4)}


# ---- reading ---------------------------------------------------------------

class _Reader:
    def __init__(self, text: str, file: str):
        self.text = text
        self.file = file

    def error(self, message: str, offset: int | None = None,
              hint: str | None = None) -> LitmusSyntaxError:
        line = None if offset is None else self.text.count("\n", 0,
                                                            offset) + 1
        return LitmusSyntaxError(message, path=self.file, line=line,
                                 hint=hint)

    def skip_space(self, pos: int) -> int:
        while True:
            match = re.compile(r"\s*").match(self.text, pos)
            pos = match.end()
            if self.text.startswith("(*", pos):
                end = self.text.find("*)", pos)
                if end < 0:
                    raise self.error("unterminated (* comment", pos)
                pos = end + 2
            elif self.text.startswith("//", pos):
                end = self.text.find("\n", pos)
                pos = len(self.text) if end < 0 else end
            else:
                return pos

    def matching_brace(self, start: int) -> int:
        """Offset of the '}' closing the '{' at start (C comments and
        character constants skipped)."""
        depth = 0
        pos = start
        text = self.text
        while pos < len(text):
            ch = text[pos]
            if text.startswith("/*", pos):
                end = text.find("*/", pos + 2)
                pos = len(text) if end < 0 else end + 2
                continue
            if text.startswith("//", pos):
                end = text.find("\n", pos)
                pos = len(text) if end < 0 else end
                continue
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    return pos
            pos += 1
        raise self.error("unbalanced '{': no matching '}'", start)


def read_litmus(path: Path | str) -> LitmusTest:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CheckerError(f"cannot read litmus file: {exc.strerror}",
                           path=path) from None
    return parse_litmus(text, str(path))


def parse_litmus(text: str, file: str) -> LitmusTest:
    """A C or AArch64 litmus test, told apart by the header's first word."""
    reader = _Reader(text, file)
    pos = reader.skip_space(0)
    if re.compile(r"AArch64\b").match(text, pos):
        from .aarch64.litmus import parse_aarch64_litmus
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
        index = int(match.group(1))
        if index != len(threads):
            raise reader.error(f"thread P{index} out of order (expected "
                               f"P{len(threads)})", pos)
        params = _parse_params(reader, match.group(2), pos)
        brace = text.find("{", match.start())
        close = reader.matching_brace(brace)
        threads.append((f"P{index}", params, pos, close + 1))
        pos = reader.skip_space(close + 1)
    if not threads:
        raise reader.error("no thread: expected 'P0 (atomic_int* x) { ... }'",
                           pos)
    quantifier, condition, cond_text, variables = _parse_final(reader, pos)
    program = _compile(reader, threads, init)
    _check_variables(reader, variables, program, pos)
    return LitmusTest(name, file, init, quantifier, condition, cond_text,
                      tuple(sorted(variables)), program)


def _parse_init(reader: _Reader, start: int, end: int) -> dict[str, int]:
    init: dict[str, int] = {}
    body = reader.text[start:end]
    offset = start
    for item in body.split(";"):
        stripped = item.strip()
        where = offset + len(item) - len(item.lstrip())
        offset += len(item) + 1
        if not stripped:
            continue
        match = re.fullmatch(
            r"(?:(?:const\s+)?(?:atomic_int|int|atomic_bool|"
            r"unsigned(?:\s+int)?)\s+)?\[?\s*([A-Za-z_]\w*)\s*\]?\s*=\s*"
            r"(-?\d+)", stripped)
        if not match:
            if re.match(r"\d+\s*:", stripped):
                raise reader.error(f"register initialisation "
                                   f"{stripped!r} is not supported", where,
                                   hint="initialise the register in the "
                                        "thread body")
            raise reader.error(f"cannot read init item {stripped!r}", where,
                               hint="write x = 0; ([x]=0 and int x = 0 "
                                    "work too)")
        init[match.group(1)] = int(match.group(2))
    return init


def _parse_params(reader: _Reader, text: str, pos: int) -> tuple[str, ...]:
    names = []
    for param in filter(None, (p.strip() for p in text.split(","))):
        match = re.fullmatch(r"(?:volatile\s+|const\s+)*[A-Za-z_]\w*"
                             r"(?:\s+[A-Za-z_]\w*)*\s*\*\s*([A-Za-z_]\w*)",
                             param)
        if not match:
            raise reader.error(f"thread parameter {param!r} is not a "
                               "pointer to a location", pos,
                               hint="write atomic_int* x")
        names.append(match.group(1))
    return tuple(names)


def _compile(reader: _Reader, threads, init: dict[str, int]) -> Program:
    text = reader.text
    pieces = [f'#line 1 "<litmus prelude>"\n{PRELUDE}']
    for name, _params, start, end in threads:
        line = text.count("\n", 0, start) + 1
        source = text[start:end]
        header = _THREAD_RE.match(source)
        source = f"void {name}(" + source[header.start(2):]
        pieces.append(f'#line {line} "{reader.file}"\n{source}\n')
    try:
        unit = parse_c("".join(pieces), reader.file)
        compiled = [compile_thread(unit, ThreadSpec(
            name, "litmus", name, tuple(LocPtr(p) for p in params), None))
            for name, params, _start, _end in threads]
    except UnsupportedConstruct as exc:
        raise LitmusSyntaxError(exc.message, path=exc.path, line=exc.line,
                                hint=exc.hint) from None
    memory = dict(init)
    for _name, params, _start, _end in threads:
        for param in params:
            memory.setdefault(param, 0)
    return Program(tuple(compiled), locations(compiled, memory))


# ---- the final condition ---------------------------------------------------

_TOKEN_RE = re.compile(r"\s*(/\\|\\/|~|\(|\)|!=|=|\[|\]|-?\d+:[A-Za-z_]\w*|"
                       r"-?\d+|[A-Za-z_]\w*|\S)")


def _parse_final(reader: _Reader, pos: int):
    text = reader.text
    match = re.compile(r"locations\s*\[[^\]]*\]\s*;?").match(text, pos)
    if match:
        pos = reader.skip_space(match.end())
    match = re.compile(r"(~\s*exists|exists|forall)\b").match(text, pos)
    if not match:
        raise reader.error("expected the final condition 'exists (...)'",
                           pos, hint="e.g. exists (0:r0=0 /\\ 1:r0=0)")
    quantifier = re.sub(r"\s+", "", match.group(1))
    if quantifier == "forall":
        raise reader.error("'forall' conditions are not supported", pos,
                           hint="use exists (~(...)) instead")
    cond_start = match.end()
    end = len(text.rstrip())
    tokens = []
    for token in _TOKEN_RE.finditer(text, cond_start, end):
        if token.group(1) is None:
            continue
        tokens.append((token.group(1), token.start(1)))
    parser = _CondParser(reader, tokens, end)
    condition = parser.disjunction()
    if parser.i != len(tokens):
        raise reader.error(f"unexpected {tokens[parser.i][0]!r} in the "
                           "condition", tokens[parser.i][1])
    cond_text = " ".join(text[cond_start:end].split())
    return quantifier, condition, cond_text, parser.variables


class _CondParser:
    def __init__(self, reader: _Reader, tokens, end: int):
        self.reader = reader
        self.tokens = tokens
        self.end = end
        self.i = 0
        self.variables: list[str] = []
        self.where: dict[str, int] = {}

    def peek(self) -> str | None:
        return self.tokens[self.i][0] if self.i < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        if self.i >= len(self.tokens):
            raise self.reader.error("the condition ends too early",
                                    self.end)
        token, offset = self.tokens[self.i]
        if expected is not None and token != expected:
            raise self.reader.error(f"expected {expected!r} in the "
                                    f"condition, found {token!r}", offset)
        self.i += 1
        return token

    def disjunction(self):
        node = self.conjunction()
        while self.peek() == "\\/":
            self.take()
            node = ("or", node, self.conjunction())
        return node

    def conjunction(self):
        node = self.factor()
        while self.peek() == "/\\":
            self.take()
            node = ("and", node, self.factor())
        return node

    def factor(self):
        token = self.peek()
        if token == "~":
            self.take()
            return ("not", self.factor())
        if token == "(":
            self.take()
            node = self.disjunction()
            self.take(")")
            return node
        if token in ("true", "false"):
            self.take()
            return ("const", token == "true")
        return self.atom()

    def atom(self):
        offset = self.tokens[self.i][1] if self.i < len(self.tokens) \
            else self.end
        token = self.take()
        if token == "[":
            token = self.take()
            self.take("]")
        if not re.fullmatch(r"\d+:[A-Za-z_]\w*|[A-Za-z_]\w*", token):
            raise self.reader.error(f"expected a register (0:r0) or a "
                                    f"location, found {token!r}", offset)
        op = self.take()
        if op not in ("=", "!="):
            raise self.reader.error(f"expected '=' after {token}, found "
                                    f"{op!r}", offset)
        value = self.take()
        if not re.fullmatch(r"-?\d+", value):
            raise self.reader.error(f"expected an integer after {token}"
                                    f"{op}, found {value!r}", offset)
        if token not in self.variables:
            self.variables.append(token)
            self.where[token] = offset
        node = ("eq", token, int(value))
        return node if op == "=" else ("not", node)


def _check_variables(reader: _Reader, variables, program: Program,
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


def holds(condition: tuple, state: Mapping[str, int]) -> bool:
    kind = condition[0]
    if kind == "eq":
        return state[condition[1]] == condition[2]
    if kind == "and":
        return holds(condition[1], state) and holds(condition[2], state)
    if kind == "or":
        return holds(condition[1], state) or holds(condition[2], state)
    if kind == "not":
        return not holds(condition[1], state)
    return condition[1]


# ---- running ---------------------------------------------------------------

class _Finals:
    """Collects every final state (all threads ended, memory settled)."""

    property = "final-states"        # never reported as a finding

    def __init__(self, test: LitmusTest):
        self.test = test
        self.outcomes: set[tuple[tuple[str, int], ...]] = set()
        self.reachable = False

    def __call__(self, explorer: Explorer, node, threads, mem, counters):
        if not ended(explorer, threads):
            return None
        model = explorer.model
        if not is_complete(model, mem):
            return None       # reads still waiting for a write (armv8)
        settled = model.settle(mem)
        state: dict[str, int] = {}
        for var in self.test.variables:
            if ":" in var:
                index, register = var.split(":")
                t = int(index)
                code = explorer.threads[t]
                values = code.expand(threads[t])
                state[var] = values[code.registers[register]]
            else:
                state[var] = model.latest(settled, var)[0]
        self.outcomes.add(tuple(sorted(state.items())))
        if holds(self.test.condition, state):
            self.reachable = True
        return None


def run_litmus(test: LitmusTest, model: str | MemoryModel) -> LitmusResult:
    """Every final state of the test under the model."""
    if isinstance(model, str):
        model = get_model(model)
    started = time.perf_counter()
    finals = _Finals(test)
    search = Explorer(test.program, model).search((finals,))
    return LitmusResult(
        test=test.name, file=test.path.name, model=model.name,
        verdict="allowed" if finals.reachable else "forbidden",
        outcomes=tuple(sorted(finals.outcomes, key=lambda o: [v for _, v
                                                               in o])),
        seconds=time.perf_counter() - started, explored=search.explored)
