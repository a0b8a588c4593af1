"""The values a read may wait for: a fixpoint over what threads write.

A read that takes its value before its write exists (models/armv8.py)
guesses that value; the guess must come from a set that contains every
value another thread can write to that location in any ARMv8
execution.  We compute, per write instruction, the least sets closed
under

    F(D)[w] = values write instruction w of thread t writes when t runs
              alone and each read of y returns t's own po-latest write
              to y (the initial value if none) or any value in D[w']
              for a write w' of y in another thread,

iterating from the empty sets.  Completeness: in an ARMv8 execution,
the value a write W writes is computed from the values of the reads W
depends on (data, ctrl, and through registers and memory forwarding,
aarch64deps.cat dtrm), all ob-before W; each of those reads either its
own thread's po-latest write (whose value depends, in turn, only on
reads W depends on) or a write of another thread that is ob-before it.
So every written value has a finite derivation along ob-decreasing
writes, which are distinct events, and is in the least fixpoint.  In a
loop-free thread each instruction writes at most once, so a derivation
never goes through the same write instruction twice: we carry, with
each value, the set of write instructions it was derived through
(provenance) and drop a write whose own instruction is among them.
That keeps counters that several threads increment finite and small
(FAA-3: 0..3).  With loops we fall back to plain values, stop at the
fixpoint, and turn divergence into an error.

`future[t][k]`: location -> (values, at most how many writes) a thread
may still make once it has performed k memory events; the model uses
it to drop a read that waits for a write nobody can still make.
"""

from __future__ import annotations

from collections import deque

from ...errors import ModelBound
from ..ir import BRANCH, JUMP, LOOP, MEM, Program, ThreadCode, run_local
from ..memory import Kind

MAX_ROUNDS = 64
MAX_STATES = 200_000
MAX_PAIRS = 20_000            # provenance pairs before falling back


class Domain:
    """values[x][t]: what thread t may write to location x;
    future[t][k]: {location: values} thread t may still write once it
    has performed k memory events (None: anything, e.g. with loops)."""

    def __init__(self, names: tuple[str, ...], values: dict,
                 future: tuple = ()):
        self.names = names
        self.values = values
        self.future = future

    def still(self, t: int, done: int, loc: str) -> frozenset | set:
        """Values thread t may still write to `loc` after `done` events."""
        return self.remaining(t, done, loc)[0]

    def remaining(self, t: int, done: int, loc: str) -> tuple:
        """(values, how many writes at most) thread t may still make to
        `loc` after `done` events (count None: unbounded)."""
        table = self.future[t] if t < len(self.future) else None
        if table is None:
            return self.values[loc][t], None
        if done >= len(table):
            return frozenset(), 0
        return table[done].get(loc, (frozenset(), 0))


def _loop_free(code: ThreadCode) -> bool:
    for pc, ins in enumerate(code.code):
        if ins.kind == LOOP:
            return False
        if ins.kind in (BRANCH, JUMP) and ins.target <= pc:
            return False
    return True


def _positions(code: ThreadCode) -> dict[int, set[int]] | None:
    """Loop-free code: pc of each memory instruction -> the numbers of
    memory events a path may have done before it."""
    if not _loop_free(code):
        return None
    out: dict[int, set[int]] = {}
    seen = set()
    stack = [(0, 0)]
    while stack:
        pc, k = stack.pop()
        if (pc, k) in seen or pc >= len(code.code):
            continue
        seen.add((pc, k))
        ins = code.code[pc]
        if ins.kind == MEM:
            out.setdefault(pc, set()).add(k)
            stack.append((pc + 1, k + 1))
        else:
            stack.extend((succ, k) for succ in ins.successors(pc))
    return out


def _future(code: ThreadCode, written: dict[int, dict[str, set[int]]]):
    positions = _positions(code)
    if positions is None:
        return None
    events = max((k + 1 for ks in positions.values() for k in ks),
                 default=0)
    table: list[dict[str, set[int]]] = [{} for _ in range(events + 1)]
    for pc, ks in positions.items():
        ins = code.code[pc]
        if ins.access.kind not in (Kind.STORE, Kind.RMW):
            continue
        if "loc" in ins.parts:
            return None                 # a computed address: anything
        values = written.get(pc, {}).get(ins.access.loc, set())
        for done in range(max(ks) + 1):
            entry = table[done].setdefault(ins.access.loc, [set(), 0])
            entry[0].update(values)
            entry[1] += 1
    return tuple({x: (frozenset(v), n) for x, (v, n) in row.items()}
                 for row in table)


