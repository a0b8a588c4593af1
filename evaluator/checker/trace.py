"""Counterexample traces: one line per event, read like a review comment.

    P1#0  aio_protocol.c:44    fence seq_cst [__sync_fetch_and_add]
    P0#2  notify-2015.c.j2:57  load(notify_me) relaxed reads 2 from P1#1
    P0    (store buffer)       flush notified = 1 (P0#5) ... to memory

Each event is named P<thread>#<index> so a read can say which write it
saw; the start of each scenario call is marked (`-- aio_poll(ctx,
true) #2`), and the last line says which property broke and why.
"""

from __future__ import annotations

from dataclasses import replace

from ..orders import Order
from . import readings
from .explore import Explorer, Finding, Move, Search
from .ir import LOOP
from .memory import INIT_THREAD, Access, Kind, RmwOp
from .properties import DROPPED_WORK, LOST_WAKEUP, explain
from .scenario import CLAIM, SCHEDULE

WHERE = 20

_RMW = {RmwOp.XCHG: "xchg", RmwOp.ADD: "fetch_add", RmwOp.SUB: "fetch_sub",
        RmwOp.OR: "fetch_or", RmwOp.AND: "fetch_and",
        RmwOp.XOR: "fetch_xor"}


def event_name(event) -> str:
    if event[0] == INIT_THREAD:
        return "init"
    return f"P{event[0]}#{event[1]}"


def describe(access: Access, label: str, fenced_sync: bool = True) -> str:
    """The C-level operation with its memory order.  fenced_sync: the
    compiler reading puts fences around __sync RMWs, which then carry
    the builtin's name (readings.py)."""
    order = access.order.short
    kind = access.kind
    if access.arm is not None and access.arm.barrier == "end":
        return "thread ends"    # the lifter's end marker, not a fence
    if kind is Kind.FENCE:
        text = _fence(access)
    elif label == "event_notifier_wait":
        return f"event_notifier_wait({access.loc}) {order}"
    elif access.plain:
        text = (f"plain read {access.loc}" if kind is Kind.LOAD
                else f"plain write {access.loc} = {access.value}")
    elif kind is Kind.LOAD:
        text = f"load({access.loc}) {order}"
    elif kind is Kind.STORE:
        text = f"store({access.loc}, {access.value}) {order}"
    elif access.op is RmwOp.CAS:
        fail = (access.fail_order.short if access.fail_order is not None
                else order)   # RELAXED is 0: test for None, not falsity
        text = (f"cas({access.loc}, {access.expected} -> {access.operand}) "
                f"{order}/{fail}")
    else:
        text = f"{_RMW[access.op]}({access.loc}, {access.operand}) {order}"
    if label.startswith("event_notifier"):
        return f"{label}: {text}"
    if label.startswith("__sync") and kind is not Kind.FENCE and \
            fenced_sync and label != "__sync_lock_test_and_set":
        return text          # the RMW itself; its fences carry the name
    return f"{text} [{label}]" if label else text


def _fence(access: Access) -> str:
    if access.order is Order.RELAXED:
        # a relaxed fence orders nothing (C11 7.17.4): how weaken
        # writes an absent fence, and a no-op wherever else it appears
        return "no fence (relaxed: orders nothing)"
    return f"fence {access.order.short}"


def _result(move: Move, label: str) -> str:
    if move.source is None:
        if move.value is not None and move.access is not None and \
                move.access.kind in (Kind.LOAD, Kind.RMW):
            # armv8: a read that takes its value before its write exists
            return f" reads {move.value} (from a write later in the trace)"
        return ""
    text = f" reads {move.value} from {event_name(move.source)}"
    access = move.access
    if access.op is RmwOp.CAS:
        text += " (succeeds)" if move.value == access.expected else \
            " (fails)"
    if label == "event_notifier_wait":
        text += ": readable, returns"
    return text


def _written(move: Move) -> int | None:
    """The value a move writes to memory, or None if it writes nothing."""
    access = move.access
    if access is None:
        return None
    if access.kind is Kind.STORE:
        return access.value
    if access.kind is Kind.RMW and move.value is not None:
        return access.apply(move.value)
    return None


