"""C subset -> IR: preprocess, parse with pycparser, lower thread programs.

Entry points: `parse_c(text, filename, csrc)` (cpp + pycparser ->
`Unit`) and `compile_thread(unit, spec, syscalls, reading)` (one thread's flat
instruction list, every call inlined: lower.py, builtins in builtins.py,
the shared vocabulary in csubset.py).

The subset: int locals, pointers that are compile-time names of shared
locations (`&ctx->notify_me`, a litmus `atomic_int *x`, `&local` for
compare-exchange), if/else, loops, calls, return, assert, `(void)`
casts, C's short-circuit `&&`/`||`/`?:`, plain (non-atomic) struct
field and `*p` accesses, GCC `__atomic_*`/`__sync_*` builtins, C11
`atomic_*` calls, and the event-notifier intrinsics.  Anything else is
an UnsupportedConstruct naming the construct and its file:line (the
template's line, via the renderer's #line markers).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from pycparser import c_ast, c_parser

from ..errors import CheckerError, UnsupportedConstruct
from . import ir
from .builtins import INTRINSICS
from .csubset import (LocalPtr, LocPtr, ThreadSpec, Unit, int_constant,
                      source, unsupported)
from .lower import Lowerer
from .readings import CHECK_DEFAULT

SYSCALL_SEMANTICS = ("acq_rel", "full-fence")
__all__ = ["INTRINSICS", "SYSCALL_SEMANTICS", "LocPtr", "LocalPtr",
           "ThreadSpec", "Unit", "compile_thread", "parse_c", "preprocess"]

# ---- parsing ---------------------------------------------------------------

def preprocess(text: str, csrc: Path, filename: str) -> str:
    """Run cpp exactly as DESIGN §5 says: the same text the compiler sees."""
    cmd = ["gcc", "-E", "-std=gnu11", "-nostdinc", "-I", csrc.name, "-"]
    try:
        done = subprocess.run(cmd, input=text, capture_output=True,
                              text=True, cwd=csrc.parent, check=False)
    except FileNotFoundError:
        raise CheckerError("gcc not found: the checker runs its "
                           "preprocessor", hint="install gcc") from None
    if done.returncode != 0:
        raise cpp_error(done.stderr, filename, csrc)
    return done.stdout


_CPP_ERROR = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+):(?:\d+:)? "
                        r"(?:fatal )?error: (?P<message>.*)$", re.M)


def cpp_error(stderr: str, filename: str, csrc: Path) -> CheckerError:
    """cpp's first error at its file and line (the #line markers make it
    the variant's C file or template), with a hint that fits it."""
    match = _CPP_ERROR.search(stderr)
    if match is None:
        first = stderr.strip().splitlines()[:3]
        return CheckerError("the C preprocessor failed on " + filename
                            + ": " + " / ".join(first),
                            hint=f"check the includes under {csrc}")
    message = match.group("message").strip()
    if "No such file or directory" in message:
        hint = ("a variant may include only the headers in csrc/ ("
                + ", ".join(sorted(p.name for p in csrc.glob("*.h")))
                + "): it is compiled and checked without system headers")
    else:
        hint = "fix the line shown; 'evaluate render NAME' prints the C"
    return CheckerError(f"the C preprocessor: {message}",
                        path=match.group("file"),
                        line=int(match.group("line")), hint=hint)


def parse_c(text: str, filename: str, csrc: Path | None = None) -> Unit:
    """Parse C (preprocessed first when csrc is given) into a Unit."""
    if csrc is not None:
        text = preprocess(text, csrc, filename)
    parser = c_parser.CParser()
    try:
        ast = parser.parse(text, filename)
    except c_parser.ParseError as exc:
        raise _parse_error(str(exc), parser, filename) from None
    except AssertionError:      # pycparser 3.00 on an unbalanced '}'
        raise _parse_error("unbalanced braces", parser, filename) from None
    return _collect(ast, filename)


def _parse_error(message: str, parser: c_parser.CParser,
                 filename: str) -> CheckerError:
    # Most often a typo (a ';' or brace missing just before), so the hint
    # must not suggest only extensions.
    hint = ("a syntax error at or just before this point (a missing ';', "
            "brace or parenthesis), or a GCC extension the checker does "
            "not read: attributes, inline assembly")
    # pycparser: "file:line:col: before: tok", or "file: message"
    parts = message.split(":", 3)
    if len(parts) == 4 and parts[1].isdigit():
        return UnsupportedConstruct(
            f"C the checker cannot parse ({parts[3].strip()})",
            path=parts[0], line=int(parts[1]), hint=hint)
    # No position in the message: ask the lexer where it stopped.
    lexer = getattr(parser, "clex", None)
    path = getattr(lexer, "_filename", None) or filename
    line = getattr(lexer, "_lineno", None)
    detail = message.split(": ", 1)[-1]
    return UnsupportedConstruct(f"C the checker cannot parse ({detail})",
                                path=path, line=line, hint=hint)


def _collect(ast: c_ast.FileAST, filename: str) -> Unit:
    functions: dict[str, c_ast.FuncDef] = {}
    globals_: dict[str, int] = {}
    declared: dict[str, c_ast.Decl] = {}
    for ext in ast.ext:
        if isinstance(ext, c_ast.FuncDef):
            _check_signature(ext, declared.get(ext.decl.name))
            _check_new(ext, functions.get(ext.decl.name))
            functions[ext.decl.name] = ext
        elif isinstance(ext, c_ast.Decl) and isinstance(ext.type,
                                                        c_ast.FuncDecl):
            declared.setdefault(ext.name, ext)
        elif isinstance(ext, c_ast.Decl) and _is_variable(ext):
            globals_[ext.name] = _global_init(ext)
    return Unit(functions, globals_, filename, _struct_fields(ast),
                frozenset(declared))


