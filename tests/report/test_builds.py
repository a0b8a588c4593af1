"""The report's AArch64 builds: the table beside C11, the sentence per
C11-vs-build difference, and build cells kept out of the C verdicts.

Synthetic check results with a known answer: test-then-xchg is unsafe
in C11 as clang reads it and safe as clang-v8.1 builds it (stronger
code: one sentence); qemu-5.2 is safe in C11 and loses a wakeup as
gcc-v8.0 builds it (weaker: a compiler or checker bug, one sentence);
acq-rel's C11 counterexample under clang takes 4 aio_poll calls, more
than the builds' 2, so no "safe by the compiler's choice" claim.
"""

from __future__ import annotations

import json

from helpers import doc, ranked
from synthetic import check_results

from evaluator.report.builds import (build_columns, build_rows,
                                     difference_sentences)
from evaluator.report.files import render_all
from evaluator.report.safety import compiler_caveat, compiler_splits

BUILD_SCENARIO = ("3 round(s) of qemu_bh_schedule, poller cut after 2 "
                  "aio_poll calls, busy loop after 3 idle calls")
TRACE = ["P0    -- qemu_bh_schedule(ctx) #1",
         "P1    -- aio_poll(ctx, true) #1", "lost wakeup: ..."]
LONG = [*TRACE[:2], "P1    -- aio_poll(ctx, true) #4", "lost wakeup: ..."]


def _cell(variant, model, verdict, cc="gcc", build="", trace=TRACE,
          scenario="3 round(s) of qemu_bh_schedule, poller cut after 4 "
                   "aio_poll calls"):
    return {"variant": variant, "model": model, "syscalls": "acq_rel",
            "verdict": verdict, "expected": None, "cc": cc, "build": build,
            "violations": [{"property": "lost-wakeup", "trace": trace}]
            if verdict == "unsafe" else [],
            "explored": 100, "seconds": 0.1, "cut": 0, "scenario": scenario}


def _checks() -> list[dict]:
    gcc = check_results()
    clang = [dict(r, cc="clang", expected=None) for r in gcc]
    clang = [dict(r, verdict="unsafe", violations=[
        {"property": "lost-wakeup",
         "trace": LONG if r["variant"] == "acq-rel" else TRACE}])
        if r["model"] == "c11" and r["variant"] in ("test-then-xchg",
                                                     "acq-rel") else r
        for r in clang]
    builds = []
    for name in ("test-then-xchg", "qemu-5.2", "acq-rel"):
        for build, cc in (("gcc-v8.0", "gcc"), ("clang-v8.1", "clang")):
            bad = name == "qemu-5.2" and build == "gcc-v8.0"
            builds.append(_cell(name, "armv8", "unsafe" if bad else "safe",
                                cc, build, scenario=BUILD_SCENARIO))
    return gcc + clang + builds


def test_rows_and_columns_per_compiler():
    rows = {r.variant: r for r in build_rows(
        ranked(checks=_checks())[1], ["qemu-5.2", "relaxed"])}
    assert set(rows) == {"qemu-5.2"}            # relaxed has no builds
    row = rows["qemu-5.2"]
    assert list(row.builds) == ["gcc-v8.0", "clang-v8.1"]
    assert row.c11 == {"gcc": "safe", "clang": "safe"}
    assert [(c.head, c.cc, c.build) for c in build_columns(row.builds)] == [
        ("C11 gcc", "gcc", ""), ("gcc8.0", "gcc", "gcc-v8.0"),
        ("C11 clang", "clang", ""), ("cl8.1", "clang", "clang-v8.1")]


