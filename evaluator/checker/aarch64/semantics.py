"""The instruction table: what each AArch64 instruction does, as IR.

Written once for the litmus reader (litmus.py) and the lifter
(lifter.py).  Each handler gets the thread builder, the decoded
instruction and the environment (`Env`: how branch targets, calls and
stack accesses are resolved, which differs between a litmus test and
compiled code).  Memory instructions become one ir.Mem each (an LSE
atomic is one RMW access; the armv8 model splits it into its read and
write events), with the ordering annotation herd7 gives the instruction
(memory.ArmAnnot) and the register dependencies of its operands
(memory.Deps).  An instruction the table does not know is an error
naming it (`UnknownInstruction`): never a silent skip.

Dependencies follow herd7's AArch64 semantics (AArch64Sem.ml): the base
and index registers of an address are address inputs, the stored
register a data input; a store-exclusive's status register carries no
dependency (aarch64deps.cat excludes `range(lxsx)` from dtrm); CSEL
reads NZCV as a control input (pick dependency) and the selected
register as data; a successful CAS writes back its compare register
from that register (herd's `DataFromRRs` alternative, the weaker one
when that register holds a constant, as in every test here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from collections.abc import Callable

from ...errors import CheckerError
from ...orders import Order
from ..ir import Pure, Where
from ..memory import Access, ArmAnnot, Kind, RmwOp
from .builder import ThreadBuilder, Val
from .expr import INVERSE, MASKS
from .syntax import (CONDITIONS, Imm, Label, Mem, Operand, Reg, Shift, Word,
                     parse_operands)


class UnknownInstruction(CheckerError):
    """An instruction (or operand form) outside the table."""


@dataclass(frozen=True)
class Insn:
    mnemonic: str                   # upper case
    operands: tuple[Operand, ...]
    text: str                       # as written, for messages and traces
    where: Where


def decode(mnemonic: str, operands: str, where: Where) -> Insn:
    text = f"{mnemonic} {operands}".strip()
    try:
        parsed = parse_operands(operands)
    except CheckerError as exc:
        raise UnknownInstruction(f"{exc.message} in {text!r}",
                                 path=where.file, line=where.line,
                                 hint=exc.hint) from None
    return Insn(mnemonic.upper(), parsed, text, where)


class Env:
    """How a program's context resolves what the table cannot: litmus
    tests have labels and no calls, stack or SP."""

    def target(self, ins: Insn, op: Operand) -> str:
        if isinstance(op, Word):
            return op.text
        if isinstance(op, Label):
            return op.name
        raise bad(ins, "a branch target")

    def call(self, b: ThreadBuilder, ins: Insn, target: Label,
             tail: bool) -> None:
        raise bad(ins, "a call", "litmus threads cannot call functions")

    def ret(self, b: ThreadBuilder, ins: Insn) -> None:
        raise bad(ins, "RET", "a litmus thread ends after its last line")

    def stack(self, b: ThreadBuilder, ins: Insn, mem: Mem, regs: list[Reg],
              store: bool) -> None:
        raise bad(ins, "an SP-relative access",
                  "litmus tests address memory through registers set in "
                  "the init block")

    def stack_pointer(self, b: ThreadBuilder, ins: Insn) -> None:
        raise bad(ins, "use of SP", "litmus tests have no stack")

    def retried(self, ins: Insn) -> bool:
        """Does the code retry this store-exclusive when it fails?"""
        return False

    def is_call(self, ins: Insn, target: Label) -> bool:
        """Is `B target` a tail call rather than a jump?"""
        return False

    def annotate(self, ins: Insn) -> str:
        return ins.text


def bad(ins: Insn, what: str, hint: str | None = None) -> UnknownInstruction:
    return UnknownInstruction(f"unsupported {what} in {ins.text!r}",
                              path=ins.where.file, line=ins.where.line,
                              hint=hint)


def _need(ins: Insn, count: int | tuple[int, ...]) -> None:
    counts = (count,) if isinstance(count, int) else count
    if len(ins.operands) not in counts:
        raise bad(ins, f"operand count ({len(ins.operands)})",
                  f"{ins.mnemonic} takes "
                  + " or ".join(str(c) for c in counts) + " operands")


def _reg(ins: Insn, i: int) -> Reg:
    op = ins.operands[i]
    if not isinstance(op, Reg) or op.index == Reg.SP:
        raise bad(ins, f"operand {i + 1}", "expected a W or X register")
    return op


def _reg_or_sp(ins: Insn, i: int) -> Reg:
    op = ins.operands[i]
    if not isinstance(op, Reg):
        raise bad(ins, f"operand {i + 1}", "expected a register")
    return op


def _mem(ins: Insn, i: int) -> Mem:
    op = ins.operands[i] if i < len(ins.operands) else None
    if not isinstance(op, Mem):
        raise bad(ins, f"operand {i + 1}", "expected [Xn] or [Xn,#imm]")
    return op


# ---- values -----------------------------------------------------------------

def _shifted(b: ThreadBuilder, val: Val, shift: Shift, bits: int) -> Val:
    x = b.x
    n = shift.amount
    mask = hex(MASKS[bits])
    exprs = {
        "LSL": f"({{0}} << {n}) & {mask}",
        "LSR": f"({{0}} & {mask}) >> {n}",
        "ASR": f"(_sx({{0}}, {bits}) >> {n}) & {mask}",
        "ROR": f"((({{0}} & {mask}) >> {n}) | ({{0}} << ({bits} - {n}))) & "
               f"{mask}",
        "SXTW": f"(_sx({{0}}, 32) << {n}) & 0xFFFFFFFFFFFFFFFF",
        "UXTW": f"(({{0}} & 0xFFFFFFFF) << {n})",
        "SXTX": f"({{0}} << {n})", "UXTX": f"({{0}} << {n})",
        "SXTB": f"(_sx({{0}}, 8) << {n}) & {mask}",
        "SXTH": f"(_sx({{0}}, 16) << {n}) & {mask}",
        "UXTB": f"(({{0}} & 0xFF) << {n})",
        "UXTH": f"(({{0}} & 0xFFFF) << {n})",
    }
    return Val(x.make(exprs[shift.kind], val.value), val.taint, val.pick)


def _source(b: ThreadBuilder, ins: Insn, i: int, bits: int) -> Val:
    """Operand i as a value: a register (with an optional shift after
    it) or an immediate (optionally `LSL #12`)."""
    op = ins.operands[i]
    shift = ins.operands[i + 1] if i + 1 < len(ins.operands) else None
    if isinstance(op, Imm):
        value = op.value
        if isinstance(shift, Shift) and shift.kind == "LSL":
            value <<= shift.amount
        zero = b.x.const(0)
        return Val(b.x.const(value & MASKS[bits]), zero, zero)
    if isinstance(op, Reg):
        val = b.read(op)
        if isinstance(shift, Shift):
            val = _shifted(b, val, shift, bits)
        return val
    raise bad(ins, f"operand {i + 1}", "expected a register or #immediate")


def _combine(b: ThreadBuilder, template: str, *vals: Val) -> Val:
    x = b.x
    return Val(x.make(template, *(v.value for v in vals)),
               x.union(*(v.taint for v in vals)),
               x.union(*(v.pick for v in vals)))


_ALU = {"ADD": "{0} + {1}", "SUB": "{0} - {1}", "AND": "{0} & {1}",
        "ORR": "{0} | {1}", "EOR": "{0} ^ {1}", "BIC": "{0} & ~{1}",
        "ORN": "{0} | ~{1}", "EON": "{0} ^ ~{1}", "MUL": "{0} * {1}"}


def _uses_sp(ins: Insn) -> bool:
    return any(isinstance(op, Reg) and op.index == Reg.SP
               for op in ins.operands)


def op_alu(b: ThreadBuilder, ins: Insn, env: Env) -> None:
    if _uses_sp(ins):
        env.stack_pointer(b, ins)
        return
    setflags = ins.mnemonic in ("ADDS", "SUBS", "ANDS")
    base = ins.mnemonic[:-1] if setflags else ins.mnemonic
    _need(ins, (3, 4))
    dest = _reg(ins, 0)
    bits = dest.bits
    left = b.read(_reg(ins, 1))
    right = _source(b, ins, 2, bits)
    result = _combine(b, _ALU[base], left, right)
    if setflags:
        _set_flags(b, base, left, right, bits)
    b.write(dest, result)


def _set_flags(b: ThreadBuilder, base: str, left: Val, right: Val,
               bits: int) -> None:
    x = b.x
    if base == "SUB":
        nzcv = x.make(f"_nzcv_sub({{0}}, {{1}}, {bits})", left.value,
                      right.value)
    elif base == "ADD":
        nzcv = x.make(f"_nzcv_add({{0}}, {{1}}, 0, {bits})", left.value,
                      right.value)
    else:
        nzcv = x.make(f"_nzcv_logic({{0}} & {{1}}, {bits})", left.value,
                      right.value)
    b.set_flags(nzcv, x.union(left.taint, right.taint),
                x.union(left.pick, right.pick))


def op_compare(b: ThreadBuilder, ins: Insn, env: Env) -> None:
    _need(ins, (2, 3))
    left = b.read(_reg(ins, 0))
    right = _source(b, ins, 1, left_bits := _reg(ins, 0).bits)
    base = {"CMP": "SUB", "CMN": "ADD", "TST": "AND"}[ins.mnemonic]
    _set_flags(b, base, left, right, left_bits)


def op_mov(b: ThreadBuilder, ins: Insn, env: Env) -> None:
    if _uses_sp(ins):
        env.stack_pointer(b, ins)
        return
    _need(ins, (2, 3))
    dest = _reg(ins, 0)
    val = _source(b, ins, 1, dest.bits)
    if ins.mnemonic == "MOVN":
        val = Val(b.x.make("~{0}", val.value), val.taint, val.pick)
    b.write(dest, val)


def op_movk(b: ThreadBuilder, ins: Insn, env: Env) -> None:
    _need(ins, (2, 3))
    dest = _reg(ins, 0)
    imm = ins.operands[1]
    shift = ins.operands[2] if len(ins.operands) > 2 else Shift("LSL", 0)
    if not isinstance(imm, Imm) or not isinstance(shift, Shift):
        raise bad(ins, "operands", "MOVK Rd, #imm{, LSL #n}")
    old = b.read(dest)
    keep = ~(0xFFFF << shift.amount) & MASKS[dest.bits]
    value = b.x.make(f"({{0}} & {keep}) | {imm.value << shift.amount}",
                     old.value)
    b.write(dest, Val(value, old.taint, old.pick))


def op_unary(b: ThreadBuilder, ins: Insn, env: Env) -> None:
    """MVN, NEG, SXTW/SXTB/SXTH/UXTB/UXTH, LSL/LSR/ASR #imm."""
    dest = _reg(ins, 0)
    m = ins.mnemonic
    if m in ("LSL", "LSR", "ASR", "ROR"):
        _need(ins, 3)
        src = b.read(_reg(ins, 1))
        amount = ins.operands[2]
        if isinstance(amount, Imm):
            b.write(dest, _shifted(b, src, Shift(m, amount.value), dest.bits))
            return
        if isinstance(amount, Reg):
            shift = b.read(amount)
            mask = hex(MASKS[dest.bits])
            exprs = {"LSL": "({0} << ({1} % {b})) & {m}",
                     "LSR": "({0} & {m}) >> ({1} % {b})",
                     "ASR": "(_sx({0}, {b}) >> ({1} % {b})) & {m}"}
            if m not in exprs:
                raise bad(ins, "a register rotate")
            template = exprs[m].replace("{b}", str(dest.bits)).replace(
                "{m}", mask)
            b.write(dest, _combine(b, template, src, shift))
            return
        raise bad(ins, "shift amount")
    _need(ins, 2)
    src = _source(b, ins, 1, dest.bits)
    templates = {"MVN": "~{0}", "NEG": "-{0}",
                 "SXTW": "_sx({0}, 32)", "SXTB": "_sx({0}, 8)",
                 "SXTH": "_sx({0}, 16)", "UXTB": "{0} & 0xFF",
                 "UXTH": "{0} & 0xFFFF", "UXTW": "{0} & 0xFFFFFFFF"}
    b.write(dest, _combine(b, templates[m], src))


