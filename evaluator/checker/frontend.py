"""C subset -> IR: preprocess, parse with pycparser, lower thread programs.

Entry points: `parse_c(text, filename, csrc)` (cpp + pycparser ->
`Unit`) and `compile_thread(unit, spec, syscalls)` (one thread's flat
instruction list, every call inlined).

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

import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from pycparser import c_ast, c_generator, c_parser

from ..errors import CheckerError, UnsupportedConstruct
from ..orders import Order, parse_order
from . import ir
from .ir import Pure, Where
from .memory import Access, Kind, RmwOp

MAX_INLINE_DEPTH = 64
INTRINSICS = ("event_notifier_set", "event_notifier_test_and_clear",
              "event_notifier_wait")
SYSCALL_SEMANTICS = ("acq_rel", "full-fence")


# ---- parsing ---------------------------------------------------------------

@dataclass(frozen=True)
class Unit:
    """A parsed translation unit: its functions and shared globals."""

    functions: Mapping[str, c_ast.FuncDef]
    globals: Mapping[str, int]       # file-scope int variables -> initial value
    filename: str


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
        first = done.stderr.strip().splitlines()[:3]
        raise CheckerError("the C preprocessor failed on " + filename + ": "
                           + " / ".join(first),
                           hint=f"check the includes under {csrc}")
    return done.stdout


def parse_c(text: str, filename: str, csrc: Path | None = None) -> Unit:
    """Parse C (preprocessed first when csrc is given) into a Unit."""
    if csrc is not None:
        text = preprocess(text, csrc, filename)
    try:
        ast = c_parser.CParser().parse(text, filename)
    except c_parser.ParseError as exc:
        raise _parse_error(str(exc), filename) from None
    return _collect(ast, filename)


def _parse_error(message: str, filename: str) -> CheckerError:
    # pycparser: "file:line:col: before: tok"
    parts = message.split(":", 3)
    if len(parts) == 4 and parts[1].isdigit():
        return UnsupportedConstruct(
            f"C the checker cannot parse ({parts[3].strip()})",
            path=parts[0], line=int(parts[1]),
            hint="the checker reads plain C: no GCC statement expressions, "
                 "attributes or inline assembly")
    return UnsupportedConstruct(f"C the checker cannot parse: {message}",
                                path=filename)


def _collect(ast: c_ast.FileAST, filename: str) -> Unit:
    functions: dict[str, c_ast.FuncDef] = {}
    globals_: dict[str, int] = {}
    for ext in ast.ext:
        if isinstance(ext, c_ast.FuncDef):
            functions[ext.decl.name] = ext
        elif isinstance(ext, c_ast.Decl) and _is_variable(ext):
            globals_[ext.name] = _global_init(ext)
    return Unit(functions, globals_, filename)


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
        return _int_constant(decl.init)
    raise _unsupported(decl, "a non-constant initializer of a shared variable")


# ---- compile-time pointers -------------------------------------------------

@dataclass(frozen=True)
class LocPtr:
    """Address of shared memory: '' is the AioContext itself, else the
    location path ('notify_me', 'notifier', a litmus 'x')."""

    path: str

    def field(self, name: str) -> "LocPtr":
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


# ---- lowering --------------------------------------------------------------

def _where(node: c_ast.Node | None) -> Where:
    coord = getattr(node, "coord", None)
    if coord is None:
        return Where("<scenario>", 0)
    return Where(coord.file or "<stdin>", coord.line or 0)


def _unsupported(node: c_ast.Node, what: str, hint: str | None = None
                 ) -> UnsupportedConstruct:
    where = _where(node)
    return UnsupportedConstruct(
        f"unsupported construct: {what}", path=where.file, line=where.line,
        hint=hint or "the checker reads a C subset (locals, if, loops, "
                     "calls, __atomic/__sync builtins, C11 atomic_*, "
                     "plain struct fields); rewrite it in that subset")


def _source(node: c_ast.Node) -> str:
    return c_generator.CGenerator().visit(node)


def _int_constant(node: c_ast.Constant) -> int:
    text = node.value
    if node.type == "char":
        body = text[1:-1]
        escapes = {"\\n": 10, "\\t": 9, "\\0": 0, "\\\\": 92, "\\'": 39}
        return escapes.get(body, ord(body[0]) if body else 0)
    if node.type not in ("int", "unsigned int", "long int", "long long int",
                         "unsigned long int", "unsigned long long int"):
        raise _unsupported(node, f"a {node.type} constant ({text})")
    text = text.rstrip("uUlL")
    if text.startswith(("0x", "0X")):
        return int(text, 16)
    if text.startswith(("0b", "0B")):
        return int(text, 2)
    if len(text) > 1 and text.startswith("0"):
        return int(text, 8)
    return int(text)


_ARITH = {"+": "+", "-": "-", "*": "*", "&": "&", "|": "|", "^": "^",
          "<<": "<<", ">>": ">>"}
_COMPARE = {"==", "!=", "<", ">", "<=", ">="}
_RMW_NAMES = {"add": RmwOp.ADD, "sub": RmwOp.SUB, "or": RmwOp.OR,
              "and": RmwOp.AND}
_LOAD_ORDERS = (Order.RELAXED, Order.CONSUME, Order.ACQUIRE, Order.SEQ_CST)
_STORE_ORDERS = (Order.RELAXED, Order.RELEASE, Order.SEQ_CST)
_FAIL_ORDERS = _LOAD_ORDERS


def _is_pure(node: c_ast.Node) -> bool:
    """No memory event, call or assignment anywhere inside."""
    if isinstance(node, (c_ast.FuncCall, c_ast.Assignment, c_ast.StructRef,
                         c_ast.ArrayRef)):
        return False
    if isinstance(node, c_ast.UnaryOp) and node.op in (
            "*", "p++", "p--", "++", "--", "&"):
        return False
    return all(_is_pure(child) for _, child in node.children())


@dataclass
class _Frame:
    name: str
    result: int | None
    returns: list[int] = field(default_factory=list)


class _Lowerer:
    """Lowers one thread: inlines calls into one flat instruction list."""

    def __init__(self, unit: Unit, spec: ThreadSpec, syscalls: str):
        self.unit = unit
        self.spec = spec
        self.syscalls = syscalls
        self.code: list[ir.Instr] = []
        self.nslots = 0
        self.scopes: list[dict[str, int | Pointer]] = []
        self.frames: list[_Frame] = []
        self.loops: list[tuple[list[int], list[int]]] = []
        self.registers: dict[str, int] = {}
        self.node: c_ast.Node | None = None

    # -- small helpers
    @property
    def func(self) -> str:
        return self.frames[-1].name if self.frames else self.spec.name

    def here(self) -> Where:
        return _where(self.node)

    def new_slot(self) -> int:
        self.nslots += 1
        return self.nslots - 1

    def emit(self, ins: ir.Instr) -> int:
        self.code.append(ins)
        return len(self.code) - 1

    def assign(self, slot: int, expr: Pure) -> None:
        self.emit(ir.Assign(slot, expr, self.here(), self.func))

    def jump_placeholder(self) -> int:
        return self.emit(ir.Jump(-1, self.here(), self.func))

    def branch_placeholder(self, cond: Pure) -> int:
        return self.emit(ir.Branch(cond, -1, self.here(), self.func))

    def patch(self, pcs: Sequence[int], target: int) -> None:
        for pc in pcs:
            self.code[pc].target = target

    def lookup(self, name: str) -> int | Pointer | None:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return None

    # -- thread entry
    def thread(self) -> ir.ThreadCode:
        spec = self.spec
        fn = self.unit.functions.get(spec.call)
        if fn is None:
            raise CheckerError(
                f"the scenario calls {spec.call}(), which "
                f"{self.unit.filename} does not define",
                path=self.unit.filename,
                hint="the rendered variant plus csrc/aio_protocol.c must "
                     "define it")
        self.node = fn
        self.scopes.append({})
        if spec.iterations is None:
            self.inline(fn, [_as_operand(a) for a in spec.args], fn)
            self.finish(fn)
        else:
            self.loop_thread(fn)
        live = ir.liveness(self.code)
        return ir.ThreadCode(spec.name, spec.role, tuple(self.code),
                             self.nslots, live, dict(self.registers),
                             spec.show or f"{spec.call}()")

    def loop_thread(self, fn: c_ast.FuncDef) -> None:
        spec = self.spec
        counter = self.new_slot()
        self.assign(counter, Pure.constant(0))
        head = self.emit(ir.LoopHead(counter, spec.iterations, spec.endless,
                                     -1, spec.show or spec.call,
                                     self.here(), self.func))
        self.inline(fn, [_as_operand(a) for a in spec.args], fn)
        self.emit(ir.Jump(head, self.here(), self.func))
        self.code[head].exit = len(self.code)
        self.finish(fn)

    def finish(self, fn: c_ast.FuncDef) -> None:
        observed = frozenset(self.registers.values())
        self.emit(ir.End(observed, _where(fn), self.spec.name))

    # -- calls
    def inline(self, fn: c_ast.FuncDef, args: list[Pure | Pointer],
               call: c_ast.Node) -> Pure:
        name = fn.decl.name
        if any(frame.name == name for frame in self.frames):
            raise _unsupported(call, f"recursive call to {name}()",
                               hint="the checker inlines every call, so "
                                    "recursion cannot be bounded")
        if len(self.frames) >= MAX_INLINE_DEPTH:
            raise _unsupported(call, f"calls nested deeper than "
                                     f"{MAX_INLINE_DEPTH} ({name})")
        params = _params(fn)
        if len(params) != len(args):
            raise _unsupported(call, f"{name}() called with {len(args)} "
                                     f"arguments, defined with {len(params)}")
        scope: dict[str, int | Pointer] = {}
        for (pname, is_pointer, pnode), arg in zip(params, args):
            if is_pointer:
                if not isinstance(arg, (LocPtr, LocalPtr)):
                    raise _unsupported(call, f"argument {pname} of {name}() "
                                             "is not the address of a "
                                             "location")
                scope[pname] = arg
            else:
                if not isinstance(arg, Pure):
                    raise _unsupported(call, f"a pointer passed as int "
                                             f"parameter {pname} of {name}()")
                slot = self.new_slot()
                self.assign(slot, arg)
                scope[pname] = slot
        returns_value = _returns_value(fn)
        frame = _Frame(name, self.new_slot() if returns_value else None)
        saved_scopes, saved_loops = self.scopes, self.loops
        self.scopes, self.loops = [scope], []
        self.frames.append(frame)
        self.statement(fn.body)
        self.frames.pop()
        self.scopes, self.loops = saved_scopes, saved_loops
        self.patch(frame.returns, len(self.code))
        if frame.result is None:
            return Pure.constant(0)
        return Pure.slot(frame.result)

    # -- statements
    def statement(self, node: c_ast.Node | None) -> None:
        if node is None:
            return
        self.node = node
        method = getattr(self, "stmt_" + type(node).__name__, None)
        if method is None:
            if _is_expression(node):
                self.effect(node)
                return
            raise _unsupported(node, _describe(node))
        method(node)

    def stmt_Compound(self, node: c_ast.Compound) -> None:
        self.scopes.append({})
        for item in node.block_items or ():
            self.statement(item)
        self.scopes.pop()

    def stmt_EmptyStatement(self, node: c_ast.Node) -> None:
        return

    def stmt_DeclList(self, node: c_ast.DeclList) -> None:
        for decl in node.decls:
            self.statement(decl)

    def stmt_Decl(self, node: c_ast.Decl) -> None:
        if "static" in node.storage or "extern" in node.storage:
            raise _unsupported(node, f"{' '.join(node.storage)} local "
                                     f"variable {node.name}",
                               hint="use a field of the context for "
                                    "shared state")
        if isinstance(node.type, c_ast.PtrDecl):
            if node.init is None:
                raise _unsupported(node, f"pointer {node.name} without an "
                                         "initializer")
            self.scopes[-1][node.name] = self.pointer(node.init)
            return
        if not (isinstance(node.type, c_ast.TypeDecl)
                and isinstance(node.type.type, c_ast.IdentifierType)):
            raise _unsupported(node, f"declaration of {node.name} "
                                     f"({_describe(node.type)})")
        value = Pure.constant(0) if node.init is None else self.value(
            node.init)
        slot = self.new_slot()
        self.assign(slot, value)
        self.scopes[-1][node.name] = slot
        if self.spec.iterations is None and len(self.frames) == 1 \
                and node.name not in self.registers:
            self.registers[node.name] = slot

    def stmt_If(self, node: c_ast.If) -> None:
        cond = self.value(node.cond)
        skip = self.branch_placeholder(cond)
        self.statement(node.iftrue)
        if node.iffalse is None:
            self.patch([skip], len(self.code))
            return
        done = self.jump_placeholder()
        self.patch([skip], len(self.code))
        self.statement(node.iffalse)
        self.patch([done], len(self.code))

    def loop(self, cond: c_ast.Node | None, body: c_ast.Node,
             step: c_ast.Node | None, test_first: bool) -> None:
        breaks: list[int] = []
        continues: list[int] = []
        start = len(self.code)
        exits: list[int] = []
        if test_first and cond is not None:
            self.node = cond
            exits.append(self.branch_placeholder(self.value(cond)))
        self.loops.append((breaks, continues))
        self.statement(body)
        self.loops.pop()
        self.patch(continues, len(self.code))
        if step is not None:
            self.effect(step)
        if not test_first and cond is not None:
            self.node = cond
            value = self.value(cond)
            if value.const is not None:
                if value.const:
                    self.emit(ir.Jump(start, self.here(), self.func))
            else:
                self.emit(ir.Branch(Pure(f"(0 if ({value.src}) else 1)",
                                         value.uses), start, self.here(),
                                    self.func))
        else:
            self.emit(ir.Jump(start, self.here(), self.func))
        self.patch(exits + breaks, len(self.code))

    def stmt_While(self, node: c_ast.While) -> None:
        self.loop(node.cond, node.stmt, None, test_first=True)

    def stmt_DoWhile(self, node: c_ast.DoWhile) -> None:
        self.loop(node.cond, node.stmt, None, test_first=False)

    def stmt_For(self, node: c_ast.For) -> None:
        self.scopes.append({})
        if node.init is not None:
            self.statement(node.init) if isinstance(
                node.init, (c_ast.DeclList, c_ast.Decl)) else self.effect(
                node.init)
        self.loop(node.cond, node.stmt, node.next, test_first=True)
        self.scopes.pop()

    def stmt_Break(self, node: c_ast.Break) -> None:
        if not self.loops:
            raise _unsupported(node, "break outside a loop (switch is not "
                                     "supported)")
        self.loops[-1][0].append(self.jump_placeholder())

    def stmt_Continue(self, node: c_ast.Continue) -> None:
        if not self.loops:
            raise _unsupported(node, "continue outside a loop")
        self.loops[-1][1].append(self.jump_placeholder())

    def stmt_Return(self, node: c_ast.Return) -> None:
        frame = self.frames[-1]
        if node.expr is not None:
            value = self.value(node.expr)
            if frame.result is not None:
                self.assign(frame.result, value)
        frame.returns.append(self.jump_placeholder())

    # -- expressions evaluated for their effects
    def effect(self, node: c_ast.Node) -> None:
        self.node = node
        if isinstance(node, c_ast.Cast):
            self.effect(node.expr)
            return
        self.lower(node)

    # -- expressions
    def value(self, node: c_ast.Node) -> Pure:
        result = self.lower(node)
        if not isinstance(result, Pure):
            raise _unsupported(node, f"a pointer used as a value "
                                     f"({_source(node)})")
        return result

    def pointer(self, node: c_ast.Node) -> Pointer:
        result = self.lower(node)
        if not isinstance(result, (LocPtr, LocalPtr)):
            raise _unsupported(node, f"{_source(node)} is not the address "
                                     "of a location")
        return result

    def lower(self, node: c_ast.Node) -> Pure | Pointer:
        saved = self.node
        self.node = node
        method = getattr(self, "expr_" + type(node).__name__, None)
        if method is None:
            raise _unsupported(node, _describe(node))
        result = method(node)
        self.node = saved
        return result

    def expr_Constant(self, node: c_ast.Constant) -> Pure:
        return Pure.constant(_int_constant(node))

    def expr_ID(self, node: c_ast.ID) -> Pure | Pointer:
        bound = self.lookup(node.name)
        if isinstance(bound, int):
            return Pure.slot(bound)
        if bound is not None:
            return bound
        if node.name in self.unit.globals:
            return self.plain_load(LocPtr(node.name))
        order = parse_order(node.name) if node.name.startswith(
            ("memory_order_", "__ATOMIC_")) else None
        if order is not None:
            return Pure.constant(int(order))
        if node.name in ("true", "false"):
            return Pure.constant(int(node.name == "true"))
        raise _unsupported(node, f"unknown identifier {node.name}")

    def expr_Cast(self, node: c_ast.Cast) -> Pure | Pointer:
        target = node.to_type.type
        if isinstance(target, c_ast.TypeDecl) and isinstance(
                target.type, c_ast.IdentifierType):
            names = target.type.names
            if names == ["void"]:
                self.lower(node.expr)
                return Pure.constant(0)
            value = self.value(node.expr)
            if names in (["_Bool"], ["bool"]):
                return _bool(value)
            return value
        if isinstance(target, c_ast.PtrDecl):
            return self.pointer(node.expr)
        raise _unsupported(node, f"cast to {_source(node.to_type)}")

    def expr_ExprList(self, node: c_ast.ExprList) -> Pure | Pointer:
        result: Pure | Pointer = Pure.constant(0)
        for expr in node.exprs:
            result = self.lower(expr)
        return result

    def expr_StructRef(self, node: c_ast.StructRef) -> Pure:
        return self.plain_load(self.lvalue_location(node))

    def expr_UnaryOp(self, node: c_ast.UnaryOp) -> Pure | Pointer:
        op = node.op
        if op == "&":
            return self.address_of(node.expr)
        if op == "*":
            target = self.pointer(node.expr)
            if isinstance(target, LocalPtr):
                return Pure.slot(target.slot)
            return self.plain_load(target)
        if op in ("p++", "p--", "++", "--"):
            return self.increment(node)
        if op == "sizeof":
            raise _unsupported(node, "sizeof")
        value = self.value(node.expr)
        if op == "!":
            return _derive(f"(0 if ({value.src}) else 1)", value)
        if op == "-":
            return _derive(f"(-({value.src}))", value)
        if op == "~":
            return _derive(f"(~({value.src}))", value)
        if op == "+":
            return value
        raise _unsupported(node, f"unary operator {op}")

    def expr_BinaryOp(self, node: c_ast.BinaryOp) -> Pure:
        op = node.op
        if op in ("&&", "||"):
            return self.logical(node)
        left = self.value(node.left)
        right = self.value(node.right)
        if op in _ARITH:
            src = f"(({left.src}) {_ARITH[op]} ({right.src}))"
        elif op in _COMPARE:
            src = f"(1 if ({left.src}) {op} ({right.src}) else 0)"
        elif op == "/":
            src = f"_div({left.src}, {right.src})"
        elif op == "%":
            src = f"_mod({left.src}, {right.src})"
        else:
            raise _unsupported(node, f"binary operator {op}")
        return _combine(src, left, right)

    def logical(self, node: c_ast.BinaryOp) -> Pure:
        left = _bool(self.value(node.left))
        if _is_pure(node.right):
            right = _bool(self.value(node.right))
            word = "and" if node.op == "&&" else "or"
            return _combine(f"(({left.src}) {word} ({right.src}))", left,
                            right)
        # C short-circuit: the right operand's memory events happen only
        # when the left one does not decide the result.
        result = self.new_slot()
        self.assign(result, left)
        held = Pure.slot(result)
        go_on = held if node.op == "&&" else _negate(held)
        skip = self.branch_placeholder(go_on)
        self.assign(result, _bool(self.value(node.right)))
        self.patch([skip], len(self.code))
        return Pure.slot(result)

    def expr_TernaryOp(self, node: c_ast.TernaryOp) -> Pure:
        cond = self.value(node.cond)
        if _is_pure(node.iftrue) and _is_pure(node.iffalse):
            yes, no = self.value(node.iftrue), self.value(node.iffalse)
            src = f"(({yes.src}) if ({cond.src}) else ({no.src}))"
            return Pure(src, cond.uses | yes.uses | no.uses)
        result = self.new_slot()
        skip = self.branch_placeholder(cond)
        self.assign(result, self.value(node.iftrue))
        done = self.jump_placeholder()
        self.patch([skip], len(self.code))
        self.assign(result, self.value(node.iffalse))
        self.patch([done], len(self.code))
        return Pure.slot(result)

    def expr_Assignment(self, node: c_ast.Assignment) -> Pure:
        target = node.lvalue
        op = node.op
        if isinstance(target, c_ast.ID) and isinstance(
                self.lookup(target.name), int):
            slot = self.lookup(target.name)
            value = self.value(node.rvalue)
            if op != "=":
                value = self.compound(op, Pure.slot(slot), value, node)
            self.assign(slot, value)
            return Pure.slot(slot)
        location = self.lvalue_location(target)
        if isinstance(location, LocalPtr):
            value = self.value(node.rvalue)
            if op != "=":
                value = self.compound(op, Pure.slot(location.slot), value,
                                      node)
            self.assign(location.slot, value)
            return Pure.slot(location.slot)
        value = self.value(node.rvalue)
        if op != "=":
            value = self.compound(op, self.plain_load(location), value, node)
        held = self.hold(value)
        self.mem(Access(Kind.STORE, location.path, Order.RELAXED,
                        plain=True), {"value": held}, label="")
        return held

    def compound(self, op: str, old: Pure, value: Pure,
                 node: c_ast.Node) -> Pure:
        binary = op[:-1]
        if binary in _ARITH:
            return _combine(f"(({old.src}) {_ARITH[binary]} ({value.src}))",
                            old, value)
        if binary in ("/", "%"):
            fn = "_div" if binary == "/" else "_mod"
            return _combine(f"{fn}({old.src}, {value.src})", old, value)
        raise _unsupported(node, f"assignment operator {op}")

    def increment(self, node: c_ast.UnaryOp) -> Pure:
        delta = "+ 1" if "+" in node.op else "- 1"
        target = node.expr
        bound = self.lookup(target.name) if isinstance(target, c_ast.ID) \
            else None
        if not isinstance(bound, int):
            raise _unsupported(node, f"{node.op.strip('p')} on "
                                     f"{_source(target)} (only on locals)")
        old = self.hold(Pure.slot(bound))
        self.assign(bound, Pure(f"(L[{bound}] {delta})",
                                frozenset((bound,))))
        return old if node.op.startswith("p") else Pure.slot(bound)

    def hold(self, value: Pure) -> Pure:
        """Freeze a value in a fresh slot (later code may change its
        inputs)."""
        if value.const is not None:
            return value
        slot = self.new_slot()
        self.assign(slot, value)
        return Pure.slot(slot)

    def address_of(self, node: c_ast.Node) -> Pointer:
        if isinstance(node, c_ast.ID):
            bound = self.lookup(node.name)
            if isinstance(bound, int):
                return LocalPtr(bound)
            if node.name in self.unit.globals:
                return LocPtr(node.name)
            raise _unsupported(node, f"address of {node.name}")
        return self.lvalue_location(node)

    def lvalue_location(self, node: c_ast.Node) -> Pointer:
        """Where an lvalue lives: a shared location or a local."""
        if isinstance(node, c_ast.StructRef):
            if node.type == "->":
                base = self.pointer(node.name)
            else:
                base = self.lvalue_location(node.name)
            if not isinstance(base, LocPtr):
                raise _unsupported(node, f"field access on a local "
                                         f"({_source(node)})")
            return base.field(node.field.name)
        if isinstance(node, c_ast.UnaryOp) and node.op == "*":
            return self.pointer(node.expr)
        if isinstance(node, c_ast.ID) and node.name in self.unit.globals \
                and self.lookup(node.name) is None:
            return LocPtr(node.name)
        raise _unsupported(node, f"assignment to {_source(node)}")

    def plain_load(self, location: Pointer) -> Pure:
        if isinstance(location, LocalPtr):
            return Pure.slot(location.slot)
        return self.mem(Access(Kind.LOAD, location.path, Order.RELAXED,
                               plain=True), {}, label="", want=True)

    # -- memory events
    def mem(self, access: Access, parts: Mapping[str, Pure], label: str,
            want: bool = False, blocking: bool = False) -> Pure:
        dynamic = {}
        fields = {}
        for name, expr in parts.items():
            if expr.const is not None:
                fields[name] = expr.const
            else:
                dynamic[name] = expr
        if fields:
            access = Access(**{**ir._access_fields(access), **fields})
        dest = self.new_slot() if want else None
        self.emit(ir.Mem(access, dynamic, dest, blocking, label, self.here(),
                         self.func))
        return Pure.slot(dest) if dest is not None else Pure.constant(0)

    def fence(self, order: Order, label: str) -> None:
        self.mem(Access(Kind.FENCE, "", order), {}, label)

    def location_of(self, node: c_ast.Node, call: str) -> str:
        target = self.pointer(node)
        if isinstance(target, LocalPtr):
            raise _unsupported(node, f"{call} on a local variable "
                                     f"({_source(node)})",
                               hint="atomics must act on a shared location")
        return target.path

    def order_of(self, node: c_ast.Node, allowed: Sequence[Order],
                 call: str) -> Order:
        value = self.value(node)
        if value.const is None or value.const not in [int(o) for o in Order]:
            raise _unsupported(node, f"memory order {_source(node)} of "
                                     f"{call} is not a constant order",
                               hint="valid: " + ", ".join(
                                   o.gcc_name for o in Order))
        order = Order(value.const)
        if order not in allowed:
            raise _unsupported(node, f"memory order {order.short} is not "
                                     f"valid for {call}",
                               hint="valid: " + ", ".join(
                                   o.short for o in allowed))
        return Order.ACQUIRE if order == Order.CONSUME else order

    # -- calls
    def expr_FuncCall(self, node: c_ast.FuncCall) -> Pure | Pointer:
        if not isinstance(node.name, c_ast.ID):
            raise _unsupported(node, "call through a function pointer")
        name = node.name.name
        args = list(node.args.exprs) if node.args is not None else []
        handler = _BUILTINS.get(name)
        if handler is not None:
            return handler(self, node, name, args)
        if name == "assert":
            return self.assertion(node, args)
        if name in self.unit.functions:
            operands = [self.lower(arg) for arg in args]
            return self.inline(self.unit.functions[name], operands, node)
        if name in self.spec.stubs:
            for arg in args:
                self.lower(arg)
            return Pure.constant(0)
        raise _unsupported(node, f"call to {name}(), which is neither "
                                 "defined nor a builtin the checker knows")

    def assertion(self, node: c_ast.FuncCall, args: list) -> Pure:
        if len(args) != 1:
            raise _unsupported(node, "assert with other than one argument")
        cond = self.value(args[0])
        self.emit(ir.Assert(cond, _source(args[0]), self.here(), self.func))
        return Pure.constant(0)

    def expect_args(self, node: c_ast.Node, name: str, args: list,
                    count: int) -> None:
        if len(args) != count:
            raise _unsupported(node, f"{name} with {len(args)} arguments "
                                     f"(expected {count})")


# ---- builtins --------------------------------------------------------------

def _b_load(lw: _Lowerer, node, name, args):
    explicit = name != "atomic_load"
    lw.expect_args(node, name, args, 2 if explicit else 1)
    loc = lw.location_of(args[0], name)
    order = lw.order_of(args[1], _LOAD_ORDERS, name) if explicit \
        else Order.SEQ_CST
    return lw.mem(Access(Kind.LOAD, loc, order), {}, "", want=True)


def _b_store(lw: _Lowerer, node, name, args):
    explicit = name != "atomic_store"
    lw.expect_args(node, name, args, 3 if explicit else 2)
    loc = lw.location_of(args[0], name)
    value = lw.hold(lw.value(args[1]))
    order = lw.order_of(args[2], _STORE_ORDERS, name) if explicit \
        else Order.SEQ_CST
    lw.mem(Access(Kind.STORE, loc, order), {"value": value}, "")
    return Pure.constant(0)


def _rmw_op(name: str) -> tuple[RmwOp, bool]:
    """(operation, returns the new value) from a builtin's name."""
    if "exchange" in name or "lock_test_and_set" in name:
        return RmwOp.XCHG, False
    for word, op in _RMW_NAMES.items():
        if f"fetch_and_{word}" in name or f"fetch_{word}" in name:
            return op, False
        if f"{word}_and_fetch" in name or f"{word}_fetch" in name:
            return op, True
    raise KeyError(name)


