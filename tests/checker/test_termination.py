"""P6 non-terminating loop: the test-only spinning variants, spins past
the poller's bound, thread-local loops, and the RC11 spin reduction."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time

import pytest

from evaluator.checker import CheckOptions, Scenario, check_program
from evaluator.checker import check_variant, run_litmus
from evaluator.checker.frontend import parse_c
from evaluator.checker.litmus import parse_litmus
from evaluator.checker.models import get_model
from evaluator.checker.scenario import build_program

MODELS = ("sc", "tso", "c11")
NON_TERMINATING = "non-terminating-loop"


def _properties(result) -> list[str]:
    return [v.property for v in result.violations]


@pytest.mark.parametrize("model", MODELS)
def test_notifier_that_never_returns_from_aio_notify(fixture_rendered,
                                                     model):
    result = check_variant(fixture_rendered("test-notify-spin"), model)
    assert result.verdict == "unsafe"
    assert _properties(result) == [NON_TERMINATING]
    trace = result.violations[0].trace
    text = "\n".join(trace)
    # the poller sleeps with notify_me raised; the notifier's loop reads
    # it for ever: the trace ends in that one repeated read
    assert "-- P0 repeats this event for ever, changing nothing --" in text
    assert trace[-2].startswith("P0#")
    assert "load(notify_me) relaxed reads 2 from P1#" in trace[-2]
    assert trace[-1].startswith("non-terminating loop: P0 (notifier) never "
                                "leaves the loop in aio_notify at "
                                "spin.c.j2:")
    assert "P1 (poller) sleeps in event_notifier_wait" in trace[-1]
    assert trace[-1].endswith("so its qemu_bh_schedule(ctx) never returns")


@pytest.mark.parametrize("model", MODELS)
def test_poller_spinning_on_a_flag_nobody_sets(fixture_rendered, model):
    # Bounded memory and time: decided within a small state budget (the
    # RC11 spin reduction keeps the graph from growing per spin).
    options = CheckOptions(max_states=20_000, timeout=60)
    started = time.monotonic()
    result = check_variant(fixture_rendered("test-accept-spin"), model,
                           options)
    assert time.monotonic() - started < 30
    assert _properties(result) == [NON_TERMINATING]
    assert result.explored < 5_000 and result.limit is None
    last = result.violations[0].trace[-1]
    assert last.startswith("non-terminating loop: P1 (poller) never leaves "
                           "the loop in aio_notify_accept at spin.c.j2:")
    assert "reads notified = 0 and changes nothing" in last
    assert "P0 (notifier) has finished" in last


def test_spinning_poller_check_is_bounded_in_a_subprocess(fixture_project):
    """The issue's hang: `evaluate check` on a poller spinning on a flag
    nobody sets ran for ever and grew past 1 GB.  Now: under 2 GB of
    address space and 120 s, every model says never-returns."""
    paths, _ = fixture_project

    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    done = subprocess.run(
        [sys.executable, "-m", "evaluator.cli", "check", "--root",
         str(paths.root), "--variants", "test-accept-spin", "--jobs", "1"],
        capture_output=True, text=True, timeout=120, check=False,
        preexec_fn=limit_memory, env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    row = done.stdout.splitlines()[1].split()
    assert row == ["test-accept-spin"] + ["✗", "never-returns"] * 3


PAST_THE_BOUND = """\
typedef struct AioContext { int bh_scheduled; int notifier; int calls; }
    AioContext;
