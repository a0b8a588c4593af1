"""Seeded random small AArch64 litmus tests for the differential tests.

Each thread is a few "operations", each a short instruction sequence
that exercises one clause of the model: loads and stores with every
ordering flavour, barriers, LSE atomics (with the NoRet forms), CAS,
load/store-exclusive pairs, and dependencies: address (EOR-zero index),
data (EOR-zero plus a constant, or the loaded value itself), control
(CBNZ to the next line, with or without ISB) and pick (CSET after CMP).
The final condition is trivially true; `locations` names every register
that is written and every location, so the outcome sets are complete.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

LOCS = ("x", "y")
ADDR = {"x": "X10", "y": "X11", "z": "X12"}


@dataclass
class Generated:
    text: str
    domain_max: int          # every value any execution can write is <= it


class _Thread:
    def __init__(self, t: int, rng: random.Random, locs):
        self.t = t
        self.rng = rng
        self.locs = locs
        self.lines: list[str] = []
        self.loaded: list[str] = []      # W registers holding a read value
        self.observed: list[str] = []
        self.next_reg = 0
        self.labels = 0
        self.increments = 0

    def reg(self) -> str:
        r = f"W{self.next_reg}"
        self.next_reg += 1
        self.observed.append(f"{self.t}:X{r[1:]}")
        return r

    def loc(self) -> str:
        return ADDR[self.rng.choice(self.locs)]

    def label(self) -> str:
        self.labels += 1
        return f"L{self.t}{self.labels}"

    def source(self) -> str | None:
        return self.rng.choice(self.loaded) if self.loaded else None

    # -- operations
    def load(self):
        op = self.rng.choice(("LDR", "LDR", "LDAR", "LDAPR"))
        r = self.reg()
        self.lines.append(f"{op} {r},[{self.loc()}]")
        self.loaded.append(r)

    def store(self):
        op = self.rng.choice(("STR", "STR", "STLR"))
        k = self.rng.choice((1, 2))
        self.lines += [f"MOV W20,#{k}", f"{op} W20,[{self.loc()}]"]

    def store_data(self):
        src = self.source()
        if src is None:
            self.store()
            return
        op = self.rng.choice(("STR", "STLR"))
        if self.rng.random() < 0.5:
            k = self.rng.choice((1, 2))
            self.lines += [f"EOR W21,{src},{src}", f"ADD W21,W21,#{k}",
                           f"{op} W21,[{self.loc()}]"]
        else:
            self.lines.append(f"{op} {src},[{self.loc()}]")

    def load_addr(self):
        src = self.source()
        if src is None:
            self.load()
            return
        r = self.reg()
        self.lines += [f"EOR W22,{src},{src}",
                       f"LDR {r},[{self.loc()},W22,SXTW]"]
        self.loaded.append(r)

    def ctrl(self):
        src = self.source()
        if src is None:
            self.fence()
            return
        label = self.label()
        self.lines += [f"CBNZ {src},{label}", f"{label}:"]
        if self.rng.random() < 0.4:
            self.lines.append("ISB")

    def pick(self):
        src = self.source()
        if src is None:
            self.store()
            return
        self.lines += [f"CMP {src},#1", "CSET W24,EQ",
                       f"STR W24,[{self.loc()}]"]

    def pick_memory(self):
        """A CSET result stored, read back in po-loc and used as an
        address: a pick dependency through memory forwarding (lrs)."""
        src = self.source()
        if src is None:
            self.store()
            return
        where = self.loc()
        r = self.reg()
        self.lines += [f"CMP {src},#1", "CSET W24,EQ", f"STR W24,[{where}]",
                       f"LDR W25,[{where}]", "EOR W26,W25,W25",
                       f"LDR {r},[{self.loc()},W26,SXTW]"]
        self.loaded.append(r)

    def fence(self):
        self.lines.append("DMB " + self.rng.choice(("ISH", "ISHLD",
                                                     "ISHST")))

    def atomic(self):
        op = self.rng.choice(("SWP", "LDADD", "STADD"))
        order = self.rng.choice(("", "A", "L", "AL"))
        if op == "STADD":
            order = self.rng.choice(("", "L"))
            self.lines += ["MOV W20,#1", f"STADD{order} W20,[{self.loc()}]"]
            self.increments += 1
            return
        r = self.reg()
        self.lines += ["MOV W20,#1", f"{op}{order} W20,{r},[{self.loc()}]"]
        self.loaded.append(r)
        self.increments += op == "LDADD"

    def cas(self):
        order = self.rng.choice(("", "A", "L", "AL"))
        r = self.reg()
        expect = self.rng.choice((0, 1))
        self.lines += [f"MOV {r},#{expect}", "MOV W20,#2",
                       f"CAS{order} {r},W20,[{self.loc()}]"]
        self.loaded.append(r)

    def exclusive(self):
        load = self.rng.choice(("LDXR", "LDAXR"))
        store = self.rng.choice(("STXR", "STLXR"))
        r = self.reg()
        status = self.reg()
        where = self.loc()
        self.lines += [f"{load} {r},[{where}]", f"ADD W23,{r},#1",
                       f"{store} {status},W23,[{where}]"]
        self.loaded.append(r)
        self.increments += 1


_OPS = ("load", "load", "store", "store", "store_data", "load_addr", "ctrl",
        "pick", "pick_memory", "fence", "atomic", "cas", "exclusive")


def generate(seed: int, threads: int = 2, ops: int = 3,
             locs=LOCS) -> Generated:
    rng = random.Random(seed)
    bodies = []
    increments = 0
    for t in range(threads):
        th = _Thread(t, rng, locs)
        for _ in range(rng.randint(1, ops)):
            getattr(th, rng.choice(_OPS))()
        bodies.append(th)
        increments += th.increments
    init = "\n".join(" ".join(f"{t}:{ADDR[x]}={x};" for x in locs)
                     for t in range(threads))
    height = max(len(th.lines) for th in bodies)
    width = [max([len(line) for line in th.lines] + [4]) for th in bodies]
    rows = [" | ".join(f"P{t}".ljust(width[t]) for t in range(threads))
            + " ;"]
    for i in range(height):
        cells = [(th.lines[i] if i < len(th.lines) else "").ljust(width[t])
                 for t, th in enumerate(bodies)]
        rows.append(" | ".join(cells) + " ;")
    observed = [v for th in bodies for v in th.observed] + list(locs)
    text = (f"AArch64 random-{seed}\n{{\n{init}\n}}\n" + "\n".join(rows)
            + f"\nlocations [{'; '.join(observed)};]\n"
            + f"exists ({locs[0]}=0 \\/ {locs[0]}!=0)\n")
    return Generated(text, 2 + increments)
