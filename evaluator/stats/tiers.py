"""Tiers: groups of variants the run cannot tell apart.

Tier 1 holds every variant that no other variant is demonstrably
faster than; remove them and repeat (benchmark-method §4.5, taking the
maximal elements so the result does not depend on which variant has the
best point estimate).  "Ordered below" comes from the pairwise
comparisons: Holm-significant and the whole 95% CI beyond the practical
threshold (stats_math.verdict).  So a variant shown slower than another
is never in a better tier than it; a pair with no shared processes
orders nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence


def assign_tiers(order: Sequence[str],
                 ordered_below: Callable[[str, str], bool]) -> dict[str, int]:
    """`order` lists variants best first (by point estimate);
    `ordered_below(a, b)` is True when a is demonstrably slower than b."""
    remaining = list(order)
    tiers: dict[str, int] = {}
    tier = 1
    while remaining:
        members = [v for v in remaining
                   if not any(ordered_below(v, u) for u in remaining
                              if u != v)] or [remaining[0]]
        for name in members:
            tiers[name] = tier
        remaining = [v for v in remaining if v not in tiers]
        tier += 1
    return tiers