void qemu_bh_schedule(AioContext *ctx)
{
    __atomic_exchange_n(&ctx->bh_scheduled, 1, 5);
    event_notifier_set(&ctx->notifier);
}
int aio_poll(AioContext *ctx, int blocking)
{
    int n = ctx->calls;
    ctx->calls = n + 1;
    if (n >= 1) {
        while (!__atomic_load_n(&ctx->notifier, 0) && n < 10) {
        }
    }
    event_notifier_wait(&ctx->notifier);
    event_notifier_test_and_clear(&ctx->notifier);
    if (__atomic_exchange_n(&ctx->bh_scheduled, 0, 5)) {
        return 1;
    }
    return 0;
}
"""


def _mini(text: str, model: str, scenario: Scenario, **options):
    program = build_program(parse_c(text, "mini.c"), scenario)
    return check_program("mini", program, get_model(model),
                         CheckOptions(scenario=scenario, **options))


@pytest.mark.parametrize("model", MODELS)
def test_spin_past_the_poller_bound_is_found(model):
    """The poller spins only from its second aio_poll call; the scenario
    cuts it after one, so only its run alone past the bound shows it."""
    result = _mini(PAST_THE_BOUND, model, Scenario(rounds=1, iterations=1))
    assert _properties(result) == [NON_TERMINATING]
    text = "\n".join(result.violations[0].trace)
    assert "runs alone past its bound and reads the latest values" in text
    assert "-- P1 repeats this event for ever, changing nothing --" in text
    assert "load(notifier) relaxed reads 0" in text


@pytest.mark.parametrize("model", MODELS)
def test_a_thread_local_endless_loop_is_non_terminating(model):
    text = PAST_THE_BOUND.replace(
        "    event_notifier_set(&ctx->notifier);\n",
        "    for (int i = 0; ; i = (i + 1) % 7) {\n    }\n")
    result = _mini(text, model, Scenario(rounds=1, iterations=1))
    assert _properties(result) == [NON_TERMINATING]
    last = result.violations[0].trace[-1]
    assert last.startswith("non-terminating loop: P0 (notifier) loops for "
                           "ever in qemu_bh_schedule at mini.c:")
    assert "without touching shared memory" in last


def test_a_bounded_spin_is_not_reported():
    """The same poller with a spin that gives up after a few passes (a
    counter in the loop): no state repeats, so no cycle."""
    text = PAST_THE_BOUND.replace(
        "        while (!__atomic_load_n(&ctx->notifier, 0) && n < 10) {\n"
        "        }\n",
        "        for (int k = 0; k < 3 && !__atomic_load_n(&ctx->notifier,"
        " 0); k++) {\n        }\n")
    for model in MODELS:
        result = _mini(text, model, Scenario(rounds=1, iterations=1))
        assert NON_TERMINATING not in _properties(result), model


AWAIT = """\
C MP+await{order}
{{ x = 0; y = 0; }}
P0 (atomic_int* x, atomic_int* y) {{
  atomic_store_explicit(y, 1, memory_order_relaxed);
  atomic_store_explicit(x, 1, memory_order_release);
}}
P1 (atomic_int* x, atomic_int* y) {{
  while (!atomic_load_explicit(x, memory_order_{order})) {{
    {body}
  }}
  {after}
  int r1 = atomic_load_explicit(y, memory_order_relaxed);
}}
exists (1:r1=0)
"""


FENCE = "atomic_thread_fence(memory_order_acquire);"
SEEN, BOTH = {(("1:r1", 1),)}, {(("1:r1", 0),), (("1:r1", 1),)}


@pytest.mark.parametrize("order, body, after, outcomes", [
    ("acquire", "", "", SEEN),
    ("relaxed", "", "", BOTH),
    # a two-event iteration (read, fence): the fence only runs when the
    # read saw 0, so the exiting read synchronises with nothing
    ("relaxed", FENCE, "", BOTH),
    ("relaxed", "", FENCE, SEEN),
])
def test_rc11_await_loops_finish_with_every_outcome(order, body, after,
                                                    outcomes):
    """The spin reduction keeps an RC11 await loop finite and loses no
    final state: message passing through a spin on the flag."""
    test = parse_litmus(AWAIT.format(order=order, body=body, after=after),
                        "await.litmus")
    result = run_litmus(test, "c11")
    assert set(result.outcomes) == outcomes
    assert result.explored < 200
    assert run_litmus(test, "sc").outcomes == ((("1:r1", 1),),)
