"""Properties and reductions on small protocols written for the test."""

from __future__ import annotations

import pytest

from evaluator.checker import CheckOptions, Scenario, check_program
from evaluator.checker.frontend import parse_c
from evaluator.checker.litmus import read_litmus, run_litmus
from evaluator.checker.models import available, get_model
from evaluator.checker.scenario import build_program

from .conftest import needs_c11
from .test_shared_litmus import CORPORA, _files

PROTOCOL = """\
typedef struct AioContext { int bh_scheduled; int notifier; int data; }
    AioContext;
void qemu_bh_schedule(AioContext *ctx)
{
    DATA_WRITE
    __atomic_store_n(&ctx->bh_scheduled, 1, 3);
    event_notifier_set(&ctx->notifier);
}
int aio_poll(AioContext *ctx, int blocking)
{
    if (!__atomic_load_n(&ctx->bh_scheduled, 0)) {
        event_notifier_wait(&ctx->notifier);
    }
    event_notifier_test_and_clear(&ctx->notifier);
    if (__atomic_exchange_n(&ctx->bh_scheduled, 0, 2)) {
        int seen = DATA_READ;
        ASSERTION
        return 1;
    }
    return 0;
}
"""


def _check(model: str, data_write="ctx->data = 1;", data_read="ctx->data",
           assertion=""):
    text = (PROTOCOL.replace("DATA_WRITE", data_write)
            .replace("DATA_READ", data_read)
            .replace("ASSERTION", assertion))
    scenario = Scenario(rounds=1, iterations=2)
    program = build_program(parse_c(text, "mini.c"), scenario)
    return check_program("mini", program, get_model(model),
                         CheckOptions(scenario=scenario))


@pytest.mark.parametrize("model", ["sc", "tso"])
def test_assertion_failure_is_found(model):
    result = _check(model, assertion="assert(seen == 2);")
    assert [v.property for v in result.violations] == ["assertion"]
    assert result.violations[0].trace[-1].startswith(
        "assertion failed: assert(seen == 2) in aio_poll at mini.c:")


@pytest.mark.parametrize("model", ["sc", "tso"])
def test_passing_assertion_is_safe(model):
    assert _check(model, assertion="assert(seen == 1);").verdict == "safe"


@needs_c11()
def test_data_race_on_a_plain_field():
    # plain write of data, published with release / read with acquire:
    # ordered by happens-before, no race ...
    assert _check("c11").verdict == "safe"
    # ... but a plain read before the acquire is a race
    racy = _check("c11", data_read="ctx->data",
                  data_write="ctx->data = 1; ctx->data = 2;")
    assert racy.verdict == "safe"          # still ordered
    result = _check("c11", data_write="__atomic_store_n(&ctx->bh_scheduled,"
                                      " 1, 0); ctx->data = 1;")
    assert "data-race" in [v.property for v in result.violations]
    last = result.violations[[v.property for v in result.violations]
                             .index("data-race")].trace[-1]
    assert last.startswith("data race on data: ")


class _Without:
    """The same model with the explorer's reductions switched off."""

    def __init__(self, model):
        self._model = model
        self.name = model.name
        self.noop_fences = False
        self.eager_nonreads = False

    def __getattr__(self, attr):
        return getattr(self._model, attr)


@pytest.mark.parametrize("model", [m for m in ("sc", "tso", "c11")])
def test_reductions_keep_every_litmus_outcome(model):
    if model not in available():
        pytest.skip("c11 model not registered yet")
    plain = _Without(get_model(model))
    for corpus in CORPORA:
        for path in _files(corpus):
            test = read_litmus(path)
            assert run_litmus(test, model).outcomes == \
                run_litmus(test, plain).outcomes, path.name


@pytest.mark.parametrize("model", ["sc", "tso"])
@pytest.mark.parametrize("name", ["original-05e514b1", "bug-notified-first",
                                  "bug-skip-set", "qemu-5.2"])
def test_reductions_keep_verdicts(rendered, name, model):
    from evaluator.checker import check_variant
    options = CheckOptions(scenario=Scenario(iterations=3))
    reduced = check_variant(rendered(name), model, options)
    full = check_variant(rendered(name), _Without(get_model(model)),
                         options)
    assert [v.property for v in reduced.violations] == \
        [v.property for v in full.violations]
    assert reduced.explored < full.explored