def _cond(ins: Insn, i: int) -> str:
    op = ins.operands[i] if i < len(ins.operands) else None
    if not isinstance(op, Word) or op.text not in CONDITIONS:
        raise bad(ins, "condition", "one of " + " ".join(CONDITIONS[:16]))
    return op.text


def op_csel(b: ThreadBuilder, ins: Insn, env: Env) -> None:
    """CSEL/CSINC/CSINV/CSNEG Rd, Rn, Rm, cond and the aliases CSET,
    CSETM, CINC, CINV, CNEG.  herd7: NZCV is a control input of the
    register write (pick dependency), the chosen register its data."""
    m = ins.mnemonic
    alias = {"CSET": ("CSINC", "ZR", "ZR", True),
             "CSETM": ("CSINV", "ZR", "ZR", True),
             "CINC": ("CSINC", 1, 1, True), "CINV": ("CSINV", 1, 1, True),
             "CNEG": ("CSNEG", 1, 1, True)}
    dest = _reg(ins, 0)
    if m in alias:
        base, first, second, invert = alias[m]
        _need(ins, 2 if first == "ZR" else 3)
        cond = _cond(ins, len(ins.operands) - 1)
        cond = INVERSE[cond] if invert else cond
        zr = Reg(Reg.ZR, dest.bits)
        n = zr if first == "ZR" else _reg(ins, 1)
        mreg = zr if second == "ZR" else _reg(ins, 1)
    else:
        base = m
        _need(ins, 4)
        n, mreg, cond = _reg(ins, 1), _reg(ins, 2), _cond(ins, 3)
    flags = b.read_flags()
    chosen, other = b.read(n), b.read(mreg)
    other_value = {"CSEL": "{0}", "CSINC": "{0} + 1", "CSINV": "~{0}",
                   "CSNEG": "-{0}"}[base]
    x = b.x
    test = x.make(f"_cond({{0}}, {cond!r})", flags.value)
    value = x.make("{1} if {0} else (" + other_value.format("{2}") + ")",
                   test, chosen.value, other.value)
    taint = x.make("{1} if {0} else {2}", test, chosen.taint, other.taint)
    pick = x.union(flags.pick, x.make("{1} if {0} else {2}", test,
                                      chosen.pick, other.pick))
    b.write(dest, Val(value, taint, pick))