def value_domain(program: Program) -> Domain:
    names = tuple(sorted(program.init))
    threads = program.threads
    exact = all(_loop_free(code) for code in threads)
    # pairs[t][x]: {(value, provenance)} thread t writes to x
    pairs = [{x: set() for x in names} for _ in threads]
    written: list[dict] = [{} for _ in threads]
    for _round in range(MAX_ROUNDS):
        new, written = [], []
        for t, code in enumerate(threads):
            ext = {x: set().union(*(pairs[u][x] for u in range(len(threads))
                                    if u != t)) for x in names}
            got, by_pc = _solo(program, code, t, ext, exact)
            new.append(got)
            written.append(by_pc)
        if new == pairs:
            break
        pairs = new
        if exact and sum(len(p) for d in pairs for p in d.values()) > \
                MAX_PAIRS:
            exact = False       # plain values (still complete), fewer
    else:
        raise ModelBound(
            "the values the threads write do not settle (e.g. a counter "
            "several threads increment in a loop)",
            hint="bound the loops: the armv8 model needs a finite set of "
                 "values each read may wait for")
    values = {x: {t: {v for v, _ in pairs[t][x]} for t in range(len(threads))}
              for x in names}
    future = tuple(_future(code, written[t]) for t, code in enumerate(threads))
    return Domain(names, values, future)


def _solo(program: Program, code: ThreadCode, t: int, ext: dict,
          exact: bool):
    """Everything thread t writes running alone, reads of x returning
    its own latest write to x or a pair in ext[x].  Returns ({x:
    {(value, provenance)}}, {pc: {x: values}})."""
    run = _Solo(program, code, t, ext, exact)
    L = [0] * code.nslots
    pc, fresh, _failed = run_local(code.code, 0, L)
    own0 = tuple((program.init[x], _NOTHING, False) for x in run.names)
    start = (code.state_at(pc, fresh, L), own0, _NOTHING)
    seen = {start}
    queue = deque([start])
    while queue:
        for nxt in run.successors(*queue.popleft()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
                if len(seen) > MAX_STATES:
                    raise ModelBound(
                        f"thread {code.name} has more than {MAX_STATES} "
                        "states on its own", hint="bound its loops")
    return run.out, run.by_pc


_NOTHING: frozenset = frozenset()


class _Solo:
    """One thread's writes when it runs alone (see _solo)."""

    def __init__(self, program: Program, code: ThreadCode, t: int,
                 ext: dict, exact: bool):
        self.code, self.t, self.exact = code, t, exact
        self.names = sorted(program.init)
        self.index = {x: i for i, x in enumerate(self.names)}
        if not exact:       # forget provenances: plain values
            ext = {x: {(v, _NOTHING) for v, _ in pairs} for x, pairs in
                   ext.items()}
        self.ext = ext
        self.out: dict[str, set] = {x: set() for x in self.names}
        self.by_pc: dict[int, dict[str, set[int]]] = {}

    def write(self, pc, loc, value, prov, own):
        me = (self.t, pc)
        if self.exact and me in prov:
            return None          # derived through its own instruction
        prov = prov | {me} if self.exact else _NOTHING
        self.out[loc].add((value, prov))
        self.by_pc.setdefault(pc, {}).setdefault(loc, set()).add(value)
        i = self.index[loc]
        return own[:i] + ((value, prov, True),) + own[i + 1:]

    def successors(self, state, own, path):
        code = self.code
        pc = state[0]
        ins = code.code[pc]
        if ins.kind != MEM:
            return                       # ended, or stopped at a bound
        access = ins.make(code.expand(state)) if ins.parts else ins.access
        for value, own_after, path_after in self.outcomes(pc, ins, access,
                                                          own, path):
            L = code.expand(state)
            if ins.dest is not None:
                L[ins.dest] = value
            pc2, fresh, failed = run_local(code.code, pc + 1, L)
            if failed is None:
                yield (code.state_at(pc2, fresh, L), own_after,
                       path_after if self.exact else _NOTHING)

    def outcomes(self, pc, ins, access, own, path) -> list[tuple]:
        """(value read or status, own writes after, path) per way the
        access can go."""
        if access.kind is Kind.FENCE:
            return [(None, own, path)]
        x = access.loc
        mine = own[self.index[x]]
        readable = {(mine[0], mine[1])} | self.ext[x]
        if ins.blocking:
            readable = {p for p in readable if p[0]}
        if access.kind is Kind.LOAD:
            return [(v, own, path | prov) for v, prov in readable]
        if access.kind is Kind.STORE:
            return self.store(pc, x, access, own, path)
        return self.rmw(pc, x, access, readable, own, path)

    def store(self, pc, x, access, own, path) -> list[tuple]:
        outcomes = []
        after = self.write(pc, x, access.value, path, own)
        if after is not None:
            outcomes.append((0 if access.exclusive else None, after, path))
        if access.exclusive and not (access.arm and access.arm.retried):
            outcomes.append((1, own, path))      # it may fail
        return outcomes

    def rmw(self, pc, x, access, readable, own, path) -> list[tuple]:
        outcomes = []
        for v, prov in readable:
            new = access.apply(v)
            seen_path = path | prov
            if new is None:
                outcomes.append((v, own, seen_path))
                continue
            after = self.write(pc, x, new, seen_path, own)
            if after is not None:
                outcomes.append((v, after, seen_path))
        return outcomes
