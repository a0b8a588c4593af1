"""The RC11 model through the memory-model interface: what each perform
offers, canonical (interleaving-independent) states, and the small
methods the explorer relies on."""

import pytest

from evaluator.checker.memory import Access, Kind, RmwOp
from evaluator.checker.models.rc11 import MODEL, RC11Model
from evaluator.errors import CheckerError
from evaluator.orders import Order

RLX = Order.RELAXED


def store(loc, value, order=RLX):
    return Access(Kind.STORE, loc, order, value=value)


def load(loc, order=RLX):
    return Access(Kind.LOAD, loc, order)


def only(steps):
    assert len(steps) == 1
    return steps[0].state


def test_registered_shape():
    assert isinstance(MODEL, RC11Model) and MODEL.name == "c11"
    assert MODEL.eager_nonreads


def test_init_writes_are_named_by_sorted_location():
    state = MODEL.initial({"y": 7, "x": 3}, 1)
    assert MODEL.latest(state, "x") == (3, (-1, 0))
    assert MODEL.latest(state, "y") == (7, (-1, 1))
    steps = MODEL.perform(state, (0, 0), load("y"))
    assert [(s.value, s.source) for s in steps] == [(7, (-1, 1))]


def test_interleavings_of_one_graph_give_equal_states():
    s0 = MODEL.initial({"x": 0, "y": 0}, 2)
    a = only(MODEL.perform(s0, (0, 0), store("x", 1)))
    ab = only(MODEL.perform(a, (1, 0), store("y", 1)))
    b = only(MODEL.perform(s0, (1, 0), store("y", 1)))
    ba = only(MODEL.perform(b, (0, 0), store("x", 1)))
    assert ab == ba and hash(ab) == hash(ba)
    assert ab is not ba and ab != a


def test_a_read_may_see_every_write_not_older_than_its_view():
    s0 = MODEL.initial({"x": 0}, 2)
    s1 = only(MODEL.perform(s0, (0, 0), store("x", 1)))
    s2 = only(MODEL.perform(s1, (0, 1), store("x", 2)))
    other = MODEL.perform(s2, (1, 0), load("x"))
    assert sorted((s.value, s.source) for s in other) == [
        (0, (-1, 0)), (1, (0, 0)), (2, (0, 1))]
    own = MODEL.perform(s2, (0, 2), load("x"))          # CoWR
    assert [(s.value, s.source) for s in own] == [(2, (0, 1))]
    assert len({s.state for s in other}) == 3           # rf is remembered


def test_a_write_is_offered_every_coherent_mo_place():
    s0 = MODEL.initial({"x": 0}, 2)
    s1 = only(MODEL.perform(s0, (0, 0), store("x", 1)))
    places = MODEL.perform(s1, (1, 0), store("x", 2))
    assert sorted(MODEL.latest(s.state, "x")[0] for s in places) == [1, 2]
    assert all(s.value is None and s.source is None for s in places)
    mine = MODEL.perform(s1, (0, 1), store("x", 2))     # CoWW
    assert [MODEL.latest(s.state, "x") for s in mine] == [(2, (0, 1))]


def test_rmw_goes_right_after_the_write_it_reads():
    s0 = MODEL.initial({"x": 0}, 2)
    s1 = only(MODEL.perform(s0, (0, 0), Access(Kind.RMW, "x", RLX,
                                               op=RmwOp.ADD, operand=5)))
    steps = MODEL.perform(s1, (1, 0), Access(Kind.RMW, "x", RLX,
                                              op=RmwOp.ADD, operand=1))
    # Reading the initial 0 would put it between init and the first RMW.
    assert [(s.value, s.source) for s in steps] == [(5, (0, 0))]
    assert MODEL.latest(steps[0].state, "x") == (6, (1, 0))


def test_memory_takes_no_steps_of_its_own():
    state = MODEL.initial({"x": 0}, 1)
    assert MODEL.internal(state) == [] and MODEL.settle(state) is state


def test_unknown_location_is_an_error_naming_it():
    state = MODEL.initial({"x": 0}, 1)
    with pytest.raises(CheckerError, match="'nope'"):
        MODEL.perform(state, (0, 0), load("nope"))


def test_perform_nonzero_is_perform_without_the_zero_reads():
    s = MODEL.initial({"x": 0}, 2)
    for i, value in enumerate((1, 0, 2)):
        s = only(MODEL.perform(s, (0, i), store("x", value)))
    accesses = [load("x"), Access(Kind.RMW, "x", RLX, op=RmwOp.XCHG,
                                  operand=5),
                Access(Kind.RMW, "x", RLX, op=RmwOp.CAS, expected=1,
                       operand=7, fail_order=RLX),
                store("x", 3), Access(Kind.FENCE, order=Order.SEQ_CST)]
    for access in accesses:
        full = [step for step in MODEL.perform(s, (1, 0), access)
                if step.value]
        nonzero = MODEL.perform_nonzero(s, (1, 0), access)
        assert [(x.value, x.source, x.state) for x in nonzero] == \
            [(x.value, x.source, x.state) for x in full], access
    assert len(MODEL.perform_nonzero(s, (1, 0), load("x"))) == 2