# ---- branches ---------------------------------------------------------------

def _branch(b: ThreadBuilder, ins: Insn, env: Env) -> None:
    _need(ins, 1)
    target = ins.operands[0]
    if isinstance(target, Label) and env.is_call(ins, target):
        env.call(b, ins, target, tail=True)
        return
    b.jump(env.target(ins, target))


def _branch_cond(b: ThreadBuilder, ins: Insn, env: Env) -> None:
    _need(ins, 1)
    cond = ins.mnemonic[2:]
    if cond not in CONDITIONS:
        raise bad(ins, f"condition {cond}")
    flags = b.read_flags()
    taken = b.x.make(f"_cond({{0}}, {cond!r})", flags.value)
    b.branch_if(taken, flags, env.target(ins, ins.operands[0]))


def _branch_zero(b: ThreadBuilder, ins: Insn, env: Env) -> None:
    _need(ins, 2)
    val = b.read(_reg(ins, 0))
    test = "{0} == 0" if ins.mnemonic == "CBZ" else "{0} != 0"
    taken = b.x.make(test, val.value)
    b.branch_if(taken, val, env.target(ins, ins.operands[1]))


def _branch_bit(b: ThreadBuilder, ins: Insn, env: Env) -> None:
    _need(ins, 3)
    val = b.read(_reg(ins, 0))
    bit = ins.operands[1]
    if not isinstance(bit, Imm):
        raise bad(ins, "bit number")
    test = f"({{0}} >> {bit.value}) & 1"
    zero = " == 0" if ins.mnemonic == "TBZ" else " != 0"
    taken = b.x.make(test + zero, val.value)
    b.branch_if(taken, val, env.target(ins, ins.operands[2]))


