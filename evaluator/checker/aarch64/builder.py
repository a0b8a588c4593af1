"""Emit one AArch64 thread as checker IR (ir.py), registers as locals.

Every architectural register Xn is three locals: its value and two
dependency masks (taints): bit i of a mask says that the value was
computed from what this thread's memory event i read.  `taint` follows
herd7's basic dependencies (data flow through registers and forwarded
memory, aarch64deps.cat `dtrm`), `pick` also follows the conditions of
CSEL-like instructions (`pick-dtrm`, which adds iico_ctrl) and always
contains `taint`.  The flags (NZCV) are one more register.  `ctrl`
collects the taints of every conditional branch taken so far: each
later event has a control dependency on those reads (`ctrl = [R];
basic-dep; [BCC]; po`).  `counter` numbers the memory events, exactly as
the explorer's EventId index does (one per Mem instruction), so a read's
own mask is `1 << counter`.

Only models that ask for dependencies read the masks (Access.deps); the
extra locals are dead for everything else and liveness drops them where
they are not needed.  C programs never get them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import NamedTuple

from ...errors import CheckerError
from .. import ir
from ..ir import Pure, Where
from ..memory import NO_DEPS, Access
from .expr import MASKS, Exprs
from .syntax import Reg


class DepAssign(ir.Assign):
    """An assignment to a dependency slot (see ThreadBuilder.dep_slot)."""

    __slots__ = ()


class Val(NamedTuple):
    """A register-sized value and its two dependency masks."""

    value: Pure
    taint: Pure
    pick: Pure


@dataclass
class _Slots:
    value: int
    taint: int
    pick: int


class ThreadBuilder:
    def __init__(self, name: str, role: str, exprs: Exprs, func: str = ""):
        self.name = name
        self.role = role
        self.x = exprs
        self.func = func or name
        self.code: list[ir.Instr] = []
        self.nslots = 0
        self.labels: dict[str, int] = {}
        self.fixups: list[tuple[ir.Instr, str, Where]] = []
        self.regs: dict[int, _Slots] = {}
        self.deps: set[int] = set()     # slots that only track dependencies
        self.flags = self._triple()
        self.ctrl = self.dep_slot()
        self.ctrl_pick = self.dep_slot()
        self.counter = self.dep_slot()
        self.where = Where(name, 0)
        self.registers: dict[str, int] = {}     # litmus names -> slots
        # Constant propagation over straight-line code: slot values
        # known here; until the first label every untouched slot is 0.
        self.known: dict[int, int] = {}
        self.dynamic: set[int] = set()
        self.straight = True

    # -- slots
    def new_slot(self) -> int:
        self.nslots += 1
        return self.nslots - 1

    def dep_slot(self) -> int:
        """A slot holding a dependency mask (or the event counter):
        dropped, with every assignment to it, for models that do not
        read dependencies (without_dependencies)."""
        slot = self.new_slot()
        self.deps.add(slot)
        return slot

    def _triple(self) -> _Slots:
        return _Slots(self.new_slot(), self.dep_slot(), self.dep_slot())

    def slots(self, reg: Reg) -> _Slots:
        if reg.index not in self.regs:
            self.regs[reg.index] = self._triple()
        return self.regs[reg.index]

    def value_of(self, slot: int) -> Pure:
        """The slot as an expression: its constant when known here."""
        if slot in self.known:
            return self.x.const(self.known[slot])
        if self.straight and slot not in self.dynamic:
            return self.x.const(0)
        return self.x.slot(slot)

    def at(self, where: Where, func: str | None = None) -> None:
        self.where = where
        if func is not None:
            self.func = func

    # -- registers
    def read(self, reg: Reg) -> Val:
        zero = self.x.const(0)
        if reg.is_zero:
            return Val(zero, zero, zero)
        s = self.slots(reg)
        value = self.value_of(s.value)
        if reg.bits == 32:
            value = self.x.make("{0} & 0xFFFFFFFF", value)
        return Val(value, self.value_of(s.taint), self.value_of(s.pick))

    def write(self, reg: Reg, val: Val) -> None:
        if reg.is_zero:
            return                      # writes to WZR/XZR vanish
        s = self.slots(reg)
        value = val.value
        if value.const is None or not 0 <= value.const <= MASKS[reg.bits]:
            value = self.x.make("{0} & " + hex(MASKS[reg.bits]), value)
        self.assign(s.value, value)
        self.assign(s.taint, val.taint)
        self.assign(s.pick, self.x.union(val.pick, val.taint))

    def set_flags(self, nzcv: Pure, taint: Pure, pick: Pure) -> None:
        self.assign(self.flags.value, nzcv)
        self.assign(self.flags.taint, taint)
        self.assign(self.flags.pick, self.x.union(pick, taint))

    def read_flags(self) -> Val:
        f = self.flags
        return Val(self.value_of(f.value), self.value_of(f.taint),
                   self.value_of(f.pick))

    def ctrl_deps(self) -> tuple[Pure, Pure]:
        return self.value_of(self.ctrl), self.value_of(self.ctrl_pick)

    # -- emission
    def emit(self, ins: ir.Instr) -> ir.Instr:
        self.code.append(ins)
        return ins

    def assign(self, slot: int, expr: Pure) -> None:
        kind = DepAssign if slot in self.deps else ir.Assign
        self.emit(kind(slot, expr, self.where, self.func))
        self._learn(slot, expr.const)

    def _learn(self, slot: int, const: int | None) -> None:
        if const is None:
            self.known.pop(slot, None)
            self.dynamic.add(slot)
        else:
            self.known[slot] = const

    def mem(self, access: Access, parts: dict[str, Pure], dest: int | None,
            label: str, *, reads: bool, blocking: bool = False) -> int:
        """One memory event; returns the slot holding its event mask
        (1 << index) when it reads, for the caller's dest taint."""
        static = {}
        for name, expr in list(parts.items()):
            if not expr.uses:
                static[name] = self.static(expr)
                del parts[name]
        if static:
            access = Access(**{**ir._access_fields(access), **static})
        self.emit(ir.Mem(access, parts, dest, blocking, label, self.where,
                         self.func))
        if dest is not None:
            self._learn(dest, None)
        bit = None
        counter = self.value_of(self.counter)
        if reads:
            bit = self.dep_slot()
            self.assign(bit, self.x.make("1 << {0}", counter))
        self.assign(self.counter, self.x.make("{0} + 1", counter))
        return bit

    def static(self, expr: Pure):
        if expr.const is not None:
            return expr.const
        try:
            return expr.fn([])
        except (ArithmeticError, ValueError) as exc:
            raise CheckerError(str(exc), path=self.where.file,
                               line=self.where.line) from None

    def branch_if(self, taken: Pure, cond: Val, label: str) -> None:
        """Go to `label` when `taken` is non-zero.  Every later event
        depends (ctrl) on the condition's reads, whichever way it goes."""
        self.assign(self.ctrl, self.x.union(self.value_of(self.ctrl),
                                            cond.taint))
        self.assign(self.ctrl_pick, self.x.union(
            self.value_of(self.ctrl_pick), cond.pick, cond.taint))
        stay = self.x.make("0 if {0} else 1", taken)
        branch = self.emit(ir.Branch(stay, -1, self.where, self.func))
        self.fixups.append((branch, label, self.where))

    def jump(self, label: str) -> None:
        jump = self.emit(ir.Jump(-1, self.where, self.func))
        self.fixups.append((jump, label, self.where))

    def place(self, label: str) -> None:
        if label in self.labels:
            raise CheckerError(f"label {label} defined twice",
                               path=self.where.file, line=self.where.line)
        self.labels[label] = len(self.code)
        self.known.clear()          # a join point: values differ by path
        self.straight = False

    def finish(self, observed: frozenset[int],
               call: str = "") -> ir.ThreadCode:
        for ins, label, where in self.fixups:
            if label not in self.labels:
                raise CheckerError(f"branch to undefined label {label}",
                                   path=where.file, line=where.line,
                                   hint="define it as 'LABEL:' in the same "
                                        "thread")
            ins.target = self.labels[label]
        self.emit(ir.End(observed, self.where, self.func))
        code = tuple(self.code)
        return ir.ThreadCode(self.name, self.role, code, self.nslots,
                             ir.liveness(list(code)), dict(self.registers),
                             call)


def without_dependencies(program: ir.Program) -> ir.Program:
    """The same program without dependency tracking, for models that do
    not read Access.deps (sc): the masks and the event counter grow in
    loops and would only keep apart states with the same future."""
    return replace(program, threads=tuple(_strip(t) for t in program.threads))


def _strip(thread: ir.ThreadCode) -> ir.ThreadCode:
    code = [_stripped(pc, ins) for pc, ins in enumerate(thread.code)]
    return replace(thread, code=tuple(code), live=ir.liveness(code))


def _stripped(pc: int, ins):
    if isinstance(ins, DepAssign):
        return ir.Jump(pc + 1, ins.where, ins.func)
    if ins.kind == ir.MEM and "deps" in ins.parts:
        parts = {k: v for k, v in ins.parts.items() if k != "deps"}
        return ir.Mem(ins.access, parts, ins.dest, ins.blocking,
                      ins.label, ins.where, ins.func)
    if ins.kind == ir.MEM and ins.access.deps != NO_DEPS:
        return ir.Mem(Access(**{**ir._access_fields(ins.access),
                                "deps": NO_DEPS}), ins.parts, ins.dest,
                      ins.blocking, ins.label, ins.where, ins.func)
    return ins