def _new_value(op: RmwOp, old: Pure, operand: Pure) -> Pure:
    symbol = {RmwOp.ADD: "+", RmwOp.SUB: "-", RmwOp.OR: "|",
              RmwOp.AND: "&"}[op]
    return _combine(f"(({old.src}) {symbol} ({operand.src}))", old, operand)


def _b_rmw(lw: _Lowerer, node, name, args):
    """__atomic_exchange_n/fetch_op/op_fetch and C11 atomic_exchange/
    atomic_fetch_op (explicit or not)."""
    op, new = _rmw_op(name)
    explicit = name.startswith("__atomic") or name.endswith("_explicit")
    lw.expect_args(node, name, args, 3 if explicit else 2)
    loc = lw.location_of(args[0], name)
    operand = lw.hold(lw.value(args[1]))
    order = lw.order_of(args[2], tuple(Order), name) if explicit \
        else Order.SEQ_CST
    old = lw.mem(Access(Kind.RMW, loc, order, op=op), {"operand": operand},
                 "", want=True)
    return _new_value(op, old, operand) if new else old


def _b_sync_rmw(lw: _Lowerer, node, name, args):
    """GCC __sync RMWs: full barriers (seq_cst fence, seq_cst RMW, seq_cst
    fence), as GCC documents and emits (trailing dmb ish on AArch64)."""
    op, new = _rmw_op(name)
    lw.expect_args(node, name, args, 2)
    loc = lw.location_of(args[0], name)
    operand = lw.hold(lw.value(args[1]))
    if name == "__sync_lock_test_and_set":    # an acquire barrier only
        return lw.mem(Access(Kind.RMW, loc, Order.ACQUIRE, op=op),
                      {"operand": operand}, name, want=True)
    lw.fence(Order.SEQ_CST, name)
    old = lw.mem(Access(Kind.RMW, loc, Order.SEQ_CST, op=op),
                 {"operand": operand}, name, want=True)
    lw.fence(Order.SEQ_CST, name)
    return _new_value(op, old, operand) if new else old


