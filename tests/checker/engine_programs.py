"""Seeded random C litmus tests for the engine comparison
(test_engines.py): generic ones (random accesses, orders, fences, RMWs,
branches on what was read, bounded spin loops) and protocol-shaped ones
(a notifier that publishes work then maybe kicks an eventfd-like
location, a poller that announces it will sleep, re-checks the work and
spins on the eventfd), with random memory orders and extra accesses."""

from __future__ import annotations

import random

LOCS = ("x", "y", "z")
ORDERS = ("relaxed", "acquire", "release", "acq_rel", "seq_cst")
LOAD_ORDERS = ("relaxed", "acquire", "seq_cst")
STORE_ORDERS = ("relaxed", "release", "seq_cst")
FENCES = ("acquire", "release", "acq_rel", "seq_cst")


def _mo(name: str) -> str:
    return f"memory_order_{name}"


class _Thread:
    """One thread's body, built line by line."""

    def __init__(self, rng: random.Random, locs: tuple[str, ...]):
        self.rng = rng
        self.locs = locs
        self.lines: list[str] = []
        self.regs: list[str] = []       # in scope at the end
        self.names = 0

    def reg(self) -> str:
        name = f"r{self.names}"
        self.names += 1
        self.regs.append(name)
        return name

    def loc(self) -> str:
        return self.rng.choice(self.locs)

    def load(self, loc: str | None = None, order: str | None = None) -> str:
        r = self.reg()
        order = order or self.rng.choice(LOAD_ORDERS)
        self.lines.append(f"int {r} = atomic_load_explicit("
                          f"{loc or self.loc()}, {_mo(order)});")
        return r

    def store(self, loc: str | None = None, value: int | None = None,
              order: str | None = None) -> None:
        value = self.rng.randint(1, 2) if value is None else value
        order = order or self.rng.choice(STORE_ORDERS)
        self.lines.append(f"atomic_store_explicit({loc or self.loc()}, "
                          f"{value}, {_mo(order)});")

    def rmw(self, loc: str | None = None, value: int | None = None) -> str:
        r = self.reg()
        loc = loc or self.loc()
        order = _mo(self.rng.choice(ORDERS))
        value = self.rng.randint(0, 2) if value is None else value
        kind = self.rng.choice(("xchg", "add", "cas"))
        if kind == "xchg":
            call = f"atomic_exchange_explicit({loc}, {value}, {order})"
        elif kind == "add":
            call = f"atomic_fetch_add_explicit({loc}, 1, {order})"
        else:
            return self._cas(r, loc, value, order)
        self.lines.append(f"int {r} = {call};")
        return r

    def _cas(self, r: str, loc: str, value: int, order: str) -> str:
        self.lines.append(f"int {r} = {self.rng.randint(0, 1)};")
        self.lines.append(f"atomic_compare_exchange_strong_explicit({loc}, "
                          f"&{r}, {value}, {order}, "
                          f"{_mo(self.rng.choice(LOAD_ORDERS))});")
        return r

    def fence(self) -> None:
        self.lines.append("atomic_thread_fence("
                          f"{_mo(self.rng.choice(FENCES))});")

    def spin(self, loc: str, bound: int) -> None:
        """Wait (a bounded number of times) for loc to become non-zero."""
        n, r = f"n{self.names}", self.reg()
        self.lines += [f"int {r} = 0;", f"int {n} = 0;",
                       f"while ({r} == 0 && {n} < {bound}) {{",
                       f"  {r} = atomic_load_explicit({loc}, "
                       f"{_mo(self.rng.choice(LOAD_ORDERS))});",
                       f"  {n} = {n} + 1;", "}"]

    def branch(self, reg: str) -> None:
        """Some accesses only if `reg` read a non-zero value."""
        outer = list(self.regs)
        self.lines.append(f"if ({reg} != 0) {{")
        self.random_op()
        self.lines.append("}")
        self.regs = outer           # those declared inside are gone

    def random_op(self) -> None:
        pick = self.rng.random()
        if pick < 0.3:
            self.load()
        elif pick < 0.6:
            self.store()
        elif pick < 0.85:
            self.rmw()
        else:
            self.fence()

    def text(self, index: int, locs: tuple[str, ...]) -> str:
        params = ", ".join(f"atomic_int* {loc}" for loc in locs)
        body = "\n".join("  " + line for line in self.lines)
        return f"P{index} ({params}) {{\n{body}\n}}\n"


def _litmus(name: str, locs: tuple[str, ...], threads: list[_Thread],
            rng: random.Random) -> str:
    init = " ".join(f"{loc} = 0;" for loc in locs)
    terms = [f"{t}:{r}={rng.randint(0, 1)}"
             for t, th in enumerate(threads) for r in th.regs[:2]]
    terms.append(f"{locs[0]}={rng.randint(0, 2)}")
    body = "\n".join(th.text(i, locs) for i, th in enumerate(threads))
    cond = " /\\ ".join(terms)
    return f"C {name}\n\n{{ {init} }}\n\n{body}\nexists ({cond})\n"


def generic(seed: int) -> str:
    rng = random.Random(seed)
    locs = LOCS[:rng.randint(2, 3)]
    threads = []
    for _ in range(rng.randint(2, 3)):
        th = _Thread(rng, locs)
        for _ in range(rng.randint(1, 4)):
            th.random_op()
            if th.regs and rng.random() < 0.2:
                th.branch(th.regs[-1])
        if rng.random() < 0.25:
            th.spin(th.loc(), rng.randint(1, 2))
        threads.append(th)
    return _litmus(f"generic{seed}", locs, threads, rng)


def protocol(seed: int) -> str:
    """work = x, notify_me = y, the eventfd = z."""
    rng = random.Random(seed)
    locs = LOCS
    notifier, poller = _Thread(rng, locs), _Thread(rng, locs)
    for _ in range(rng.randint(1, 2)):
        notifier.rmw("x", 1) if rng.random() < 0.5 else notifier.store("x", 1)
        if rng.random() < 0.5:
            notifier.fence()
        me = notifier.load("y")
        outer = list(notifier.regs)
        notifier.lines.append(f"if ({me} != 0) {{")
        notifier.rmw("z", 1)
        notifier.lines.append("}")
        notifier.regs = outer
    poller.store("y", 1)
    if rng.random() < 0.5:
        poller.fence()
    poller.spin("x", 1)
    poller.spin("z", rng.randint(1, 2))
    poller.rmw("z", 0)
    poller.store("y", 0)
    if rng.random() < 0.5:
        poller.rmw("x", 0)
    threads = [notifier, poller]
    if rng.random() < 0.3:
        extra = _Thread(rng, locs)
        extra.random_op()
        extra.random_op()
        threads.append(extra)
    return _litmus(f"protocol{seed}", locs, threads, rng)


def program(seed: int) -> str:
    """Every other seed protocol-shaped."""
    return protocol(seed) if seed % 2 else generic(seed)
