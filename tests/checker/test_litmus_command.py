"""`evaluate litmus` on bad input and large tests: expected.csv is
validated (a typo must not turn a check into no check), a test with too
many threads needs a stated limit, a limit gives "unknown" (exit 1, no
outcomes), and progress goes to stderr."""

from __future__ import annotations

import json

import pytest
from litmus_samples import SB

from evaluator.checker.expected import read_expected
from evaluator.cli import main


def _dir(tmp_path, table: str):
    (tmp_path / "SB.litmus").write_text(SB)
    (tmp_path / "expected.csv").write_text(table)
    return tmp_path


def test_a_valid_table_reads_as_verdicts_per_model(tmp_path):
    directory = _dir(tmp_path, "test,file,SC,TSO,C11,ARMv8\n"
                               "SB,SB.litmus,forbidden,allowed,,allowed\n\n")
    assert read_expected(directory) == {
        "SB.litmus": {"sc": "forbidden", "tso": "allowed",
                      "armv8": "allowed"}}
    assert read_expected(tmp_path / "nowhere") == {}


@pytest.mark.parametrize("table, line, words", [
    ("test,file,SC,TS0\nSB,SB.litmus,forbidden,allowed\n", 1,
     "unknown column 'TS0'"),
    ("test,name,SC\nSB,SB.litmus,forbidden\n", 1, "no 'file' column"),
    ("file,SC,SC\nSB.litmus,forbidden,forbidden\n", 1, "named twice"),
    ("file,SC\nSB.litmus,forbiden\n", 2,
     "SB.litmus: 'forbiden' under SC"),
    ("file,SC\nSB.litmus,forbidden\nSB.litmus,forbidden\n", 3,
     "SB.litmus is listed twice"),
    ("file,SC\nMP.litmus,allowed\n", 2, "MP.litmus is not a file of"),
    ("file,SC\n,allowed\n", 2, "no file name"),
    ("file,SC\nSB.litmus,forbidden,allowed\n", 2, "3 cells for 2 columns"),
    ("", None, "empty file"),
])
def test_malformed_expected_csv_names_the_line(tmp_path, capsys, table,
                                               line, words):
    directory = _dir(tmp_path, table)
    assert main(["litmus", str(directory), "--models", "sc"]) == 2
    err = capsys.readouterr().err
    where = str(directory / "expected.csv") + (f":{line}:" if line else ":")
    assert where in err and words in err, err


def _threads(n: int) -> str:
    """n threads, each storing 1 to its own location."""
    locs = [f"x{i}" for i in range(n)]
    body = "\n".join(
        f"P{i} (atomic_int* {x}) {{\n  atomic_store_explicit({x}, 1, "
        "memory_order_relaxed);\n}\n" for i, x in enumerate(locs))
    return (f"C W{n}\n{{ {' '.join(f'{x} = 0;' for x in locs)} }}\n\n"
            f"{body}\nexists (x0=1)\n")


def test_more_threads_than_the_limit_needs_max_states(tmp_path, capsys):
    path = tmp_path / "W7.litmus"
    path.write_text(_threads(7))
    assert main(["litmus", str(path), "--models", "sc"]) == 2
    err = capsys.readouterr().err
    assert f"{path}: 7 threads, more than the 6" in err
    assert "--max-states" in err
    assert main(["litmus", str(path), "--models", "sc", "--max-states",
                 "100000", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)["results"][0]
    assert result["verdict"] == "allowed"
    assert result["outcomes"] == [{"x0": 1}]


def test_a_limit_gives_unknown_and_exit_1(tmp_path, capsys):
    path = tmp_path / "W5.litmus"
    path.write_text(_threads(5))
    assert main(["litmus", str(path), "--models", "sc", "--max-states",
                 "10", "--json"]) == 1
    captured = capsys.readouterr()
    result = json.loads(captured.out)["results"][0]
    assert result["verdict"] == "unknown" and result["outcomes"] == []
    assert "state limit (10 states and steps)" in result["reason"]
    assert "--rounds" not in result["reason"]       # no protocol advice
    assert "litmus: 0/1: W5.litmus under sc" in captured.err


@pytest.mark.parametrize("argv, words", [
    (["--max-states", "0"], "--max-states 0"),
    (["--timeout", "-1"], "--timeout -1"),
    (["--timeout", "nan"], "--timeout nan"),
])
def test_bad_limits_are_refused(tmp_path, capsys, argv, words):
    (tmp_path / "SB.litmus").write_text(SB)
    assert main(["litmus", str(tmp_path / "SB.litmus"), *argv]) == 2
    assert words in capsys.readouterr().err


MP_NA = """C MP+na
{ x = 0; y = 0; }
P0 (int* x, atomic_int* y) {
  *x = 1;
  atomic_store_explicit(y, 1, memory_order_release);
}
P1 (int* x, atomic_int* y) {
  int r0 = atomic_load_explicit(y, memory_order_%s);
  int r1 = 0;
  if (r0 == 1) { r1 = *x; }
}
exists (1:r0=1 /\\ 1:r1=0)
"""


@pytest.mark.parametrize("order, racy", [("relaxed", True),
                                         ("acquire", False)])
def test_a_data_race_is_reported_as_herd7_flags_it(tmp_path, capsys,
                                                   order, racy):
    """A racy C11 test has undefined behaviour: its outcomes alone would
    read as an ordinary verdict (herd7 says "Flag" and "Undef")."""
    path = tmp_path / "MP+na.litmus"
    path.write_text(MP_NA % order)
    assert main(["litmus", str(path), "--models", "c11", "--json"]) == 0
    (result,) = json.loads(capsys.readouterr().out)["results"]
    assert (result["race"] is not None) == racy
    if racy:
        assert "data race on x" in result["race"]
    assert main(["litmus", str(path), "--models", "c11"]) == 0
    assert ("undefined behaviour" in capsys.readouterr().out) == racy


WEAK_CAS = """C weak
{ x = 0; }
P0 (atomic_int* x) {
  int r0 = 0;
  atomic_compare_exchange_weak_explicit(x, &r0, 1, memory_order_relaxed,
                                        memory_order_relaxed);
}
exists (x=1)
"""


def test_a_file_that_cannot_be_read_does_not_stop_the_others(
        tmp_path, capsys):
    (tmp_path / "SB.litmus").write_text(SB)
    (tmp_path / "weak.litmus").write_text(WEAK_CAS)
    assert main(["litmus", str(tmp_path), "--models", "sc"]) == 2
    out = " ".join(capsys.readouterr().out.split())     # unwrapped
    assert "SB (SB.litmus): exists" in out      # the readable one ran
    assert "1 file(s) not read:" in out
    assert f"{tmp_path / 'weak.litmus'}:5: unsupported construct" in out
    assert main(["litmus", str(tmp_path), "--models", "sc",
                 "--json"]) == 2
    doc = json.loads(capsys.readouterr().out)
    assert [r["file"] for r in doc["results"]] == ["SB.litmus"]
    [error] = doc["errors"]
    assert "weak.litmus:5" in error and "spuriously" in error
    # nothing readable: the first error is the whole answer
    assert main(["litmus", str(tmp_path / "weak.litmus")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("evaluate: error: ") and \
        "weak.litmus:5" in captured.err
