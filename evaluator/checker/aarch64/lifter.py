"""Lift compiled AArch64 functions (objdump text) into checker IR.

Input: the text of `aarch64-linux-gnu-objdump -d --no-show-raw-insn`
of an object built as the census builds it (gcc or clang, -O2, -fPIC,
-march=armv8-a -mno-outline-atomics or -march=armv8.1-a, compile only).
Output: one ir.ThreadCode per scenario thread (`lift_thread`) or a
whole ir.Program (`lift_program`), the same IR the C front end and the
AArch64 litmus reader produce, through the same instruction table
(semantics.py), so every model that reads AArch64 programs (sc, armv8)
checks it.

What the lifter does beyond the table:

  * calls: `bl f`/`b f` to a function of the same object is inlined
    (its `ret` returns to the call site; a tail call `b f` returns
    where the caller would); calls to event_notifier_set,
    event_notifier_test_and_clear and event_notifier_wait become the
    checker's intrinsics (builtins.py `_b_notifier`: acq_rel RMWs on
    the notifier counter, an acquire read of a non-zero value for the
    wait, which blocks otherwise; `syscalls="full-fence"` adds a
    DMB ISH around each); calls to `stubs` (the no-op BH callback) do
    nothing; any other call is an error naming it;
  * the stack: SP is tracked at lift time (a forward pass over each
    function's branches: prologues and epilogues move it by constants),
    so [sp, #k] accesses, LDP/STP included, become thread-local slots
    (callee-saved registers keep their values and dependencies across
    inlined calls, as forwarding through memory would);
  * load/store-exclusive retry loops (`stxr w3, ...; cbnz w3, retry`):
    modelled as herd7 models an LL/SC loop in a litmus test, one
    attempt that must succeed.  A failed attempt only reads (its value
    is discarded) and adds ordering constraints, so every execution
    with failed attempts has the same effects as one where the last
    attempt is the first: safety verdicts are unchanged, and the
    armv8 state space stays finite (each attempt would be new events).
    The store-exclusive gets ArmAnnot.retried; a model may then drop
    its failing step (armv8 does; sc keeps the loop, which is finite
    for it);
  * an instruction the table does not know, or an operand form it does
    not take, is a LiftError naming the instruction and function+offset,
    never a silent skip.

Entry points: parse_disassembly(text) -> {name: Function},
lift_thread(text or functions, LiftSpec) -> ThreadCode,
lift_program(text, specs, layout) -> Program.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from collections.abc import Mapping

from ...errors import CheckerError, LiftError
from ...orders import Order
from .. import ir
from ..ir import Program, Where
from ..memory import Access, ArmAnnot, Kind, RmwOp
from .builder import ThreadBuilder, Val
from .expr import Exprs, namespace
from .semantics import Env, Insn, decode, execute
from .syntax import Imm, Label, Mem, Reg, number

INTRINSICS = ("event_notifier_set", "event_notifier_test_and_clear",
              "event_notifier_wait")
MAX_INLINE_DEPTH = 8
STACK_BASE = 1 << 48            # SP at thread start; frames grow down
CTX_BASE = 1 << 36              # where the lifted code's AioContext lives


@dataclass(frozen=True)
class Line:
    address: int
    mnemonic: str
    operands: str


@dataclass(frozen=True)
class Function:
    name: str
    start: int
    lines: tuple[Line, ...]

    def at(self, address: int) -> int:
        for i, line in enumerate(self.lines):
            if line.address == address:
                return i
        raise KeyError(address)


@dataclass(frozen=True)
class StructLayout:
    """Where the shared locations live: the struct's address and the
    location name of each field offset (the C front end's names)."""

    base: int
    fields: Mapping[int, str]

    def address(self, name: str) -> int:
        for offset, field_name in self.fields.items():
            if field_name == name:
                return self.base + offset
        raise KeyError(name)


# AioContext of csrc/aio_protocol.h: int notify_me, notified,
# bh_scheduled; EventNotifier notifier (its int fd is the eventfd).
AIO_CONTEXT = StructLayout(CTX_BASE, {0: "notify_me", 4: "notified",
                                      8: "bh_scheduled", 12: "notifier"})


@dataclass(frozen=True)
class LiftSpec:
    """One scenario thread, as ThreadSpec says it for the C front end:
    `entry(*args)` in a loop of `iterations` (None: once)."""

    name: str
    role: str
    entry: str
    args: tuple[int, ...]               # x0, x1, ... at each call
    iterations: int | None = None
    endless: bool = False
    stubs: frozenset[str] = frozenset({"aio_bh_cb"})
    show: str = ""


_FUNC_RE = re.compile(r"^([0-9a-f]+) <([^>]+)>:\s*$")
_LINE_RE = re.compile(r"^\s*([0-9a-f]+):\s+(\S+)(?:\s+(.*?))?\s*$")


def parse_disassembly(text: str) -> dict[str, Function]:
    """Functions of `objdump -d[r] --no-show-raw-insn` output."""
    functions: dict[str, Function] = {}
    name, start, lines = None, 0, []

    def close():
        if name is not None:
            functions[name] = Function(name, start, tuple(lines))
    for raw in text.splitlines():
        head = _FUNC_RE.match(raw.strip())
        if head:
            close()
            name, start, lines = head.group(2), int(head.group(1), 16), []
            continue
        body = _LINE_RE.match(raw)
        if body is None or name is None:
            continue
        mnemonic = body.group(2)
        # .word: data, not code; R_AARCH64_* (objdump -r): a relocation
        # of the line before, whose <symbol> objdump already names
        if mnemonic.startswith((".", "R_AARCH64_")):
            continue
        lines.append(Line(int(body.group(1), 16), mnemonic,
                          (body.group(3) or "").split("//")[0].strip()))
    close()
    return functions


# ---- the environment: calls, returns, the stack -----------------------------

@dataclass
class _Frame:
    function: Function
    sp_at: dict[int, int]               # address -> SP offset from entry
    sp_base: int                        # absolute SP at entry
    ret: str                            # label a `ret` jumps to
    prefix: str                         # label namespace of this inline
    depth: int


class _LiftEnv(Env):
    def __init__(self, functions: dict[str, Function], spec: LiftSpec,
                 syscalls: str):
        self.functions = functions
        self.spec = spec
        self.syscalls = syscalls
        self.frames: list[_Frame] = []
        self.stack_slots: dict[int, tuple[int, int, int]] = {}  # addr->slots
        self.inlines = 0
        self.address = 0                # of the instruction being lifted
        self.next_line: Line | None = None

    @property
    def frame(self) -> _Frame:
        return self.frames[-1]

    def where(self) -> str:
        f = self.frame.function
        return f"{f.name}+{self.address - f.start:#x}"

    def error(self, message: str, hint: str | None = None) -> LiftError:
        return LiftError(f"{message} at {self.where()}", hint=hint)

    def annotate(self, ins: Insn) -> str:
        return f"{self.where()}: {ins.text}"

    # -- branches and calls
    def target(self, ins: Insn, op) -> str:
        if not isinstance(op, Label) or op.address is None:
            raise self.error(f"branch target {op} of {ins.text!r}")
        return f"{self.frame.prefix}{op.address:x}"

    def is_call(self, ins: Insn, target: Label) -> bool:
        return target.symbol != self.frame.function.name

    def call(self, b: ThreadBuilder, ins: Insn, target: Label,
             tail: bool) -> None:
        name = target.symbol
        if name in INTRINSICS:
            _intrinsic(b, name, self.syscalls, self.annotate(ins))
        elif name in self.spec.stubs:
            pass
        elif name in self.functions:
            self.inline(b, self.functions[name])
        else:
            raise self.error(
                f"call to {name}, which is neither in the object nor an "
                "event-notifier intrinsic",
                hint="outline atomics (__aarch64_*) need "
                     "-mno-outline-atomics; other callees must be compiled "
                     "into the same object")
        if tail:
            b.jump(self.frame.ret)

    def ret(self, b: ThreadBuilder, ins: Insn) -> None:
        b.jump(self.frame.ret)

    def inline(self, b: ThreadBuilder, function: Function) -> None:
        if len(self.frames) >= MAX_INLINE_DEPTH or any(
                f.function.name == function.name for f in self.frames):
            raise self.error(f"recursive or too deep call to "
                             f"{function.name}")
        sp = self.sp_now() if self.frames else STACK_BASE
        self.inlines += 1
        prefix = f"{self.inlines}:"
        frame = _Frame(function, _sp_offsets(function, self), sp,
                       f"{prefix}ret", prefix, len(self.frames))
        caller_address = self.address
        self.frames.append(frame)
        targets = _branch_targets(function)
        for i, line in enumerate(function.lines):
            self.address = line.address
            self.next_line = function.lines[i + 1] \
                if i + 1 < len(function.lines) else None
            if line.address in targets:
                b.place(f"{prefix}{line.address:x}")
            try:
                ins = decode(line.mnemonic, line.operands,
                             Where(function.name,
                                   line.address - function.start))
                execute(b, ins, self)
            except LiftError:
                raise
            except CheckerError as exc:
                raise self.error(exc.message, exc.hint) from None
        b.place(frame.ret)
        self.frames.pop()
        self.address = caller_address

    def retried(self, ins: Insn) -> bool:
        """`stxr wS, ...` followed by `cbnz wS, <back>`: a retry loop."""
        nxt = self.next_line
        if nxt is None or nxt.mnemonic.lower() != "cbnz":
            return False
        status = str(ins.operands[0]).lower()
        parts = [p.strip() for p in nxt.operands.split(",", 1)]
        target = re.match(r"([0-9a-f]+)\s", parts[1] + " ") \
            if len(parts) == 2 else None
        return (parts[0].lower() == status and target is not None
                and int(target.group(1), 16) <= self.address)

    # -- the stack
    def sp_now(self) -> int:
        frame = self.frame
        offset = frame.sp_at.get(self.address)
        if offset is None:
            raise self.error("code that no path from the function's entry "
                             "reaches uses SP")
        return frame.sp_base + offset

    def stack_pointer(self, b: ThreadBuilder, ins: Insn) -> None:
        """SP arithmetic was done by _sp_offsets; here only copies of SP
        into other registers (the frame pointer) need a value."""
        dest = ins.operands[0]
        if isinstance(dest, Reg) and dest.index == Reg.SP:
            return
        if not isinstance(dest, Reg) or len(ins.operands) < 2:
            raise self.error(f"unsupported use of SP in {ins.text!r}")
        if ins.mnemonic == "MOV" or (ins.mnemonic in ("ADD", "SUB") and
                                     isinstance(ins.operands[-1], Imm)):
            amount = 0 if ins.mnemonic == "MOV" else ins.operands[-1].value
            sign = -1 if ins.mnemonic == "SUB" else 1
            zero = b.x.const(0)
            b.write(dest, Val(b.x.const(self.sp_now() + sign * amount), zero,
                              zero))
            return
        raise self.error(f"unsupported use of SP in {ins.text!r}")

    def stack(self, b: ThreadBuilder, ins: Insn, mem: Mem, regs: list[Reg],
              store: bool) -> None:
        sp = self.sp_now()
        if mem.index is not None:
            raise self.error(f"indexed stack access {ins.text!r}")
        address = sp + (mem.offset if mem.writeback != "post" else 0)
        for k, reg in enumerate(regs):
            slots = self.slot(b, address + 8 * k)
            if store:
                val = b.read(Reg(reg.index, 64))
                for slot, part in zip(slots, val):
                    b.assign(slot, part)
            else:
                b.write(Reg(reg.index, 64), Val(*(b.value_of(s)
                                                  for s in slots)))

    def slot(self, b: ThreadBuilder, address: int) -> tuple[int, int, int]:
        if address not in self.stack_slots:
            self.stack_slots[address] = (b.new_slot(), b.dep_slot(),
                                         b.dep_slot())
        return self.stack_slots[address]


def _branch_targets(function: Function) -> set[int]:
    """Addresses inside the function that a branch of it goes to."""
    out = set()
    for line in function.lines:
        found = re.search(r"([0-9a-f]+) <([^>+]+)(\+0x[0-9a-f]+)?>",
                          line.operands)
        if found and found.group(2) == function.name:
            out.add(int(found.group(1), 16))
    return out


def _sp_offsets(function: Function, env: _LiftEnv) -> dict[int, int]:
    """SP relative to the function's entry at each instruction."""
    index = {line.address: i for i, line in enumerate(function.lines)}
    offsets: dict[int, int] = {}
    todo = [(function.lines[0].address, 0)] if function.lines else []
    while todo:
        address, sp = todo.pop()
        if address in offsets:
            if offsets[address] != sp:
                env.address = address
                raise LiftError(
                    f"SP differs between paths at {function.name}+"
                    f"{address - function.start:#x}")
            continue
        if address not in index:
            continue
        offsets[address] = sp
        line = function.lines[index[address]]
        m = line.mnemonic.lower()
        ops = line.operands.replace(" ", "").lower()
        sp = _sp_effect(m, ops, sp)
        nxt = (function.lines[index[address] + 1].address
               if index[address] + 1 < len(function.lines) else None)
        target = re.search(r"^(?:[wx]\d+,(?:#?\d+,)?)?([0-9a-f]+)<([^>+]+)",
                           ops)
        same = target is not None and target.group(2) == function.name.lower()
        if m in ("ret",) or (m == "b" and not same):
            continue                            # leaves the function
        if target is not None and same and (m == "b" or m.startswith("b.")
                                            or m in ("cbz", "cbnz", "tbz",
                                                     "tbnz")):
            todo.append((int(target.group(1), 16), sp))
            if m == "b":
                continue
        if nxt is not None:
            todo.append((nxt, sp))
    return offsets


def _sp_effect(m: str, ops: str, sp: int) -> int:
    pre = re.search(r"\[sp,#(-?(?:0x)?[0-9a-f]+)\]!$", ops)
    if pre:
        return sp + number(pre.group(1))
    post = re.search(r"\[sp\],#(-?(?:0x)?[0-9a-f]+)$", ops)
    if post:
        return sp + number(post.group(1))
    arith = re.fullmatch(r"sp,sp,#((?:0x)?[0-9a-f]+)", ops)
    if arith and m in ("add", "sub"):
        amount = number(arith.group(1))
        return sp + amount if m == "add" else sp - amount
    if ops.startswith("sp,") and m not in ("str", "stp", "ldr", "ldp"):
        raise LiftError(f"unsupported write to SP: {m} {ops}")
    return sp


# ---- intrinsics -------------------------------------------------------------

def _intrinsic(b: ThreadBuilder, name: str, syscalls: str, label: str):
    """The event-notifier syscalls on the notifier whose address is in
    x0 (builtins.py _b_notifier), with AArch64 annotations: set and
    test-and-clear are RMWs with acquire and release (the kernel's
    lock), a wait that returns an acquire read of a non-zero value."""
    x = b.x
    addr = b.read(Reg(0, 64))
    loc = x.make("_loc({0})", addr.value)
    zero = x.const(0)
    ctrl, ctrl_pick = b.ctrl_deps()
    deps = x.make("_Deps({0}, 0, {1}, {2}, 0, {3})", addr.taint, ctrl,
                  x.union(addr.pick, addr.taint), ctrl_pick)
    full = syscalls == "full-fence"
    if full:
        _fence(b, label)
    result = None
    if name == "event_notifier_set":
        access = Access(Kind.RMW, "", Order.ACQ_REL, op=RmwOp.ADD,
                        operand=1, arm=ArmAnnot(acquire="A", release=True,
                                                bits=32))
        b.mem(access, {"loc": loc, "deps": deps}, None, label, reads=True)
        result = zero
    elif name == "event_notifier_test_and_clear":
        access = Access(Kind.RMW, "", Order.ACQ_REL, op=RmwOp.XCHG,
                        operand=0, arm=ArmAnnot(acquire="A", release=True,
                                                bits=32))
        old = b.new_slot()
        bit = b.mem(access, {"loc": loc, "deps": deps}, old, label,
                    reads=True)
        b.write(Reg(0, 32), Val(x.make("1 if {0} else 0", b.value_of(old)),
                                b.value_of(bit), b.value_of(bit)))
    else:
        access = Access(Kind.LOAD, "", Order.ACQUIRE,
                        arm=ArmAnnot(acquire="A", bits=32))
        b.mem(access, {"loc": loc, "deps": deps}, None, label, reads=True,
              blocking=True)
        result = zero
    if result is not None:
        b.write(Reg(0, 64), Val(result, zero, zero))
    if full:
        _fence(b, label)


def _fence(b: ThreadBuilder, label: str) -> None:
    b.mem(Access(Kind.FENCE, "", Order.SEQ_CST,
                 arm=ArmAnnot(barrier="full")), {}, None, label, reads=False)


# ---- threads and programs ---------------------------------------------------

def lift_thread(disassembly: str | Mapping[str, Function], spec: LiftSpec,
                layout: StructLayout = AIO_CONTEXT,
                syscalls: str = "acq_rel", exprs: Exprs | None = None
                ) -> ir.ThreadCode:
    functions = parse_disassembly(disassembly) \
        if isinstance(disassembly, str) else dict(disassembly)
    if spec.entry not in functions:
        raise LiftError(f"the disassembly has no function {spec.entry}",
                        hint="known: " + ", ".join(sorted(functions)))
    exprs = exprs or program_exprs(layout)
    env = _LiftEnv(functions, spec, syscalls)
    b = ThreadBuilder(spec.name, spec.role, exprs, spec.entry)
    b.at(Where(spec.entry, 0), spec.entry)
    head = None
    if spec.iterations is not None:
        counter = b.new_slot()
        b.assign(counter, b.x.const(0))
        b.place("loop")
        head = b.emit(ir.LoopHead(counter, spec.iterations, spec.endless,
                                  -1, spec.show or spec.entry,
                                  b.where, spec.entry))
    zero = exprs.const(0)
    for n, value in enumerate(spec.args):
        b.write(Reg(n, 64), Val(exprs.const(value), zero, zero))
    env.inline(b, functions[spec.entry])
    if head is not None:
        b.jump("loop")
        head.exit = len(b.code)
    # An end marker: a model reading the thread (armv8) learns that no
    # write of it is still to come, so reads waiting for one can go.
    b.place("end")
    b.mem(Access(Kind.FENCE, "", Order.RELAXED,
                 arm=ArmAnnot(barrier="end")), {}, None, "thread ends",
          reads=False)
    return b.finish(frozenset(), spec.show or f"{spec.entry}()")


def program_exprs(layout: StructLayout) -> Exprs:
    by_address = {layout.base + off: name for off, name in
                  layout.fields.items()}

    def locate(address: int) -> str:
        try:
            return by_address[address]
        except KeyError:
            raise ValueError(f"address {address:#x} is not a field of the "
                             "shared struct (offsets "
                             + ", ".join(f"{o}: {n}" for o, n in
                                         sorted(layout.fields.items()))
                             + ")") from None
    return Exprs(namespace(locate))


def lift_program(disassembly: str, specs: tuple[LiftSpec, ...],
                 layout: StructLayout = AIO_CONTEXT,
                 syscalls: str = "acq_rel", work_loc: str = "bh_scheduled",
                 notifier_loc: str = "notifier") -> Program:
    functions = parse_disassembly(disassembly)
    exprs = program_exprs(layout)
    threads = tuple(lift_thread(functions, spec, layout, syscalls, exprs)
                    for spec in specs)
    init = {name: 0 for name in layout.fields.values()}
    return Program(threads, init, syscalls, work_loc, notifier_loc,
                   isa="aarch64")