def _call(b: ThreadBuilder, ins: Insn, env: Env) -> None:
    _need(ins, 1)
    target = ins.operands[0]
    if not isinstance(target, Label):
        raise bad(ins, "call target")
    env.call(b, ins, target, tail=False)


def _ret(b: ThreadBuilder, ins: Insn, env: Env) -> None:
    env.ret(b, ins)


_BRANCHES = {"B": _branch, "CBZ": _branch_zero, "CBNZ": _branch_zero,
             "TBZ": _branch_bit, "TBNZ": _branch_bit, "BL": _call,
             "RET": _ret}


def op_branch(b: ThreadBuilder, ins: Insn, env: Env) -> None:
    m = ins.mnemonic
    handler = _branch_cond if m.startswith("B.") else _BRANCHES.get(m)
    if handler is None:
        raise bad(ins, "branch")
    handler(b, ins, env)


def op_nop(b: ThreadBuilder, ins: Insn, env: Env) -> None:
    """NOP and the hint-space instructions compilers emit (BTI, PACIASP,
    AUTIASP): no architectural effect on memory or data."""


# ---- memory -----------------------------------------------------------------

_LOAD_RE = re.compile(r"^LD(?P<kind>R|UR|AR|APR|APUR|XR|AXR|RS|URS)"
                      r"(?P<size>B|H|W)?$")
