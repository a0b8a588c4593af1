"""The herd7 AArch64 litmus reader: the forms it accepts (the same
LitmusTest as the C reader, so run_litmus and the command work
unchanged) and the errors it gives (file:line, the bad token, the fix)."""

from __future__ import annotations

import json

import pytest

from evaluator.checker.litmus import parse_litmus, run_litmus
from evaluator.cli import main
from evaluator.errors import LitmusSyntaxError

MP = """AArch64 MP+dmb+addr
"a doc string"
(* a comment { with a brace *)
{
0:X10=x; 0:X11=y;
1:X10=x; 1:X11=y; y=0; int x=0;
}
 P0             | P1                   ;
 MOV W20,#1     | LDR W0,[X11]         ;
 STR W20,[X10]  | EOR W2,W0,W0         ;
 DMB ISH        | LDR W1,[X10,W2,SXTW] ;
 STR W20,[X11]  |                      ;
exists (1:X0=1 /\\ 1:X1=0)
"""


def test_reads_header_init_table_and_condition():
    test = parse_litmus(MP, "MP.litmus")
    assert test.name == "MP+dmb+addr"
    assert test.arch == "AArch64"
    assert dict(test.init) == {"x": 0, "y": 0}
    assert test.variables == ("1:X0", "1:X1")
    assert [t.name for t in test.program.threads] == ["P0", "P1"]
    assert test.program.isa == "aarch64"
    result = run_litmus(test, "armv8")
    # herd7: forbidden (bob DMB ISH on P0, dob addr on P1)
    assert result.verdict == "forbidden"
    assert set(result.outcomes) == {
        (("1:X0", 0), ("1:X1", 0)), (("1:X0", 0), ("1:X1", 1)),
        (("1:X0", 1), ("1:X1", 1))}


def test_location_values_and_locations_line():
    text = MP.replace("y=0; int x=0;", "y=0; int x=3;").replace(
        "exists (1:X0=1 /\\ 1:X1=0)",
        "locations [0:X20; y;]\n~exists (1:X1=0)")
    test = parse_litmus(text, "t.litmus")
    assert test.init["x"] == 3
    assert test.quantifier == "~exists"
    assert test.variables == ("0:X20", "1:X1", "y")
    outcomes = run_litmus(test, "armv8").outcomes
    assert all(dict(o)["0:X20"] == 1 for o in outcomes)
    assert {dict(o)["1:X1"] for o in outcomes} == {1, 3}


def test_w_and_x_names_are_one_register_and_forall():
    text = MP.replace("exists (1:X0=1 /\\ 1:X1=0)",
                      "forall (1:w0=0 \\/ 1:X0=1)")
    test = parse_litmus(text, "t.litmus")
    assert test.quantifier == "forall"
    assert test.variables == ("1:W0", "1:X0")
    for outcome in run_litmus(test, "armv8").outcomes:
        state = dict(outcome)
        assert state["1:W0"] == state["1:X0"]


def test_labels_and_branches():
    text = """AArch64 branches
{ 0:X10=x; }
 P0              ;
 MOV W0,#2       ;
 CMP W0,#2       ;
 B.NE skip       ;
 MOV W1,#7       ;
 skip:           ;
 CBZ W1,out      ;
 ADD W1,W1,#1    ;
 out: STR W1,[X10] ;
exists (x=8)
"""
    test = parse_litmus(text, "b.litmus")
    result = run_litmus(test, "armv8")
    assert result.verdict == "allowed"
    assert result.outcomes == ((("x", 8),),)


