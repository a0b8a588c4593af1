"""A tiny explorer for straight-line litmus-style threads, independent of
evaluator.checker.explore: runs every interleaving of the threads'
accesses through the RC11 model's `perform`, deduplicating global
states, and collects final states, executions and reported races.

    threads = [[W("x", 1), R("r0", "y")], [W("y", 1), R("r0", "x")]]
    result = run({"x": 0, "y": 0}, threads)
    result.project("0:r0", "1:r0")  -> {(0, 0), (0, 1), ...}
"""

from __future__ import annotations

from dataclasses import dataclass

from evaluator.checker.memory import Access, Kind, Race, RmwOp
from evaluator.checker.models.rc11 import MODEL
from evaluator.orders import parse_order

Op = tuple[str | None, Access]


ALIASES = {"rlx": "relaxed", "acq": "acquire", "rel": "release",
           "ar": "acq_rel", "sc": "seq_cst"}


def _order(name: str):
    order = parse_order(ALIASES.get(name, name))
    assert order is not None, name
    return order


def R(reg: str, loc: str, order: str = "relaxed") -> Op:
    return reg, Access(Kind.LOAD, loc, _order(order))


def W(loc: str, value: int, order: str = "relaxed") -> Op:
    return None, Access(Kind.STORE, loc, _order(order), value=value)


def NR(reg: str, loc: str) -> Op:
    """Non-atomic (plain) read."""
    return reg, Access(Kind.LOAD, loc, _order("relaxed"), plain=True)


def NW(loc: str, value: int) -> Op:
    """Non-atomic (plain) write."""
    return None, Access(Kind.STORE, loc, _order("relaxed"), value=value,
                        plain=True)


def F(order: str) -> Op:
    return None, Access(Kind.FENCE, order=_order(order))


def RMW(reg: str, loc: str, op: RmwOp, operand: int,
        order: str = "relaxed") -> Op:
    return reg, Access(Kind.RMW, loc, _order(order), op=op, operand=operand)


def FAA(reg: str, loc: str, n: int, order: str = "relaxed") -> Op:
    return RMW(reg, loc, RmwOp.ADD, n, order)


def XCHG(reg: str, loc: str, value: int, order: str = "relaxed") -> Op:
    return RMW(reg, loc, RmwOp.XCHG, value, order)


def CAS(reg: str, loc: str, expected: int, desired: int,
        order: str = "seq_cst", fail: str | None = None) -> Op:
    """reg receives the value read (success iff it equals expected)."""
    return reg, Access(Kind.RMW, loc, _order(order), op=RmwOp.CAS,
                       operand=desired, expected=expected,
                       fail_order=_order(fail) if fail else None)


@dataclass(frozen=True)
class Result:
    finals: frozenset       # of frozenset((name, value)) items
    races: frozenset        # of Race
    states: int
    graphs: frozenset       # of execution_key(): the executions found
    racy: frozenset         # finals reached by an execution with a race

    def project(self, *names: str) -> set[tuple[int, ...]]:
        return {tuple(dict(final)[n] for n in names) for final in self.finals}

    def race_locations(self) -> set[str]:
        return {race.loc for race in self.races}

    def project_racy(self, *names: str) -> set[tuple[int, ...]]:
        """Like project, for the final states of racy executions only."""
        return {tuple(dict(final)[n] for n in names) for final in self.racy}


def run(init: dict[str, int], threads: list[list[Op]]) -> Result:
    """Every final state RC11 allows: registers "t:reg" and locations
    (the mo-latest value)."""
    model = MODEL
    start = (tuple(() for _ in threads), model.initial(init, len(threads)),
             False)
    seen = {start}
    stack = [start]
    finals, races, graphs, racy = set(), set(), set(), set()
    while stack:
        values, memory, raced = stack.pop()
        done = True
        for t, program in enumerate(threads):
            i = len(values[t])
            if i == len(program):
                continue
            done = False
            for step in model.perform(memory, (t, i), program[i][1]):
                if step.race is not None:
                    races.add(step.race)
                grown = values[:t] + (values[t] + (step.value,),) \
                    + values[t + 1:]
                nxt = (grown, step.state, raced or step.race is not None)
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        if done:
            final = _final(init, threads, values, memory)
            finals.add(final)
            if raced:
                racy.add(final)
            graphs.add(execution_key(memory))
    return Result(frozenset(finals), frozenset(races), len(seen),
                  frozenset(graphs), frozenset(racy))


def execution_key(state) -> tuple:
    """rf and mo of a finished RC11 graph, events named (thread, op
    index) and init writes (-1, location): comparable with the oracle."""
    ctx = state.ctx

    def name(bit):
        t, i = ctx.locate(bit)
        return (t, ctx.names[i]) if t < 0 else (t, i)

    rf = tuple(sorted((ev.eid, name(ev.rf)) for evs in state.events
                      for ev in evs if ev.rf))
    mo = tuple((ctx.names[j], tuple(name(b) for b in loc.order))
               for j, loc in enumerate(state.locs))
    return rf, mo


def _final(init, threads, values, memory) -> frozenset:
    items = {loc: MODEL.latest(memory, loc)[0] for loc in init}
    for t, program in enumerate(threads):
        for (reg, _), value in zip(program, values[t]):
            if reg is not None:
                items[f"{t}:{reg}"] = value
    return frozenset(items.items())


__all__ = ["R", "W", "NR", "NW", "F", "FAA", "XCHG", "CAS", "RMW", "run",
           "Result", "Race"]