def _b_sync_cas(lw: _Lowerer, node, name, args):
    lw.expect_args(node, name, args, 3)
    loc = lw.location_of(args[0], name)
    expected = lw.hold(lw.value(args[1]))
    desired = lw.hold(lw.value(args[2]))
    lw.fence(Order.SEQ_CST, name)
    old = lw.mem(Access(Kind.RMW, loc, Order.SEQ_CST, op=RmwOp.CAS,
                        fail_order=Order.SEQ_CST),
                 {"operand": desired, "expected": expected}, name, want=True)
    lw.fence(Order.SEQ_CST, name)
    if name == "__sync_val_compare_and_swap":
        return old
    return _combine(f"(1 if ({old.src}) == ({expected.src}) else 0)", old,
                    expected)


def _b_lock_release(lw: _Lowerer, node, name, args):
    lw.expect_args(node, name, args, 1)
    loc = lw.location_of(args[0], name)
    lw.mem(Access(Kind.STORE, loc, Order.RELEASE, value=0), {}, name)
    return Pure.constant(0)


def _b_cas(lw: _Lowerer, node, name, args):
    """__atomic_compare_exchange_n(p, &expected, desired, weak, succ, fail)
    and C11 atomic_compare_exchange_strong[_explicit]."""
    if "weak" in name:
        raise _unsupported(node, f"{name} (may fail spuriously)",
                           hint="use the strong form; the checker does not "
                                "model spurious failures")
    gcc = name.startswith("__atomic")
    explicit = gcc or name.endswith("_explicit")
    lw.expect_args(node, name, args, 6 if gcc else 5 if explicit else 3)
    loc = lw.location_of(args[0], name)
    holder = lw.pointer(args[1])
    if not isinstance(holder, LocalPtr):
        raise _unsupported(args[1], f"{name} with `expected` not pointing "
                                    "to a local variable")
    desired = lw.hold(lw.value(args[2]))
    orders = args[4:6] if gcc else args[3:5]
    if gcc:
        weak = lw.value(args[3])
        if weak.const != 0:
            raise _unsupported(args[3], f"{name} with weak = "
                                        f"{_source(args[3])}",
                               hint="pass 0 (strong): the checker does not "
                                    "model spurious failures")
    succ = lw.order_of(orders[0], tuple(Order), name) if explicit \
        else Order.SEQ_CST
    fail = lw.order_of(orders[1], _FAIL_ORDERS, name + " (failure order)") \
        if explicit else Order.SEQ_CST
    expected = Pure.slot(holder.slot)
    old = lw.mem(Access(Kind.RMW, loc, succ, op=RmwOp.CAS, fail_order=fail),
                 {"operand": desired, "expected": expected}, "", want=True)
    ok = lw.new_slot()
    lw.assign(ok, _combine(f"(1 if ({old.src}) == ({expected.src}) else 0)",
                           old, expected))
    lw.assign(holder.slot, old)   # on success old == expected: no change
    return Pure.slot(ok)


