"""The frontier search against brute force: on random monotone
predicates over random small lattices (a known answer), and on toy
protocols under each memory model (MP with two sites, SB with two
fences), the frontier equals the minimal safe points of an exhaustive
enumeration."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace

import pytest

from evaluator import memory_models
from evaluator.checker.litmus import parse_litmus, run_litmus
from evaluator.weaken import lattice
from evaluator.weaken.frontier import (SAFE, UNKNOWN, UNSAFE,
                                               Outcome, find_frontier)
from evaluator.weaken.sites import apply, find_sites
from evaluator.errors import CheckerError
from evaluator.orders import Order


def all_points(kinds, pinned, start):
    choices = [(start[i],) if pinned[i] else lattice.levels(k)
               for i, k in enumerate(kinds)]
    return list(itertools.product(*choices))


def leq(kinds, a, b):
    return all(lattice.leq(k, x, y) for k, x, y in zip(kinds, a, b))


def brute_minimal(kinds, points, safe):
    good = [p for p in points if safe(p)]
    return {p for p in good
            if not any(q != p and leq(kinds, q, p) for q in good)}


def random_monotone(kinds, rng):
    """Safe = above at least one of a few random generators."""
    gens = [tuple(rng.choice(lattice.levels(k)) for k in kinds)
            for _ in range(rng.randint(1, 3))]
    return lambda p: any(leq(kinds, g, p) for g in gens)


def oracle_of(safe, calls):
    def oracle(points):
        calls.extend(points)
        return [Outcome(SAFE if safe(p) else UNSAFE,
                        {"m": SAFE if safe(p) else UNSAFE}) for p in points]
    return oracle


@pytest.mark.parametrize("seed", range(60))
def test_random_monotone_predicates_match_brute_force(seed):
    rng = random.Random(seed)
    kinds = tuple(rng.choice(lattice.KINDS)
                  for _ in range(rng.randint(1, 5)))
    start = tuple(rng.choice(lattice.levels(k)) for k in kinds)
    pinned = tuple(rng.random() < 0.2 for _ in kinds)
    safe = random_monotone(kinds, rng)
    calls = []
    result = find_frontier(kinds, start, oracle_of(safe, calls),
                           pinned=pinned)
    points = all_points(kinds, pinned, start)
    assert result.complete
    assert set(result.points) == brute_minimal(kinds, points, safe)
    assert len(calls) == len(set(calls))            # memoised
    assert len(calls) <= len(points)
    for point in result.points:                     # the reasons
        for site, (lower, outcome) in result.reasons[point].items():
            assert outcome.verdict == UNSAFE and not safe(lower)
            assert lower[site] != point[site]


@pytest.mark.parametrize("seed", range(30))
def test_no_point_is_checked_that_monotonicity_already_decides(seed):
    rng = random.Random(1000 + seed)
    kinds = tuple(rng.choice(lattice.KINDS)
                  for _ in range(rng.randint(2, 6)))
    safe = random_monotone(kinds, rng)
    batches = []
    oracle = oracle_of(safe, [])
    result = find_frontier(kinds, (Order.SEQ_CST,) * len(kinds),
                           lambda points: batches.append(points) or
                           oracle(points))
    calls = [p for batch in batches for p in batch]
    # reported points and their one-step weakenings are always checked;
    # a batch is checked at once, so it is judged by the earlier ones
    forced = set(result.points) | {
        point[:i] + (v,) + point[i + 1:] for point in result.points
        for i, k in enumerate(kinds)
        for v in lattice.lower_covers(k, point[i])}
    for n, batch in enumerate(batches):
        earlier = [p for b in batches[:n] for p in b]
        for point in set(batch) - forced:
            assert not any(safe(q) and leq(kinds, q, point)
                           for q in earlier)
            assert not any(not safe(q) and leq(kinds, point, q)
                           for q in earlier)
    assert result.checks == len(calls) == len(set(calls))


def test_the_descent_tries_the_weakest_levels_first():
    # A safe check explores everything, an unsafe one stops early: a
    # site whose weakest level is safe costs one check, not one per
    # level below it.
    calls = []
    result = find_frontier((lattice.FENCE,), (Order.SEQ_CST,),
                           oracle_of(lambda p: True, calls))
    assert result.points == ((Order.RELAXED,),)
    assert calls == [(Order.SEQ_CST,), (Order.RELAXED,)]
    # relaxed unsafe: acquire and release together, acq_rel never
    calls = []
    find_frontier((lattice.FENCE,), (Order.SEQ_CST,),
                  oracle_of(lambda p: p != (Order.RELAXED,), calls))
    assert calls == [(Order.SEQ_CST,), (Order.RELAXED,),
                     (Order.ACQUIRE,), (Order.RELEASE,)]


def test_the_search_checks_far_fewer_points_than_the_lattice_has():
    kinds = (lattice.RMW,) * 4 + (lattice.FENCE,) * 4
    need = (Order.ACQUIRE, Order.RELAXED, Order.RELEASE, Order.RELAXED,
            Order.SEQ_CST, Order.RELAXED, Order.RELAXED, Order.ACQ_REL)
    calls = []
    result = find_frontier(kinds, need, oracle_of(
        lambda p: leq(kinds, need, p), calls))
    assert result.points == (need,) and result.complete
    assert result.space == 5 ** 8 and len(calls) < 100


def test_a_budget_never_calls_a_partial_frontier_complete():
    kinds = (lattice.LOAD, lattice.STORE, lattice.FENCE)
    safe = random_monotone(kinds, random.Random(7))
    result = find_frontier(kinds, (Order.SEQ_CST,) * 3,
                           oracle_of(safe, []), budget=2)
    assert not result.complete and result.unexplored >= 1
    assert result.checks <= 2


def test_unknown_is_never_safe_and_leaves_the_frontier_incomplete():
    kinds = (lattice.LOAD,)

    def oracle(points):
        return [Outcome(UNKNOWN if p == (Order.RELAXED,) else SAFE,
                        {"m": UNKNOWN if p == (Order.RELAXED,) else SAFE})
                for p in points]
    result = find_frontier(kinds, (Order.SEQ_CST,), oracle)
    assert result.points == ((Order.ACQUIRE,),)
    [(site, (lower, outcome))] = result.reasons[(Order.ACQUIRE,)].items()
    assert lower == (Order.RELAXED,) and outcome.verdict == UNKNOWN
    # relaxed might be safe: the frontier is not known to be complete.
    assert not result.complete and result.unknown == ((Order.RELAXED,),)


def test_a_monotonicity_violation_is_a_checker_error():
    kinds = (lattice.LOAD, lattice.LOAD)
    r = Order.RELAXED

    def broken(points):     # (relaxed, relaxed) safe below unsafe ones
        verdicts = [UNSAFE if p[0] == r and p[1] != r else SAFE
                    for p in points]
        return [Outcome(v, {"c11": v}) for v in verdicts]
    # The descent checks (relaxed, seq_cst): unsafe; the reasons of the
    # minimal point (acquire, relaxed) check (relaxed, relaxed): safe.
    with pytest.raises(CheckerError, match="monotonicity broken under c11"):
        find_frontier(kinds, (Order.SEQ_CST,) * 2, broken)


# ---- toy protocols, every model ------------------------------------------

MP = """C MP
{ x = 0; y = 0; }
P0 (atomic_int* x, atomic_int* y) {
  atomic_store_explicit(x, 1, memory_order_relaxed);
  atomic_store_explicit(y, 1, memory_order_seq_cst);
}
P1 (atomic_int* x, atomic_int* y) {
  int r0 = atomic_load_explicit(y, memory_order_seq_cst);
  int r1 = atomic_load_explicit(x, memory_order_relaxed);
}
exists (1:r0=1 /\\ 1:r1=0)
"""

SB = """C SB
{ x = 0; y = 0; }
P0 (atomic_int* x, atomic_int* y) {
  atomic_store_explicit(x, 1, memory_order_relaxed);
  atomic_thread_fence(memory_order_seq_cst);
  int r0 = atomic_load_explicit(y, memory_order_relaxed);
}
P1 (atomic_int* x, atomic_int* y) {
  atomic_store_explicit(y, 1, memory_order_relaxed);
  atomic_thread_fence(memory_order_seq_cst);
  int r1 = atomic_load_explicit(x, memory_order_relaxed);
}
exists (0:r0=0 /\\ 1:r1=0)
"""


def _toy(text, free):
    test = parse_litmus(text, "toy.litmus")
    lines = text.splitlines()
    sites = find_sites(test.program, lambda file, line: lines[line - 1])
    pinned = tuple(s.name not in free for s in sites)
    return test, sites, pinned


def _safe(test, sites, model):
    def safe(point):
        program = apply(test.program, sites,
                        {s.name: level for s, level in zip(sites, point)})
        result = run_litmus(replace(test, program=program), model)
        return result.verdict == "forbidden"
    return safe


@pytest.mark.parametrize("model", memory_models.names())
@pytest.mark.parametrize("toy,free", [
    (MP, {"P0:atomic_store_explicit@5", "P1:atomic_load_explicit@8"}),
    (SB, {"P0:atomic_thread_fence", "P1:atomic_thread_fence"})],
    ids=["MP", "SB"])
def test_toy_frontier_equals_brute_force(toy, free, model):
    test, sites, pinned = _toy(toy, free)
    assert {s.name for s in sites} >= free
    kinds = tuple(s.kind for s in sites)
    start = tuple(s.level for s in sites)
    safe = _safe(test, sites, model)
    result = find_frontier(kinds, start, oracle_of(safe, []), pinned=pinned)
    expected = brute_minimal(kinds, all_points(kinds, pinned, start), safe)
    assert result.complete and set(result.points) == expected


def test_toy_frontiers_are_the_textbook_ones():
    test, sites, pinned = _toy(MP, {"P0:atomic_store_explicit@5",
                                    "P1:atomic_load_explicit@8"})
    safe = _safe(test, sites, "c11")
    result = find_frontier(tuple(s.kind for s in sites),
                           tuple(s.level for s in sites),
                           oracle_of(safe, []), pinned=pinned)
    named = [{s.name: lattice.name(s.kind, p[i])
              for i, s in enumerate(sites) if not pinned[i]}
             for p in result.points]
    # C11 MP: a release store and an acquire load, nothing weaker.
    assert named == [{"P0:atomic_store_explicit@5": "release",
                      "P1:atomic_load_explicit@8": "acquire"}]
    test, sites, pinned = _toy(SB, {"P0:atomic_thread_fence",
                                    "P1:atomic_thread_fence"})
    tso = find_frontier(tuple(s.kind for s in sites),
                        tuple(s.level for s in sites),
                        oracle_of(_safe(test, sites, "tso"), []),
                        pinned=pinned)
    # x86-TSO SB: both fences must be MFENCEs (seq_cst); SC needs none.
    assert [tuple(lattice.name(s.kind, p[i]) for i, s in enumerate(sites)
                  if not pinned[i]) for p in tso.points] == \
        [("seq_cst", "seq_cst")]
    sc = find_frontier(tuple(s.kind for s in sites),
                       tuple(s.level for s in sites),
                       oracle_of(_safe(test, sites, "sc"), []),
                       pinned=pinned)
    assert [tuple(lattice.name(s.kind, p[i]) for i, s in enumerate(sites)
                  if not pinned[i]) for p in sc.points] == \
        [("absent", "absent")]
