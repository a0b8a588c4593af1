"""C front end: what it lowers, and the errors for what it does not."""

from __future__ import annotations

import pytest

from evaluator.checker.frontend import (LocPtr, ThreadSpec, compile_thread,
                                        parse_c)
from evaluator.checker.ir import MEM
from evaluator.checker.litmus import parse_litmus, run_litmus
from evaluator.checker.memory import Kind, RmwOp
from evaluator.errors import CheckerError, UnsupportedConstruct
from evaluator.orders import Order

HEADER = """\
typedef struct AioContext { int a; int b; int notifier; } AioContext;
"""


def events(body: str, syscalls: str = "acq_rel", call: str = "f"):
    """The memory events of f(ctx) as (kind, loc, order, op) tuples."""
    unit = parse_c(HEADER + body, "t.c")
    code = compile_thread(unit, ThreadSpec("T", "litmus", call,
                                           (LocPtr(""),)), syscalls)
    return [(i.access.kind, i.access.loc, i.access.order, i.access.op)
            for i in code.code if i.kind == MEM]


def outcomes(text: str, model: str = "sc"):
    test = parse_litmus(text, "t.litmus")
    return set(run_litmus(test, model).outcomes)


def test_sync_rmw_is_a_full_barrier():
    got = events("void f(AioContext *ctx) "
                 "{ __sync_fetch_and_add(&ctx->a, 2); }")
    assert got == [(Kind.FENCE, "", Order.SEQ_CST, None),
                   (Kind.RMW, "a", Order.SEQ_CST, RmwOp.ADD),
                   (Kind.FENCE, "", Order.SEQ_CST, None)]


def test_c11_seq_cst_rmw_is_not_a_fence():
    got = events("void f(AioContext *ctx) "
                 "{ __atomic_fetch_add(&ctx->a, 2, 5); }")
    assert got == [(Kind.RMW, "a", Order.SEQ_CST, RmwOp.ADD)]


def test_signal_fence_and_relaxed_fence_are_no_ops():
    got = events("void f(AioContext *ctx) { __atomic_signal_fence(5); "
                 "__atomic_thread_fence(0); __sync_synchronize(); }")
    assert got == [(Kind.FENCE, "", Order.SEQ_CST, None)]


def test_intrinsics_and_full_fence_syscalls():
    body = ("void f(AioContext *ctx) { event_notifier_set(&ctx->notifier); "
            "}")
    assert events(body) == [(Kind.RMW, "notifier", Order.ACQ_REL,
                             RmwOp.ADD)]
    assert events(body, "full-fence") == [
        (Kind.FENCE, "", Order.SEQ_CST, None),
        (Kind.RMW, "notifier", Order.ACQ_REL, RmwOp.ADD),
        (Kind.FENCE, "", Order.SEQ_CST, None)]


def test_plain_field_accesses_are_plain():
    unit = parse_c(HEADER + "void f(AioContext *ctx) { ctx->b = ctx->a + 1; }",
                   "t.c")
    code = compile_thread(unit, ThreadSpec("T", "litmus", "f", (LocPtr(""),)))
    accesses = [i.access for i in code.code if i.kind == MEM]
    assert [(a.kind, a.loc, a.plain) for a in accesses] == [
        (Kind.LOAD, "a", True), (Kind.STORE, "b", True)]


def test_short_circuit_skips_the_right_operand():
    # y is read only when x was 1: with x = 0 the load of y never happens,
    # so r1 keeps its initial 7.
    text = """C sc
{ x = 0; y = 5; }
P0 (atomic_int* x, atomic_int* y) {
  int r1 = 7;
  int r0 = atomic_load_explicit(x, memory_order_relaxed) &&
           (r1 = atomic_load_explicit(y, memory_order_relaxed));
}
exists (0:r0=0 /\\ 0:r1=7)
"""
    assert outcomes(text) == {(("0:r0", 0), ("0:r1", 7))}


