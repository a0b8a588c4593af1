"""Every search is bounded: a cell that reaches a limit is unknown, with
the reason, and the other cells keep their verdicts."""

from __future__ import annotations

import json

import pytest

from evaluator.checker import CheckOptions, Scenario, check_program
from evaluator.checker import check_variant
from evaluator.checker.frontend import parse_c
from evaluator.checker.limits import Budget, LimitHit, SearchLimit
from evaluator.checker.models import get_model
from evaluator.checker.results import CheckResult, Violation
from evaluator.checker.scenario import build_program
from evaluator.cli import main


def test_state_limit_in_one_cell_keeps_every_other_cell(capsys):
    argv = ["check", "--variants", "relaxed,bug-skip-set", "--models",
            "sc,c11", "--max-states", "20000", "--jobs", "1"]
    assert main(argv + ["--json"]) == 1      # unknown: not fine, needs a look
    cells = {(r["variant"], r["model"]): r
             for r in json.loads(capsys.readouterr().out)["results"]}
    limited = cells[("relaxed", "c11")]
    assert (limited["verdict"], limited["mark"]) == ("unknown", "?")
    assert limited["limit"]["kind"] == "max-states"
    assert limited["limit"]["phase"] == "search"
    assert limited["violations"] == [] and not limited["complete"]
    assert 19_000 < limited["explored"] <= 20_000
    assert "state limit (20000 states and steps)" in limited["reason"]
    assert "raise --max-states" in limited["reason"]
    assert (cells[("relaxed", "sc")]["verdict"],
            cells[("relaxed", "sc")]["mark"]) == ("safe", "✓")
    for model in ("sc", "c11"):
        cell = cells[("bug-skip-set", model)]
        assert (cell["verdict"], cell["mark"]) == ("unsafe", "✗")
        assert cell["violations"][0]["property"] == "lost-wakeup"
    assert main(argv) == 1         # unknown is not fine: attention
    out = capsys.readouterr().out.splitlines()
    assert out[1].split() == ["relaxed", "✓", "safe", "?", "max-states"]
    assert out[2].split() == ["bug-skip-set", "✗", "lost-wakeup", "✗",
                              "lost-wakeup"]
    at = out.index("== relaxed under c11: unknown ==")
    assert out[at + 1].startswith("No verdict: the state limit (20000 "
                                  "states and steps) was reached")


def test_time_limit_gives_unknown(rendered):
    result = check_variant(rendered("qemu-5.2"), "c11",
                           CheckOptions(timeout=0.2))
    assert result.verdict == "unknown" and result.violations == ()
    assert result.limit.kind == "timeout"
    assert "time limit (0.2 s)" in result.reason
    assert result.explored > 0


def test_unknown_contradicts_nothing(rendered, variants):
    from evaluator.checker.matrix import with_expectation
    result = with_expectation(check_variant(
        rendered("relaxed"), "c11", CheckOptions(max_states=100)),
        variants["relaxed"])
    assert result.expected == "safe" and result.unknown
    assert not result.contradicts


RUNS_AWAY = """\
typedef struct AioContext { int bh_scheduled; int notifier; int data; }
    AioContext;
void qemu_bh_schedule(AioContext *ctx)
{
    __atomic_exchange_n(&ctx->bh_scheduled, 1, 5);
}
int aio_poll(AioContext *ctx, int blocking)
{
    int n = ctx->data;
    ctx->data = n + 1;
    if (__atomic_exchange_n(&ctx->bh_scheduled, 0, 5)) {
        return 1;
    }
    event_notifier_test_and_clear(&ctx->notifier);
    return 0;
}
"""


@pytest.mark.parametrize("model", ["sc", "tso"])
def test_continuations_are_bounded_too(model):
    """Past its bound the poller never sleeps and never repeats a state
    (it counts): the continuation stops at the state limit and the cell
    is unknown, naming the phase.  (A busy loop would be reported first
    with a small --busy: 1000 keeps P2 out of the way.)"""
    scenario = Scenario(rounds=1, iterations=1, busy_iterations=1000)
    program = build_program(parse_c(RUNS_AWAY, "mini.c"), scenario)
    result = check_program("mini", program, get_model(model),
                           CheckOptions(scenario=scenario,
                                        max_states=5_000))
    assert result.verdict == "unknown"
    assert result.limit.kind == "max-states"
    assert result.limit.phase in ("busy-loop", "termination")
    assert result.steps > 1_000


def test_budget_counts_states_and_steps_and_time():
    budget = Budget(max_states=5)
    for _ in range(3):
        budget.state()
    budget.step(2)
    with pytest.raises(SearchLimit) as raised:
        budget.step()
    assert raised.value.kind == "max-states"
    slow = Budget(timeout=1e-9)
    with pytest.raises(SearchLimit) as raised:
        slow.check_clock()
    assert raised.value.kind == "timeout"


