"""The compiler is part of the verdict: gcc and clang read __sync and
consume differently (readings.py), and every result says which."""

from __future__ import annotations

import json

import pytest

from evaluator.checker import CheckOptions, Scenario, check_variant
from evaluator.checker.frontend import LocPtr, ThreadSpec, compile_thread
from evaluator.checker.frontend import parse_c
from evaluator.checker.ir import MEM
from evaluator.checker.litmus import parse_litmus
from evaluator.checker.memory import Kind
from evaluator.cli import main
from evaluator.errors import LitmusSyntaxError
from evaluator.orders import Order

from .conftest import needs_c11

SMALL = Scenario(iterations=2)


def _events(body: str, reading: str) -> list[tuple[str, str]]:
    unit = parse_c(f"void P0(int *x) {{ {body} }}", "t.c")
    code = compile_thread(unit, ThreadSpec("P0", "litmus", "P0",
                                           (LocPtr("x"),)), reading=reading)
    return [(ins.access.kind.value, ins.access.order.short)
            for ins in code.code if ins.kind == MEM]


@pytest.mark.parametrize("body", ["__sync_fetch_and_add(x, 1);",
                                  "__sync_sub_and_fetch(x, 1);",
                                  "__sync_val_compare_and_swap(x, 0, 1);"])
def test_sync_rmw_is_a_full_barrier_for_gcc_a_bare_rmw_for_clang(body):
    assert _events(body, "gcc") == [("fence", "seq_cst"), ("rmw", "seq_cst"),
                                    ("fence", "seq_cst")]
    assert _events(body, "clang") == [("rmw", "seq_cst")]
    assert _events(body, "language") == _events(body, "gcc")


def test_lock_test_and_set_is_acquire_for_gcc_seq_cst_for_clang():
    body = "__sync_lock_test_and_set(x, 1);"
    assert _events(body, "gcc") == [("rmw", "acquire")]
    assert _events(body, "clang") == [("rmw", "seq_cst")]


def test_same_meaning_for_both_compilers():
    body = ("__sync_synchronize(); __sync_lock_release(x); "
            "__atomic_fetch_add(x, 1, __ATOMIC_SEQ_CST);")
    assert _events(body, "gcc") == _events(body, "clang") == [
        ("fence", "seq_cst"), ("store", "release"), ("rmw", "seq_cst")]


def test_consume_is_acquire_for_the_compilers_consume_for_the_language():
    body = ("__atomic_load_n(x, __ATOMIC_CONSUME); "
            "__atomic_exchange_n(x, 1, __ATOMIC_CONSUME); "
            "__atomic_thread_fence(__ATOMIC_CONSUME);")
    for cc in ("gcc", "clang"):
        assert _events(body, cc) == [("load", "acquire"), ("rmw", "acquire"),
                                     ("fence", "acquire")]
    # a consume fence is an acquire fence in the language too (C11
    # 7.17.4.1p2); consume accesses stay consume (relaxed in RC11)
    assert _events(body, "language") == [("load", "consume"),
                                         ("rmw", "consume"),
                                         ("fence", "acquire")]


@needs_c11()
def test_the_2015_protocol_is_safe_with_gcc_and_loses_wakeups_with_clang(
        rendered):
    """GenMC's finding (issue 16): clang's __sync_fetch_and_add has no
    fence, so 05e514b1's notify_me raise is QEMU 4.2's seq_cst RMW."""
    gcc = check_variant(rendered("original-05e514b1"), "c11",
                        CheckOptions(scenario=SMALL))
    clang = check_variant(rendered("original-05e514b1"), "c11",
                          CheckOptions(scenario=SMALL, cc="clang"))
    assert (gcc.verdict, gcc.cc) == ("safe", "gcc")
    assert (clang.verdict, clang.cc) == ("unsafe", "clang")
    assert [v.property for v in clang.violations] == ["lost-wakeup"]
    text = "\n".join(clang.violations[0].trace)
    # the store-buffering shape: the bare seq_cst RMW on notify_me, then
    # a stale relaxed read of the BH flag
    assert ("fetch_add(notify_me, 2) seq_cst [__sync_fetch_and_add] reads "
            "0 from init") in text
    assert "load(bh_scheduled) relaxed reads 0 from init (stale:" in text
    assert "fence seq_cst [__sync_fetch_and_add]" not in text
    # x86-64: both compilers emit lock xadd
    for cc in ("gcc", "clang"):
        tso = check_variant(rendered("original-05e514b1"), "tso",
                            CheckOptions(cc=cc))
        assert tso.verdict == "safe"


