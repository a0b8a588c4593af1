"""The values a read may wait for: a fixpoint over what threads write.

A read that takes its value before its write exists (models/armv8.py)
guesses that value; the guess must come from a set that contains every
value another thread can write to that location in any ARMv8
execution.  We compute, per location and writer thread, the least set
D closed under

    F(D)[x][t] = values thread t writes to x when it runs alone and
                 each read of y returns its own po-latest write to y
                 (the initial value if none) or any value in D[y][u]
                 for some other thread u,

by iterating from the empty sets.  Completeness: in an ARMv8
execution, the value a write W writes is computed from the values of
the reads W depends on (data, ctrl, and through registers and memory
forwarding, aarch64deps.cat dtrm), all ob-before W, and those reads
read either their own thread's po-latest write or a write of another
thread that is ob-before them.  So every value has a derivation along
ob-decreasing writes of distinct events; if it has depth k it is in
F^k(empty).  A chain has at most as many links as the execution has
writes: for loop-free threads (litmus tests) we stop after that many
rounds (F^N with N = the number of store and RMW instructions), which
keeps counters that several threads increment finite; otherwise we
stop at the fixpoint (a cap turns divergence into an error).
"""

from __future__ import annotations

from collections import deque

from ...errors import CheckerError
from ..ir import BRANCH, JUMP, LOOP, MEM, Program, ThreadCode, run_local
from ..memory import Kind

MAX_ROUNDS = 64
MAX_STATES = 200_000


class Domain:
    """values[x][t]: what thread t may write to location x."""

    def __init__(self, names: tuple[str, ...], values: dict):
        self.names = names
        self.values = values
        self._guesses: dict = {}

    def guesses(self, x: int, t: int) -> tuple[int, ...]:
        """Values another thread than t may write to location x."""
        key = (x, t)
        hit = self._guesses.get(key)
        if hit is None:
            out: set[int] = set()
            for u, values in self.values[self.names[x]].items():
                if u != t:
                    out |= values
            hit = self._guesses[key] = tuple(sorted(out))
        return hit


def _loop_free(code: ThreadCode) -> bool:
    for pc, ins in enumerate(code.code):
        if ins.kind == LOOP:
            return False
        if ins.kind in (BRANCH, JUMP) and ins.target <= pc:
            return False
    return True


def _writers(code: ThreadCode) -> int:
    return sum(1 for ins in code.code if ins.kind == MEM
               and ins.access.kind in (Kind.STORE, Kind.RMW))


def value_domain(program: Program) -> Domain:
    names = tuple(sorted(program.init))
    threads = program.threads
    bound = None
    if all(_loop_free(code) for code in threads):
        bound = sum(_writers(code) for code in threads)
    values = {x: {t: set() for t in range(len(threads))} for x in names}
    limit = MAX_ROUNDS if bound is None else bound
    for rounds in range(1, limit + 1):
        new = {x: {t: set() for t in range(len(threads))} for x in names}
        for t, code in enumerate(threads):
            for x, written in _solo(program, t, code, values).items():
                new[x][t] |= written
        if new == values:
            break                               # the least fixpoint
        values = new
    else:
        if bound is not None:
            return Domain(names, values)        # F^N: every chain
        raise CheckerError(
            "the values the threads write do not settle (e.g. a counter "
            "several threads increment in a loop)",
            hint="bound the loops: the armv8 model needs a finite set of "
                 "values each read may wait for")
    return Domain(names, values)


def _solo(program: Program, t: int, code: ThreadCode, values: dict
          ) -> dict[str, set[int]]:
    """Every value thread t writes, running alone against `values`."""
    names = sorted(program.init)
    index = {x: i for i, x in enumerate(names)}
    ext = {x: set().union(*(v for u, v in values[x].items() if u != t))
           for x in names}
    L = [0] * code.nslots
    pc, fresh, failed = run_local(code.code, 0, L)
    start = (code.state_at(pc, fresh, L), (None,) * len(names))
    seen = {start}
    queue = deque([start])
    written: dict[str, set[int]] = {x: set() for x in names}
    while queue:
        state, own = queue.popleft()
        ins = code.code[state[0]]
        if ins.kind != MEM:
            continue                     # ended, or stopped at a bound
        regs = code.expand(state)
        access = ins.make(regs) if ins.parts else ins.access
        outcomes: list[tuple[int | None, tuple]] = []
        if access.kind is Kind.FENCE:
            outcomes.append((None, own))
        else:
            i = index[access.loc]
            mine = own[i] if own[i] is not None else program.init[access.loc]
            readable = {mine} | ext[access.loc]
            if ins.blocking:
                readable = {v for v in readable if v}
            if access.kind is Kind.LOAD:
                outcomes += [(v, own) for v in readable]
            elif access.kind is Kind.STORE:
                written[access.loc].add(access.value)
                after = own[:i] + (access.value,) + own[i + 1:]
                outcomes.append((0 if access.exclusive else None, after))
                if access.exclusive:
                    outcomes.append((1, own))       # it may fail
            else:
                for v in readable:
                    new = access.apply(v)
                    if new is None:
                        outcomes.append((v, own))
                        continue
                    written[access.loc].add(new)
                    outcomes.append((v, own[:i] + (new,) + own[i + 1:]))
        for value, own_after in outcomes:
            L = code.expand(state)
            if ins.dest is not None:
                L[ins.dest] = value
            pc, fresh, failed = run_local(code.code, state[0] + 1, L)
            nxt = (code.state_at(pc, fresh, L), own_after)
            if failed is None and nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
                if len(seen) > MAX_STATES:
                    raise CheckerError(
                        f"thread {code.name} has more than {MAX_STATES} "
                        "states on its own", hint="bound its loops")
    return written
