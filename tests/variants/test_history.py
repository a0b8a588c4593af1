"""The history variants issue 10 made expressible, with the verdicts
their specs argue for: the 21a03d17 bug needs a second poller, the
aio_notify.promela -DBUG needs none, and 5710a3e0 fixed the C11 hang."""

from __future__ import annotations

import pytest

from evaluator.checker import CheckOptions, Scenario, check_variant
from evaluator.render import render_variant

# The two-poller scenario of QEMU's aio_notify_bug.promela.  Under c11
# the tree engine finds its lost wakeup with one aio_poll call of the
# main poller (110k states, 9 s); at four calls it takes 7.2 million
# states and 9 minutes (benchmarks/rc11_scale.py two-waiters).
TWO_POLLERS = CheckOptions(scenario=Scenario(pollers=2, rounds=2))
TWO_POLLERS_C11 = CheckOptions(scenario=Scenario(pollers=2, rounds=2,
                                                 iterations=1),
                               engine="tree")
C11_SMALL = CheckOptions(scenario=Scenario(iterations=2))


def _props(result) -> list[str]:
    return [v.property for v in result.violations]


@pytest.mark.parametrize("model", ["sc", "tso"])
def test_drain_after_bhs_is_safe_with_one_poller(paths, variants, model):
    result = check_variant(render_variant(variants["bug-drain-after-bhs"],
                                          paths), model)
    assert result.verdict == "safe"


def test_drain_after_bhs_is_safe_with_one_poller_under_c11(paths, variants):
    result = check_variant(render_variant(variants["bug-drain-after-bhs"],
                                          paths), "c11", C11_SMALL)
    assert result.verdict == "safe"


@pytest.mark.parametrize("model", ["sc", "tso", "c11"])
def test_drain_after_bhs_loses_a_wakeup_with_two_pollers(paths, variants,
                                                         model):
    options = TWO_POLLERS_C11 if model == "c11" else TWO_POLLERS
    result = check_variant(render_variant(variants["bug-drain-after-bhs"],
                                          paths), model, options)
    assert _props(result) == ["lost-wakeup"]
    trace = "\n".join(result.violations[0].trace)
    # 21a03d17's story: the temporary poller drains after running the BH,
    # swallowing a write meant for the main poller, which sleeps.
    assert "P2#" in trace and "event_notifier_test_and_clear" in trace
    assert trace.rstrip().splitlines()[-1].startswith(
        "lost wakeup: P1 (poller) sleeps")


@pytest.mark.parametrize("model", ["sc", "tso"])
def test_the_21a03d17_fix_survives_two_pollers(paths, variants, model):
    result = check_variant(render_variant(variants["full-removal"], paths),
                           model, TWO_POLLERS)
    assert result.verdict == "safe"


@pytest.mark.parametrize("model", ["sc", "tso", "c11"])
def test_no_recheck_loses_a_wakeup_everywhere(paths, variants, model):
    options = C11_SMALL if model == "c11" else CheckOptions()
    result = check_variant(render_variant(variants["bug-no-recheck"], paths),
                           model, options)
    assert _props(result) == ["lost-wakeup"]
    assert variants["bug-no-recheck"].expect[model] == "unsafe"


def test_no_recheck_needs_no_reordering(paths, variants):
    (violation,) = check_variant(render_variant(variants["bug-no-recheck"],
                                                paths), "sc").violations
    assert not any("(stale:" in line for line in violation.trace)


@pytest.mark.parametrize("model", ["sc", "tso", "c11"])
def test_qemu_5_0_fixed_the_c11_hang(paths, variants, model):
    options = C11_SMALL if model == "c11" else CheckOptions()
    result = check_variant(render_variant(variants["qemu-5.0"], paths),
                           model, options)
    assert result.verdict == "safe" == variants["qemu-5.0"].expect[model]
