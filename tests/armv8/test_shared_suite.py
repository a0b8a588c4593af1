"""Every AArch64 litmus test of ../shared/litmus-aarch64 (herd7 7.58,
aarch64.cat md5 d0bc3bae...): the armv8 verdict and the exact outcome
set herd computed, and the law outcomes(sc) <= outcomes(armv8) for the
same program (SC is the instructions interleaved: every SC execution is
an ARMv8 one, since ob and the internal relations are included in
(po | rmw | rf | co | fr)+, which SC keeps acyclic).

The whole corpus takes a few seconds; ../shared sits next to the
checkout (as in CI), EVALUATE_SHARED overrides its location.
"""

from __future__ import annotations

import csv
import json
import os
import time
from pathlib import Path

import pytest

from evaluator.checker import read_litmus, run_litmus

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("EVALUATE_SHARED", REPO.parent / "shared"))
CORPUS = SHARED / "litmus-aarch64"


def _files() -> list[Path]:
    return sorted(CORPUS.glob("*.litmus")) if CORPUS.is_dir() else []


def _expected():
    with (CORPUS / "expected.csv").open(newline="") as handle:
        verdicts = {row["file"]: row["ARMv8"] for row in csv.DictReader(
            handle)}
    outcomes = json.loads((CORPUS / "outcomes.json").read_text())
    return verdicts, outcomes


@pytest.fixture(scope="module")
def expected():
    if not CORPUS.is_dir():
        pytest.skip(f"no AArch64 corpus at {CORPUS}")
    return _expected()


@pytest.mark.parametrize("path", [pytest.param(p, id=p.stem)
                                  for p in _files()])
def test_herd_verdict_and_outcomes(path, expected):
    verdicts, outcomes = expected
    test = read_litmus(path)
    result = run_litmus(test, "armv8")
    assert result.verdict == verdicts[path.name]
    assert set(result.outcomes) == {tuple(sorted(o.items()))
                                    for o in outcomes[path.name]}
    assert set(run_litmus(test, "sc").outcomes) <= set(result.outcomes)


def test_the_corpus_is_there_and_complete(expected):
    verdicts, outcomes = expected
    names = {p.name for p in _files()}
    assert len(names) >= 476
    assert names == set(verdicts) == set(outcomes)


@pytest.mark.benchmark
def test_whole_corpus_time(expected):
    started = time.perf_counter()
    for path in _files():
        run_litmus(read_litmus(path), "armv8")
    seconds = time.perf_counter() - started
    print(f"{len(_files())} AArch64 litmus tests under armv8: "
          f"{seconds:.1f} s")
    assert seconds < 30
