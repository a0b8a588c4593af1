"""Plain-C variants (`source = "variants/NAME.c"`): the shipped QEMU 2.5
paste means what the templated baseline means, checks and benches; a C
file's mistakes are reported at its own lines, at load time."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from evaluator.build.compile import build_variant, find_toolchain
from evaluator.checker import check_variant
from evaluator.cli import main
from evaluator.errors import (BuildError, CheckerError, SpecError,
                             UnsupportedConstruct)
from evaluator.render import render_variant
from evaluator.samples import read_samples
from evaluator.variants import load_variants

from derive import derive, spec
from pinned import PINNED, canonical_c, cell_options

QEMU_25 = (Path(__file__).parents[2] / "variants" / "qemu-2.5.c").read_text()


def test_the_qemu_2_5_paste_is_the_baseline_as_the_checker_reads_it(
        paths, variants):
    paste = render_variant(variants["qemu-2.5"], paths).text
    base = render_variant(variants["original-05e514b1"], paths).text
    assert canonical_c(paste, paths.csrc, "a") == \
        canonical_c(base, paths.csrc, "b")


def test_the_paste_is_rendered_as_written(paths, variants):
    text = render_variant(variants["qemu-2.5"], paths).text
    assert '#line 1 "variants/qemu-2.5.c"\n' + QEMU_25.rstrip("\n") in text
    assert "atomic_xchg(&ctx->notified, false)" in text
    assert '#line 8 "templates/aio_protocol.c.j2"' in text   # shared code


@pytest.mark.parametrize("cell", ["sc", "tso", "c11-small"])
def test_the_paste_checks_with_the_baselines_verdicts_and_counts(
        paths, variants, cell):
    model, options = cell_options(cell, paths.csrc)
    result = check_variant(render_variant(variants["qemu-2.5"], paths),
                           model, options)
    assert (result.verdict, result.explored, result.cut) == \
        PINNED["original-05e514b1"][cell]
    assert result.verdict == variants["qemu-2.5"].expect[model]


def test_the_paste_benches(paths, tmp_path, capsys):
    out = tmp_path / "run"
    status = main(["bench", "--variants", "qemu-2.5", "--budget", "3",
                   "--scenarios", "self-resched", "--processes", "2",
                   "--seed", "3", "--out", str(out)])
    assert status == 0, capsys.readouterr().err
    samples = read_samples(out / "samples.jsonl")
    measured = {s.variant for s in samples.samples}
    assert "qemu-2.5" in measured
    assert all(s.ns > 0 for s in samples.samples)
    assert "qemu-2.5" in samples.census     # its instruction census too


# ---- mistakes in a C file ---------------------------------------------------

def plain(scratch, body_edit=None, params: dict | None = None,
          name: str = "mine") -> None:
    """variants/mine.c: the QEMU 2.5 paste, edited; variants/mine.toml."""
    text = QEMU_25 if body_edit is None else body_edit(QEMU_25)
    (scratch.variants / f"{name}.c").write_text(text)
    lines = [f'name = "{name}"', 'summary = "test"', 'provenance = "test"',
             f'source = "variants/{name}.c"', "[params]"]
    lines += [f'{k} = "{v}"' for k, v in (params or {}).items()]
    (scratch.variants / f"{name}.toml").write_text("\n".join(lines) + "\n")


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1)
                if needle in line)


def load_error(scratch) -> str:
    with pytest.raises(SpecError) as err:
        load_variants(scratch.variants)
    return str(err.value)


C_ORDER_ERRORS = {
    # case: (replace, with, words)
    "load release": ("atomic_read(&ctx->notify_me)",
                     "__atomic_load_n(&ctx->notify_me, __ATOMIC_RELEASE)",
                     ["__atomic_load_n() (a load)",
                      "release is not an order for a load",
                      "valid for a load: relaxed, acquire, seq_cst"]),
    "store acquire": ("atomic_mb_set(&ctx->notified, true)",
                      "__atomic_store_n(&ctx->notified, 1, __ATOMIC_ACQUIRE)",
                      ["acquire is not an order for a store",
                       "valid for a store: relaxed, release, seq_cst"]),
    "rmw consume": ("atomic_xchg(&ctx->notified, false)",
                    "__atomic_exchange_n(&ctx->notified, 0, "
                    "memory_order_consume)",
                    ["consume is not accepted"]),
    "cas failure": ("atomic_xchg(&ctx->notified, false)",
                    "__atomic_compare_exchange_n(&ctx->notified, &e, 0, 0, "
                    "__ATOMIC_RELAXED, __ATOMIC_ACQUIRE)",
                    ["(a compare-exchange failure)",
                     "no stronger than its success order (relaxed)",
                     "valid for a compare-exchange failure: relaxed"]),
    "fence relaxed": ("smp_mb();", "__atomic_thread_fence(__ATOMIC_RELAXED);",
                      ["a relaxed fence orders nothing",
                       "valid for a fence: acquire, release"]),
    "order not constant": ("atomic_read(&ctx->notify_me)",
                           "__atomic_load_n(&ctx->notify_me, order)",
                           ["is not an order constant"]),
    # <stdatomic.h> cannot be included: C11 names check but never build.
    "c11 fence": ("smp_mb();", "atomic_thread_fence(memory_order_seq_cst);",
                  ["atomic_thread_fence() is C11 <stdatomic.h>",
                   "write __atomic_thread_fence() with __ATOMIC_* orders"]),
    "c11 rmw": ("atomic_add(&ctx->notify_me, 2)",
                "atomic_fetch_add(&ctx->notify_me, 2)",
                ["atomic_fetch_add() is C11 <stdatomic.h>",
                 "write __atomic_fetch_add()"]),
    "c11 load": ("atomic_read(&ctx->notify_me)",
                 "atomic_load_explicit(&ctx->notify_me, "
                 "memory_order_relaxed)",
                 ["atomic_load_explicit() is C11", "__atomic_load_n()"]),
    "c11 order name": ("smp_mb();",
                       "__atomic_thread_fence(memory_order_seq_cst);",
                       ["memory order memory_order_seq_cst of "
                        "__atomic_thread_fence() is C11 <stdatomic.h>'s",
                        "write __ATOMIC_SEQ_CST"]),
    "unknown macro": ("atomic_read(&ctx->notify_me)",
                      "qatomic_load_relaxed(&ctx->notify_me)",
                      ["unknown atomic macro or builtin "
                       "qatomic_load_relaxed()", "qatomic_read"]),
}


@pytest.mark.parametrize("case", sorted(C_ORDER_ERRORS))
def test_c_order_errors_are_reported_at_the_c_line(scratch, case):
    old, new, words = C_ORDER_ERRORS[case]
    plain(scratch, lambda text: text.replace(old, new, 1))
    message = load_error(scratch)
    assert f"variants/mine.c:{line_of(QEMU_25, old)}:" in message, message
    for word in words:
        assert word in message, (word, message)


def test_a_missing_hook_is_named(scratch):
    plain(scratch, lambda text: text.replace("aio_notifier_cb(AioContext",
                                             "notifier_cb(AioContext"))
    message = load_error(scratch)
    assert "variants/mine.c:1: variants/mine.c does not define " \
           "aio_notifier_cb()" in message


def test_shared_code_in_the_c_file_is_refused(scratch):
    plain(scratch, lambda text: text + "\nint aio_poll(AioContext *ctx, "
                                       "int b)\n{\n    return b;\n}\n")
    message = load_error(scratch)
    assert "defines aio_poll(), which is the shared protocol code" in message


def test_a_hook_parameter_is_refused_for_plain_c(scratch):
    plain(scratch, params={"notify_fence": "smp_wmb"})
    message = load_error(scratch)
    assert "mine.toml:6: parameter 'notify_fence' changes aio_notify, " \
           "which variants/mine.c defines" in message
    assert "bh_timeout_read" in message      # what it may set


def test_shared_parameters_apply_to_plain_c(scratch):
    plain(scratch, params={"bh_timeout_read": "acquire"})
    variant = load_variants(scratch.variants)["mine"]
    text = render_variant(variant, scratch).text
    assert "qatomic_load_acquire(&ctx->bh_scheduled)" in text


@pytest.mark.parametrize("source", ["../outside.c", "/etc/x.c",
                                    "variants/missing.c", "variants/x.h"])
def test_a_bad_source_path_is_refused(scratch, source):
    (scratch.variants / "mine.toml").write_text(
        'name = "mine"\nsummary = "t"\nprovenance = "t"\n'
        f'source = "{source}"\n')
    message = load_error(scratch)
    assert "mine.toml:4: source" in message


def test_a_derived_spec_of_plain_c_keeps_the_c(scratch):
    plain(scratch)
    (scratch.variants / "more.toml").write_text(
        spec("more", "mine", {"bh_poll_xchg": "acq_rel"}))
    more = load_variants(scratch.variants)["more"]
    assert more.source == "variants/mine.c"
    text = render_variant(more, scratch).text
    assert "atomic_xchg(&ctx->notified, false)" in text
    assert "__atomic_exchange_n(&ctx->bh_scheduled, 0, __ATOMIC_ACQ_REL)" \
        in text


def test_a_compile_error_points_at_the_c_line(scratch, tmp_path):
    if shutil.which("gcc") is None:
        pytest.skip("gcc not installed")
    plain(scratch, lambda text: text.replace("smp_mb();", "smp_mb()", 1))
    variant = load_variants(scratch.variants)["mine"]
    with pytest.raises(BuildError) as err:
        build_variant(render_variant(variant, scratch), scratch,
                      find_toolchain("gcc"), cache=tmp_path / "cache")
    assert "variants/mine.c:" in str(err.value)
    assert err.value.hint.startswith("fix the line shown;")   # no template
    assert err.value.line in (line_of(QEMU_25, "smp_mb();"),
                              line_of(QEMU_25, "smp_mb();") + 1)


def test_the_checker_names_the_c_line_of_unsupported_c(scratch):
    plain(scratch, lambda text: text.replace(
        "    smp_mb();\n",
        "    smp_mb();\n    switch (0) { default: break; }\n", 1))
    variant = load_variants(scratch.variants)["mine"]
    with pytest.raises(UnsupportedConstruct) as err:
        check_variant(render_variant(variant, scratch), "sc")
    assert f"variants/mine.c:{line_of(QEMU_25, 'smp_mb();') + 1}:" in \
        str(err.value)


def test_a_misspelt_field_is_an_error_not_a_verdict(scratch):
    # ctx->notifed does not compile; the checker must not model it as a
    # location of its own (it found a busy loop in such a file).
    old = "atomic_xchg(&ctx->notified, false)"
    plain(scratch, lambda text: text.replace(
        old, "atomic_xchg(&ctx->notifed, false)"))
    variant = load_variants(scratch.variants)["mine"]
    with pytest.raises(CheckerError) as err:
        check_variant(render_variant(variant, scratch), "sc")
    assert str(err.value).startswith(
        f"variants/mine.c:{line_of(QEMU_25, old)}: no struct declares a "
        "field notifed (ctx->notifed) (did you mean notified?")


def test_a_macro_the_file_defines_is_known_and_its_body_checked(scratch):
    define = "#define atomic_mb_read(ptr) qatomic_load_acquire(ptr)\n"
    use = ("atomic_read(&ctx->notify_me)", "atomic_mb_read(&ctx->notify_me)")
    plain(scratch, lambda text: define + text.replace(*use))
    text = render_variant(load_variants(scratch.variants)["mine"],
                          scratch).text
    assert define + "/*" in text     # pasted as is
    plain(scratch, lambda text: define.replace(
        "qatomic_load_acquire(ptr)", "__atomic_load_n(ptr, __ATOMIC_RELEASE)")
        + text.replace(*use))
    message = load_error(scratch)
    assert "variants/mine.c:1: memory order __ATOMIC_RELEASE of " \
           "__atomic_load_n() (a load)" in message, message


def _with_bools(text: str) -> str:
    """QEMU 2.5's hooks in later QEMU's style: a static bool helper, a
    bool local, comparisons with true."""
    helper = ("static inline bool aio_may_sleep(AioContext *ctx)\n{\n"
              "    return atomic_read(&ctx->notify_me);\n}\n\n")
    text = text.replace("void aio_notify(AioContext *ctx)\n",
                        helper + "void aio_notify(AioContext *ctx)\n", 1)
    text = text.replace("    if (atomic_read(&ctx->notify_me)) {",
                        "    if (aio_may_sleep(ctx) == true) {")
    text = text.replace("    if (atomic_xchg(&ctx->notified, false)) {",
                        "    bool was = atomic_xchg(&ctx->notified, false);"
                        "\n\n    if (was == true) {")
    return text.replace("    int readable = 0;", "    bool readable = false;")


def _pasted(paths, scratch, edit, cell):
    """QEMU 2.5's paste with `edit` applied, checked in `cell`: its
    verdict, states and cut states."""
    plain(scratch, edit)
    variant = load_variants(scratch.variants)["mine"]
    model, options = cell_options(cell, paths.csrc)
    result = check_variant(render_variant(variant, scratch), model, options)
    return result.verdict, result.explored, result.cut


@pytest.mark.parametrize("cell", ["sc", "tso"])
def test_bool_code_pastes_and_converts_to_0_or_1(paths, scratch, cell):
    # notify_me is 2 while a poller may sleep: a bool made from it is 1,
    # so `== true` holds, as C says.  Read as 2, aio_notify would never
    # write the eventfd (a lost wakeup that the C does not have).
    assert _pasted(paths, scratch, _with_bools, cell) == \
        PINNED["original-05e514b1"][cell]


def test_likely_and_unlikely_paste(paths, scratch):
    # QEMU's branch hints (__builtin_expect) are hints, not conditions.
    def hinted(text):
        return text.replace(
            "    if (atomic_read(&ctx->notify_me)) {",
            "    if (unlikely(atomic_read(&ctx->notify_me))) {").replace(
            "    if (atomic_xchg(&ctx->notified, false)) {",
            "    if (likely(atomic_xchg(&ctx->notified, false))) {")
    assert _pasted(paths, scratch, hinted, "sc") == \
        PINNED["original-05e514b1"]["sc"]


@pytest.mark.parametrize("edit, offset", [
    (("void aio_notify_accept(AioContext *ctx)\n",
      "void aio_notify_accept(AioContext *ctx) {\n"), 0),   # one too many
    (("        event_notifier_test_and_clear(&ctx->notifier);\n    }\n",
      "        event_notifier_test_and_clear(&ctx->notifier);\n"), 1)])
def test_an_unclosed_brace_is_named_not_missing_hooks(scratch, edit, offset):
    # Every definition after it looks like code in a body.
    plain(scratch, lambda text: text.replace(*edit, 1))
    message = load_error(scratch)
    line = line_of(QEMU_25, "aio_notify_accept(") + offset
    assert message.startswith(f"variants/mine.c:{line}: this '{{' is never "
                              "closed (unbalanced braces"), message


def _generic(text: str) -> str:
    """QEMU 2.5's loads and exchanges as GCC's by-address builtins."""
    return text.replace(
        "    if (atomic_read(&ctx->notify_me)) {",
        "    int me;\n\n    __atomic_load(&ctx->notify_me, &me, "
        "__ATOMIC_RELAXED);\n    if (me) {").replace(
        "    if (atomic_xchg(&ctx->notified, false)) {",
        "    int zero = 0, old;\n\n    __atomic_exchange(&ctx->notified, "
        "&zero, &old, __ATOMIC_SEQ_CST);\n    if (old) {")


@pytest.mark.parametrize("cell", ["sc", "tso"])
def test_generic_builtins_paste_with_the_baselines_counts(paths, scratch,
                                                         cell):
    assert _pasted(paths, scratch, _generic, cell) == \
        PINNED["original-05e514b1"][cell]


def test_a_sync_nand_is_not_called_unknown(scratch):
    # GCC defines it; the checker does not model it, and says so.
    plain(scratch, lambda text: text.replace(
        "atomic_add(&ctx->notify_me, 2)",
        "__sync_fetch_and_nand(&ctx->notify_me, 2)"))
    variant = load_variants(scratch.variants)["mine"]
    with pytest.raises(UnsupportedConstruct) as err:
        check_variant(render_variant(variant, scratch), "sc")
    assert "GCC builtin __sync_fetch_and_nand(), which the checker does " \
           "not model" in str(err.value)


@pytest.mark.parametrize("edit, words", [
    (lambda text: "#include <stdatomic.h>\n" + text,
     ["variants/mine.c:1: the C preprocessor: stdatomic.h: No such file",
      "may include only the headers in csrc/ (aio_protocol.h, "
      "qemu_atomic.h)"]),
    (lambda text: text.replace("atomic_xchg(&ctx->notified, false)",
                               "atomic_xchg(&ctx->notified)"),
     [f"variants/mine.c:{line_of(QEMU_25, 'atomic_xchg(')}: the C "
      "preprocessor: macro \"atomic_xchg\" requires 2 arguments",
      "fix the line shown"]),
])
def test_a_preprocessor_error_is_named_at_the_c_line(scratch, edit, words):
    plain(scratch, edit)
    variant = load_variants(scratch.variants)["mine"]
    with pytest.raises(CheckerError) as err:
        check_variant(render_variant(variant, scratch), "sc")
    for word in words:
        assert word in str(err.value), (word, str(err.value))
    assert "check the includes" not in str(err.value)


def test_render_expand_names_the_preprocessor_error_line(scratch, capsys):
    plain(scratch, lambda text: text.replace(
        "atomic_xchg(&ctx->notified, false)", "atomic_xchg(&ctx->notified)"))
    status = main(["render", "--root", str(scratch.root), "--expand",
                   "mine"])
    err = capsys.readouterr().err
    assert status == 2
    assert err == (f"evaluate: error: variants/mine.c:"
                   f"{line_of(QEMU_25, 'atomic_xchg(')}: the C preprocessor:"
                   " macro \"atomic_xchg\" requires 2 arguments, but only 1 "
                   "given (fix the line shown; 'evaluate render NAME' prints "
                   "the C)\n")


@pytest.mark.parametrize("macro, words", [
    ("atomic_mb_read(&ctx->notify_me)",
     "write qatomic_load_acquire(p) (2019-2023), __atomic_load_n(p, "
     "__ATOMIC_SEQ_CST) (2016), or atomic_read(p) then smp_rmb() (2015)"),
    ("qatomic_cmpxchg(&ctx->notify_me, 0, 0)",
     "write __sync_val_compare_and_swap(p, old, new) (2015)"),
])
def test_a_qemu_macro_the_header_lacks_says_what_to_write(scratch, macro,
                                                          words):
    old = "atomic_read(&ctx->notify_me)"
    plain(scratch, lambda text: text.replace(old, macro))
    message = load_error(scratch)
    name = macro.split("(")[0]
    assert message.startswith(f"variants/mine.c:{line_of(QEMU_25, old)}: "
                              f"QEMU's {name}() is not in "
                              "csrc/qemu_atomic.h ("), message
    assert words in message


def test_a_long_local_loop_is_an_unknown_cell_not_an_error(scratch, capsys,
                                                          monkeypatch):
    # A delay loop past the checker's local-step bound: no verdict for
    # that variant, but the command goes on and the others keep theirs.
    from evaluator.checker import ir
    monkeypatch.setattr(ir, "_MAX_LOCAL_STEPS", 500)
    plain(scratch, lambda text: text.replace(
        "    smp_mb();\n", "    int i;\n\n    for (i = 0; i < 1000; i++) {\n"
        "        barrier();\n    }\n    smp_mb();\n", 1))
    status = main(["check", "--root", str(scratch.root), "--variants",
                   "mine,original-05e514b1", "--models", "sc", "--jobs",
                   "1", "--json"])
    cells = {r["variant"]: r for r in
             json.loads(capsys.readouterr().out)["results"]}
    assert status == 1
    assert cells["original-05e514b1"]["verdict"] == "safe"
    assert cells["mine"]["verdict"] == "unknown"
    assert "thread-local loop runs more than 500 steps" in \
        cells["mine"]["reason"]


# ---- which QEMU atomic.h the atomic_* names mean (atomics = ...) ----------

def _paste_of(scratch, atomics: str | None, name: str = "mine"):
    """The QEMU 2.5 paste with `atomics = ...` in its spec: what code
    pasted from QEMU 2.6-5.1 looks like (same names, 2016 meaning)."""
    plain(scratch, name=name)
    toml = scratch.variants / f"{name}.toml"
    if atomics is not None:
        toml.write_text(toml.read_text().replace(
            "[params]", f"atomics = {atomics}\n[params]"))
    return load_variants(scratch.variants)[name]


def test_atomics_2016_reads_atomic_add_as_a_seq_cst_rmw(paths, scratch,
                                                        variants):
    paste = render_variant(_paste_of(scratch, '"2016"'), scratch).text
    # As 4.2 wrote it: notify_me raised by C11 seq_cst RMWs (no fence),
    # notified set by a store-release and smp_mb (qatomic_set_mb).
    same = derive(paths, variants, "original-05e514b1", {
        "notify_me_update": "rmw", "notified_store": "qatomic_set_mb"})
    assert canonical_c(paste, paths.csrc, "a") == \
        canonical_c(render_variant(same, paths).text, paths.csrc, "b")
    assert canonical_c(paste, paths.csrc, "a") != canonical_c(
        render_variant(variants["qemu-2.5"], paths).text, paths.csrc, "c")


def test_atomics_2016_finds_the_2020_aarch64_hang_in_a_paste(paths,
                                                              scratch):
    model, options = cell_options("c11-small", paths.csrc)
    for atomics, verdict in (('"2016"', "unsafe"), ('"2015"', "safe"),
                             (None, "safe")):
        variant = _paste_of(scratch, atomics)
        result = check_variant(render_variant(variant, scratch), model,
                               options)
        assert result.verdict == verdict, atomics
        if verdict == "unsafe":
            assert result.violations[0].property == "lost-wakeup"


@pytest.mark.parametrize("value, words", [
    ('"2020"', ["mine.toml:5: atomics = '2020'", '"2015" (QEMU <= 2.5']),
    ("2016", ["mine.toml:5: atomics = 2016", '"2016" (QEMU 2.6-5.1']),
])
def test_a_bad_atomics_value_is_named_at_its_line(scratch, value, words):
    with pytest.raises(SpecError) as err:
        _paste_of(scratch, value)
    for word in words:
        assert word in str(err.value)


def test_atomics_is_refused_for_a_template_variant(scratch):
    (scratch.variants / "t.toml").write_text(
        spec("t", "original-05e514b1", {}).replace(
            'based_on = "original-05e514b1"',
            'template = "notify"\natomics = "2016"'))
    with pytest.raises(SpecError, match="t.toml:5: atomics applies to "
                                        "plain-C hooks only"):
        load_variants(scratch.variants)


def test_a_spec_based_on_a_paste_may_read_it_as_2016(paths, scratch):
    (scratch.variants / "q42.toml").write_text(
        spec("q42", "qemu-2.5", {}, extra='atomics = "2016"').replace(
            "[params]\n", ""))
    variants = load_variants(scratch.variants)
    assert (variants["q42"].atomics, variants["qemu-2.5"].atomics) == \
        ("2016", "2015")
    assert "#define EVALUATE_QEMU_ATOMICS 2016" in render_variant(
        variants["q42"], scratch).text
    (scratch.variants / "t42.toml").write_text(
        spec("t42", "original-05e514b1", {}, extra='atomics = "2016"'))
    with pytest.raises(SpecError, match="t42.toml:5: atomics applies to "
                                        "plain-C hooks only"):
        load_variants(scratch.variants)
