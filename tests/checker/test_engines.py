"""The engines against the reference one (issue 11): same verdicts,
outcome sets, state counts and counterexamples.

A small sample runs in the normal suite; the full one (2,000 seeded
random programs, every shipped variant in the default scenario and with
two pollers) with --benchmark.

compact differs from the reference only in what the search keeps of a
visited state, so state counts and traces must be equal too: a
difference would mean the compact key merges states the reference keeps
apart, or the reverse.  tree (tree.py) visits the same states in
another order and keeps no visited set, so on every complete search it
must count the same states, reach none twice, and find each property
at the same depth (its trace may be another of the same length).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from evaluator.checker import CheckOptions, Scenario, check_variant
from evaluator.checker.check import compile_variant
from evaluator.checker.explore import Explorer
from evaluator.checker.litmus import parse_litmus, read_litmus, run_litmus
from evaluator.checker.models import get_model
from evaluator.checker.properties import standard

from .conftest import needs_c11
from .engine_programs import program

SHARED = Path(__file__).resolve().parents[3] / "shared" / "litmus"
REPO_LITMUS = Path(__file__).resolve().parents[2] / "litmus"
QUICK_SEEDS = range(150)
FULL_SEEDS = range(150, 2150)


def _litmus_same(test) -> None:
    a = run_litmus(test, "c11", engine="compact")
    b = run_litmus(test, "c11", engine="reference")
    c = run_litmus(test, "c11", engine="tree")
    assert (a.verdict, a.outcomes, a.explored) == \
        (b.verdict, b.outcomes, b.explored) == \
        (c.verdict, c.outcomes, c.explored), test.name


def _check_same(rendered, name: str, options: CheckOptions) -> None:
    a = check_variant(rendered, "c11", replace(options, engine="compact"))
    b = check_variant(rendered, "c11",
                      replace(options, engine="reference"))
    assert (a.verdict, a.explored, a.violations) == \
        (b.verdict, b.explored, b.violations), name
    _tree_same(compile_variant(rendered, options), name)


class _Seen:
    """A check that records every state it is called on, by its graph
    (labels and coherence orders: ids are per search), and counts the
    states it sees twice."""

    property = "seen"

    def __init__(self):
        self.states: set = set()
        self.twice = 0

    def __call__(self, explorer, node, threads, mem, counters, ghost):
        key = (threads, mem.labels(),
               tuple(loc.order for loc in mem.locs), ghost)
        self.twice += key in self.states
        self.states.add(key)


def _search(program, engine: str, stop_at_first: bool):
    model = get_model("c11")
    checks, ghost = standard(model, 3, marked=bool(program.marks))
    seen = _Seen()
    search = Explorer(program, model, engine=engine).search(
        checks + (seen,), None, ghost, stop_at_first=stop_at_first)
    depths = {prop: search.depth(finding.node)
              for prop, finding in search.findings.items()}
    return search, depths, seen


def _tree_same(program, name: str) -> None:
    """Every state once, the reference's states, the same depths; and
    the first counterexample as short as the reference's."""
    ref, ref_depths, ref_seen = _search(program, "reference", False)
    tree, depths, seen = _search(program, "tree", False)
    assert seen.twice == 0, name
    assert seen.states == ref_seen.states, name
    assert (tree.explored, tree.cut, depths) == \
        (ref.explored, ref.cut, ref_depths), name
    _, first, _ = _search(program, "tree", True)
    _, ref_first, _ = _search(program, "reference", True)
    assert min(first.values(), default=None) == \
        min(ref_first.values(), default=None), name


@needs_c11()
def test_random_programs_quick():
    for seed in QUICK_SEEDS:
        _litmus_same(parse_litmus(program(seed), f"seed{seed}.litmus"))


@needs_c11()
def test_litmus_corpora():
    files = sorted(SHARED.glob("*.litmus")) + \
        sorted(REPO_LITMUS.glob("*.litmus"))
    assert files
    for path in files:
        test = read_litmus(path)
        if len(test.program.threads) <= 4:
            _litmus_same(test)


@needs_c11()
@pytest.mark.parametrize("name", ["qemu-4.2-c11-rmw", "bug-skip-set",
                                  "acq-rel"])
def test_protocol_small(rendered, name):
    options = CheckOptions(scenario=Scenario(rounds=2, iterations=2))
    _check_same(rendered(name), name, options)


@needs_c11()
@pytest.mark.parametrize("name", ["original-05e514b1", "qemu-5.2",
                                  "bug-notified-first"])
def test_tree_every_state_once(rendered, name):
    options = CheckOptions(scenario=Scenario(rounds=2, iterations=2))
    _tree_same(compile_variant(rendered(name), options), name)


@needs_c11()
def test_tree_on_random_programs():
    """Litmus-shaped programs reach every final state the same way:
    the tree reaches each state once and the reference's states."""
    for seed in range(40):
        test = parse_litmus(program(seed), f"seed{seed}.litmus")
        _tree_same(test.program, test.name)


@needs_c11()
def test_two_pollers_small(rendered):
    options = CheckOptions(scenario=Scenario(rounds=1, iterations=1,
                                             pollers=2))
    _check_same(rendered("original-05e514b1"), "original-05e514b1",
                options)


def test_unknown_engine_is_refused():
    from evaluator.errors import CheckerError
    with pytest.raises(CheckerError, match="engine"):
        CheckOptions(engine="fast")


@pytest.mark.benchmark
@needs_c11()
def test_random_programs_full():
    for seed in FULL_SEEDS:
        _litmus_same(parse_litmus(program(seed), f"seed{seed}.litmus"))


@pytest.mark.benchmark
@needs_c11()
@pytest.mark.parametrize("scenario", [Scenario(), Scenario(
    rounds=1, iterations=1, pollers=2)], ids=["default", "pollers2"])
def test_every_variant(rendered, variants, scenario):
    options = CheckOptions(scenario=scenario, all_violations=True)
    for name, variant in variants.items():
        if variant.in_all:
            _check_same(rendered(name), name, options)
