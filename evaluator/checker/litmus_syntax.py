"""What herd7 litmus tests in every dialect share: the test as read,
the reader's error positions and comments, and the final condition.

litmus.py reads the C dialect and runs tests; aarch64/litmus.py reads
the AArch64 one.  The condition grammar is herd7's: `exists`, `~exists`
with /\\, \\/, ~, ( ), true, false, `reg=n`, `loc=n`, `[loc]=n` and
`!=`, after an optional `locations [...]` line and an optional
`filter (...)` (final states that fail it are dropped, as in herd7);
no condition at all is herd7's `forall (true)`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import LitmusSyntaxError
from . import readings
from .ir import Program


@dataclass(frozen=True)
class LitmusTest:
    name: str
    file: str
    init: Mapping[str, int]
    quantifier: str                   # "exists" | "~exists" | "forall"
    condition: tuple                  # ("and"|"or", a, b) ("not", a)
                                      # ("eq", var, n) ("const", bool)
    condition_text: str
    variables: tuple[str, ...]        # what outcomes are projected on
    program: Program
    reading: str = readings.LITMUS_DEFAULT    # compiler reading used
    declared: str | None = None       # the file's own Compiler= line
    arch: str = "C"                   # the header word: "C" | "AArch64"
    filter: tuple | None = None       # herd7's filter (...), if any
    filter_variables: tuple[str, ...] = ()

    @property
    def expectation_reading(self) -> str:
        """The reading the corpus' expected verdicts are written for."""
        return self.declared or readings.LITMUS_DEFAULT

    @property
    def path(self) -> Path:
        return Path(self.file)



# ---- reading ---------------------------------------------------------------

class Reader:
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
            elif self.text.startswith("/*", pos):    # C: between threads
                end = self.text.find("*/", pos + 2)
                if end < 0:
                    raise self.error("unterminated /* comment", pos)
                pos = end + 2
            elif self.text.startswith("//", pos):
                end = self.text.find("\n", pos)
                pos = len(self.text) if end < 0 else end
            else:
                return pos

    def items(self, start: int, end: int):
        """The ';'-separated items of text[start:end], stripped, each
        with its offset (for the error's line); empty items skipped."""
        offset = start
        for item in self.text[start:end].split(";"):
            stripped = item.strip()
            where = offset + len(item) - len(item.lstrip())
            offset += len(item) + 1
            if stripped:
                yield stripped, where

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


TOKEN_RE = re.compile(r"\s*(/\\|\\/|~|\(|\)|!=|=|\[|\]|-?\d+:[A-Za-z_]\w*|"
                       r"-?\d+|[A-Za-z_]\w*|\S)")


@dataclass(frozen=True)
class Final:
    """The text after the threads: what the outcomes are projected on
    and the condition checked on them."""

    listed: tuple[str, ...]           # `locations [...]` items
    quantifier: str                   # "exists" | "~exists" | "forall"
    condition: tuple
    text: str                         # the condition, spaces collapsed
    variables: tuple[str, ...]        # the condition's, in order met
    # herd7's `filter (...)` before the quantifier: final states that do
    # not satisfy it are dropped before the condition is asked
    filter: tuple | None = None
    filter_variables: tuple[str, ...] = ()


_REGISTER_REF = re.compile(r"-?\d+:[A-Za-z_]\w*")


def parse_final(reader: Reader, pos: int, example: str,
                register: Callable[[str], str] = str) -> Final:
    """The final block at `pos`; `register` spells a thread's register
    as the dialect does (AArch64: X0 for x0), `example` is a condition
    in the dialect for the error hint."""
    text = reader.text
    listed: list[str] = []
    match = re.compile(r"locations\s*\[([^\]]*)\]\s*;?").match(text, pos)
    if match:
        listed = _locations(reader, match, register)
        pos = reader.skip_space(match.end())
    keyword = re.compile(r"(~\s*exists|exists|forall)\b")
    filter_, filter_vars = None, ()
    if re.compile(r"filter\b").match(text, pos):
        found = keyword.search(text, pos)
        stop = found.start() if found else len(text)
        filter_, filter_vars = _condition(reader, pos + len("filter"), stop,
                                          register)
        pos = stop
    if reader.skip_space(pos) == len(text):
        # herd7 reads a test without a condition as `forall (true)`
        # (the catalogue's c11popl15 tests are written so)
        return Final(tuple(listed), "forall", ("const", True), "true", (),
                     filter_, filter_vars)
    match = keyword.match(text, pos)
    section = re.compile(r"(scopes|levels|regions)\s*:").match(text, pos)
    if section:     # herd7's GPU scopes / memory-mapped regions
        raise reader.error(f"herd7's {section.group(1)}: section is not "
                           "supported", pos, hint="the checker reads "
                           "locations, filter and the final condition "
                           "after the threads")
    if not match:
        raise reader.error("expected the final condition 'exists (...)'",
                           pos, hint=f"e.g. exists ({example})")
    # the verdict is whether the condition is reachable, whatever the
    # quantifier: herd7's Sometimes/Always (allowed) against Never
    quantifier = re.sub(r"\s+", "", match.group(1))
    cond_start = match.end()
    end = len(text.rstrip())
    condition, variables = _condition(reader, cond_start, end, register)
    return Final(tuple(listed), quantifier, condition,
                 " ".join(text[cond_start:end].split()), variables,
                 filter_, filter_vars)


def _condition(reader: Reader, start: int, end: int,
               register: Callable[[str], str]) -> tuple[tuple, tuple]:
    """The condition in text[start:end] and its variables."""
    tokens = []
    for token in TOKEN_RE.finditer(reader.text, start, end):
        value = token.group(1)
        if value is None:
            continue
        if _REGISTER_REF.fullmatch(value):
            value = register(value)
        tokens.append((value, token.start(1)))
    parser = CondParser(reader, tokens, end)
    condition = parser.disjunction()
    if parser.i != len(tokens):
        raise reader.error(f"unexpected {tokens[parser.i][0]!r} in the "
                           "condition", tokens[parser.i][1])
    return condition, tuple(parser.variables)


def _locations(reader: Reader, match: re.Match,
               register: Callable[[str], str]) -> list[str]:
    items = []
    for raw in match.group(1).split(";"):
        item = raw.strip()
        if not item:
            continue
        if not re.fullmatch(r"\d+:[A-Za-z_]\w*|[A-Za-z_]\w*", item):
            raise reader.error(f"cannot read {item!r} in locations",
                               match.start(1), hint="locations [0:r0; x;]")
        items.append(register(item) if ":" in item else item)
    return items


class CondParser:
    def __init__(self, reader: Reader, tokens, end: int):
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