_STORE_RE = re.compile(r"^ST(?P<kind>R|UR|LR|XR|LXR|LUR)(?P<size>B|H)?$")
_ATOMIC_RE = re.compile(r"^(?P<op>SWP|CAS|LDADD|LDCLR|LDSET|LDEOR|STADD|"
                        r"STCLR|STSET|STEOR)(?P<order>AL|A|L)?"
                        r"(?P<size>B|H)?$")
_SIZES = {"B": 8, "H": 16}
_RMW_OPS = {"SWP": RmwOp.XCHG, "CAS": RmwOp.CAS, "ADD": RmwOp.ADD,
            "CLR": RmwOp.AND, "SET": RmwOp.OR, "EOR": RmwOp.XOR}


def _order(acquire: str, release: bool) -> Order:
    """A C11 order for displays and for the SC reading (SC ignores it)."""
    if acquire and release:
        return Order.ACQ_REL
    if acquire:
        return Order.ACQUIRE
    return Order.RELEASE if release else Order.RELAXED


def _base_only(ins: Insn, mem: Mem) -> None:
    """Acquire/release, exclusive and LSE instructions address memory
    through a base register only (the architecture has no offset
    forms for them; herd7 refuses them too)."""
    if mem.index is not None or mem.offset or mem.writeback:
        raise bad(ins, "addressing mode",
                  f"{ins.mnemonic} takes [Xn] only")


def _address(b: ThreadBuilder, ins: Insn, mem: Mem) -> Val:
    base = b.read(mem.base)
    if mem.index is not None:
        index = b.read(mem.index)
        if mem.extend is not None:
            index = _shifted(b, index, mem.extend, 64)
        return _combine(b, "{0} + {1}", base, index)
    if mem.offset and mem.writeback != "post":
        return Val(b.x.make(f"{{0}} + {mem.offset}", base.value), base.taint,
                   base.pick)
    return base


def _writeback(b: ThreadBuilder, ins: Insn, mem: Mem) -> None:
    if mem.writeback:
        base = b.read(mem.base)
        b.write(mem.base, Val(b.x.make(f"{{0}} + {mem.offset}", base.value),
                              base.taint, base.pick))