def test_loops_calls_and_compare_exchange():
    text = """C cas
{ x = 0; }
P0 (atomic_int* x) {
  int expected = 1;
  int ok = atomic_compare_exchange_strong_explicit(x, &expected, 5,
               memory_order_seq_cst, memory_order_relaxed);
  int n = 0;
  for (int i = 0; i < 3; i++) { n += i; }
  while (n > 10) { n--; }
  int r = ok ? 100 : expected + n;
}
exists (0:ok=0 /\\ 0:r=3)
"""
    # failure stores the value seen (0) into expected; 0 + (0+1+2) = 3
    assert outcomes(text) == {(("0:ok", 0), ("0:r", 3))}


def test_unsupported_construct_names_it_and_the_template_line():
    text = HEADER + """\
#line 40 "templates/notify-x.c.j2"
void f(AioContext *ctx)
{
    switch (ctx->a) { default: break; }
}
"""
    unit = parse_c(text, "t.c")
    with pytest.raises(UnsupportedConstruct) as err:
        compile_thread(unit, ThreadSpec("T", "litmus", "f", (LocPtr(""),)))
    assert err.value.path == "templates/notify-x.c.j2"
    assert err.value.line == 42
    assert "switch statement" in str(err.value)


@pytest.mark.parametrize("body, words", [
    ("void f(AioContext *ctx) { goto out; out: ; }", "goto"),
    ("void f(AioContext *ctx) { int v[2]; }", "array"),
    ("void f(AioContext *ctx) { f(ctx); }", "recursive call to f()"),
    ("void f(AioContext *ctx) { mystery(ctx); }", "call to mystery()"),
    ("void f(AioContext *ctx) { int o = 5; __atomic_load_n(&ctx->a, o); }",
     "is not a constant order"),
    ("void f(AioContext *ctx) { __atomic_store_n(&ctx->a, 1, 2); }",
     "memory order acquire is not valid for __atomic_store_n"),
    ("void f(AioContext *ctx) { int e = 0; "
     "__atomic_compare_exchange_n(&ctx->a, &e, 1, 1, 5, 5); }",
     "weak = 1"),
    ("void f(AioContext *ctx) { static int n; }", "static local"),
    ("void f(AioContext *ctx) { int i = sizeof(int); }", "sizeof"),
])
def test_unsupported_constructs(body, words):
    unit = parse_c(HEADER + "#line 7 \"templates/t.c.j2\"\n" + body, "t.c")
    with pytest.raises(UnsupportedConstruct) as err:
        compile_thread(unit, ThreadSpec("T", "litmus", "f", (LocPtr(""),)))
    assert words in str(err.value)
    assert str(err.value).startswith("templates/t.c.j2:7: ")


@pytest.mark.parametrize("line", ["  int x = 1 +;", "  int x = 1 ;; }}"])
def test_syntax_errors_name_the_template_line(line):
    with pytest.raises(UnsupportedConstruct) as err:
        parse_c(HEADER + "#line 3 \"templates/t.c.j2\"\nvoid f(void) {\n"
                + line + "\n}\n", "t.c")
    assert err.value.path == "templates/t.c.j2"
    assert err.value.line == 4


def test_statement_expressions_are_named():
    unit = parse_c(HEADER + "#line 3 \"templates/t.c.j2\"\n"
                   "void f(AioContext *ctx) {\n  int x = ({ 1; });\n}\n",
                   "t.c")
    with pytest.raises(UnsupportedConstruct) as err:
        compile_thread(unit, ThreadSpec("T", "litmus", "f", (LocPtr(""),)))
    assert "statement expression" in str(err.value)
    assert str(err.value).startswith("templates/t.c.j2:4: ")


