"""The instruction census matches the compiled code (issue 6)."""

from __future__ import annotations

import shutil

import pytest

from evaluator.build.census import (ARCHES, CATEGORIES, ENTRY_POINTS,
                                    FUNCTIONS, Insn, arch_tool,
                                    census_variant, classify, disassemble,
                                    parse_objdump, reachable)
from evaluator.render import render_variant

needs_cross = pytest.mark.skipif(
    shutil.which("aarch64-linux-gnu-gcc") is None
    or shutil.which("aarch64-linux-gnu-objdump") is None,
    reason="aarch64 cross toolchain not installed")


@pytest.fixture(scope="module")
def census(fixture_paths, variants, toolchain, cache):
    done = {}

    def get(name):
        if name not in done:
            rendered = render_variant(variants[name], fixture_paths)
            done[name] = census_variant(rendered, fixture_paths, toolchain,
                                        cache=cache)
        return done[name]
    return get


@pytest.fixture(scope="module")
def insns(fixture_paths, variants, toolchain, cache):
    def get(name, arch):
        rendered = render_variant(variants[name], fixture_paths)
        return disassemble(rendered, fixture_paths,
                           arch_tool(arch, toolchain), cache=cache)
    return get


def hooks(record, arch, category):
    return sum(record["arches"][arch][f][category]
               for f in ("aio_notify", "aio_notify_accept"))


# ---- classification of single instructions -------------------------------

@pytest.mark.parametrize("text,expected", [
    ("lock orq $0x0,(%rsp)", {"full_fences"}),
    ("lock addl $0x0,-0x40(%rsp)", {"full_fences"}),
    ("mfence", {"full_fences"}),
    ("lock addl $0x2,(%rdi)", {"atomic_rmw"}),
    ("lock xadd %eax,(%rdi)", {"atomic_rmw"}),
    ("lock orq $0x1,(%rsp)", {"atomic_rmw"}),      # not a no-op
    ("xchg %eax,0x4(%rdi)", {"atomic_rmw"}),
    ("xchg %eax,%edx", set()),
    ("movl $0x1,0x4(%rbx)", set()),
])
def test_x86_classification(text, expected):
    [insn] = parse_objdump(f"0000000000000000 <f>:\n   0:\t{text}\n")["f"]
    assert classify("x86-64", insn) == expected


@pytest.mark.parametrize("mnemonic,expected", [
    ("dmb", {"full_fences"}),
    ("ldxr", {"atomic_rmw"}),
    ("stxr", set()),                 # the pair is counted at its load
    ("ldaxr", {"atomic_rmw", "acq_rel"}),
    ("stlxr", {"acq_rel"}),
    ("ldar", {"acq_rel"}),
    ("stlr", {"acq_rel"}),
    ("swp", {"atomic_rmw"}),
    ("swpal", {"atomic_rmw", "acq_rel"}),
    ("ldaddal", {"atomic_rmw", "acq_rel"}),
    ("ldadd", {"atomic_rmw"}),
    ("casa", {"atomic_rmw", "acq_rel"}),
    ("ldr", set()),
    ("str", set()),
])
def test_aarch64_classification(mnemonic, expected):
    assert classify("aarch64", Insn(mnemonic, "w0, [x1]")) == expected


# ---- against compiled code -------------------------------------------------

def test_record_shape_and_total(census):
    """total = every function the entry points reach, each once."""
    record = census("original-05e514b1")
    assert record["variant"] == "original-05e514b1"
    assert set(record["arches"]) == set(ARCHES)
    for arch, counts in record["arches"].items():
        assert set(counts) == set(FUNCTIONS) | {"total"}
        counted = record["counted"][arch]
        assert counted[:2] == list(ENTRY_POINTS)
        assert all(f in FUNCTIONS for f in counted)
        for category in CATEGORIES:
            assert counts["total"][category] == sum(
                counts[f][category] for f in counted)


def test_reachable_follows_calls_and_tail_jumps_not_dead_copies():
    text = """
0000000000000000 <aio_notify_accept>:
   0:\txchg   %eax,0x4(%rdi)
0000000000000010 <aio_notify>:
  10:\tlock orq $0x0,(%rsp)
  16:\tcall   1b <aio_notify+0xb>
\t\t\t17: R_X86_64_PLT32\tevent_notifier_set-0x4
0000000000000020 <qemu_bh_schedule>:
  20:\txchg   %eax,0x8(%rdi)
  23:\tjmp    10 <aio_notify>
0000000000000030 <aio_poll>:
  30:\tjne    38 <aio_poll+0x8>
  32:\txchg   %eax,0x4(%rbx)
  38:\tcall   40 <aio_poll_wait>
0000000000000040 <aio_poll_wait>:
  40:\tret
"""
    functions = parse_objdump(text)
    assert functions["aio_notify"][1].target == "event_notifier_set"
    # aio_notify_accept was inlined into aio_poll: its own copy is dead
    assert reachable(functions) == ["qemu_bh_schedule", "aio_poll",
                                    "aio_notify", "aio_poll_wait"]


