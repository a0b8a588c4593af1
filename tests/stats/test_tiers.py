"""Tiers on constructed cases."""

from evaluator.stats_tiers import assign_tiers


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


def test_non_transitive_case_follows_the_stated_procedure():
    # b is not ordered below a, c is not ordered below a, but c is below
    # b: tier 1 = best plus everything not ordered below *it* -> {a,b,c}
    order = ["a", "b", "c", "d"]
    ordered = relation({("c", "b"), ("d", "a"), ("d", "b"), ("d", "c")})
    assert assign_tiers(order, ordered) == {"a": 1, "b": 1, "c": 1, "d": 2}


def test_chain_of_overlaps_splits_at_the_best_of_each_round():
    # a ~ b, b ~ c, but c below a: tier 1 {a, b}, then {c}
    order = ["a", "b", "c"]
    ordered = relation({("c", "a")})
    assert assign_tiers(order, ordered) == {"a": 1, "b": 1, "c": 2}


def test_empty():
    assert assign_tiers([], relation(set())) == {}
