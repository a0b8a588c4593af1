"""A property test of the command line: hypothesis draws argument lists
from the real option set (read off the argparse parsers, so new options
are covered without an edit here), with random values and subcommands,
and checks that no invocation ends in a traceback: each exits 0, 1 or
2 with at most a few lines on stderr.

It stays bounded: the functions that start real work (model checks,
the bench, litmus runs) are replaced by a sentinel that stops the
invocation once its options have been accepted, and every file the
command could write lives in a scratch project.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluator import cli

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "report"))
from helpers import save_run  # noqa: E402
from synthetic import check_results, make_run  # noqa: E402

MAX_STDERR_LINES = 10       # argparse's usage block plus one error line


class Work(Exception):
    """Raised where real work would begin: the options were accepted."""


def _work(*args, **kwargs):
    raise Work


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli-property")
    shutil.copytree(REPO / "variants", root / "variants")
    shutil.copytree(REPO / "templates", root / "templates")
    (root / "csrc").symlink_to(REPO / "csrc")
    save_run(root / "run", make_run(seed=2, processes=3, batches=2),
             check_results())
    (root / "a-file.txt").write_text("not a patch\n")
    (root / "not-utf8.litmus").write_bytes(b"C x\n\xff\xfe\n")
    (root / "bad.patch").write_text("From nowhere\n")
    return root


def _paths(root: Path) -> list[str]:
    return [str(root / "run"), str(root / "a-file.txt"), str(root),
            str(root / "missing"), str(root / "not-utf8.litmus"),
            str(root / "bad.patch"),
            str(REPO / "litmus" / "SB+sc-loads.litmus"),
            "/dev/null", "", "-", "ü", str(root / "a-file.txt" / "below")]


WORDS = ["all", "relaxed", "original-05e514b1", "acq-rel", "no-such",
         "sc", "c11", "sc,tso", "self-resched", "pingpong,flood", "gcc",
         "0", "1", "2", "-1", "3.5", "1e9", "nan", "inf", "1%", "0,1",
         "x,", ",", "../x", "a/b", "  ", "9" * 30]


def _actions(parser: argparse.ArgumentParser):
    options, positionals = [], []
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction,
                               argparse._VersionAction,
                               argparse._SubParsersAction)):
            continue
        (options if action.option_strings else positionals).append(action)
    return options, positionals


def _value(action, root: Path):
    pool = [str(c) for c in action.choices or []] + WORDS + _paths(root)
    return st.sampled_from(pool)


@st.composite
def invocations(draw, root: Path):
    parser = cli.build_parser()
    subparsers = cli._subparsers(parser)
    command = draw(st.sampled_from([None, *subparsers]))
    target = parser if command is None else subparsers[command]
    options, positionals = _actions(target)
    words = [] if command is None else [command]
    for action in draw(st.lists(st.sampled_from(options), max_size=4)
                       if options else st.just([])):
        words.append(draw(st.sampled_from(action.option_strings)))
        if action.nargs != 0:
            words.append(draw(_value(action, root)))
    for action in positionals:
        count = 1 if action.nargs in (None, "+") else draw(
            st.integers(0, 2))
        words += [draw(_value(action, root)) for _ in range(count)]
    if draw(st.booleans()):
        words.insert(draw(st.integers(0, len(words))),
                     draw(st.sampled_from(WORDS + ["--bogus"])))
    return words


@pytest.fixture
def bounded(monkeypatch, sandbox):
    from evaluator.commands import bench, check, litmus, pipeline
    for module, name in ((check, "check_matrix"), (pipeline, "check_matrix"),
                         (pipeline, "run_bench"), (bench, "run_bench"),
                         (litmus, "run_litmus")):
        monkeypatch.setattr(module, name, _work)
    monkeypatch.setenv("EVALUATE_ROOT", str(sandbox))
    monkeypatch.chdir(sandbox)
    return sandbox


def _strategy():
    # The sandbox path is only known once the fixture ran; draw the
    # invocation inside the test from a root-independent placeholder.
    return st.data()


@settings(max_examples=250, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(data=_strategy())
def test_no_invocation_ends_in_a_traceback(bounded, capsys, data):
    argv = data.draw(invocations(bounded), label="argv")
    status = None
    try:
        status = cli.main(argv)
    except Work:
        status = 0
    except SystemExit as stop:           # argparse: usage errors, --help
        status = stop.code
    out = capsys.readouterr()
    assert status in (0, 1, 2), (argv, status, out.err)
    assert "Traceback" not in out.err, (argv, out.err)
    assert len(out.err.strip().splitlines()) <= MAX_STDERR_LINES, (
        argv, out.err)


def test_the_sandbox_keeps_the_checkout_clean(bounded):
    assert Path(os.environ["EVALUATE_ROOT"]) == bounded
    assert not (REPO / "variants" / "no-such.toml").exists()
