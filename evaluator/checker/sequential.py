"""Run thread programs one after another on one plain memory: the
executed path of one chosen interleaving, event by event.

The explorer (explore.py) searches every interleaving under a memory
model; this module runs exactly one, which the caller spells out as a
sequence of steps ("thread A runs one call", "thread B runs until it
would sleep"), on a sequentially consistent memory.  It reads the same
IR (ir.ThreadCode, compiled by frontend.compile_thread from the same
rendered C) and changes nothing in it.  What it is for: the dynamic
census (bench/dynamic.py) counts the memory events one benchmark
operation executes.

A thread rests where ir.run_local leaves it: at a memory event.  A
blocking event (event_notifier_wait) whose location reads 0 is where
the thread would sleep: `until_blocked` stops there.  Entry point:
Sequential.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..errors import CheckerError
from .ir import END, MEM, ThreadCode, Where, run_local
from .memory import Access, Kind

MAX_EVENTS = 10_000     # per step: a path this long is a loop, not an op


@dataclass(frozen=True)
class Executed:
    """One memory event as it happened."""

    thread: str
    access: Access          # with its operands filled in
    label: str              # the builtin or intrinsic that made it, or ""
    func: str               # the C function the event's source is in
    where: Where
    value: int | None       # value read (loads, RMWs)
    wrote: bool             # an RMW that wrote (a failed CAS does not)


class _Thread:
    def __init__(self, code: ThreadCode):
        self.code = code
        self.L = [0] * code.nslots
        self.pc, self.fresh, failed = run_local(code.code, 0, self.L,
                                                bounded=False)
        self._check(failed)

    def _check(self, failed) -> None:
        if failed is not None:
            raise CheckerError(f"assertion failed on the executed path: "
                               f"{failed.text}", path=failed.where.file,
                               line=failed.where.line)

    def at_end(self) -> bool:
        return self.code.code[self.pc].kind == END

    def next_event(self):
        ins = self.code.code[self.pc]
        return ins if ins.kind == MEM else None

    def advance(self, value: int | None, dest: int | None) -> None:
        if dest is not None and value is not None:
            self.L[dest] = value
        self.pc, self.fresh, failed = run_local(self.code.code, self.pc + 1,
                                                self.L, bounded=False)
        self._check(failed)


class Sequential:
    """One SC memory and the threads of a program, run step by step."""

    def __init__(self, threads: Sequence[ThreadCode],
                 init: Mapping[str, int]):
        self.memory = dict(init)
        self.threads = {t.name: _Thread(t) for t in threads}

    def _perform(self, name: str) -> Executed:
        thread = self.threads[name]
        ins = thread.next_event()
        access = ins.make(thread.L)
        value, wrote = self._apply(access)
        thread.advance(value, ins.dest)
        return Executed(name, access, ins.label, ins.func, ins.where, value,
                        wrote)

    def _apply(self, access: Access) -> tuple[int | None, bool]:
        if access.kind == Kind.FENCE:
            return None, False
        old = self.memory.get(access.loc, 0)
        if access.kind == Kind.LOAD:
            return old, False
        if access.kind == Kind.STORE:
            self.memory[access.loc] = access.value
            return None, False
        new = access.apply(old)
        if new is not None:
            self.memory[access.loc] = new
        return old, new is not None

    def sleeping(self, name: str) -> bool:
        """The thread's next event is a wait that cannot return now."""
        ins = self.threads[name].next_event()
        return bool(ins is not None and ins.blocking
                    and self.memory.get(ins.access.loc, 0) == 0)

    def call(self, name: str) -> list[Executed]:
        """Run the thread's current call to its end: until it is back at
        its loop head (the start of the next call) or finished."""
        thread = self.threads[name]
        events: list[Executed] = []
        while not thread.at_end():
            if self.sleeping(name):
                raise CheckerError(
                    f"{name} would sleep in the middle of one call on this "
                    "path", hint="the path needs another thread to step "
                                 "first (until_blocked, then call)")
            events.append(self._perform(name))
            if thread.fresh:
                return events
            self._bound(name, events)
        return events

    def until_blocked(self, name: str) -> list[Executed]:
        """Run the thread until it would sleep (or finish)."""
        thread = self.threads[name]
        events: list[Executed] = []
        while not thread.at_end() and not self.sleeping(name):
            events.append(self._perform(name))
            self._bound(name, events)
        return events

    @staticmethod
    def _bound(name: str, events: list[Executed]) -> None:
        if len(events) > MAX_EVENTS:
            last = events[-1].where
            raise CheckerError(f"{name} ran {MAX_EVENTS} memory events "
                               f"without ending its step (last at {last})",
                               hint="the path loops: check the scenario's "
                                    "steps")
