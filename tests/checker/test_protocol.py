"""The shipped variants under each model: verdicts, pinned traces."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from evaluator.checker import CheckOptions, Scenario, check_variant

from .conftest import needs_c11

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("EVALUATE_UPDATE_GOLDEN") == "1"
NAMES = ("original-05e514b1", "full-removal", "relaxed", "acq-rel",
         "qemu-5.2", "qemu-4.2-c11-rmw", "test-then-xchg",
         "bug-notified-first", "bug-skip-set")
# Issue 4's matrix; "" = safe.
BROKEN = {
    "bug-notified-first": {"sc": "busy-loop", "tso": "busy-loop",
                           "c11": "busy-loop"},
    "bug-skip-set": {"sc": "lost-wakeup", "tso": "lost-wakeup",
                     "c11": "lost-wakeup"},
    "qemu-4.2-c11-rmw": {"c11": "lost-wakeup"},
}
# C11 is checked with a smaller poller bound to keep the suite fast; every
# known bug needs at most 2 aio_poll calls.
SMALL = CheckOptions(scenario=Scenario(iterations=2))


def _properties(result) -> str:
    return ",".join(v.property for v in result.violations)


@pytest.mark.parametrize("model", ["sc", "tso"])
@pytest.mark.parametrize("name", NAMES)
def test_matrix_sc_tso(rendered, variants, name, model):
    result = check_variant(rendered(name), model)
    assert _properties(result) == BROKEN.get(name, {}).get(model, "")
    assert result.verdict == variants[name].expect[model]
    assert result.syscalls == "acq_rel"


@needs_c11()
@pytest.mark.parametrize("name", NAMES)
def test_matrix_c11(rendered, variants, name):
    result = check_variant(rendered(name), "c11", SMALL)
    assert _properties(result) == BROKEN.get(name, {}).get("c11", "")
    assert result.verdict == variants[name].expect["c11"]


@pytest.mark.parametrize("model", ["sc", "tso"])
def test_c11_hang_needs_c11_even_with_full_fence_syscalls(rendered, model):
    options = CheckOptions(syscalls="full-fence")
    result = check_variant(rendered("qemu-4.2-c11-rmw"), model, options)
    assert result.verdict == "safe" and result.syscalls == "full-fence"


@needs_c11()
def test_c11_hang_survives_full_fence_syscalls(rendered):
    # its race involves no syscall (issue 4)
    options = CheckOptions(scenario=Scenario(iterations=2),
                           syscalls="full-fence")
    result = check_variant(rendered("qemu-4.2-c11-rmw"), "c11", options)
    assert _properties(result) == "lost-wakeup"


def _golden(name: str, trace: tuple[str, ...]) -> None:
    path = GOLDEN / name
    text = "\n".join(trace) + "\n"
    if UPDATE:
        path.write_text(text)
    assert text == path.read_text(), (
        f"trace changed; if on purpose: EVALUATE_UPDATE_GOLDEN=1 pytest "
        f"{__file__}")


@pytest.mark.parametrize("model", ["sc", "tso"])
@pytest.mark.parametrize("name", ["bug-notified-first", "bug-skip-set"])
def test_negative_control_traces(rendered, name, model):
    (violation,) = check_variant(rendered(name), model).violations
    _golden(f"{name}.{model}.txt", violation.trace)


@needs_c11()
def test_c11_hang_trace_is_store_buffering(rendered):
    result = check_variant(rendered("qemu-4.2-c11-rmw"), "c11", SMALL)
    trace = result.violations[0].trace
    _golden("qemu-4.2-c11-rmw.c11.txt", trace)
    # the poller's RMW on notify_me, then its relaxed read of the BH state
    # reading a stale 0; the notifier's BH write, fence, relaxed read of
    # notify_me reading a stale 0
    text = "\n".join(trace)
    assert "fetch_add(notify_me, 2) seq_cst" in text
    assert "load(bh_scheduled) relaxed reads 0 from init" in text
    assert "load(notify_me) relaxed reads 0 from init" in text
    # the trace points out the write the poller's read ignored
    assert "reads 0 from init (stale: P0#" in text


def test_counterexample_reads_like_a_review(rendered):
    (violation,) = check_variant(rendered("bug-skip-set"), "sc").violations
    last = violation.trace[-1]
    assert last.startswith("lost wakeup: P1 (poller) sleeps in "
                           "event_notifier_wait")
    assert "bh_scheduled = 1" in last
    event_lines = [line for line in violation.trace
                   if line.startswith("P") and "#" in line.split()[0]]
    assert all(".c" in line.split()[1] for line in event_lines)
    assert any("reads 0 from init" in line for line in event_lines)


@pytest.mark.parametrize("name", ["bug-notified-first", "bug-skip-set"])
def test_sc_traces_never_show_a_stale_read(rendered, name):
    # Under SC every read sees the last write before it in the trace.
    (violation,) = check_variant(rendered(name), "sc").violations
    assert not any("(stale:" in line for line in violation.trace)


def test_three_pollers_add_two_temporary_pollers(rendered):
    """--pollers 3: the notifier, the event loop's poller and two
    temporary pollers, each leaving after its calls; every thread of
    the two-poller scenario is still there, so the search only grows."""
    from evaluator.checker.scenario import thread_specs
    specs = thread_specs(Scenario(pollers=3))
    assert [(s.name, s.role) for s in specs] == [
        ("notifier", "notifier"), ("poller", "poller"),
        ("poller2", "temp-poller"), ("poller3", "temp-poller")]
    assert "2 temporary pollers for 2 calls" in \
        Scenario(pollers=3).describe()
    small = {"rounds": 1, "iterations": 1}
    two, three = (check_variant(rendered("original-05e514b1"), "sc",
                                CheckOptions(scenario=Scenario(
                                    pollers=p, **small)))
                  for p in (2, 3))
    assert (two.verdict, three.verdict) == ("safe", "safe")
    assert three.explored > 10 * two.explored


def test_four_pollers_are_refused_with_the_choices():
    from evaluator.errors import CheckerError
    with pytest.raises(CheckerError, match="pollers = 4") as caught:
        Scenario(pollers=4)
    assert "3 (plus two)" in caught.value.hint
