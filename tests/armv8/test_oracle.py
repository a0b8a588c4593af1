"""The armv8 model against the brute-force oracle (oracle.py, a literal
transcription of aarch64.cat over enumerated candidate executions) on
seeded random small AArch64 programs (programs.py): the same outcome
sets, hence the same verdict for every condition.  The checker's sc
model against the oracle's SC reading, and sc <= armv8.

The seeds are fixed, so the run is deterministic; more seeds run with
--benchmark.
"""

from __future__ import annotations

import pytest

import oracle
import programs
from evaluator.checker.litmus import parse_litmus, run_litmus

TWO_THREADS = range(120)
THREE_THREADS = range(1000, 1030)


def _compare(seed: int, threads: int, ops: int) -> None:
    generated = programs.generate(seed, threads, ops)
    test = parse_litmus(generated.text, f"random-{seed}.litmus")
    domain = {x: set(range(generated.domain_max + 1))
              for x in test.program.init}
    model = set(run_litmus(test, "armv8").outcomes)
    expected = oracle.outcomes(test.program, domain, test.variables)
    assert model == expected, generated.text
    sc = set(run_litmus(test, "sc").outcomes)
    assert sc == oracle.outcomes(test.program, domain, test.variables,
                                 sc=True), generated.text
    assert sc <= model


@pytest.mark.parametrize("seed", TWO_THREADS)
def test_two_threads(seed):
    _compare(seed, 2, 3)


@pytest.mark.parametrize("seed", THREE_THREADS)
def test_three_threads(seed):
    _compare(seed, 3, 2)


@pytest.mark.benchmark
@pytest.mark.parametrize("seed", range(2000, 2300))
def test_more_seeds(seed):
    _compare(seed, 2 + seed % 2, 3)


def test_generator_covers_every_operation():
    """The random programs do exercise each clause's instructions."""
    text = "\n".join(programs.generate(seed, 2, 3).text
                     for seed in TWO_THREADS)
    for word in ("LDAR ", "LDAPR ", "STLR ", "DMB ISHLD", "DMB ISHST",
                 "DMB ISH ", "SWPAL ", "STADD", "CAS", "LDXR ", "LDAXR ",
                 "STLXR ", "CBNZ ", "ISB", "CSET ", ",W22,SXTW]",
                 "EOR W21"):
        assert word in text, word


def test_oracle_rejects_what_herd_rejects():
    """The oracle itself, on tests whose answers herd7 gave
    (../shared/litmus-aarch64 outcomes): LB allowed, CoRR forbidden."""
    lb = parse_litmus(LB_DATA, "LB+datas.litmus")
    domain = {x: {0, 1} for x in lb.program.init}
    found = oracle.outcomes(lb.program, domain, lb.variables)
    assert (("0:X0", 1), ("1:X0", 1)) not in found
    assert len(found) == 3


# LB with data dependencies on both sides: forbidden (dob: data; obs:
# rfe), herd7 7.58 gives the other three outcomes.
LB_DATA = """AArch64 LB+datas
{ 0:X10=x; 0:X11=y; 1:X10=x; 1:X11=y; }
 P0             | P1             ;
 LDR W0,[X10]   | LDR W0,[X11]   ;
 EOR W1,W0,W0   | EOR W1,W0,W0   ;
 ADD W1,W1,#1   | ADD W1,W1,#1   ;
 STR W1,[X11]   | STR W1,[X10]   ;
exists (0:X0=1 /\\ 1:X0=1)
"""
