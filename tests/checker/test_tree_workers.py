"""One tree search over several processes (tree_workers.py) against the
same search in one: the same verdict, the same counterexample (trace
included), and, where nothing is found, the same state and cut counts.

The breadth-first levels are cut to a few states (tree.FRONTIER) so
that small scenarios reach the depth-first half, which the workers
share; a spy checks that they did.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from evaluator.checker import CheckOptions, Scenario, check_variant
from evaluator.checker import tree, tree_workers
from evaluator.checker.limits import MAX_STATES_KIND
from evaluator.errors import ModelBound

from .conftest import needs_c11

SMALL = Scenario(rounds=2, iterations=2)


@pytest.fixture
def forked(monkeypatch):
    """tree.FRONTIER lowered; the sizes of the levels handed to workers,
    and how many findings were replayed from them."""
    monkeypatch.setattr(tree, "FRONTIER", 6)
    seen = {"levels": [], "replayed": 0}
    descend_all, replay = tree_workers.descend_all, tree.DepthFirst.replay

    def spy_descend_all(engine, level, workers):
        seen["levels"].append(len(level))
        return descend_all(engine, level, workers)

    def spy_replay(self, entry, moves, prop):
        seen["replayed"] += 1
        return replay(self, entry, moves, prop)
    monkeypatch.setattr(tree_workers, "descend_all", spy_descend_all)
    monkeypatch.setattr(tree.DepthFirst, "replay", spy_replay)
    return seen


def _both(rendered, name, options):
    one = check_variant(rendered(name), "c11", options)
    two = check_variant(rendered(name), "c11", replace(options, workers=2))
    return one, two


@needs_c11()
@pytest.mark.parametrize("name,scenario,verdict,all_violations", [
    ("qemu-5.2", SMALL, "safe", False),
    ("original-05e514b1", SMALL, "safe", False),
    ("bug-skip-set", Scenario(), "unsafe", False),
    ("bug-notified-first", Scenario(), "unsafe", False),
    ("bug-notified-first", Scenario(), "unsafe", True)])
def test_same_result_as_one_process(rendered, forked, name, scenario,
                                    verdict, all_violations):
    options = CheckOptions(scenario=scenario,
                           all_violations=all_violations)
    one, two = _both(rendered, name, options)
    assert forked["levels"] and forked["levels"][0] > 1   # they searched
    assert one.verdict == two.verdict == verdict
    assert one.violations == two.violations     # traces included
    if verdict == "safe":
        assert (one.explored, one.cut) == (two.explored, two.cut)
    else:       # found in a worker, rebuilt here
        assert forked["replayed"] == len(two.violations) >= 1


@needs_c11()
def test_state_limit_is_shared(rendered, forked):
    """Each worker counts the others' states: the check stops near the
    limit (within one clock look, 1,024 charges, per worker), not at
    twice it."""
    options = CheckOptions(max_states=20_000, workers=2)
    result = check_variant(rendered("qemu-5.2"), "c11", options)
    assert forked["levels"]
    assert result.verdict == "unknown"
    assert result.limit.kind == MAX_STATES_KIND
    assert 20_000 - 2 * 1024 <= result.explored + result.steps \
        <= 20_000 + 2 * 1024


@needs_c11()
def test_a_workers_error_is_raised_as_itself(rendered, forked,
                                             monkeypatch):
    """A model bound met in a worker ends the check as it would in one
    process: verdict unknown, with the bound's reason."""
    real = tree.DepthFirst.descend

    def descend(self, state, forbid, late_block, path):
        raise ModelBound("a bound met below the breadth-first levels")
    monkeypatch.setattr(tree.DepthFirst, "descend", descend)
    options = CheckOptions(scenario=SMALL, workers=2)
    result = check_variant(rendered("qemu-5.2"), "c11", options)
    monkeypatch.setattr(tree.DepthFirst, "descend", real)
    assert forked["levels"]
    assert result.verdict == "unknown"
    assert "below the breadth-first levels" in result.limit.detail


def test_no_workers_is_refused():
    from evaluator.errors import CheckerError
    with pytest.raises(CheckerError, match="workers = 0"):
        CheckOptions(workers=0)