def _b_fence(lw: _Lowerer, node, name, args):
    lw.expect_args(node, name, args, 1)
    order = lw.order_of(args[0], tuple(Order), name)
    if "signal" in name or order == Order.RELAXED:
        return Pure.constant(0)      # compiler-only / no effect
    lw.fence(order, "")
    return Pure.constant(0)


def _b_sync_synchronize(lw: _Lowerer, node, name, args):
    lw.expect_args(node, name, args, 0)
    lw.fence(Order.SEQ_CST, name)
    return Pure.constant(0)


def _b_notifier(lw: _Lowerer, node, name, args):
    """The eventfd intrinsics (DESIGN §5): RMWs on the notifier's counter,
    whose kernel lock makes them acq_rel; a wait that returns is an
    acquire read of a non-zero value (else the thread is blocked)."""
    lw.expect_args(node, name, args, 1)
    loc = lw.location_of(args[0], name)
    full = lw.syscalls == "full-fence"
    if full:
        lw.fence(Order.SEQ_CST, name)
    if name == "event_notifier_set":
        lw.mem(Access(Kind.RMW, loc, Order.ACQ_REL, op=RmwOp.ADD, operand=1),
               {}, name)
        result = Pure.constant(0)
    elif name == "event_notifier_test_and_clear":
        old = lw.mem(Access(Kind.RMW, loc, Order.ACQ_REL, op=RmwOp.XCHG,
                            operand=0), {}, name, want=True)
        result = _bool(old)
    else:
        lw.mem(Access(Kind.RMW, loc, Order.ACQUIRE, op=RmwOp.ADD, operand=0),
               {}, name, blocking=True)
        result = Pure.constant(0)
    if full:
        lw.fence(Order.SEQ_CST, name)
    return result