def test_every_result_records_the_reading_and_clang_contradicts_nothing(
        capsys):
    argv = ["check", "--variants", "qemu-4.2-c11-rmw,original-05e514b1",
            "--models", "sc", "--json", "--jobs", "1"]
    assert main(argv) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    assert {r["cc"] for r in results} == {"gcc"}
    assert {r["expected"] for r in results} == {"safe"}
    assert main(argv + ["--cc", "clang"]) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    # [expect] is declared for gcc: under clang there is nothing to
    # contradict, whatever the verdict
    assert {(r["cc"], r["expected"]) for r in results} == {("clang", None)}


def test_check_rejects_an_unknown_compiler(capsys):
    with pytest.raises(SystemExit):
        main(["check", "--cc", "icc"])
    assert "invalid choice: 'icc'" in capsys.readouterr().err


LITMUS = """\
C T
Compiler={cc}
{{ x = 0; }}
P0 (atomic_int* x) {{
  int r0 = __sync_fetch_and_add(x, 1);
}}
exists (0:r0=0)
"""


def test_litmus_compiler_line_and_its_errors():
    assert parse_litmus(LITMUS.format(cc="clang"), "t.litmus",
                        "gcc").reading == "clang"
    undeclared = LITMUS.format(cc="gcc").replace("Compiler=gcc\n", "")
    assert parse_litmus(undeclared, "t.litmus").reading == "language"
    assert parse_litmus(undeclared, "t.litmus", "gcc").reading == "gcc"
    with pytest.raises(LitmusSyntaxError) as raised:
        parse_litmus(LITMUS.format(cc="icc"), "t.litmus")
    assert raised.value.line == 2
    assert "Compiler=icc" in str(raised.value)
    assert "gcc, clang, language" in str(raised.value)


def test_litmus_cc_reads_undeclared_files_and_skips_their_table(repo,
                                                                  capsys):
    corpus = repo / "litmus"
    files = [str(corpus / "MP+rel+consume.litmus"),
             str(corpus / "SB+syncadd+fsc+clang.litmus")]
    # expected.csv says C11 allowed for the language reading ...
    assert main(["litmus", *files, "--models", "c11"]) == 0
    assert "c11  allowed" in capsys.readouterr().out
    # ... under --cc gcc consume is acquire: forbidden, and no mismatch
    # is claimed; the clang file keeps its own reading
    assert main(["litmus", *files, "--models", "c11", "--cc", "gcc"]) == 0
    out = capsys.readouterr().out
    assert "MP+rel+consume (MP+rel+consume.litmus) [cc=gcc]" in out
    assert "SB+syncadd+fsc+clang.litmus) [cc=clang]" in out
    assert "! expected" not in out
    assert out.count("c11  forbidden") == 1 and \
        out.count("c11  allowed") == 1


def test_litmus_json_records_the_reading(repo, capsys):
    path = repo / "litmus" / "SB+lts+scs+gcc.litmus"
    assert main(["litmus", str(path), "--models", "c11", "--json"]) == 0
    (result,) = json.loads(capsys.readouterr().out)["results"]
    assert (result["cc"], result["verdict"]) == ("gcc", "allowed")
    assert Order.CONSUME.short == "consume" and Kind.RMW.value == "rmw"
