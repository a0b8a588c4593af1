"""The small interface additions the armv8 model needs (memory.py,
explore.py): each has a default that leaves SC, TSO and RC11 as they
were."""

from __future__ import annotations

import pytest

from evaluator.checker.bfs import BreadthFirst
from evaluator.checker.explore import Explorer
from evaluator.checker.litmus import parse_litmus
from evaluator.checker.memory import is_complete
from evaluator.checker.models import available, get_model
from evaluator.errors import CheckerError

SB = """C SB
{ x = 0; y = 0; }
P0 (atomic_int* x, atomic_int* y) {
  atomic_store_explicit(x, 1, memory_order_relaxed);
  int r0 = atomic_load_explicit(y, memory_order_relaxed);
}
P1 (atomic_int* x, atomic_int* y) {
  atomic_store_explicit(y, 1, memory_order_relaxed);
  int r0 = atomic_load_explicit(x, memory_order_relaxed);
}
exists (0:r0=0 /\\ 1:r0=0)
"""

AARCH64_LB = """AArch64 LB
{ 0:X10=x; 0:X11=y; 1:X10=x; 1:X11=y; }
 P0            | P1            ;
 LDR W0,[X10]  | LDR W0,[X11]  ;
 MOV W20,#1    | MOV W20,#1    ;
 STR W20,[X11] | STR W20,[X10] ;
exists (0:X0=1 /\\ 1:X0=1)
"""

AARCH64_SB = """AArch64 SB
{ 0:X10=x; 0:X11=y; 1:X10=x; 1:X11=y; }
 P0            | P1            ;
 MOV W20,#1    | MOV W20,#1    ;
 STR W20,[X10] | STR W20,[X11] ;
 LDR W0,[X11]  | LDR W0,[X10]  ;
exists (0:X0=0 /\\ 1:X0=0)
"""


def test_armv8_is_registered_for_aarch64_programs_only():
    assert "armv8" in available(None)
    assert available("aarch64") == ("sc", "armv8")
    assert "armv8" not in available()          # check/pipeline: C variants
    assert get_model("armv8").name == "armv8"


@pytest.mark.parametrize("model", ["tso", "c11"])
def test_c_models_refuse_aarch64_programs(model):
    program = parse_litmus(AARCH64_SB, "sb.litmus").program
    with pytest.raises(CheckerError) as err:
        Explorer(program, get_model(model))
    assert "does not read aarch64 programs" in err.value.message
    assert err.value.hint == "models for it: sc, armv8"


def test_armv8_refuses_c_programs():
    program = parse_litmus(SB, "sb.litmus").program
    with pytest.raises(CheckerError) as err:
        Explorer(program, get_model("armv8"))
    assert "does not read c11 programs" in err.value.message


def test_complete_defaults_to_true_and_armv8_says_when_not():
    sc = get_model("sc")
    assert is_complete(sc, sc.initial({"x": 0}, 1))
    program = parse_litmus(AARCH64_LB, "lb.litmus").program
    explorer = Explorer(program, get_model("armv8"))
    assert explorer.model.domain is not None        # bound to the program
    assert explorer.any_order and not explorer.eager
    states = []

    class Record:
        property = "record"

        def __call__(self, ex, node, threads, mem, counters, ghost):
            states.append(mem)

    search = BreadthFirst(explorer, (Record(),), None, None, False)
    search.run()
    visited = [mem for _, mem, _ in search.visited]
    waiting = [m for m in visited if not is_complete(explorer.model, m)]
    assert waiting, "LB's outcome 1/1 needs a read that waits"
    assert all(m.deferred for m in waiting)
    # the properties look at executions only
    assert states and all(is_complete(explorer.model, m) for m in states)
    assert len(states) == len(visited) - len(waiting)


def test_unbound_armv8_model_refuses_to_run():
    model = get_model("armv8")
    state = model.initial({"x": 0}, 1)
    from evaluator.checker.memory import Access, Kind
    with pytest.raises(CheckerError):
        model.perform(state, (0, 0), Access(Kind.LOAD, "x"))
