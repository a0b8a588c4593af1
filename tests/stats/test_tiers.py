"""Tiers on constructed cases."""

from evaluator.stats.tiers import assign_tiers


def relation(pairs):
    below = set(pairs)
    return lambda a, b: (a, b) in below


def test_clear_separation_gives_one_tier_each():
    order = ["a", "b", "c"]
    ordered = relation({("b", "a"), ("c", "a"), ("c", "b")})
    assert assign_tiers(order, ordered) == {"a": 1, "b": 2, "c": 3}


def test_indistinguishable_variants_share_a_tier():
    # a ~ b (not ordered), both beat c and d; c ~ d
    order = ["a", "b", "c", "d"]
    ordered = relation({("c", "a"), ("d", "a"), ("c", "b"), ("d", "b")})
    assert assign_tiers(order, ordered) == {"a": 1, "b": 1, "c": 2, "d": 2}


def test_a_variant_shown_slower_never_shares_a_better_tier():
    # b is not ordered below a, c is not ordered below a, but c is below
    # b: tier 1 = what nothing remaining beats -> {a, b}; then c; then d
    order = ["a", "b", "c", "d"]
    ordered = relation({("c", "b"), ("d", "a"), ("d", "b"), ("d", "c")})
    assert assign_tiers(order, ordered) == {"a": 1, "b": 1, "c": 2, "d": 3}


def test_missing_comparison_orders_nothing_but_others_still_count():
    # b vs a unknown (no shared processes), b slower than the baseline c,
    # c not distinguishable from a: b must not land above c
    order = ["a", "b", "c"]
    ordered = relation({("b", "c")})
    tiers = assign_tiers(order, ordered)
    assert tiers["c"] < tiers["b"] and tiers["a"] == 1


def test_chain_of_overlaps_splits_at_the_best_of_each_round():
    # a ~ b, b ~ c, but c below a: tier 1 {a, b}, then {c}
    order = ["a", "b", "c"]
    ordered = relation({("c", "a")})
    assert assign_tiers(order, ordered) == {"a": 1, "b": 1, "c": 2}


def test_empty():
    assert assign_tiers([], relation(set())) == {}
