"""Tiers: groups of variants the run cannot tell apart.

Tier 1 is the best variant plus every variant not ordered below it;
remove them and repeat (benchmark-method §4.5).  "Ordered below" comes
from the pairwise comparisons: Holm-significant and the whole 95% CI
beyond the practical threshold (stats_math.verdict).  Because the
relation need not be transitive, a variant can share a tier with the
best one although a variant ordered above it landed in a later tier; the
procedure is the one stated, applied greedily from the top.
"""

from __future__ import annotations

from typing import Callable, Sequence


def assign_tiers(order: Sequence[str],
                 ordered_below: Callable[[str, str], bool]) -> dict[str, int]:
    """`order` lists variants best first (by point estimate);
    `ordered_below(a, b)` is True when a is demonstrably slower than b."""
    remaining = list(order)
    tiers: dict[str, int] = {}
    tier = 1
    while remaining:
        best = remaining[0]
        members = [v for v in remaining
                   if v == best or not ordered_below(v, best)]
        for name in members:
            tiers[name] = tier
        remaining = [v for v in remaining if v not in tiers]
        tier += 1
    return tiers