def _b_noop(lw: _Lowerer, node, name, args):
    for arg in args:
        lw.lower(arg)
    return Pure.constant(0)


def _builtins() -> dict:
    table = {
        "__atomic_load_n": _b_load, "atomic_load_explicit": _b_load,
        "atomic_load": _b_load,
        "__atomic_store_n": _b_store, "atomic_store_explicit": _b_store,
        "atomic_store": _b_store,
        "__atomic_exchange_n": _b_rmw, "atomic_exchange_explicit": _b_rmw,
        "atomic_exchange": _b_rmw,
        "__atomic_compare_exchange_n": _b_cas,
        "atomic_compare_exchange_strong_explicit": _b_cas,
        "atomic_compare_exchange_strong": _b_cas,
        "atomic_compare_exchange_weak_explicit": _b_cas,
        "atomic_compare_exchange_weak": _b_cas,
        "__atomic_thread_fence": _b_fence, "atomic_thread_fence": _b_fence,
        "__atomic_signal_fence": _b_fence, "atomic_signal_fence": _b_fence,
        "__sync_synchronize": _b_sync_synchronize,
        "__sync_lock_test_and_set": _b_sync_rmw,
        "__sync_lock_release": _b_lock_release,
        "__sync_val_compare_and_swap": _b_sync_cas,
        "__sync_bool_compare_and_swap": _b_sync_cas,
    }
    for word in _RMW_NAMES:
        table[f"__atomic_fetch_{word}"] = _b_rmw
        table[f"__atomic_{word}_fetch"] = _b_rmw
        table[f"atomic_fetch_{word}_explicit"] = _b_rmw
        table[f"atomic_fetch_{word}"] = _b_rmw
        table[f"__sync_fetch_and_{word}"] = _b_sync_rmw
        table[f"__sync_{word}_and_fetch"] = _b_sync_rmw
    for name in INTRINSICS:
        table[name] = _b_notifier
    return table