def _deps(b: ThreadBuilder, addr: Val, data: Val | None) -> Pure:
    x = b.x
    ctrl, ctrl_pick = b.ctrl_deps()
    zero = x.const(0)
    data = data or Val(zero, zero, zero)
    return x.make("_Deps({0}, {1}, {2}, {3}, {4}, {5})", addr.taint,
                  data.taint, ctrl, x.union(addr.pick, addr.taint),
                  x.union(data.pick, data.taint), ctrl_pick)


def _loc(b: ThreadBuilder, addr: Val) -> Pure:
    return b.x.make("_loc({0})", addr.value)


def _after_read(b: ThreadBuilder, dest: Reg | None, bit: int,
                bits: int, signed_from: int = 0) -> None:
    if dest is None or dest.is_zero:
        return
    s = b.slots(dest)
    x = b.x
    value = b.value_of(s.value)
    if signed_from:
        value = x.make(f"_sx({{0}}, {signed_from}) & {hex(MASKS[dest.bits])}",
                       value)
        b.assign(s.value, value)
    mask = b.value_of(bit)
    b.assign(s.taint, mask)
    b.assign(s.pick, mask)


def op_load(b: ThreadBuilder, ins: Insn, env: Env) -> None:
    match = _LOAD_RE.match(ins.mnemonic)
    kind, size = match.group("kind"), match.group("size")
    _need(ins, 2)
    dest = _reg(ins, 0)
    mem = _mem(ins, 1)
    bits = _SIZES.get(size, 32 if size == "W" else dest.bits)
    signed = kind in ("RS", "URS")
    if mem.base.index == Reg.SP:
        env.stack(b, ins, mem, [dest], store=False)
        return
    acquire = "A" if kind in ("AR", "AXR") else "Q" if kind in (
        "APR", "APUR") else ""
    exclusive = kind in ("XR", "AXR")
    if kind in ("AR", "APR", "XR", "AXR"):
        _base_only(ins, mem)
    addr = _address(b, ins, mem)
    access = Access(Kind.LOAD, "", _order(acquire, False),
                    exclusive=exclusive, arm=ArmAnnot(acquire=acquire,
                                                      bits=bits))
    dslot = None if dest.is_zero else b.slots(dest).value
    bit = b.mem(access, {"loc": _loc(b, addr), "deps": _deps(b, addr, None)},
                dslot, env.annotate(ins), reads=True)
    _writeback(b, ins, mem)
    _after_read(b, dest, bit, bits, bits if signed else 0)


def op_store(b: ThreadBuilder, ins: Insn, env: Env) -> None:
    match = _STORE_RE.match(ins.mnemonic)
    kind, size = match.group("kind"), match.group("size")
    exclusive = kind in ("XR", "LXR")
    _need(ins, 3 if exclusive else 2)
    status = _reg(ins, 0) if exclusive else None
    src = _reg(ins, 1 if exclusive else 0)
    mem = _mem(ins, 2 if exclusive else 1)
    bits = _SIZES.get(size, src.bits)
    if mem.base.index == Reg.SP and not exclusive:
        env.stack(b, ins, mem, [src], store=True)
        return
    release = kind in ("LR", "LXR", "LUR")
    if kind in ("LR", "XR", "LXR"):
        _base_only(ins, mem)
    addr = _address(b, ins, mem)
    data = b.read(src)
    value = b.x.make(f"{{0}} & {hex(MASKS[bits])}", data.value)
    access = Access(Kind.STORE, "", _order("", release), exclusive=exclusive,
                    arm=ArmAnnot(release=release, bits=bits,
                                 retried=exclusive and env.retried(ins)))
    dslot = None
    if status is not None and not status.is_zero:
        dslot = b.slots(status).value
    b.mem(access, {"loc": _loc(b, addr), "deps": _deps(b, addr, data),
                   "value": value}, dslot, env.annotate(ins), reads=False)
    _writeback(b, ins, mem)
    if dslot is not None:
        # The status register depends on nothing (aarch64deps.cat: rf-reg
        # from a store-exclusive is not in dtrm).
        zero = b.x.const(0)
        s = b.slots(status)
        b.assign(s.taint, zero)
        b.assign(s.pick, zero)