def _type_text(node: c_ast.Node) -> str:
    """A declarator's type without its name: `int`, `AioContext *`."""
    if isinstance(node, c_ast.TypeDecl):
        return " ".join([*node.quals, _type_text(node.type)])
    if isinstance(node, c_ast.PtrDecl):
        return " ".join([_type_text(node.type) + " *", *node.quals])
    if isinstance(node, c_ast.IdentifierType):
        return " ".join(node.names)
    if isinstance(node, (c_ast.Struct, c_ast.Union)):
        return f"{type(node).__name__.lower()} {node.name}"
    if isinstance(node, c_ast.FuncDecl):
        return _signature(node)
    return source(node)


def _param_text(node: c_ast.Node) -> str:
    """A parameter's type as far as compatibility goes: its own top-level
    qualifier (`AioContext *const ctx`) does not count (C17 6.7.6.3p15)."""
    if isinstance(node, c_ast.TypeDecl):
        return _type_text(node.type)
    if isinstance(node, c_ast.PtrDecl):
        return _type_text(node.type) + " *"
    return _type_text(node)


def _signature(func: c_ast.FuncDecl) -> str:
    params = [p for p in (func.args.params if func.args else ())
              if _type_text(p.type) != "void"]
    return (f"{_type_text(func.type)} ("
            + ", ".join(_param_text(p.type) for p in params) + ")")


def _kind(node: c_ast.Node) -> str:
    """What the checker's reading of a value depends on (lower.py)."""
    if isinstance(node, c_ast.PtrDecl):
        return "pointer"
    if isinstance(node, c_ast.TypeDecl) and isinstance(
            node.type, c_ast.IdentifierType):
        names = node.type.names
        return "void" if names == ["void"] else \
            "bool" if names == ["_Bool"] else "value"
    return _type_text(node)


def _shape(func: c_ast.FuncDecl) -> tuple:
    params = [p for p in (func.args.params if func.args else ())
              if _type_text(p.type) != "void"]
    return _kind(func.type), tuple(_kind(p.type) for p in params)


def _check_signature(fn: c_ast.FuncDef, declared: c_ast.Decl | None
                     ) -> None:
    """A definition that contradicts its prototype does not compile; read
    anyway, its callers would run other code than the compiler's (a void
    aio_poll_wait returns 0 to aio_poll).  Compared: the parameter count
    and, for the result and each parameter, void, _Bool, pointer or other
    value -- differences that are always conflicting types in C, never
    spellings of one type (typedefs, qualifiers)."""
    if declared is None or declared.type.args is None:   # f(): no check
        return
    if _shape(declared.type) != _shape(fn.decl.type):
        want, got = _signature(declared.type), _signature(fn.decl.type)
        where = declared.coord
        raise CheckerError(
            f"{fn.decl.name}() is defined as {got} but declared as "
            f"{want}", path=fn.coord.file if fn.coord else None,
            line=fn.coord.line if fn.coord else None,
            hint=f"define it as declared at {where.file}:{where.line}")


def _check_new(fn: c_ast.FuncDef, earlier: c_ast.FuncDef | None) -> None:
    """A second definition does not compile; the checker would read
    whichever came last."""
    if earlier is not None:
        first = earlier.coord
        raise CheckerError(
            f"{fn.decl.name}() is defined twice",
            path=fn.coord.file if fn.coord else None,
            line=fn.coord.line if fn.coord else None,
            hint=f"the first definition is at {first.file}:{first.line}; "
                 "keep one")


def _struct_fields(ast: c_ast.FileAST) -> frozenset[str]:
    """The member names of every struct or union declared in the unit
    (at any depth), so a misspelt field is refused, not modelled."""
    found: set[str] = set()

    class Members(c_ast.NodeVisitor):
        def visit_Struct(self, node: c_ast.Struct) -> None:
            found.update(d.name for d in node.decls or () if d.name)
            self.generic_visit(node)

        visit_Union = visit_Struct

    Members().visit(ast)
    return frozenset(found)


def _is_variable(decl: c_ast.Decl) -> bool:
    if decl.name is None or isinstance(decl.type, c_ast.FuncDecl):
        return False
    if "typedef" in decl.storage or "extern" in decl.storage:
        return False
    return isinstance(decl.type, c_ast.TypeDecl) and isinstance(
        decl.type.type, c_ast.IdentifierType)


def _global_init(decl: c_ast.Decl) -> int:
    if decl.init is None:
        return 0
    if isinstance(decl.init, c_ast.Constant):
        return int_constant(decl.init)
    raise unsupported(decl, "a non-constant initializer of a shared variable")


def compile_thread(unit: Unit, spec: ThreadSpec,
                   syscalls: str = "acq_rel",
                   reading: str = CHECK_DEFAULT) -> ir.ThreadCode:
    """One thread of the scenario or a litmus test, as flat IR, with the
    builtins read as compiler `reading` compiles them (readings.py)."""
    if syscalls not in SYSCALL_SEMANTICS:
        raise CheckerError(f"unknown syscall semantics {syscalls!r}",
                           hint="valid: " + ", ".join(SYSCALL_SEMANTICS))
    return Lowerer(unit, spec, syscalls, reading).thread()