_BUILTINS = _builtins()


# ---- helpers ---------------------------------------------------------------

def _as_operand(arg: int | LocPtr) -> Pure | LocPtr:
    return arg if isinstance(arg, LocPtr) else Pure.constant(arg)


def _params(fn: c_ast.FuncDef) -> list[tuple[str, bool, c_ast.Node]]:
    params = fn.decl.type.args
    out = []
    for param in (params.params if params is not None else ()):
        if isinstance(param, c_ast.EllipsisParam):
            raise _unsupported(param, f"variadic function {fn.decl.name}")
        if isinstance(param, c_ast.Typename):   # f(void)
            continue
        is_pointer = isinstance(param.type, c_ast.PtrDecl)
        if not is_pointer and not (
                isinstance(param.type, c_ast.TypeDecl)
                and isinstance(param.type.type, c_ast.IdentifierType)):
            raise _unsupported(param, f"parameter {param.name} of "
                                      f"{fn.decl.name} "
                                      f"({_describe(param.type)})")
        out.append((param.name, is_pointer, param))
    return out


def _returns_value(fn: c_ast.FuncDef) -> bool:
    result = fn.decl.type.type
    if isinstance(result, c_ast.PtrDecl):
        raise _unsupported(fn, f"{fn.decl.name} returns a pointer")
    return not (isinstance(result, c_ast.TypeDecl)
                and isinstance(result.type, c_ast.IdentifierType)
                and result.type.names == ["void"])