def op_pair(b: ThreadBuilder, ins: Insn, env: Env) -> None:
    """LDP/STP: two accesses (only stack frames need them here)."""
    _need(ins, 3)
    first, second = _reg(ins, 0), _reg(ins, 1)
    mem = _mem(ins, 2)
    if mem.base.index != Reg.SP:
        raise bad(ins, "LDP/STP outside the stack",
                  "write two LDR/STR instructions")
    env.stack(b, ins, mem, [first, second], store=ins.mnemonic == "STP")


def op_atomic(b: ThreadBuilder, ins: Insn, env: Env) -> None:
    """SWP, CAS, LD<op> and their ST<op> aliases (result to WZR), with
    the A/L/AL orders and B/H sizes.  herd7 (AArch64Sem.ml): the read is
    A for the A and AL forms, the write L for the L and AL forms; a
    result register WZR/XZR makes the read NoRet (and not A)."""
    match = _ATOMIC_RE.match(ins.mnemonic)
    name, order, size = match.group("op"), match.group("order") or "", \
        match.group("size")
    if name.startswith("ST"):           # STADD Rs,[Rn] = LDADD Rs,ZR,[Rn]
        _need(ins, 2)
        src = _reg(ins, 0)
        dest = Reg(Reg.ZR, src.bits)
        mem = _mem(ins, 1)
        name = "LD" + name[2:]
    else:
        _need(ins, 3)
        src, dest, mem = _reg(ins, 0), _reg(ins, 1), _mem(ins, 2)
    _base_only(ins, mem)
    op = _RMW_OPS[name[2:] if name.startswith("LD") else name]
    bits = _SIZES.get(size, src.bits)
    release = "L" in order
    acquire = "A" if "A" in order else ""
    if name == "CAS":
        noret = src.is_zero        # CAS Rs, Rt, [Rn]: Rs is the result
    else:
        noret = dest.is_zero
    if noret:
        acquire = ""
    addr = _address(b, ins, mem)
    x = b.x
    mask = hex(MASKS[bits])
    annot = ArmAnnot(acquire=acquire, release=release, noret=noret,
                     bits=bits)
    access = Access(Kind.RMW, "", _order(acquire, release), op=op,
                    arm=annot)
    if op is RmwOp.CAS:
        _cas(b, ins, env, access, addr, src, dest, mask)
        return
    operand = b.read(src)
    value = x.make(f"{{0}} & {mask}", operand.value)
    if op is RmwOp.AND:                  # LDCLR: clear the operand's bits
        value = x.make(f"~{{0}} & {mask}", operand.value)
    dslot = None if dest.is_zero else b.slots(dest).value
    bit = b.mem(access, {"loc": _loc(b, addr),
                         "deps": _deps(b, addr, operand),
                         "operand": value}, dslot, env.annotate(ins),
                reads=True)
    _after_read(b, dest, bit, bits)


def _cas(b, ins, env, access, addr, compare_reg, new_reg, mask) -> None:
    x = b.x
    expected = b.read(compare_reg)
    new = b.read(new_reg)
    old = b.new_slot()
    b.assign(old, x.make(f"{{0}} & {mask}", expected.value))
    dslot = None if compare_reg.is_zero else b.slots(compare_reg).value
    bit = b.mem(access, {"loc": _loc(b, addr), "deps": _deps(b, addr, new),
                         "operand": x.make(f"{{0}} & {mask}", new.value),
                         "expected": b.value_of(old)}, dslot,
                env.annotate(ins), reads=True)
    if dslot is None:
        return
    s = b.slots(compare_reg)
    ok = x.make("{0} == {1}", b.value_of(s.value), b.value_of(old))
    # success: the register keeps its own dependencies (DataFromRRs),
    # plus the comparison as a pick input; failure: the value read.
    b.assign(s.taint, x.make("{1} if {0} else {2}", ok, expected.taint,
                             b.value_of(bit)))
    b.assign(s.pick, x.make("({1} | {2}) if {0} else {2}", ok,
                            x.union(expected.pick, expected.taint),
                            b.value_of(bit)))


