"""P5 dropped work: an accept that drops the BH, found in the search and
past the poller's bound; the ghost that says the BH is owed."""

from __future__ import annotations

import pytest

from evaluator.checker import CheckOptions, Scenario, check_variant
from evaluator.checker.dropped import BhDebt
from evaluator.checker.scenario import CLAIM, SCHEDULE

MODELS = ("sc", "tso", "c11")


def _properties(result) -> list[str]:
    return [v.property for v in result.violations]


@pytest.mark.parametrize("model", MODELS)
def test_accept_that_drops_the_bh_is_dropped_work(fixture_rendered, model):
    result = check_variant(fixture_rendered("test-drop-bh"), model)
    assert result.verdict == "unsafe"
    assert _properties(result) == ["dropped-work"]
    trace = result.violations[0].trace
    # the trace points at the store that loses the BH ...
    (drop,) = [line for line in trace if "<- drops the BH" in line]
    assert "store(bh_scheduled, 0) relaxed" in drop
    assert drop.startswith("P1#") and "broken.c.j2:" in drop
    # ... shows the claim that then finds nothing ...
    assert any("xchg(bh_scheduled, 0) seq_cst reads 0 from P1#" in line
               for line in trace)
    # ... and ends where the poller goes to sleep for good
    assert trace[-2].endswith("event_notifier_wait(notifier) acquire: "
                              "nothing to read (notifier = 0), sleeps")
    last = trace[-1]
    assert last.startswith("dropped work: P1 (poller) goes idle for good")
    assert "the BH scheduled by P0#" in last
    assert "(aio_notify_accept at broken.c.j2:" in last
    assert "cleared bh_scheduled without running it" in last


@pytest.mark.parametrize("model", MODELS)
def test_dropped_work_past_the_poller_bound(fixture_rendered, model):
    """Cut after one aio_poll call, the poller drops the BH and is cut
    before it sleeps: only its run alone past the bound shows the loss."""
    options = CheckOptions(scenario=Scenario(rounds=1, iterations=1))
    result = check_variant(fixture_rendered("test-drop-bh"), model, options)
    assert _properties(result) == ["dropped-work"]
    text = "\n".join(result.violations[0].trace)
    assert "from here P1 runs alone and reads the latest values" in text
    assert "<- drops the BH scheduled by P0#0" in text


def test_dropped_work_is_not_a_lost_wakeup(rendered):
    """A lost wakeup leaves the flag set: it stays P1, not P5."""
    result = check_variant(rendered("bug-skip-set"), "sc",
                           CheckOptions(all_violations=True))
    assert _properties(result) == ["lost-wakeup"]


class _Graph:
    """A model whose state is a coherence order (as RC11's)."""

    def coherence(self, state, loc):
        return state


class _Explorer:
    class program:
        work_loc = "bh_scheduled"

    model = _Graph()


def test_owed_follows_coherence_order_not_the_order_events_were_added():
    """RC11 may insert an RMW before writes added earlier; the debt is
    read off coherence order.  S = a schedule, C = a claim that ran the
    callback."""
    debt = BhDebt(_Graph())
    ghost = frozenset({((0, 1), SCHEDULE), ((1, 4), CLAIM)})
    ex = _Explorer()
    # C after S in coherence: paid, whichever was added first
    assert not debt.owed(ex, ghost, ((-1, 0), (0, 1), (1, 4)))
    # C inserted before S (it read an older 1): S is still owed
    assert debt.owed(ex, ghost, ((-1, 0), (1, 4), (0, 1)))
    assert not debt.owed(ex, frozenset(), ((-1, 0),))


def test_owed_is_one_bit_where_rmws_act_at_once():
    debt = BhDebt(object())
    assert debt.initial(None, None) == 0
    assert debt.owed(None, 1, None) and not debt.owed(None, 0, None)
