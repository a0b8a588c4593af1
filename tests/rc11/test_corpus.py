"""The project's litmus corpus (litmus/) is self-consistent: every file
is listed, each verdict in expected.csv follows from the outcome sets in
outcomes.json, the outcome sets obey SC ⊆ TSO ⊆ C11, and each file's
header comment states the verdicts the tables give.  (Running the models
on the files is tests/checker/test_shared_litmus.py.)
"""

import csv
import json
import re

import pytest

from evaluator.checker.litmus import holds, read_litmus

MODELS = ("SC", "TSO", "C11")


@pytest.fixture(scope="module")
def corpus(repo):
    directory = repo / "litmus"
    with (directory / "expected.csv").open(newline="") as handle:
        rows = {row["file"]: row for row in csv.DictReader(handle)}
    outcomes = json.loads((directory / "outcomes.json").read_text())
    return directory, rows, outcomes


def _files(repo):
    return sorted(p.name for p in (repo / "litmus").glob("*.litmus"))


def test_at_least_fifteen_tests_all_listed(corpus, repo):
    _, rows, outcomes = corpus
    files = _files(repo)
    assert len(files) >= 15
    assert sorted(rows) == files
    assert sorted(outcomes) == files


def test_verdicts_follow_from_outcome_sets(corpus):
    """A verdict is whether the condition is reachable, whatever the
    quantifier (~exists, forall), as run_litmus and herd7's Observation
    line say it."""
    directory, rows, outcomes = corpus
    for name, row in rows.items():
        test = read_litmus(directory / name)
        assert row["test"] == test.name
        for model in MODELS:
            reachable = any(holds(test.condition, state)
                            for state in outcomes[name][model])
            assert row[model] == ("allowed" if reachable else "forbidden"), \
                (name, model)


def test_weaker_models_allow_more(corpus):
    _, _, outcomes = corpus
    for name, table in outcomes.items():
        sets = [{tuple(sorted(s.items())) for s in table[m]} for m in MODELS]
        assert sets[0] <= sets[1] <= sets[2], name


def test_outcomes_name_exactly_the_condition_variables(corpus):
    directory, _, outcomes = corpus
    for name, table in outcomes.items():
        variables = set(read_litmus(directory / name).variables)
        for model in MODELS:
            assert all(set(s) == variables for s in table[model]), name


def test_header_comment_states_the_verdicts(corpus):
    """"SC forbidden", "TSO ALLOWED", "SC, TSO and C11 forbidden", ..."""
    directory, rows, _ = corpus
    for name, row in rows.items():
        comment = re.search(r"\(\*(.*?)\*\)", (directory / name).read_text(),
                            re.S).group(1)
        text = " ".join(comment.split()).lower()
        for model in MODELS:
            said = re.search(rf"\b{model.lower()}\b[^.]*?\b(allowed|forbid)",
                             text)
            assert said, (name, model)
            verdict = "allowed" if said.group(1) == "allowed" else "forbidden"
            assert verdict == row[model], (name, model)
