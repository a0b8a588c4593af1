"""Every litmus test of ../shared/litmus (cross-checked with herd7) and
of the project's own corpus litmus/: exact verdicts and outcome sets per
model, and the sanity law outcomes(SC) ⊆ outcomes(TSO) ⊆ outcomes(C11).

../shared sits next to the checkout (as in CI); EVALUATE_SHARED
overrides its location.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

from evaluator.checker import read_litmus, run_litmus
from evaluator.checker.models import available

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("EVALUATE_SHARED", REPO.parent / "shared"))
CORPORA = {"shared": SHARED / "litmus", "project": REPO / "litmus"}
COLUMNS = {"sc": "SC", "tso": "TSO", "c11": "C11"}
C11_MISSING = "c11 model (models/rc11.py) not registered yet"


def _files(corpus: str) -> list[Path]:
    directory = CORPORA[corpus]
    return sorted(directory.glob("*.litmus")) if directory.is_dir() else []


def _cases():
    for corpus in CORPORA:
        for path in _files(corpus):
            for model in COLUMNS:
                yield pytest.param(corpus, path, model,
                                   id=f"{corpus}/{path.stem}/{model}")


def _expected(path: Path) -> tuple[dict, dict]:
    table, sets = path.parent / "expected.csv", path.parent / "outcomes.json"
    if not (table.is_file() and sets.is_file()):
        pytest.skip(f"{path.parent} has no expected.csv/outcomes.json yet")
    with table.open(newline="") as handle:
        verdicts = {row["file"]: row for row in csv.DictReader(handle)}
    outcomes = json.loads(sets.read_text())
    assert path.name in verdicts, f"{path.name} missing from {table}"
    assert path.name in outcomes, f"{path.name} missing from {sets}"
    return verdicts[path.name], outcomes[path.name]


def _outcome_set(outcomes) -> set:
    return {tuple(sorted(o.items())) for o in outcomes}


@pytest.mark.parametrize("corpus, path, model", list(_cases()))
def test_verdict_and_outcomes(corpus, path, model):
    if model not in available():
        pytest.skip(C11_MISSING)
    verdict, outcomes = _expected(path)
    column = COLUMNS[model]
    if column not in verdict or column not in outcomes:
        pytest.skip(f"{path.name} lists nothing for {column}")
    result = run_litmus(read_litmus(path), model)
    assert result.verdict == verdict[column]
    assert set(result.outcomes) == _outcome_set(outcomes[column])


@pytest.mark.parametrize("path", [pytest.param(p, id=f"{c}/{p.stem}")
                                  for c in CORPORA for p in _files(c)])
def test_weaker_models_allow_more(path):
    test = read_litmus(path)
    models = [m for m in ("sc", "tso", "c11") if m in available()]
    sets = [set(run_litmus(test, m).outcomes) for m in models]
    for stronger, weaker, names in zip(sets, sets[1:], zip(models,
                                                           models[1:])):
        assert stronger <= weaker, f"{names[0]} allows more than {names[1]}"


def test_the_shared_corpus_is_there():
    if not SHARED.is_dir():
        pytest.skip(f"no shared directory at {SHARED}")
    assert len(_files("shared")) >= 25
