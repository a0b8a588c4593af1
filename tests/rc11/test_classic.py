"""Classic litmus shapes, driven straight into the RC11 model.

Each test states the verdict of the shape's interesting outcome and the
exact set of final states.  Where the shape is in ../shared/litmus/, the
set is the one in its outcomes.json (cross-checked there with herd7's
rc11.cat); `test_matches_shared_outcomes` re-reads that file so the two
cannot drift apart.
"""

import itertools
import json

import pytest
from rc11_harness import CAS, FAA, NR, NW, XCHG, F, R, W, run

X0 = {"x": 0}
XY0 = {"x": 0, "y": 0}

SB = [[W("x", 1), R("r0", "y")], [W("y", 1), R("r0", "x")]]
SB_SC = [[W("x", 1, "sc"), R("r0", "y", "sc")],
         [W("y", 1, "sc"), R("r0", "x", "sc")]]
SB_FSC = [[W("x", 1), F("sc"), R("r0", "y")],
          [W("y", 1), F("sc"), R("r0", "x")]]
MP = [[W("x", 1), W("y", 1)], [R("r0", "y"), R("r1", "x")]]
MP_REL_ACQ = [[W("x", 1), W("y", 1, "rel")],
              [R("r0", "y", "acq"), R("r1", "x")]]
LB = [[R("r0", "x"), W("y", 1)], [R("r0", "y"), W("x", 1)]]
CORR = [[W("x", 1)], [R("r0", "x"), R("r1", "x")]]
COWR = [[W("x", 1), R("r0", "x")], [W("x", 2)]]
CORW = [[R("r0", "x"), W("x", 1)], [W("x", 2)]]
COWW = [[W("x", 1), W("x", 2)]]
TWO_TWO_W = [[W("x", 1), W("y", 2)], [W("y", 1), W("x", 2)]]


def iriw(order):
    return [[W("x", 1, order)], [W("y", 1, order)],
            [R("r0", "x", order), R("r1", "y", order)],
            [R("r0", "y", order), R("r1", "x", order)]]


ALL2 = {(a, b) for a in (0, 1) for b in (0, 1)}
ALL4 = set(itertools.product((0, 1), repeat=4))

CASES = {
    # name: (init, threads, projected names, allowed outcome set)
    "SB": (XY0, SB, ("0:r0", "1:r0"), ALL2),
    "SB+sc": (XY0, SB_SC, ("0:r0", "1:r0"), ALL2 - {(0, 0)}),
    "SB+fsc": (XY0, SB_FSC, ("0:r0", "1:r0"), ALL2 - {(0, 0)}),
    "MP": (XY0, MP, ("1:r0", "1:r1"), ALL2),
    "MP+rel+acq": (XY0, MP_REL_ACQ, ("1:r0", "1:r1"), ALL2 - {(1, 0)}),
    # sb ∪ rf acyclic: no load buffering, although ARMv8 allows it.
    "LB": (XY0, LB, ("0:r0", "1:r0"), ALL2 - {(1, 1)}),
    "CoRR": (X0, CORR, ("1:r0", "1:r1"), ALL2 - {(1, 0)}),
    "CoWR": (X0, COWR, ("0:r0", "x"), {(1, 1), (1, 2), (2, 2)}),
    "CoRW": (X0, CORW, ("0:r0", "x"), {(0, 1), (0, 2), (2, 1)}),
    "CoWW": (X0, COWW, ("x",), {(2,)}),
    "2+2W": (XY0, TWO_TWO_W, ("x", "y"), {(1, 1), (1, 2), (2, 1), (2, 2)}),
    "IRIW": (XY0, iriw("rlx"), ("2:r0", "2:r1", "3:r0", "3:r1"), ALL4),
    "IRIW+sc": (XY0, iriw("sc"), ("2:r0", "2:r1", "3:r0", "3:r1"),
                ALL4 - {(1, 0, 1, 0)}),
    "FAA-atomicity": (X0, [[FAA("r0", "x", 1)], [FAA("r0", "x", 1)]],
                      ("x", "0:r0", "1:r0"), {(2, 0, 1), (2, 1, 0)}),
}

SHARED_FILES = {"SB": "SB", "SB+sc": "SB+sc", "SB+fsc": "SB+fsc",
                "MP": "MP", "MP+rel+acq": "MP+rel+acq", "LB": "LB",
                "CoRR": "CoRR", "CoWR": "CoWR", "CoRW": "CoRW",
                "CoWW": "CoWW", "2+2W": "2+2W", "IRIW": "IRIW",
                "IRIW+sc": "IRIW+sc"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_outcome_set(name):
    init, threads, names, allowed = CASES[name]
    assert run(init, threads).project(*names) == allowed


@pytest.mark.parametrize("name", sorted(SHARED_FILES))
def test_matches_shared_outcomes(name, shared_dir):
    table = json.loads((shared_dir / "litmus" / "outcomes.json").read_text())
    expected = table[SHARED_FILES[name] + ".litmus"]["C11"]
    _, _, names, allowed = CASES[name]
    assert {tuple(row[n] for n in names) for row in expected} == allowed


def test_rmw_atomicity_under_contention():
    """Three relaxed fetch_adds: every increment lands, and the values
    read are a permutation of 0, 1, 2 (rmw ∩ rb;mo = ∅)."""
    threads = [[FAA("r0", "x", 1)] for _ in range(3)]
    outcomes = run(X0, threads).project("x", "0:r0", "1:r0", "2:r0")
    assert outcomes == {(3,) + p for p in itertools.permutations((0, 1, 2))}


def test_exchange_chain_never_loses_a_write():
    threads = [[XCHG("r0", "x", 1)], [XCHG("r0", "x", 2)]]
    outcomes = run(X0, threads).project("0:r0", "1:r0", "x")
    assert outcomes == {(0, 1, 2), (2, 0, 1)}


def test_cas_reads_latest_on_success_only():
    """Two CASes 0 -> tid+1: exactly one succeeds; the loser reads the
    winner's value (a failed CAS is a plain read, but coherence and the
    winner's position in mo leave it nothing else once both ran)."""
    threads = [[CAS("r0", "x", 0, 1, "rlx", "rlx")],
               [CAS("r0", "x", 0, 2, "rlx", "rlx")]]
    outcomes = run(X0, threads).project("0:r0", "1:r0", "x")
    assert outcomes == {(0, 1, 1), (2, 0, 2)}


def test_data_race_plain_write_relaxed_read():
    threads = [[NW("x", 1)], [R("r0", "x")]]
    result = run(X0, threads)
    assert result.race_locations() == {"x"}
    race = next(iter(result.races))
    assert {race.first, race.second} == {(0, 0), (1, 0)}


def test_no_race_between_atomics_or_plain_reads():
    atomics = run(X0, [[W("x", 1)], [R("r0", "x")]])
    reads = run(X0, [[NR("r0", "x")], [NR("r0", "x")]])
    same_thread = run(X0, [[NW("x", 1), NR("r0", "x")]])
    assert not atomics.races and not reads.races and not same_thread.races