@pytest.mark.parametrize("body", [
    "void f(AioContext *ctx) { __atomic_store_n(&ctx->c, 1, 0); }",
    "void f(AioContext *ctx) { int x = ctx->aa; }",
    "void f(AioContext *ctx) { ctx->bb = 1; }",
])
def test_a_field_no_struct_declares_is_an_error_not_a_location(body):
    # The compiler refuses it; modelled, it would be a fresh location no
    # other thread touches, and the verdict would be about other code.
    unit = parse_c(HEADER + "#line 5 \"variants/v.c\"\n" + body, "t.c")
    with pytest.raises(CheckerError) as err:
        compile_thread(unit, ThreadSpec("T", "litmus", "f", (LocPtr(""),)))
    assert str(err.value).startswith("variants/v.c:5: no struct declares "
                                     "a field ")
    assert "fields: a, b, notifier" in str(err.value)


def test_builtin_expect_is_its_first_argument():
    got = events("void f(AioContext *ctx) { if (__builtin_expect("
                 "__atomic_load_n(&ctx->a, 2), 0)) ctx->b = 1; }")
    assert got == [(Kind.LOAD, "a", Order.ACQUIRE, None),
                   (Kind.STORE, "b", Order.RELAXED, None)]


def test_a_function_pointer_is_named_as_one():
    unit = parse_c(HEADER + "static void g(AioContext *ctx) { ctx->a = 1; }\n"
                   "#line 9 \"variants/v.c\"\n"
                   "void f(AioContext *ctx) {\n"
                   "  void (*fn)(AioContext *) = g;\n  fn(ctx);\n}\n", "t.c")
    with pytest.raises(UnsupportedConstruct) as err:
        compile_thread(unit, ThreadSpec("T", "litmus", "f", (LocPtr(""),)))
    assert str(err.value).startswith(
        "variants/v.c:10: unsupported construct: a function pointer "
        "(function g used as a value) (call the function directly")


def test_generic_atomic_builtins_are_their_n_forms():
    # QEMU's macros expand to these for non-int types; the plain-C scan
    # checks their orders, so the checker must read them.
    got = events("void f(AioContext *ctx) { int r, s = 1, n = 0;"
                 " __atomic_load(&ctx->a, &r, 2);"
                 " __atomic_store(&ctx->b, &r, 3);"
                 " __atomic_exchange(&ctx->a, &s, &r, 4);"
                 " __atomic_compare_exchange(&ctx->a, &r, &n, 0, 5, 2); }")
    assert got == [(Kind.LOAD, "a", Order.ACQUIRE, None),
                   (Kind.STORE, "b", Order.RELEASE, None),
                   (Kind.RMW, "a", Order.ACQ_REL, RmwOp.XCHG),
                   (Kind.RMW, "a", Order.SEQ_CST, RmwOp.CAS)]


def test_an_unmodelled_gcc_builtin_is_named_as_one():
    unit = parse_c(HEADER + "void f(AioContext *ctx) "
                   "{ __atomic_fetch_nand(&ctx->a, 1, 5); }", "t.c")
    with pytest.raises(UnsupportedConstruct) as err:
        compile_thread(unit, ThreadSpec("T", "litmus", "f", (LocPtr(""),)))
    assert "GCC builtin __atomic_fetch_nand(), which the checker does not" \
           " model (it models: __atomic_add_fetch," in str(err.value)


PROTOTYPE = "int g(AioContext *ctx, int n);\n#line 20 \"variants/v.c\"\n"


@pytest.mark.parametrize("definition, refused", [
    ("void g(AioContext *ctx, int n) { }", "void (AioContext *, int)"),
    ("int g(AioContext *ctx) { return 1; }", "int (AioContext *)"),
    ("int g(AioContext *ctx, _Bool n) { return n; }",
     "int (AioContext *, _Bool)"),
    ("int g(AioContext *ctx, int *n) { return 1; }",
     "int (AioContext *, int *)"),
    # Spellings of the declared type: not conflicts.
    ("int g(AioContext *const ctx, const int n) { return n; }", None),
    ("int g(struct AioContext *ctx, signed n) { return n; }", None),
])
def test_a_definition_that_contradicts_its_prototype_is_refused(
        definition, refused):
    # The compiler refuses it too; read anyway, a void aio_poll_wait
    # would hand aio_poll a 0 that the compiled code never computes.
    text = HEADER.replace("} AioContext;", "} AioContext;\n") + PROTOTYPE \
        + definition + "\nint f(AioContext *ctx) { return g(ctx, 2); }\n"
    if refused is None:
        compile_thread(parse_c(text, "t.c"),
                       ThreadSpec("T", "litmus", "f", (LocPtr(""),)))
        return
    with pytest.raises(CheckerError) as err:
        parse_c(text, "t.c")
    assert str(err.value) == (
        f"variants/v.c:20: g() is defined as {refused} but declared as "
        "int (AioContext *, int) (define it as declared at t.c:3)")