def _is_expression(node: c_ast.Node) -> bool:
    return isinstance(node, (c_ast.FuncCall, c_ast.Assignment, c_ast.UnaryOp,
                             c_ast.Cast, c_ast.ExprList, c_ast.BinaryOp,
                             c_ast.ID, c_ast.Constant, c_ast.TernaryOp,
                             c_ast.StructRef))


_NAMES = {
    "Switch": "switch statement", "Case": "case label",
    "Default": "default label", "Goto": "goto", "Label": "label",
    "ArrayRef": "array indexing", "ArrayDecl": "array",
    "CompoundLiteral": "compound literal", "InitList": "initializer list",
    "Pragma": "#pragma", "FuncDecl": "local function declaration",
    "Struct": "struct value", "Union": "union", "Enum": "enum",
    "Typedef": "local typedef", "Alignas": "_Alignas",
    "StaticAssert": "_Static_assert", "NamedInitializer": "designated "
                                                          "initializer",
}


def _describe(node: c_ast.Node) -> str:
    name = type(node).__name__
    return _NAMES.get(name, name)


def _derive(src: str, value: Pure) -> Pure:
    if value.const is not None:
        return Pure.constant(eval(src, {}))
    return Pure(src, value.uses)


def _combine(src: str, a: Pure, b: Pure) -> Pure:
    if a.const is not None and b.const is not None:
        return Pure.constant(eval(src, {"_div": ir._c_div,
                                        "_mod": ir._c_mod}))
    return Pure(src, a.uses | b.uses)


def _bool(value: Pure) -> Pure:
    return _derive(f"(1 if ({value.src}) else 0)", value)


def _negate(value: Pure) -> Pure:
    return _derive(f"(0 if ({value.src}) else 1)", value)


def compile_thread(unit: Unit, spec: ThreadSpec,
                   syscalls: str = "acq_rel") -> ir.ThreadCode:
    """One thread of the scenario or a litmus test, as flat IR."""
    if syscalls not in SYSCALL_SEMANTICS:
        raise CheckerError(f"unknown syscall semantics {syscalls!r}",
                           hint="valid: " + ", ".join(SYSCALL_SEMANTICS))
    return _Lowerer(unit, spec, syscalls).thread()
