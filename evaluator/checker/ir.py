"""The checker's intermediate representation: thread programs.

Each thread is one flat list of instructions (calls are inlined by the
front end), executed by a tiny interpreter over a list of integer
locals.  Only memory events (loads, stores, RMWs, fences, the event
notifier intrinsics) are visible to other threads; everything else is
thread-local and runs eagerly between two memory events
(`run_local`).  So a thread's state only ever rests at a memory event,
at its end, or at the iteration bound of its scenario loop.

Why that reduction is sound: a local instruction reads and writes only
the thread's own locals, so it commutes with every step of every other
thread and with every step of the memory; fusing it with the next
memory event removes interleavings that all reach the same states.

Thread state (what the explorer hashes) is the tuple
`(pc, fresh, values)`: `values` holds only the locals live at `pc`
(dead locals are dropped, so two paths that differ only in dead values
meet in one state), and `fresh` is 1 right after the thread passed its
loop head (the start of an aio_poll iteration), else 0.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from collections.abc import Callable, Mapping

from ..errors import CheckerError, ModelBound
from .memory import Access

MEM, ASSIGN, BRANCH, JUMP, ASSERT, LOOP, END = range(7)


@dataclass(frozen=True)
class Where:
    """A source position: the template (or csrc/ file) and its line, and
    the column of the construct in the preprocessed text (tells two
    operations of one line apart; never shown)."""

    file: str
    line: int
    column: int = 0

    def __str__(self) -> str:
        return f"{self.file.rsplit('/', 1)[-1]}:{self.line}"


def c_div(a: int, b: int) -> int:
    """C division: truncates toward zero (Python's // floors)."""
    if b == 0:
        raise ZeroDivisionError("division by zero")
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def c_mod(a: int, b: int) -> int:
    return a - b * c_div(a, b)


_NAMESPACE = {"_div": c_div, "_mod": c_mod}


class Pure:
    """A side-effect-free integer expression over the thread's locals.

    `src` is Python source reading locals as L[i]; `uses` the slots it
    reads; `const` its value when it reads none.
    """

    __slots__ = ("src", "uses", "const", "_fn")

    def __init__(self, src: str, uses: frozenset[int] = frozenset(),
                 const: int | None = None):
        self.src = src
        self.uses = uses
        self.const = const
        self._fn: Callable[[list[int]], int] | None = None

    @classmethod
    def constant(cls, value: int) -> Pure:
        return cls(repr(int(value)), frozenset(), int(value))

    @classmethod
    def slot(cls, index: int) -> Pure:
        return cls(f"L[{index}]", frozenset((index,)))

    @property
    def fn(self) -> Callable[[list[int]], int]:
        if self._fn is None:
            if self.const is not None:
                value = self.const
                self._fn = lambda L: value
            else:
                self._fn = eval("lambda L: " + self.src, dict(_NAMESPACE))
        return self._fn

    def __repr__(self) -> str:
        return f"Pure({self.src})"


class Instr:
    __slots__ = ("kind", "where", "func")

    def uses(self) -> frozenset[int]:
        return frozenset()

    def defs(self) -> frozenset[int]:
        return frozenset()

    def successors(self, pc: int) -> tuple[int, ...]:
        return (pc + 1,)


class Mem(Instr):
    """One memory event.  `access` is fixed at compile time unless some
    operand depends on locals; then `parts` rebuilds it per state."""

    __slots__ = ("access", "parts", "dest", "blocking", "label")

    def __init__(self, access: Access, parts: Mapping[str, Pure],
                 dest: int | None, blocking: bool, label: str,
                 where: Where, func: str):
        self.kind = MEM
        self.access = access
        self.parts = dict(parts)
        self.dest = dest
        self.blocking = blocking
        self.label = label
        self.where = where
        self.func = func

    def make(self, L: list[int]) -> Access:
        if not self.parts:
            return self.access
        try:
            fields = {name: expr.fn(L) for name, expr in self.parts.items()}
        except (ArithmeticError, ValueError) as exc:
            raise CheckerError(f"the checked code fails to evaluate: {exc}",
                               path=self.where.file, line=self.where.line,
                               hint="the checker runs the C as written"
                               ) from None
        return Access(**{**_access_fields(self.access), **fields})

    def uses(self) -> frozenset[int]:
        out: frozenset[int] = frozenset()
        for expr in self.parts.values():
            out |= expr.uses
        return out

    def defs(self) -> frozenset[int]:
        return frozenset() if self.dest is None else frozenset((self.dest,))


_ACCESS_FIELDS = tuple(f.name for f in fields(Access))


def _access_fields(access: Access) -> dict:
    return {name: getattr(access, name) for name in _ACCESS_FIELDS}


class Assign(Instr):
    __slots__ = ("slot", "expr")

    def __init__(self, slot: int, expr: Pure, where: Where, func: str):
        self.kind = ASSIGN
        self.slot = slot
        self.expr = expr
        self.where = where
        self.func = func

    def uses(self) -> frozenset[int]:
        return self.expr.uses

    def defs(self) -> frozenset[int]:
        return frozenset((self.slot,))


class Branch(Instr):
    """Fall through when `cond` is non-zero, else go to `target`."""

    __slots__ = ("cond", "target")

    def __init__(self, cond: Pure, target: int, where: Where, func: str):
        self.kind = BRANCH
        self.cond = cond
        self.target = target
        self.where = where
        self.func = func

    def uses(self) -> frozenset[int]:
        return self.cond.uses

    def successors(self, pc: int) -> tuple[int, ...]:
        return (pc + 1, self.target)


class Jump(Instr):
    __slots__ = ("target",)

    def __init__(self, target: int, where: Where, func: str):
        self.kind = JUMP
        self.target = target
        self.where = where
        self.func = func

    def successors(self, pc: int) -> tuple[int, ...]:
        return (self.target,)


class Assert(Instr):
    __slots__ = ("cond", "text")

    def __init__(self, cond: Pure, text: str, where: Where, func: str):
        self.kind = ASSERT
        self.cond = cond
        self.text = text
        self.where = where
        self.func = func

    def uses(self) -> frozenset[int]:
        return self.cond.uses


class LoopHead(Instr):
    """Head of a scenario loop: counts iterations in `counter`.

    At `bound` a finite loop exits to `exit`; an endless one (the
    poller) stops there: the path is cut, without a verdict."""

    __slots__ = ("counter", "bound", "endless", "exit", "text")

    def __init__(self, counter: int, bound: int, endless: bool, exit: int,
                 text: str, where: Where, func: str):
        self.kind = LOOP
        self.counter = counter
        self.bound = bound
        self.endless = endless
        self.exit = exit
        self.text = text
        self.where = where
        self.func = func

    def uses(self) -> frozenset[int]:
        return frozenset((self.counter,))

    def defs(self) -> frozenset[int]:
        return frozenset((self.counter,))

    def successors(self, pc: int) -> tuple[int, ...]:
        return (pc + 1, self.exit)


class End(Instr):
    """The thread has finished; `observed` locals stay readable (litmus
    registers)."""

    __slots__ = ("observed",)

    def __init__(self, observed: frozenset[int], where: Where, func: str):
        self.kind = END
        self.observed = observed
        self.where = where
        self.func = func

    def uses(self) -> frozenset[int]:
        return self.observed

    def successors(self, pc: int) -> tuple[int, ...]:
        return ()


@dataclass(frozen=True)
class ThreadCode:
    """One thread's program, ready to run."""

    name: str                       # "notifier", "poller", "P0", ...
    role: str       # "notifier" | "poller" | "temp-poller" | "litmus"
    code: tuple[Instr, ...]
    nslots: int
    live: tuple[tuple[int, ...], ...]   # live locals at each pc, sorted
    registers: Mapping[str, int]        # litmus: register name -> slot
    call: str                           # what one loop iteration calls

    def state_at(self, pc: int, fresh: int, L: list[int]) -> tuple:
        return (pc, fresh, tuple([L[i] for i in self.live[pc]]))

    def expand(self, state: tuple) -> list[int]:
        L = [0] * self.nslots
        for slot, value in zip(self.live[state[0]], state[2]):
            L[slot] = value
        return L


@dataclass(frozen=True)
class Program:
    """Threads plus the memory they share."""

    threads: tuple[ThreadCode, ...]
    init: Mapping[str, int]          # every location and its initial value
    syscalls: str = "acq_rel"
    work_loc: str = "bh_scheduled"   # non-zero = a BH is pending
    notifier_loc: str = "notifier"   # the eventfd counter
    reading: str = "gcc"             # compiler reading (readings.py)
    # Per thread, pc -> role of the memory events the properties watch
    # ("bh-schedule": qemu_bh_schedule's exchange; "bh-claim":
    # aio_bh_poll's exchange, the BH callback runs when it reads 1).
    marks: tuple[Mapping[int, str], ...] = ()
    isa: str = "c11"                 # "c11" (C) or "aarch64" (instructions)

    def mark(self, thread: int, pc: int) -> str:
        return self.marks[thread].get(pc, "") if self.marks else ""


def liveness(code: list[Instr]) -> tuple[tuple[int, ...], ...]:
    """Live-in locals per pc (backward data flow to a fixed point)."""
    live: list[frozenset[int]] = [frozenset()] * len(code)
    changed = True
    while changed:
        changed = False
        for pc in range(len(code) - 1, -1, -1):
            ins = code[pc]
            out: frozenset[int] = frozenset()
            for succ in ins.successors(pc):
                if succ < len(code):
                    out |= live[succ]
            new = ins.uses() | (out - ins.defs())
            if new != live[pc]:
                live[pc] = new
                changed = True
    return tuple(tuple(sorted(s)) for s in live)


@dataclass(frozen=True)
class LocalSpin:
    """A loop of thread-local instructions that repeats a state: the
    thread never reaches another memory event (a non-terminating loop
    that reads nothing shared, e.g. `for (;;) {}`)."""

    pc: int
    where: Where
    func: str


# run_local records states to find a local cycle only after this many
# steps: loops that end quickly pay nothing for the check.
_WATCH_AFTER = 1_000
_MAX_LOCAL_STEPS = 100_000


# The interpreter's dispatch loop: one branch per instruction kind, in
# one frame because it runs between every two memory events.
def run_local(code: tuple[Instr, ...], pc: int, L: list[int],  # noqa: C901, PLR0912
              bounded: bool = True
              ) -> tuple[int, int, Assert | LocalSpin | None]:
    """Run thread-local instructions from pc until the thread rests.

    Returns (pc, fresh, failed).  The thread rests at a memory event, at
    End, at a failed assertion (failed = the Assert), in a local cycle
    (failed = a LocalSpin; it rests at the cycle's instruction), or
    (bounded only) at an endless loop head that reached its bound.
    """
    fresh = 0
    steps = 0
    seen: set | None = None
    ins = code[pc]
    try:
        while True:
            ins = code[pc]
            kind = ins.kind
            if kind == ASSIGN:
                L[ins.slot] = ins.expr.fn(L)
                pc += 1
            elif kind == BRANCH:
                pc = pc + 1 if ins.cond.fn(L) else ins.target
            elif kind == JUMP:
                pc = ins.target
            elif kind == LOOP:
                if bounded and L[ins.counter] >= ins.bound:
                    if ins.endless:
                        return pc, fresh, None
                    pc = ins.exit
                else:
                    L[ins.counter] += 1
                    fresh = 1
                    pc += 1
            elif kind == ASSERT:
                if not ins.cond.fn(L):
                    return pc, fresh, ins
                pc += 1
            else:
                return pc, fresh, None
            steps += 1
            if steps > _WATCH_AFTER:
                # Deterministic and touching nothing shared: a repeated
                # (pc, locals) repeats forever.
                key = (pc, tuple(L))
                if seen is None:
                    seen = set()
                elif key in seen:
                    return pc, fresh, LocalSpin(pc, code[pc].where,
                                                code[pc].func)
                seen.add(key)
            if steps > _MAX_LOCAL_STEPS:
                raise ModelBound(
                    f"thread-local loop runs more than {_MAX_LOCAL_STEPS} "
                    f"steps without a memory access (in {ins.func})",
                    path=ins.where.file, line=ins.where.line,
                    hint="the checker runs local code eagerly; bound the "
                         "loop or make it touch a shared location")
    except (ArithmeticError, ValueError) as exc:
        # e.g. a negative shift count or a division by zero in the C
        raise CheckerError(f"the checked code fails to evaluate: {exc}",
                           path=ins.where.file, line=ins.where.line,
                           hint="the checker runs the C as written") from None