def test_a_function_defined_twice_is_refused():
    text = HEADER + "#line 4 \"variants/v.c\"\nint g(void) { return 1; }\n" \
        "int g(void) { return 2; }\n"
    with pytest.raises(CheckerError) as err:
        parse_c(text, "t.c")
    assert str(err.value) == ("variants/v.c:5: g() is defined twice (the "
                              "first definition is at variants/v.c:4; keep "
                              "one)")


def test_a_dot_on_a_pointer_says_to_write_the_arrow():
    unit = parse_c(HEADER + "#line 3 \"variants/v.c\"\n"
                   "void f(AioContext *ctx) { ctx.a = 1; }\n", "t.c")
    with pytest.raises(UnsupportedConstruct) as err:
        compile_thread(unit, ThreadSpec("T", "litmus", "f", (LocPtr(""),)))
    assert str(err.value) == ("variants/v.c:3: unsupported construct: "
                              "ctx.a: ctx is a pointer (write ctx->a)")


def test_a_long_local_loop_is_an_error_at_its_c_line(monkeypatch):
    from evaluator.checker import ir
    monkeypatch.setattr(ir, "_MAX_LOCAL_STEPS", 50)
    unit = parse_c(HEADER + "#line 8 \"variants/v.c\"\nvoid f(AioContext *ctx)"
                   " {\n  int i;\n  for (i = 0; i < 1000; i++) { }\n"
                   "  ctx->a = i;\n}\n", "t.c")
    code = compile_thread(unit, ThreadSpec("T", "litmus", "f",
                                           (LocPtr(""),)))
    with pytest.raises(CheckerError) as err:
        ir.run_local(code.code, 0, [0] * code.nslots)
    assert str(err.value).startswith("variants/v.c:10: thread-local loop "
                                     "runs more than 50 steps")


@pytest.mark.parametrize("char, value", [
    ("'a'", 97), ("'\\n'", 10), ("'\\0'", 0), ("'\\x41'", 65),
    ("'\\101'", 65), ("'\\''", 39), ("'\\\\'", 92)])
def test_char_constants_have_cs_values(char, value):
    unit = parse_c(HEADER + f"void f(AioContext *ctx) {{ ctx->a = {char}; }}",
                   "t.c")
    code = compile_thread(unit, ThreadSpec("T", "litmus", "f",
                                           (LocPtr(""),)))
    assert [i.access.value for i in code.code if i.kind == MEM] == [value]


def test_a_declared_function_never_defined_is_named_so():
    # e.g. a hook whose definition sits in an #if 0 block.
    unit = parse_c(HEADER + "void g(AioContext *ctx);\n#line 30 \"t.c.j2\"\n"
                   "void f(AioContext *ctx) { g(ctx); }\n", "t.c")
    with pytest.raises(CheckerError) as err:
        compile_thread(unit, ThreadSpec("T", "litmus", "f", (LocPtr(""),)))
    assert str(err.value).startswith("t.c.j2:30: call to g(), which is "
                                     "declared but never defined (define it")


def test_a_missing_entry_point_names_where_it_should_come_from():
    unit = parse_c(HEADER + "void f(AioContext *ctx) { }\n", "t.c")
    with pytest.raises(CheckerError) as err:
        compile_thread(unit, ThreadSpec("T", "poller", "aio_poll",
                                        (LocPtr(""), 1)))
    assert "templates/aio_protocol.c.j2" in str(err.value)
    assert "csrc/aio_protocol.c" not in str(err.value)  # no such file