def test_x86_same_for_relaxed_and_acq_rel(census):
    """On x86-64 the exchange is locked whatever its C11 order, and
    release/relaxed stores are both plain movs."""
    relaxed, acq_rel = census("relaxed"), census("acq-rel")
    assert relaxed["arches"]["x86-64"] == acq_rel["arches"]["x86-64"]
    accept = relaxed["arches"]["x86-64"]["aio_notify_accept"]
    assert accept["atomic_rmw"] == 1 and accept["acq_rel"] == 0


@needs_cross
def test_aarch64_acquire_release_only_for_acq_rel(census):
    relaxed, acq_rel = census("relaxed"), census("acq-rel")
    assert hooks(relaxed, "aarch64", "acq_rel") == 0
    assert hooks(acq_rel, "aarch64", "acq_rel") >= 2   # stlr + ldaxr
    assert hooks(relaxed, "aarch64", "atomic_rmw") == \
        hooks(acq_rel, "aarch64", "atomic_rmw")
    assert hooks(acq_rel, "aarch64-lse", "acq_rel") >= 2  # stlr + swpa


def _fence_after_last_store(insns, is_store, is_fence):
    stores = [i for i, insn in enumerate(insns) if is_store(insn)]
    assert stores, "no store in aio_notify"
    return [insn for insn in insns[stores[-1] + 1:] if is_fence(insn)]


def test_original_full_fence_after_notified_store_x86(insns, toolchain):
    code = insns("original-05e514b1", "x86-64")["aio_notify"]
    # notified is the second int of AioContext: offset 4.
    fences = _fence_after_last_store(
        code, lambda i: i.mnemonic.startswith("mov")
        and i.operands.startswith("$0x1,0x4("),
        lambda i: classify("x86-64", i) == {"full_fences"})
    assert fences
    if "gcc" in toolchain.cc and "12." in toolchain.version:
        assert fences[0].text == "lock orq $0x0,(%rsp)"
    relaxed = insns("relaxed", "x86-64")["aio_notify"]
    assert not _fence_after_last_store(
        relaxed, lambda i: i.operands.startswith("$0x1,0x4("),
        lambda i: classify("x86-64", i) == {"full_fences"})


@needs_cross
def test_original_full_fence_after_notified_store_aarch64(insns):
    code = insns("original-05e514b1", "aarch64")["aio_notify"]
    fences = _fence_after_last_store(
        code, lambda i: i.mnemonic in ("str", "stlr"),
        lambda i: i.mnemonic == "dmb")
    assert [f.text for f in fences] == ["dmb ish"]
    relaxed = insns("relaxed", "aarch64")["aio_notify"]
    assert not _fence_after_last_store(
        relaxed, lambda i: i.mnemonic in ("str", "stlr"),
        lambda i: i.mnemonic == "dmb")


@needs_cross
def test_c11_rmw_loses_the_fence_on_aarch64(census):
    """__sync RMWs end with dmb ish on v8.0; C11 seq_cst RMWs do not (the
    2020 hang)."""
    sync = census("original-05e514b1")["arches"]["aarch64"]["aio_poll_wait"]
    c11 = census("qemu-4.2-c11-rmw")["arches"]["aarch64"]["aio_poll_wait"]
    assert sync["full_fences"] > 0 and c11["full_fences"] == 0


@pytest.mark.parametrize("cc", ["gcc", "clang"])
def test_inlined_hooks_are_counted_once(cc, fixture_paths, variants,
                                        cache):
    """With direct calls the accept hook is inlined into aio_poll; its
    own out-of-line body is then not reached and not counted, so the
    x86-64 total is the three exchanges, the two notify_me RMWs and the
    fences of aio_notify, with either compiler."""
    if shutil.which(cc) is None:
        pytest.skip(f"{cc} not installed")
    from evaluator.build.compile import find_toolchain
    rendered = render_variant(variants["original-05e514b1"], fixture_paths)
    record = census_variant(rendered, fixture_paths, find_toolchain(cc),
                            cache=cache)
    x86 = record["arches"]["x86-64"]
    assert "aio_notify_accept" not in record["counted"]["x86-64"]
    assert x86["aio_poll"]["atomic_rmw"] >= 2     # accept's xchg inlined
    assert x86["total"]["atomic_rmw"] == 5
    assert x86["total"]["full_fences"] == 2


def test_interposable_profile_keeps_every_hook_out_of_line(
        fixture_paths, variants, toolchain, cache):
    """The pre-issue-15 build, kept for before/after figures: aio_poll
    calls every hook, so only its own xchg of bh_scheduled is in it."""
    rendered = render_variant(variants["original-05e514b1"], fixture_paths)
    record = census_variant(rendered, fixture_paths, toolchain, cache=cache,
                            build_profile="interposable")
    assert record["arches"]["x86-64"]["aio_poll"] == {
        "full_fences": 0, "atomic_rmw": 1, "acq_rel": 0}
    assert "aio_notify_accept" in record["counted"]["x86-64"]
