"""The C subset the checker reads: shared vocabulary of the front end.

The parsed translation unit, compile-time pointers (a pointer in the
checked code is always the name of a shared location or the address of
a local), the thread spec a
scenario hands to the front end, error helpers that name the construct
and its template line, and combinators over pure expressions.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass

from pycparser import c_ast, c_generator

from ..errors import UnsupportedConstruct
from .ir import Pure, Where, c_div, c_mod


@dataclass(frozen=True)
class Unit:
    """A parsed translation unit: its functions and shared globals."""

    functions: Mapping[str, c_ast.FuncDef]
    globals: Mapping[str, int]      # file-scope int variable -> its value
    filename: str
    # Every member name a struct in the unit declares: a field access
    # naming none of them is C the compiler rejects, never a new location.
    fields: frozenset[str] = frozenset()
    # Functions with a prototype (a hook of csrc/aio_protocol.h, say):
    # called but not defined, the definition is what is missing.
    declared: frozenset[str] = frozenset()


# ---- compile-time pointers -------------------------------------------------

@dataclass(frozen=True)
class LocPtr:
    """Address of shared memory: '' is the AioContext itself, else the
    location path ('notify_me', 'notifier', a litmus 'x')."""

    path: str

    def field(self, name: str) -> LocPtr:
        return LocPtr(f"{self.path}.{name}" if self.path else name)


@dataclass(frozen=True)
class LocalPtr:
    """Address of a thread-local int (compare-exchange's `expected`)."""

    slot: int


Pointer = LocPtr | LocalPtr


@dataclass(frozen=True)
class ThreadSpec:
    """What one thread runs: `call(*args)` in a loop of `iterations`.

    An endless loop (the poller) is cut at its bound; a finite one
    finishes.  `iterations` None runs the call once, without a loop
    (litmus threads)."""

    name: str
    role: str
    call: str
    args: tuple[int | LocPtr, ...]
    iterations: int | None = None
    endless: bool = False
    stubs: frozenset[str] = frozenset()      # declared-only no-op calls
    show: str = ""                           # how traces name one call


def where_of(node: c_ast.Node | None) -> Where:
    coord = getattr(node, "coord", None)
    if coord is None:
        return Where("<scenario>", 0)
    return Where(coord.file or "<stdin>", coord.line or 0,
                 coord.column or 0)


def unsupported(node: c_ast.Node, what: str, hint: str | None = None
                 ) -> UnsupportedConstruct:
    where = where_of(node)
    return UnsupportedConstruct(
        f"unsupported construct: {what}", path=where.file, line=where.line,
        hint=hint or "the checker reads a C subset (locals, if, loops, "
                     "calls, __atomic/__sync builtins, C11 atomic_*, "
                     "plain struct fields); rewrite it in that subset")


def source(node: c_ast.Node) -> str:
    return c_generator.CGenerator().visit(node)


def int_constant(node: c_ast.Constant) -> int:
    text = node.value
    if node.type == "char":
        # C's escapes (\n, \0, \x41, \101, ...) are Python's too.
        body = ast.literal_eval(text)
        return ord(body[0]) if body else 0
    if node.type not in ("int", "unsigned int", "long int", "long long int",
                         "unsigned long int", "unsigned long long int"):
        raise unsupported(node, f"a {node.type} constant ({text})")
    text = text.rstrip("uUlL")
    if text.startswith(("0x", "0X")):
        return int(text, 16)
    if text.startswith(("0b", "0B")):
        return int(text, 2)
    if len(text) > 1 and text.startswith("0"):
        return int(text, 8)
    return int(text)


_NAMES = {
    "Switch": "switch statement", "Case": "case label",
    "Default": "default label", "Goto": "goto", "Label": "label",
    "ArrayRef": "array indexing", "ArrayDecl": "array",
    "CompoundLiteral": "compound literal", "InitList": "initializer list",
    "Pragma": "#pragma", "FuncDecl": "local function declaration",
    "Struct": "struct value", "Union": "union", "Enum": "enum",
    "Typedef": "local typedef", "Alignas": "_Alignas",
    "StaticAssert": "_Static_assert",
    "NamedInitializer": "designated initializer",
    "Compound": "GCC statement expression ({ ... })",
}


def describe(node: c_ast.Node) -> str:
    name = type(node).__name__
    return _NAMES.get(name, name)


def _fold(src: str, uses: frozenset) -> Pure:
    """A constant if it evaluates; else left for run time, where an error
    (a negative shift, a division by zero) is reported with its line."""
    try:
        return Pure.constant(eval(src, {"_div": c_div, "_mod": c_mod}))
    except (ArithmeticError, ValueError):
        return Pure(src, uses)


def derive(src: str, value: Pure) -> Pure:
    if value.const is not None:
        return _fold(src, value.uses)
    return Pure(src, value.uses)


def combine(src: str, a: Pure, b: Pure) -> Pure:
    if a.const is not None and b.const is not None:
        return _fold(src, a.uses | b.uses)
    return Pure(src, a.uses | b.uses)


def as_bool(value: Pure) -> Pure:
    return derive(f"(1 if ({value.src}) else 0)", value)


def negate(value: Pure) -> Pure:
    return derive(f"(0 if ({value.src}) else 1)", value)
