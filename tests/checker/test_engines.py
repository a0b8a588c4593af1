"""The compact engine against the reference one (issue 11): same
verdicts, outcome sets, state counts and counterexample traces.

A small sample runs in the normal suite; the full one (2,000 seeded
random programs, every shipped variant in the default scenario and with
two pollers) with --benchmark.  The engines differ only in what the
search keeps of a visited state (explore.ENGINES), so the state counts
must be equal too, not just the verdicts: a difference would mean the
compact key merges states the reference keeps apart, or the reverse.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from evaluator.checker import CheckOptions, Scenario, check_variant
from evaluator.checker.litmus import parse_litmus, read_litmus, run_litmus

from .conftest import needs_c11
from .engine_programs import program

SHARED = Path(__file__).resolve().parents[3] / "shared" / "litmus"
REPO_LITMUS = Path(__file__).resolve().parents[2] / "litmus"
QUICK_SEEDS = range(150)
FULL_SEEDS = range(150, 2150)


def _litmus_same(test) -> None:
    a = run_litmus(test, "c11", engine="compact")
    b = run_litmus(test, "c11", engine="reference")
    assert (a.verdict, a.outcomes, a.explored) == \
        (b.verdict, b.outcomes, b.explored), test.name


def _check_same(rendered, name: str, options: CheckOptions) -> None:
    a = check_variant(rendered, "c11", replace(options, engine="compact"))
    b = check_variant(rendered, "c11",
                      replace(options, engine="reference"))
    assert (a.verdict, a.explored, a.violations) == \
        (b.verdict, b.explored, b.violations), name


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