def test_one_sentence_per_difference_and_none_without_one():
    checks = ranked(checks=_checks())[1]
    sentences = difference_sentences(
        checks, ["test-then-xchg", "qemu-5.2", "acq-rel", "relaxed"])
    assert sentences == [
        "test-then-xchg is unsafe under C11 as clang reads it (lost-wakeup)"
        " but safe as clang-v8.1 (LSE atomics) builds it: that code orders"
        " more than the C asks for, so it holds by the compiler's choice, "
        "not by the source.",
        "qemu-5.2 is safe under C11 as gcc reads it but breaks "
        "(lost-wakeup) as gcc-v8.0 (LL/SC loops) builds it: the emitted "
        "code allows what the C forbids, a compiler or checker bug worth "
        "reporting.",
        "acq-rel is unsafe under C11 as clang reads it (lost-wakeup in 4 "
        "aio_poll calls); clang-v8.1 (LSE atomics) showed nothing within "
        "the 2 the builds were checked with, which does not make them "
        "safe."]


def _twin(checks, name, twin):
    """A second variant whose every result is `name`'s."""
    return checks + [dict(r, variant=twin) for r in checks
                     if r["variant"] == name]


def test_variants_that_differ_alike_share_one_sentence():
    checks = ranked(checks=_twin(_checks(), "test-then-xchg", "relaxed"))[1]
    sentences = difference_sentences(checks, ["test-then-xchg", "relaxed"])
    assert sentences == [
        "test-then-xchg and relaxed are unsafe under C11 as clang reads "
        "them (lost-wakeup) but safe as clang-v8.1 (LSE atomics) builds "
        "them: that code orders more than the C asks for, so it holds by "
        "the compiler's choice, not by the source."]


def test_a_compiler_split_shared_by_variants_is_one_sentence():
    checks = ranked(checks=_twin(_checks(), "test-then-xchg", "relaxed"))[1]
    text = compiler_caveat(compiler_splits(checks),
                           ["test-then-xchg", "relaxed"], "gcc")
    assert text == ("relaxed and test-then-xchg are safe under c11 as "
                    "built here (gcc) but unsafe as clang compiles them "
                    "(lost-wakeup).")


def test_build_cells_are_not_compiler_splits_or_c_verdicts():
    checks = ranked(checks=_checks())[1]
    splits = {(s.variant, s.model) for s in compiler_splits(checks)}
    assert splits == {("test-then-xchg", "c11"), ("acq-rel", "c11")}
    # qemu-5.2's unsafe gcc-v8.0 build does not reject it: C11 decides
    assert any("qemu-5.2" in s.order for s in ranked(
        checks=_checks())[2].scenarios)


def test_report_shows_the_table_and_explains_in_the_recommendation():
    texts = render_all(doc(checks=_checks()))
    text = texts["txt"]
    section = text[text.index("AArch64 builds: the emitted"):]
    lines = section.splitlines()
    head = next(line for line in lines if line.startswith("variant"))
    assert head.split() == ["variant", "C11", "gcc", "gcc8.0", "C11",
                            "clang", "cl8.1"]
    row = next(line for line in lines if line.startswith("qemu-5.2"))
    assert row.split() == ["qemu-5.2", "✓", "✗", "✓", "✓"]
    assert all(len(line) <= 72 for line in text.splitlines())
    flat = " ".join(text.split())
    assert "✗ lost-wakeup: qemu-5.2 (gcc-v8.0)." in flat
    recommendation = flat[flat.index("Recommendation"):
                          flat.index("Self-validation")]
    assert "On AArch64 (armv8, the emitted code): test-then-xchg is " \
        "unsafe under C11 as clang reads it" in recommendation
    assert "qemu-5.2 is safe under C11 as gcc reads it but breaks" \
        in recommendation
    data = json.loads(texts["json"])["aarch64_builds"]
    assert data["scenario"] == BUILD_SCENARIO
    by_name = {v["variant"]: v for v in data["variants"]}
    assert by_name["qemu-5.2"]["builds"]["gcc-v8.0"] == {
        "verdict": "unsafe", "property": "lost-wakeup", "reason": None}
    assert len(data["differences"]) == 3
    assert "AArch64 builds: the emitted" in texts["md"]


def test_no_build_checks_no_section():
    texts = render_all(doc())
    assert "AArch64 builds" not in texts["txt"]
    assert "aarch64_builds" not in json.loads(texts["json"])
