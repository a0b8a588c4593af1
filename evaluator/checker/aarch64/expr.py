"""Integer expressions over a thread's locals, with AArch64 helpers.

ir.Pure compiles its source once into `lambda L: ...`; `ArmPure` does
the same in a namespace that also holds the condition-flag helpers and
the program's address map (`_loc`), so the IR interpreter needs nothing
AArch64-specific.  Flags are kept as one integer NZCV (N=8, Z=4, C=2,
V=1), as the architecture defines them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ..ir import Pure
from ..memory import Deps

MASKS = {8: 0xFF, 16: 0xFFFF, 32: 0xFFFF_FFFF, 64: 0xFFFF_FFFF_FFFF_FFFF}


def signed(value: int, bits: int) -> int:
    value &= MASKS[bits]
    return value - (1 << bits) if value >> (bits - 1) else value


def nzcv_add(a: int, b: int, carry: int, bits: int) -> int:
    mask = MASKS[bits]
    unsigned = (a & mask) + (b & mask) + carry
    result = unsigned & mask
    exact = signed(a, bits) + signed(b, bits) + carry
    n = result >> (bits - 1)
    z = result == 0
    c = unsigned > mask
    v = exact != signed(result, bits)
    return (n << 3) | (z << 2) | (c << 1) | int(v)


def nzcv_sub(a: int, b: int, bits: int) -> int:
    """Flags of a - b (SUBS, CMP): a + ~b + 1."""
    return nzcv_add(a, ~b & MASKS[bits], 1, bits)


def nzcv_logic(result: int, bits: int) -> int:
    """Flags of ANDS/TST: N and Z from the result, C = V = 0."""
    result &= MASKS[bits]
    return ((result >> (bits - 1)) << 3) | ((result == 0) << 2)


def condition(nzcv: int, code: str) -> int:
    n, z, c, v = nzcv >> 3 & 1, nzcv >> 2 & 1, nzcv >> 1 & 1, nzcv & 1
    table = {
        "EQ": z, "NE": not z, "CS": c, "HS": c, "CC": not c, "LO": not c,
        "MI": n, "PL": not n, "VS": v, "VC": not v,
        "HI": c and not z, "LS": not c or z,
        "GE": n == v, "LT": n != v, "GT": not z and n == v,
        "LE": z or n != v, "AL": 1, "NV": 1,
    }
    return int(bool(table[code]))


INVERSE = {"EQ": "NE", "NE": "EQ", "CS": "CC", "HS": "LO", "CC": "CS",
           "LO": "HS", "MI": "PL", "PL": "MI", "VS": "VC", "VC": "VS",
           "HI": "LS", "LS": "HI", "GE": "LT", "LT": "GE", "GT": "LE",
           "LE": "GT"}


def namespace(locate: Callable[[int], str]) -> dict:
    """What ArmPure sources may call: `_loc` maps an address to a
    location name (raising ValueError for any other address)."""
    return {"_nzcv_add": nzcv_add, "_nzcv_sub": nzcv_sub,
            "_nzcv_logic": nzcv_logic, "_cond": condition, "_sx": signed,
            "_loc": locate, "_Deps": Deps}


class ArmPure(Pure):
    __slots__ = ("ns",)

    def __init__(self, src: str, uses: frozenset[int], ns: Mapping):
        super().__init__(src, uses)
        self.ns = ns

    @property
    def fn(self):
        if self._fn is None:
            self._fn = eval("lambda L: " + self.src, dict(self.ns))
        return self._fn


class Exprs:
    """Builds expressions for one program (one namespace)."""

    def __init__(self, ns: Mapping):
        self.ns = ns

    def const(self, value: int) -> Pure:
        return Pure.constant(value)

    def slot(self, index: int) -> Pure:
        return Pure.slot(index)

    def make(self, template: str, *args: Pure) -> Pure:
        """`template` with {0}, {1}, ... replaced by the arguments'
        sources; folded to a constant when every argument is one."""
        src = template.format(*(f"({a.src})" for a in args))
        uses: frozenset[int] = frozenset()
        for arg in args:
            uses |= arg.uses
        if all(a.const is not None for a in args):
            try:
                value = eval(src, dict(self.ns))
            except (ArithmeticError, ValueError):
                value = None        # reported with its line where it is used
            if isinstance(value, bool):
                value = int(value)
            if isinstance(value, int):
                return Pure.constant(value)
        return ArmPure(src, uses, self.ns)

    def union(self, *masks: Pure) -> Pure:
        """Bitwise or of taint masks, skipping constant zeros."""
        live = [m for m in masks if m.const != 0]
        if not live:
            return Pure.constant(0)
        if len(live) == 1:
            return live[0]
        return self.make(" | ".join(f"{{{i}}}" for i in range(len(live))),
                         *live)
