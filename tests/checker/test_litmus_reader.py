"""The herd7 C litmus reader: the forms it accepts, the errors it gives."""

from __future__ import annotations

import pytest
from litmus_samples import SB

from evaluator.checker.litmus import holds, parse_litmus, run_litmus
from evaluator.errors import LitmusSyntaxError


def test_reads_name_init_threads_and_condition():
    test = parse_litmus(SB, "SB.litmus")
    assert test.name == "SB"
    assert dict(test.init) == {"x": 0, "y": 0}
    assert test.variables == ("0:r0", "1:r0")
    assert [t.name for t in test.program.threads] == ["P0", "P1"]
    assert run_litmus(test, "sc").verdict == "forbidden"
    assert run_litmus(test, "tso").verdict == "allowed"


@pytest.mark.parametrize("init", ["{ [x]=1; [y]=2; }",
                                  "{ int x = 1; int y = 2; }",
                                  "{ atomic_int x = 1; y=2 }"])
def test_init_forms(init):
    test = parse_litmus(SB.replace("{ x = 0; y = 0; }", init), "t.litmus")
    assert dict(test.init) == {"x": 1, "y": 2}


def test_condition_operators():
    text = SB.replace("exists (0:r0=0 /\\ 1:r0=0)",
                      "exists (~(0:r0=1 \\/ 1:r0=1) /\\ x=1 /\\ y!=0)")
    test = parse_litmus(text, "t.litmus")
    assert test.variables == ("0:r0", "1:r0", "x", "y")
    assert holds(test.condition, {"0:r0": 0, "1:r0": 0, "x": 1, "y": 1})
    assert not holds(test.condition, {"0:r0": 1, "1:r0": 0, "x": 1,
                                      "y": 1})
    assert run_litmus(test, "tso").verdict == "allowed"


def _error(text: str) -> LitmusSyntaxError:
    with pytest.raises(LitmusSyntaxError) as err:
        parse_litmus(text, "bad.litmus")
    assert err.value.path == "bad.litmus"
    return err.value


@pytest.mark.parametrize("old, new, line, words", [
    ("C SB\n", "SB\n", 1, "starts with 'C <name>'"),
    ("{ x = 0; y = 0; }", "{ x = 0; y := 0; }", 3, "init item"),
    ("{ x = 0; y = 0; }", "{ 0:r0 = 1; }", 3, "register initialisation"),
    ("exists (0:r0=0 /\\ 1:r0=0)", "exists (0:r0=0 /\\ 1:r0=)", 15,
     "expected an integer"),
    ("exists (0:r0=0 /\\ 1:r0=0)", "exists (0:r0=0 /\\ 1:r5=0)", 15,
     "P1 declares no local r5"),
    ("exists (0:r0=0 /\\ 1:r0=0)", "exists (0:r0=0 /\\ 3:r0=0)", 15,
     "no thread P3"),
    ("exists (0:r0=0 /\\ 1:r0=0)", "exists (0:r0=0 /\\ z=0)", 15,
     "location z"),
    ("exists (0:r0=0 /\\ 1:r0=0)", "final (0:r0=0)", 15, "exists (...)"),
    ("exists (0:r0=0 /\\ 1:r0=0)", "regions: x:PROP\nexists (x=0)", 15,
     "herd7's regions: section is not supported"),
    ("P1 (atomic_int* x", "P2 (atomic_int* x", 10, "P2 out of order"),
    ("P0 (atomic_int* x, atomic_int* y)", "P0 (int x, atomic_int* y)", 5,
     "not a pointer"),
    ("  int r0 = atomic_load_explicit(x, memory_order_relaxed);\n}",
     "  int r0 = atomic_load_explicit(x memory_order_relaxed);\n}", 12,
     "cannot parse"),
    ("  atomic_store_explicit(y, 1, memory_order_relaxed);",
     "  atomic_store_explicit(y, 1, memory_order_acquire);", 11,
     "acquire is not valid"),
])
def test_malformed_files_name_the_line(old, new, line, words):
    assert old in SB
    error = _error(SB.replace(old, new))
    assert error.line == line, str(error)
    assert words in str(error)


