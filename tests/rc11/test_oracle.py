"""The incremental RC11 model against rc11_oracle.py, a brute-force
transcription of herd7's rc11.cat: on a few hundred small programs
(classic litmus skeletons with random orders, fences, RMWs,
compare-exchanges and plain accesses) both must find exactly the same
executions (rf and mo), final states and racy locations."""

import random

import pytest
from rc11_harness import CAS, NR, NW, RMW, F, R, W, run
from rc11_oracle import outcomes

from dataclasses import replace

from evaluator.checker.memory import Kind, RmwOp
from evaluator.orders import Order

SHAPES = {
    "SB": [["Wx", "Ry"], ["Wy", "Rx"]],
    "MP": [["Wx", "Wy"], ["Ry", "Rx"]],
    "LB": [["Rx", "Wy"], ["Ry", "Wx"]],
    "R": [["Wx", "Wy"], ["Wy", "Rx"]],
    "S": [["Wx", "Wy"], ["Ry", "Wx"]],
    "2+2W": [["Wx", "Wy"], ["Wy", "Wx"]],
    "IRIW": [["Wx"], ["Wy"], ["Rx", "Ry"], ["Ry", "Rx"]],
    "RWC": [["Wx"], ["Rx", "Ry"], ["Wy", "Rx"]],
    "WRC": [["Wx"], ["Rx", "Wy"], ["Ry", "Rx"]],
    "ISA2": [["Wx", "Wy"], ["Ry", "Wz"], ["Rz", "Rx"]],
    "W+RWC": [["Wx", "Wy"], ["Ry", "Rz"], ["Wz", "Rx"]],
    "Z6": [["Wx", "Wy"], ["Wy", "Wz"], ["Rz", "Rx"]],
    "SB3": [["Wx", "Ry"], ["Wy", "Rz"], ["Wz", "Rx"]],
    "CoRR": [["Wx"], ["Rx", "Rx"]],
    "CoWR": [["Wx", "Rx"], ["Wx"]],
    "MP+SB": [["Wx", "Wy"], ["Ry", "Wz", "Rx"]],
    "SB+RR": [["Wx", "Rx", "Ry"], ["Wy", "Ry", "Rx"]],
}
ANY = ("rlx", "acq", "rel", "ar", "sc")


def _access(rng, kind, loc, reg, value):
    pick = rng.random()
    if kind == "W":
        if pick < 0.15:
            return RMW(reg, loc, RmwOp.XCHG, value, rng.choice(ANY))
        if pick < 0.22:
            return CAS(reg, loc, rng.choice((0, 1)), value, rng.choice(ANY),
                       rng.choice(("rlx", "acq", "sc", None)))
        if pick < 0.30:
            return NW(loc, value)
        return W(loc, value, rng.choice(("rlx", "rel", "sc", "sc")))
    if pick < 0.15:
        return RMW(reg, loc, RmwOp.ADD, rng.choice((0, 5)), rng.choice(ANY))
    if pick < 0.22:
        return NR(reg, loc)
    return R(reg, loc, rng.choice(("rlx", "acq", "sc", "sc")))


def program(seed: int):
    rng = random.Random(seed)
    shape = SHAPES[rng.choice(sorted(SHAPES))]
    values: dict[str, int] = {}
    threads = []
    for ops in shape:
        code = []
        for i, (kind, loc) in enumerate(ops):
            if i and rng.random() < 0.35:
                code.append(F(rng.choice(("acq", "rel", "ar", "sc", "sc"))))
            values[loc] = values.get(loc, 0) + 1
            code.append(_access(rng, kind, loc, f"r{i}", values[loc]))
        if rng.random() < 0.15:
            code.append(F("sc"))
        threads.append(code)
    return {loc: 0 for loc in sorted(values)}, threads


@pytest.mark.parametrize("block", range(6))
def test_model_agrees_with_brute_force_rc11(block):
    for seed in range(block * 50, block * 50 + 50):
        init, threads = program(seed)
        got = run(init, threads)
        finals, racy, executions = outcomes(init, threads)
        assert set(got.graphs) == executions, seed
        assert set(got.finals) == finals, seed
        assert got.race_locations() == racy, seed


def _with_consume(threads):
    """Every acquire load and acquire fence made consume."""
    def swap(op):
        reg, access = op
        if access.order is Order.ACQUIRE and access.kind in (Kind.LOAD,
                                                             Kind.FENCE):
            access = replace(access, order=Order.CONSUME)
        return reg, access
    return [[swap(op) for op in code] for code in threads]


@pytest.mark.parametrize("block", range(3))
def test_consume_agrees_with_brute_force_rc11(block):
    """Consume reads as relaxed atomic reads, consume fences as acquire
    fences, in both the model and the oracle."""
    changed = 0
    for seed in range(block * 50, block * 50 + 50):
        init, threads = program(seed)
        threads = _with_consume(threads)
        got = run(init, threads)
        finals, racy, executions = outcomes(init, threads)
        assert set(got.graphs) == executions, seed
        assert set(got.finals) == finals, seed
        changed += any(a.order is Order.CONSUME for c in threads
                       for _, a in c)
    assert changed > 10


def test_oracle_is_not_vacuous():
    """The oracle forbids what RC11 forbids and allows the rest."""
    sb_sc = [[W("x", 1, "sc"), R("r0", "y", "sc")],
             [W("y", 1, "sc"), R("r0", "x", "sc")]]
    finals, _, _ = outcomes({"x": 0, "y": 0}, sb_sc)
    projected = {(dict(f)["0:r0"], dict(f)["1:r0"]) for f in finals}
    assert projected == {(0, 1), (1, 0), (1, 1)}
    lb = [[R("r0", "x"), W("y", 1)], [R("r0", "y"), W("x", 1)]]
    finals, _, _ = outcomes({"x": 0, "y": 0}, lb)
    assert (1, 1) not in {(dict(f)["0:r0"], dict(f)["1:r0"]) for f in finals}