def test_check_result_json_round_trip():
    limit = LimitHit("timeout", "termination", "the time limit (5 s) was "
                     "reached", 1234, 56, 17, 5.0)
    results = [
        CheckResult("relaxed", "c11", "acq_rel", "unknown", (), 1234, 3,
                    5.0, "scenario", "safe", "clang", limit, False, 56),
        CheckResult("bug-skip-set", "sc", "acq_rel", "unsafe",
                    (Violation("lost-wakeup", ("a", "b")),), 10, 0, 0.125,
                    "scenario", "unsafe", "gcc", None, False, 0),
    ]
    for result in results:
        data = json.loads(json.dumps(result.to_json()))
        assert CheckResult.from_json(data) == result
    old = results[1].to_json()
    for key in ("cc", "limit", "complete", "steps", "mark", "reason"):
        del old[key]                # a check.json written before issue 16
    back = CheckResult.from_json(old)
    assert (back.cc, back.limit, back.complete) == ("gcc", None, True)


def test_first_counterexample_by_default_everything_with_all_violations(
        rendered):
    """Stopping early explores less and keeps the verdict; exploring on
    is complete and, on a poller that busy-loops for ever, stays cheap
    (its run past the bound repeats, so no continuation runs away)."""
    first = check_variant(rendered("bug-notified-first"), "sc")
    full = check_variant(rendered("bug-notified-first"), "sc",
                         CheckOptions(all_violations=True))
    assert [v.property for v in first.violations] == ["busy-loop"]
    assert [v.property for v in full.violations] == ["busy-loop"]
    assert not first.complete and full.complete and full.limit is None
    assert first.explored < full.explored == 1378
    assert full.steps < 5_000
    # the shortest counterexample is kept either way
    assert first.violations[0].trace == full.violations[0].trace


def test_help_states_the_limits_and_the_exit_status(capsys):
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--max-states N per check, every phase included" in text
    assert "(default 2000000; memory at most about 2.0 GB under c11" \
        in text
    assert "the default tree engine's c11 memory does not grow with N" \
        in text
    assert "--timeout SECONDS per check, every phase included" in text
    assert "or some cell is unknown (a limit was reached" in text


def test_a_model_bound_is_an_unknown_cell_not_an_error(monkeypatch):
    # armv8's value domain gives up on a looping thread (a poller that
    # spins instead of sleeping); that used to end `evaluate check` with
    # exit 2 and drop every other cell's verdict.
    from evaluator.build import targets
    from evaluator.build.lifted import check_build
    from evaluator.checker.models import armv8_domain
    from evaluator.paths import find_project
    from evaluator.render import render_variant
    from evaluator.variants import load_variants
    target = targets.get("gcc-v8.0")
    if targets.missing_tools(target):
        pytest.skip("no AArch64 gcc")
    monkeypatch.setattr(armv8_domain, "MAX_STATES", 10)
    project = find_project()
    rendered = render_variant(
        load_variants(project.variants)["original-05e514b1"], project)
    result = check_build(rendered, target, project, CheckOptions(
        scenario=Scenario(rounds=1, iterations=2)))
    assert result.verdict == "unknown" and result.build == "gcc-v8.0"
    assert result.limit.kind == "events"
    assert result.limit.phase == "model set-up"
    assert "has more than 10 states on its own" in result.limit.reason


def test_tree_engine_limits_give_unknown_with_the_depth(capsys):
    """The tree engine counts states against the same budget: a cell
    that reaches it is unknown and says how deep its path was; a
    shallow counterexample is found breadth first, within the budget
    breadth-first order needs (bug-skip-set: about 10,000 states)."""
    def cell(variant: str, states: int, status: int) -> dict:
        assert main(["check", "--variants", variant, "--models", "c11",
                     "--max-states", str(states), "--engine", "tree",
                     "--json"]) == status
        return json.loads(capsys.readouterr().out)["results"][0]
    limited = cell("relaxed", 20_000, 1)        # unknown: needs a look
    assert (limited["verdict"], limited["limit"]["kind"]) == \
        ("unknown", "max-states")
    assert 19_000 < limited["explored"] <= 20_000
    assert 0 < limited["limit"]["depth"] < 200
    bug = cell("bug-skip-set", 12_000, 0)      # as its [expect] says
    assert (bug["verdict"], bug["limit"]) == ("unsafe", None)
    assert bug["violations"][0]["property"] == "lost-wakeup"
    assert bug["explored"] < 12_000