_BARRIERS = {"ISH": "full", "SY": "full", "OSH": "full", "NSH": "full",
             "ISHLD": "ld", "LD": "ld", "OSHLD": "ld", "NSHLD": "ld",
             "ISHST": "st", "ST": "st", "OSHST": "st", "NSHST": "st"}
_FENCE_ORDER = {"full": Order.SEQ_CST, "ld": Order.ACQUIRE,
                "st": Order.RELEASE, "isb": Order.SEQ_CST}


def op_barrier(b: ThreadBuilder, ins: Insn, env: Env) -> None:
    """DMB/DSB <option> (a DSB orders explicit accesses as the DMB with
    the same option: aarch64.cat puts dsb.full in dmb.full, ...) and
    ISB (which, after a control or address dependency, orders every
    later access: aarch64hwreqs.cat IFB-ob)."""
    if ins.mnemonic == "ISB":
        barrier = "isb"
    else:
        _need(ins, 1)
        option = ins.operands[0]
        if not isinstance(option, Word) or option.text not in _BARRIERS:
            raise bad(ins, "barrier option", "ISH, ISHLD, ISHST, SY, LD, ST")
        barrier = _BARRIERS[option.text]
    access = Access(Kind.FENCE, "", _FENCE_ORDER[barrier],
                    arm=ArmAnnot(barrier=barrier))
    zero = b.x.const(0)
    parts = {}
    if barrier == "isb":
        parts["deps"] = _deps(b, Val(zero, zero, zero), None)
    b.mem(access, parts, None, env.annotate(ins), reads=False)


Handler = Callable[[ThreadBuilder, Insn, Env], None]

TABLE: dict[str, Handler] = {
    **dict.fromkeys(("ADD", "ADDS", "SUB", "SUBS", "AND", "ANDS", "ORR",
                     "EOR", "BIC", "ORN", "EON", "MUL"), op_alu),
    **dict.fromkeys(("CMP", "CMN", "TST"), op_compare),
    **dict.fromkeys(("MOV", "MOVZ", "MOVN"), op_mov),
    "MOVK": op_movk,
    **dict.fromkeys(("MVN", "NEG", "SXTW", "SXTB", "SXTH", "UXTB", "UXTH",
                     "UXTW", "LSL", "LSR", "ASR", "ROR"), op_unary),
    **dict.fromkeys(("CSEL", "CSINC", "CSINV", "CSNEG", "CSET", "CSETM",
                     "CINC", "CINV", "CNEG"), op_csel),
    **dict.fromkeys(("B", "CBZ", "CBNZ", "TBZ", "TBNZ", "BL", "RET"),
                    op_branch),
    **dict.fromkeys(("NOP", "BTI", "PACIASP", "AUTIASP", "HINT"), op_nop),
    **dict.fromkeys(("LDP", "STP"), op_pair),
    **dict.fromkeys(("DMB", "DSB", "ISB"), op_barrier),
}


def handler(mnemonic: str) -> Handler | None:
    if mnemonic in TABLE:
        return TABLE[mnemonic]
    if mnemonic.startswith("B.") and len(mnemonic) == 4:
        return op_branch
    if _ATOMIC_RE.match(mnemonic):
        return op_atomic
    if _LOAD_RE.match(mnemonic):
        return op_load
    if _STORE_RE.match(mnemonic):
        return op_store
    return None


def execute(b: ThreadBuilder, ins: Insn, env: Env) -> None:
    """Emit the IR of one instruction (the one entry point)."""
    found = handler(ins.mnemonic)
    if found is None:
        raise UnknownInstruction(
            f"unknown instruction {ins.mnemonic} in {ins.text!r}",
            path=ins.where.file, line=ins.where.line,
            hint="the checker models loads, stores, exclusives, LSE "
                 "atomics, DMB/DSB/ISB, integer ALU, CSEL forms and "
                 "branches")
    b.at(ins.where)
    found(b, ins, env)
