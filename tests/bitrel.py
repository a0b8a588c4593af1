"""Relation algebra on successor bitsets, for the cat-model oracles
(tests/rc11/rc11_oracle.py, tests/armv8/oracle.py): a relation over n
events is a list of n ints, bit j of row i meaning i -> j."""

from __future__ import annotations


def seq(a, b):
    out = []
    for row in a:
        acc = 0
        rest = row
        while rest:
            low = rest & -rest
            acc |= b[low.bit_length() - 1]
            rest ^= low
        out.append(acc)
    return out


def union(*rels):
    return [_or(rows) for rows in zip(*rels)]


def _or(rows):
    acc = 0
    for r in rows:
        acc |= r
    return acc


def inter(a, b):
    return [x & y for x, y in zip(a, b)]


def minus(a, b):
    return [x & ~y for x, y in zip(a, b)]


def ident(n, mask=None):
    """The identity on the events in mask (all n when mask is None)."""
    return [(1 << i) if mask is None or mask >> i & 1 else 0
            for i in range(n)]


def opt(a):
    return union(a, ident(len(a)))


def plus(a):
    closure = list(a)
    while True:
        nxt = union(closure, seq(closure, closure))
        if nxt == closure:
            return closure
        closure = nxt


def star(a):
    return opt(plus(a))


def inv(a):
    n = len(a)
    out = [0] * n
    for i, row in enumerate(a):
        for j in range(n):
            if row >> j & 1:
                out[j] |= 1 << i
    return out


def irreflexive(a):
    return all(not row >> i & 1 for i, row in enumerate(a))


def acyclic(a):
    return irreflexive(plus(a))


def empty(a):
    return not any(a)