def test_command_reads_aarch64_files_and_json(tmp_path, capsys):
    path = tmp_path / "MP.litmus"
    path.write_text(MP)
    assert main(["litmus", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    models = [(r["model"], r["verdict"]) for r in out["results"]]
    assert models == [("sc", "forbidden"), ("armv8", "forbidden")]
    assert main(["litmus", str(path), "--models", "tso"]) == 2
    assert "tso" in capsys.readouterr().err


def test_expected_csv_armv8_column(tmp_path, capsys):
    (tmp_path / "MP.litmus").write_text(MP)
    (tmp_path / "expected.csv").write_text("file,ARMv8\nMP.litmus,allowed\n")
    assert main(["litmus", str(tmp_path), "--models", "armv8"]) == 1
    assert "! expected allowed" in capsys.readouterr().out


def _error(text: str) -> LitmusSyntaxError:
    with pytest.raises(LitmusSyntaxError) as err:
        parse_litmus(text, "bad.litmus")
    assert err.value.path == "bad.litmus"
    return err.value


@pytest.mark.parametrize("old, new, line, words", [
    ("AArch64 MP+dmb+addr", "ARM MP", 1, "starts with"),
    ("0:X10=x;", "0:X10:=x;", 5, "cannot read init item '0:X10:=x'"),
    ("0:X10=x;", "0:Q10=x;", 5, "bad register 'Q10'"),
    ("y=0;", "y=z;", 6, "initialised to 'z'"),
    (" P0             | P1 ", " P0             | P2 ", 8,
     "thread header 'P2'"),
    (" DMB ISH        |", " DMB FOO        |", 11, "barrier option"),
    (" DMB ISH        |", " FROB W0        |", 11,
     "unknown instruction FROB in 'FROB W0'"),
    (" DMB ISH        |", " LDR W0,[SP]    |", 11, "SP-relative"),
    (" DMB ISH        |", " B nowhere      |", 11, "undefined label"),
    (" DMB ISH        |", " LDR W0,[W10]   |", 11, "base register"),
    (" DMB ISH        |", " MOV W0         |", 11, "operand count"),
    ("STR W20,[X11]  |                      ;",
     "STR W20,[X11]  |                      ", 12, "does not end with"),
    ("STR W20,[X11]  |                      ;",
     "STR W20,[X11]  ;", 12, "1 cells"),
    ("exists (1:X0=1 /\\ 1:X1=0)", "exists (3:X0=1)", 13, "no thread P3"),
    ("exists (1:X0=1 /\\ 1:X1=0)", "exists (1:R0=1)", 13,
     "not a register"),
    ("exists (1:X0=1 /\\ 1:X1=0)", "exists (1:X0=)", 13,
     "expected an integer"),
    ("exists (1:X0=1 /\\ 1:X1=0)", "exists (z=1)", None, None),
])
def test_errors_name_line_token_and_fix(old, new, line, words):
    text = MP.replace(old, new)
    assert text != MP
    if words is None:       # an unknown location in the condition is new
        test = parse_litmus(text, "ok.litmus")
        assert test.init["z"] == 0
        return
    err = _error(text)
    assert err.line == line, err.render()
    assert words in err.render()


def test_errors_have_a_hint():
    err = _error(MP.replace(" DMB ISH        |", " FROB W0        |"))
    assert err.hint and "branches" in err.hint
    err = _error(MP.replace("0:X10=x;", "0:X10:=x;"))
    assert "0:X10=x;" in err.hint


def test_address_that_is_not_a_location_is_an_error():
    text = MP.replace("EOR W2,W0,W0 ", "ADD W2,W0,#1 ")
    with pytest.raises(Exception) as err:
        run_litmus(parse_litmus(text, "addr.litmus"), "armv8")
    assert "not a location" in str(err.value)
    assert "addr.litmus:11" in str(err.value)


def test_mutated_tests_give_errors_never_tracebacks():
    """Random character edits of real tests: every failure is an
    EvaluateError (file, line, message), never an exception escaping."""
    import random
    from pathlib import Path

    from evaluator.errors import EvaluateError
    corpus = sorted((Path(__file__).parent / "clauses").glob("*.litmus"))
    rng = random.Random(13)
    errors = 0
    for _ in range(300):
        text = rng.choice(corpus).read_text()
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(text))
            if rng.random() < 0.5:
                text = text[:i] + text[i + 1:]
            else:
                text = text[:i] + rng.choice("[],;#|:=xXW01 {}()*/\\~\n") \
                    + text[i:]
        try:
            run_litmus(parse_litmus(text, "m.litmus"), "armv8")
        except EvaluateError as err:
            assert err.path == "m.litmus" or err.path is None
            errors += 1
    assert errors > 50


def test_mixed_size_accesses_are_refused():
    text = MP.replace("LDR W1,[X10,W2,SXTW]", "LDRB W1,[X10,W2,SXTW]")
    parse_litmus(text, "ok.litmus")        # a computed address: unknown
    err = _error(MP.replace("STR W20,[X11]  |", "STRB W20,[X11] |"))
    assert "8 bits" in err.message and "y is accessed" in err.message
