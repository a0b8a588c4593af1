"""The order lattice of each kind of site (issue 12):

    load    relaxed < acquire < seq_cst
    store   relaxed < release < seq_cst
    RMW     relaxed < acquire, release < acq_rel < seq_cst
    fence   absent  < acquire, release < acq_rel < seq_cst

acquire and release are incomparable in the last two.  Each is a
distributive lattice (a chain, or a 2x2 square with a top), so the
product over all sites is one too, and the search in frontier.py can
take meets.  consume is not a level: C11 orders it only through carried
dependencies, and the checker reads it as relaxed or acquire depending
on the compiler reading, so a weakening to consume would not say which.
An absent fence is represented as a relaxed fence, which every model
treats as no fence at all.
"""

from __future__ import annotations

from ..orders import Order

LOAD, STORE, RMW, FENCE = "load", "store", "rmw", "fence"
KINDS = (LOAD, STORE, RMW, FENCE)

# Levels per kind; the relation "below" as the set of strictly weaker
# levels of each level (small, so written out).
_R, _A, _L, _AL, _S = (Order.RELAXED, Order.ACQUIRE, Order.RELEASE,
                       Order.ACQ_REL, Order.SEQ_CST)
_SQUARE = {_R: frozenset(), _A: frozenset({_R}), _L: frozenset({_R}),
           _AL: frozenset({_R, _A, _L}), _S: frozenset({_R, _A, _L, _AL})}
_BELOW = {
    LOAD: {_R: frozenset(), _A: frozenset({_R}), _S: frozenset({_R, _A})},
    STORE: {_R: frozenset(), _L: frozenset({_R}), _S: frozenset({_R, _L})},
    RMW: _SQUARE,
    FENCE: _SQUARE,
}


def levels(kind: str) -> tuple[Order, ...]:
    return tuple(_BELOW[kind])


def leq(kind: str, a: Order, b: Order) -> bool:
    return a == b or a in _BELOW[kind][b]


def lower_covers(kind: str, level: Order) -> tuple[Order, ...]:
    """The levels exactly one step weaker."""
    below = _BELOW[kind][level]
    return tuple(x for x in levels(kind) if x in below
                 and not any(x in _BELOW[kind][y] for y in below))


def rank(kind: str, level: Order) -> int:
    """The length of the longest chain of levels below (relaxed 0;
    acquire and release 1; ...): levels of one rank are incomparable,
    and every level below one of rank r has a smaller rank."""
    covers = lower_covers(kind, level)
    return 1 + max(rank(kind, c) for c in covers) if covers else 0


def meet(kind: str, a: Order, b: Order) -> Order:
    """The strongest level below both."""
    common = [x for x in levels(kind) if leq(kind, x, a) and leq(kind, x, b)]
    return max(common, key=lambda x: len(_BELOW[kind][x]))


def bottom(kind: str) -> Order:
    return Order.RELAXED


def top(kind: str) -> Order:
    return Order.SEQ_CST


def not_above(kind: str, level: Order) -> tuple[Order, ...]:
    """The maximal levels x with not (level <= x): where a point that is
    not above `level` can stand, at its strongest."""
    out = [x for x in levels(kind) if not leq(kind, level, x)]
    return tuple(x for x in out
                 if not any(x != y and leq(kind, x, y) for y in out))


def name(kind: str, level: Order) -> str:
    if kind == FENCE and level == Order.RELAXED:
        return "absent"
    return level.short


def normal(kind: str, order: Order) -> Order:
    """The lattice level of an order as written (consume reads as
    acquire for a load: the strongest meaning a compiler gives it; a
    store, RMW or fence takes its order as is)."""
    if order == Order.CONSUME:
        return Order.ACQUIRE
    return order