def test_no_condition_is_forall_true_as_herd7_reads_it():
    """herd7's catalogue has tests without a condition: forall (true),
    outcomes projected on the `locations` line (if any)."""
    test = parse_litmus(SB.replace("exists (0:r0=0 /\\ 1:r0=0)",
                                   "locations [x;]"), "sb.litmus")
    assert (test.quantifier, test.condition) == ("forall", ("const", True))
    assert test.variables == ("x",)
    assert parse_litmus(SB.replace("exists (0:r0=0 /\\ 1:r0=0)", ""),
                        "sb.litmus").variables == ()


def test_forall_and_locations_as_herd7_reads_them():
    """The verdict says whether the condition is reachable whatever the
    quantifier (forall P: allowed when some final state has P, herd7's
    Sometimes or Always); `locations` adds variables to the outcomes."""
    text = SB.replace("exists (0:r0=0 /\\ 1:r0=0)",
                      "locations [x;]\nforall (0:r0=1)")
    test = parse_litmus(text, "sb.litmus")
    assert test.quantifier == "forall"
    assert test.variables == ("0:r0", "x")
    result = run_litmus(test, "sc")
    assert result.verdict == "allowed"
    assert {dict(o)["0:r0"] for o in result.outcomes} == {0, 1}
    assert {dict(o)["x"] for o in result.outcomes} == {1}
    never = parse_litmus(text.replace("0:r0=1", "0:r0=2"), "sb.litmus")
    assert run_litmus(never, "sc").verdict == "forbidden"


def test_unbalanced_brace_names_the_thread_line():
    error = _error(SB.replace("  int r0 = atomic_load_explicit(x, "
                              "memory_order_relaxed);\n}",
                              "  int r0 = 0;\n"))
    assert error.line == 10
    assert "unbalanced" in str(error)


@pytest.mark.parametrize("line, text", [
    ("int r1 = 1 << -1;", "negative shift count"),
    ("int r1 = 1 / r0;", "division by zero"),
])
def test_c_that_cannot_evaluate_is_an_error_with_its_line(line, text):
    from evaluator.errors import CheckerError
    source = ("C bad\n{ x = 0; }\nP0 (atomic_int* x) {\n"
              "  int r0 = atomic_load_explicit(x, memory_order_relaxed);\n"
              f"  {line}\n"
              "  atomic_store_explicit(x, r1, memory_order_relaxed);\n"
              "}\nexists (x=1)\n")
    test = parse_litmus(source, "bad.litmus")
    with pytest.raises(CheckerError) as err:
        run_litmus(test, "sc")
    assert "bad.litmus:5:" in str(err.value) and text in str(err.value)


def test_a_parameter_type_the_checker_cannot_hold_is_named():
    """herd7 has 128-bit types (with its S128 variant); the checker's
    error names the type and the ones it reads, not a pycparser token."""
    text = SB.replace("P0 (atomic_int* x, atomic_int* y)",
                      "P0 (__int128_t* x, atomic_int* y)")
    error = _error(text)
    assert error.line == 5 and "type __int128_t is not supported" in str(
        error) and "int32_t" in str(error)
    error = _error(SB.replace("{ x = 0; y = 0; }",
                              "{ __int128_t x = 0; y = 0; }"))
    assert "type __int128_t is not supported" in str(error), str(error)


def test_filter_drops_final_states_before_the_condition():
    """herd7's `filter (P)`: the outcomes are those final states that
    satisfy P, projected on the condition's variables only."""
    text = SB.replace("exists (0:r0=0 /\\ 1:r0=0)",
                      "filter (0:r0=0)\nexists (1:r0=0)")
    test = parse_litmus(text, "sb.litmus")
    assert test.variables == ("1:r0",)
    assert test.filter_variables == ("0:r0",)
    assert set(run_litmus(test, "sc").outcomes) == {(("1:r0", 1),)}
    with pytest.raises(LitmusSyntaxError, match="declares no local r9"):
        parse_litmus(text.replace("filter (0:r0=0)", "filter (0:r9=0)"),
                     "sb.litmus")
