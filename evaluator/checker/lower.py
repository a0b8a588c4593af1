"""Lowering one thread to IR: statements, expressions, inlined calls.

`Lowerer.thread()` turns the scenario's entry call (or a litmus
thread's body) into one flat instruction list; every call is inlined,
so the thread state is just (pc, locals).  Builtins and intrinsics are
in builtins.py.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pycparser import c_ast

from ..errors import CheckerError
from ..orders import Order, parse_order
from . import ir
from .builtins import BUILTINS
from .csubset import (LocalPtr, LocPtr, Pointer, ThreadSpec, Unit, as_bool,
                      combine, derive, describe, int_constant, negate, source,
                      unsupported, where_of)
from .ir import Pure, Where
from .memory import Access, Kind
from .readings import CHECK_DEFAULT, Reading
from .readings import get as get_reading

MAX_INLINE_DEPTH = 64
_ARITH = {"+": "+", "-": "-", "*": "*", "&": "&", "|": "|", "^": "^",
          "<<": "<<", ">>": ">>"}
_COMPARE = {"==", "!=", "<", ">", "<=", ">="}


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
    boolean: bool = False       # returns _Bool: the value becomes 0 or 1


class Lowerer:
    """Lowers one thread: inlines calls into one flat instruction list."""

    def __init__(self, unit: Unit, spec: ThreadSpec, syscalls: str,
                 reading: Reading | str = CHECK_DEFAULT):
        self.unit = unit
        self.spec = spec
        self.syscalls = syscalls
        # Which compiler's meaning the builtins get (readings.py).
        self.reading = get_reading(reading) if isinstance(reading, str) \
            else reading
        self.code: list[ir.Instr] = []
        self.nslots = 0
        self.scopes: list[dict[str, int | Pointer]] = []
        self.frames: list[_Frame] = []
        self.loops: list[tuple[list[int], list[int]]] = []
        self.registers: dict[str, int] = {}
        # Slots of _Bool locals and parameters: C converts whatever is
        # stored in them to 0 or 1 (`bool b = 2;` holds 1).
        self.bool_slots: set[int] = set()
        self.node: c_ast.Node | None = None

    # -- small helpers
    @property
    def func(self) -> str:
        return self.frames[-1].name if self.frames else self.spec.name

    def here(self) -> Where:
        return where_of(self.node)

    def new_slot(self) -> int:
        self.nslots += 1
        return self.nslots - 1

    def emit(self, ins: ir.Instr) -> int:
        self.code.append(ins)
        return len(self.code) - 1

    def assign(self, slot: int, expr: Pure) -> None:
        self.emit(ir.Assign(slot, expr, self.here(), self.func))

    def store_local(self, slot: int, expr: Pure) -> None:
        """An assignment to a C local: converted as its type says."""
        self.assign(slot, as_bool(expr) if slot in self.bool_slots
                    else expr)

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
                hint="the shared code (templates/aio_protocol.c.j2, "
                     "rendered into every variant) defines the scenario's "
                     "entry points; a template must keep them")
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
        self.emit(ir.End(observed, where_of(fn), self.spec.name))

    # -- calls
    def inline(self, fn: c_ast.FuncDef, args: list[Pure | Pointer],
               call: c_ast.Node) -> Pure:
        name = fn.decl.name
        if any(frame.name == name for frame in self.frames):
            raise unsupported(call, f"recursive call to {name}()",
                               hint="the checker inlines every call, so "
                                    "recursion cannot be bounded")
        if len(self.frames) >= MAX_INLINE_DEPTH:
            raise unsupported(call, f"calls nested deeper than "
                                     f"{MAX_INLINE_DEPTH} ({name})")
        params = _params(fn)
        if len(params) != len(args):
            raise unsupported(call, f"{name}() called with {len(args)} "
                                     f"arguments, defined with {len(params)}")
        scope: dict[str, int | Pointer] = {}
        for (pname, is_pointer, pnode), arg in zip(params, args):
            if is_pointer:
                if not isinstance(arg, (LocPtr, LocalPtr)):
                    raise unsupported(call, f"argument {pname} of {name}() "
                                             "is not the address of a "
                                             "location")
                scope[pname] = arg
            else:
                if not isinstance(arg, Pure):
                    raise unsupported(call, f"a pointer passed as int "
                                             f"parameter {pname} of {name}()")
                slot = self.new_slot()
                if _is_bool(pnode.type):
                    self.bool_slots.add(slot)
                self.store_local(slot, arg)
                scope[pname] = slot
        returns_value = _returns_value(fn)
        frame = _Frame(name, self.new_slot() if returns_value else None,
                       boolean=_is_bool(fn.decl.type.type))
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
            raise unsupported(node, describe(node))
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
            raise unsupported(node, f"{' '.join(node.storage)} local "
                                     f"variable {node.name}",
                               hint="use a field of the context for "
                                    "shared state")
        if isinstance(node.type, c_ast.PtrDecl):
            if node.init is None:
                raise unsupported(node, f"pointer {node.name} without an "
                                         "initializer")
            self.scopes[-1][node.name] = self.pointer(node.init)
            return
        if not (isinstance(node.type, c_ast.TypeDecl)
                and isinstance(node.type.type, c_ast.IdentifierType)):
            raise unsupported(node, f"declaration of {node.name} "
                                     f"({describe(node.type)})")
        value = Pure.constant(0) if node.init is None else self.value(
            node.init)
        slot = self.new_slot()
        if _is_bool(node.type):
            self.bool_slots.add(slot)
        self.store_local(slot, value)
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
            raise unsupported(node, "break outside a loop (switch is not "
                                     "supported)")
        self.loops[-1][0].append(self.jump_placeholder())

    def stmt_Continue(self, node: c_ast.Continue) -> None:
        if not self.loops:
            raise unsupported(node, "continue outside a loop")
        self.loops[-1][1].append(self.jump_placeholder())

    def stmt_Return(self, node: c_ast.Return) -> None:
        frame = self.frames[-1]
        if node.expr is not None:
            value = self.value(node.expr)
            if frame.result is not None:
                self.assign(frame.result, as_bool(value) if frame.boolean
                            else value)
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
            raise unsupported(node, f"a pointer used as a value "
                                     f"({source(node)})")
        return result

    def pointer(self, node: c_ast.Node) -> Pointer:
        result = self.lower(node)
        if not isinstance(result, (LocPtr, LocalPtr)):
            raise unsupported(node, f"{source(node)} is not the address "
                                     "of a location")
        return result

    def lower(self, node: c_ast.Node) -> Pure | Pointer:
        saved = self.node
        self.node = node
        method = getattr(self, "expr_" + type(node).__name__, None)
        if method is None:
            raise unsupported(node, describe(node))
        result = method(node)
        self.node = saved
        return result

    def expr_Constant(self, node: c_ast.Constant) -> Pure:
        return Pure.constant(int_constant(node))

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
        if node.name in self.unit.functions:
            raise unsupported(node, f"a function pointer (function "
                                     f"{node.name} used as a value)",
                               hint="call the function directly: the "
                                    "checker inlines every call")
        raise unsupported(node, f"unknown identifier {node.name}")

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
                return as_bool(value)
            return value
        if isinstance(target, c_ast.PtrDecl):
            return self.pointer(node.expr)
        raise unsupported(node, f"cast to {source(node.to_type)}")

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
            raise unsupported(node, "sizeof")
        value = self.value(node.expr)
        if op == "!":
            return derive(f"(0 if ({value.src}) else 1)", value)
        if op == "-":
            return derive(f"(-({value.src}))", value)
        if op == "~":
            return derive(f"(~({value.src}))", value)
        if op == "+":
            return value
        raise unsupported(node, f"unary operator {op}")

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
            raise unsupported(node, f"binary operator {op}")
        return combine(src, left, right)

    def logical(self, node: c_ast.BinaryOp) -> Pure:
        left = as_bool(self.value(node.left))
        if _is_pure(node.right):
            right = as_bool(self.value(node.right))
            word = "and" if node.op == "&&" else "or"
            return combine(f"(({left.src}) {word} ({right.src}))", left,
                            right)
        # C short-circuit: the right operand's memory events happen only
        # when the left one does not decide the result.
        result = self.new_slot()
        self.assign(result, left)
        held = Pure.slot(result)
        go_on = held if node.op == "&&" else negate(held)
        skip = self.branch_placeholder(go_on)
        self.assign(result, as_bool(self.value(node.right)))
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
            self.store_local(slot, value)
            return Pure.slot(slot)
        location = self.lvalue_location(target)
        if isinstance(location, LocalPtr):
            value = self.value(node.rvalue)
            if op != "=":
                value = self.compound(op, Pure.slot(location.slot), value,
                                      node)
            self.store_local(location.slot, value)
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
            return combine(f"(({old.src}) {_ARITH[binary]} ({value.src}))",
                            old, value)
        if binary in ("/", "%"):
            fn = "_div" if binary == "/" else "_mod"
            return combine(f"{fn}({old.src}, {value.src})", old, value)
        raise unsupported(node, f"assignment operator {op}")

    def increment(self, node: c_ast.UnaryOp) -> Pure:
        delta = "+ 1" if "+" in node.op else "- 1"
        target = node.expr
        bound = self.lookup(target.name) if isinstance(target, c_ast.ID) \
            else None
        if not isinstance(bound, int):
            raise unsupported(node, f"{node.op.strip('p')} on "
                                     f"{source(target)} (only on locals)")
        old = self.hold(Pure.slot(bound))
        self.store_local(bound, Pure(f"(L[{bound}] {delta})",
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
            raise unsupported(node, f"address of {node.name}")
        return self.lvalue_location(node)

    def lvalue_location(self, node: c_ast.Node) -> Pointer:
        """Where an lvalue lives: a shared location or a local."""
        if isinstance(node, c_ast.StructRef):
            if node.type == "->":
                base = self.pointer(node.name)
            elif isinstance(node.name, c_ast.ID) and isinstance(
                    self.lookup(node.name.name), (LocPtr, LocalPtr)):
                pointer = node.name.name
                raise unsupported(node, f"{source(node)}: {pointer} is a "
                                         "pointer",
                                   hint=f"write {pointer}->"
                                        f"{node.field.name}")
            else:
                base = self.lvalue_location(node.name)
            if not isinstance(base, LocPtr):
                raise unsupported(node, f"field access on a local "
                                         f"({source(node)})")
            self.check_field(node)
            return base.field(node.field.name)
        if isinstance(node, c_ast.UnaryOp) and node.op == "*":
            return self.pointer(node.expr)
        if isinstance(node, c_ast.ID) and node.name in self.unit.globals \
                and self.lookup(node.name) is None:
            return LocPtr(node.name)
        raise unsupported(node, f"assignment to {source(node)}")

    def check_field(self, node: c_ast.StructRef) -> None:
        """A member no struct declares is a typo the compiler refuses;
        modelled, it would be a fresh location nobody else touches."""
        name = node.field.name
        if name in self.unit.fields:
            return
        close = difflib.get_close_matches(name, self.unit.fields, n=1)
        where = where_of(node)
        raise CheckerError(
            f"no struct declares a field {name} ({source(node)})",
            path=where.file, line=where.line,
            hint=(f"did you mean {close[0]}? " if close else "")
            + "fields: " + ", ".join(sorted(self.unit.fields)))

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
            raise unsupported(node, f"{call} on a local variable "
                                     f"({source(node)})",
                               hint="atomics must act on a shared location")
        return target.path

    def order_of(self, node: c_ast.Node, allowed: Sequence[Order],
                 call: str) -> Order:
        value = self.value(node)
        if value.const is None or value.const not in [int(o) for o in Order]:
            raise unsupported(node, f"memory order {source(node)} of "
                                     f"{call} is not a constant order",
                               hint="valid: " + ", ".join(
                                   o.gcc_name for o in Order))
        order = Order(value.const)
        if order not in allowed:
            raise unsupported(node, f"memory order {order.short} is not "
                                     f"valid for {call}",
                               hint="valid: " + ", ".join(
                                   o.short for o in allowed))
        return order

    def access_order(self, node: c_ast.Node, allowed: Sequence[Order],
                     call: str) -> Order:
        """The order of a load, RMW or compare-exchange as the compiler
        reading has it: gcc and clang promote consume to acquire, the
        language reading keeps consume (a relaxed read in RC11)."""
        return self.reading.consume(self.order_of(node, allowed, call))

    # -- calls
    def expr_FuncCall(self, node: c_ast.FuncCall) -> Pure | Pointer:
        if not isinstance(node.name, c_ast.ID):
            raise unsupported(node, "call through a function pointer")
        name = node.name.name
        args = list(node.args.exprs) if node.args is not None else []
        handler = BUILTINS.get(name)
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
        if name in self.unit.declared:
            where = self.here()
            raise CheckerError(f"call to {name}(), which is declared but "
                               "never defined", path=where.file,
                               line=where.line,
                               hint="define it: a hook of "
                                    "csrc/aio_protocol.h is the variant's "
                                    "(look for a misspelt name or an #if "
                                    "around its definition)")
        if name.startswith(("__atomic_", "__sync_")):
            raise unsupported(node, f"GCC builtin {name}(), which the "
                                     "checker does not model",
                               hint="it models: " + ", ".join(
                                   b for b in sorted(BUILTINS)
                                   if b.startswith(("__atomic_",
                                                    "__sync_"))))
        raise unsupported(node, f"call to {name}(), which is neither "
                                 "defined nor a builtin the checker knows")

    def assertion(self, node: c_ast.FuncCall, args: list) -> Pure:
        if len(args) != 1:
            raise unsupported(node, "assert with other than one argument")
        cond = self.value(args[0])
        self.emit(ir.Assert(cond, source(args[0]), self.here(), self.func))
        return Pure.constant(0)

    def expect_args(self, node: c_ast.Node, name: str, args: list,
                    count: int) -> None:
        if len(args) != count:
            raise unsupported(node, f"{name} with {len(args)} arguments "
                                     f"(expected {count})")


def _as_operand(arg: int | LocPtr) -> Pure | LocPtr:
    return arg if isinstance(arg, LocPtr) else Pure.constant(arg)


def _params(fn: c_ast.FuncDef) -> list[tuple[str, bool, c_ast.Node]]:
    params = fn.decl.type.args
    out = []
    for param in (params.params if params is not None else ()):
        if isinstance(param, c_ast.EllipsisParam):
            raise unsupported(param, f"variadic function {fn.decl.name}")
        if isinstance(param, c_ast.Typename):   # f(void)
            continue
        is_pointer = isinstance(param.type, c_ast.PtrDecl)
        if not is_pointer and not (
                isinstance(param.type, c_ast.TypeDecl)
                and isinstance(param.type.type, c_ast.IdentifierType)):
            raise unsupported(param, f"parameter {param.name} of "
                                      f"{fn.decl.name} "
                                      f"({describe(param.type)})")
        out.append((param.name, is_pointer, param))
    return out


def _is_bool(decl_type: c_ast.Node) -> bool:
    """A _Bool (bool, with csrc/aio_protocol.h's #define) declarator."""
    return isinstance(decl_type, c_ast.TypeDecl) and isinstance(
        decl_type.type, c_ast.IdentifierType) and \
        decl_type.type.names == ["_Bool"]


def _returns_value(fn: c_ast.FuncDef) -> bool:
    result = fn.decl.type.type
    if isinstance(result, c_ast.PtrDecl):
        raise unsupported(fn, f"{fn.decl.name} returns a pointer")
    return not (isinstance(result, c_ast.TypeDecl)
                and isinstance(result.type, c_ast.IdentifierType)
                and result.type.names == ["void"])


def _is_expression(node: c_ast.Node) -> bool:
    return isinstance(node, (c_ast.FuncCall, c_ast.Assignment, c_ast.UnaryOp,
                             c_ast.Cast, c_ast.ExprList, c_ast.BinaryOp,
                             c_ast.ID, c_ast.Constant, c_ast.TernaryOp,
                             c_ast.StructRef))