class Renderer:
    def __init__(self, explorer: Explorer):
        self.explorer = explorer
        self.threads = explorer.threads
        # loc -> (writer, value) of the last write so far in the trace
        self.writes: dict[str, tuple[tuple[int, int], int]] = {}
        self.notes: dict[int, str] = {}
        reading = readings.get(explorer.program.reading)
        self.fenced_sync = reading.sync_rmw == readings.SYNC_FULL_BARRIER

    def stale(self, move: Move) -> str:
        """Say so when a read ignores another thread's write that came
        earlier in this trace: the weak-memory step a reviewer looks for."""
        if move.source is None:
            return ""
        last = self.writes.get(move.access.loc)
        if last is None or last[0] == move.source or \
                last[0][0] == move.thread:
            return ""
        return f" (stale: {event_name(last[0])} wrote {last[1]} earlier)"

    def record(self, move: Move) -> None:
        value = _written(move)
        if value is not None and move.index is not None:
            self.writes[move.access.loc] = ((move.thread, move.index), value)

    def name(self, t: int) -> str:
        return f"P{t} ({self.threads[t].name})"

    def legend(self) -> str:
        parts = []
        for t, thread in enumerate(self.threads):
            head = next((ins for ins in thread.code if ins.kind == LOOP),
                        None)
            if head is None:
                parts.append(f"P{t} = {thread.name}")
                continue
            bound = (f"cut after {head.bound}" if head.endless
                     else f"x{head.bound}")
            parts.append(f"P{t} = {thread.name}: {thread.call} {bound}")
        return "; ".join(parts)

    def marker(self, t: int, state: tuple,
               before: tuple | None = None) -> str | None:
        """'-- aio_poll(ctx, true) #2' where a new iteration begins."""
        if not state[1]:
            return None
        number = self.explorer.iteration(t, state)
        if number is None or (before is not None and number ==
                              self.explorer.iteration(t, before)):
            return None
        return f"{f'P{t}':<5} -- {self.threads[t].call} #{number}"

    def move(self, move: Move) -> list[str]:
        if move.access is None:
            return [f"{f'P{move.thread}':<5} {'(store buffer)':<{WHERE}} "
                    f"{move.note}"]
        ins = self.explorer.instr(move.thread, move.before)
        who = f"P{move.thread}#{move.index}"
        line = (f"{who:<5} {str(ins.where):<{WHERE}} "
                f"{describe(move.access, ins.label, self.fenced_sync)}"
                f"{_result(move, ins.label)}{self.stale(move)}"
                f"{self.notes.get(id(move), '')}")
        self.record(move)
        lines = [line.rstrip()]
        marker = self.marker(move.thread, move.after, move.before)
        if marker:
            lines.append(marker)
        for fused in move.fused:
            lines += self.move(fused)
        return lines

    def render(self, search: Search, finding: Finding) -> tuple[str, ...]:
        self.writes = {}
        self.notes: dict[int, str] = {}      # id(move) -> remark
        lines = [self.legend()]
        for t, state in enumerate(search.initial):
            marker = self.marker(t, state)
            if marker:
                lines.append(marker)
        path = search.path(finding.node)
        if finding.property == DROPPED_WORK:
            finding = self.where_lost(path + list(finding.tail), finding)
        for move in path:
            lines += self.move(move)
        if finding.tail or "title" in finding.facts:
            lines += self.tail(finding)
        if finding.property in (LOST_WAKEUP, DROPPED_WORK):
            lines += self.sleepers(search, path + list(finding.tail),
                                   finding)
        lines.append(explain(finding, self.explorer, self.name))
        return tuple(lines)

    def tail(self, finding: Finding) -> list[str]:
        """The moves after the state the property was found in: a
        thread running on alone (busy loop, dropped work, a cycle)."""
        facts = finding.facts
        tail = finding.tail
        who = tail[0].thread if tail else facts.get("thread", 0)
        title = facts.get("title", f"from here P{who} runs alone")
        lines = [f"-- {title} --"]
        repeat = facts.get("repeat_from")
        for index, move in enumerate(tail):
            if index == repeat:
                lines.append(self.repeat_line(who, len(tail) - index))
            lines += self.move(move)
        if repeat is not None and repeat >= len(tail):
            lines.append(f"-- P{who} loops here for ever without another "
                         "memory event --")
        repeats = facts.get("repeats", 0)
        if repeats:
            lines.append(f"-- P{who} goes through this same "
                         f"iteration {repeats} more time"
                         f"{'s' * (repeats > 1)}, never sleeping --")
        return lines

    @staticmethod
    def repeat_line(who: int, count: int) -> str:
        what = "this event" if count == 1 else f"the next {count} events"
        return f"-- P{who} repeats {what} for ever, changing nothing --"

    def where_lost(self, moves: list[Move], finding: Finding) -> Finding:
        """Mark the write that cleared the BH flag after the last
        schedule without running the callback (in trace order)."""
        program = self.explorer.program
        last = None
        for move in moves:
            if move.access is not None and move.before is not None and \
                    program.mark(move.thread, move.before[0]) == SCHEDULE:
                last = move
        if last is None:
            return finding
        facts = dict(finding.facts, scheduled=event_name(
            (last.thread, last.index)))
        after = moves[moves.index(last) + 1:]
        for move in after:
            if move.access is None or move.access.loc != program.work_loc:
                continue
            if program.mark(move.thread, move.before[0]) == CLAIM and \
                    move.value:
                break           # a claim ran the callback after all
            if _written(move) == 0:
                ins = self.explorer.instr(move.thread, move.before)
                self.notes[id(move)] = (f"  <- drops the BH scheduled by "
                                        f"{facts['scheduled']}")
                facts["lost"] = (f"{event_name((move.thread, move.index))} "
                                 f"({ins.func} at {ins.where})")
                break
        return replace(finding, facts=facts)

    def sleepers(self, search: Search, path: list[Move],
                 finding: Finding) -> list[str]:
        """Where each waiting thread blocks, as a last event line."""
        threads = list(search.initial)
        counts = [0] * len(threads)
        for move in path:
            for done in (move, *move.fused):
                if done.access is not None:
                    threads[done.thread] = done.after
                    counts[done.thread] = done.index + 1
        lines = []
        counter = finding.facts["counter"]
        for t in finding.facts["waiting"]:
            ins = self.explorer.instr(t, threads[t])
            who = f"P{t}#{counts[t]}"
            lines.append(f"{who:<5} {str(ins.where):<{WHERE}} "
                         f"event_notifier_wait({ins.access.loc}) "
                         f"{ins.access.order.short}: nothing to read "
                         f"({ins.access.loc} = {counter}), sleeps")
        return lines
