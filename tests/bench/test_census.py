"""The instruction census matches the compiled code (issue 6)."""

from __future__ import annotations

import shutil

import pytest

from evaluator.build.census import (ARCHES, CATEGORIES, FUNCTIONS, TOTAL_OVER,
                                    Insn, arch_tool, census_variant, classify,
                                    disassemble, parse_objdump)
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
    record = census("original-05e514b1")
    assert record["variant"] == "original-05e514b1"
    assert set(record["arches"]) == set(ARCHES)
    for counts in record["arches"].values():
        assert set(counts) == set(FUNCTIONS) | {"total"}
        for category in CATEGORIES:
            assert counts["total"][category] == sum(
                counts[f][category] for f in TOTAL_OVER)


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
def test_hooks_are_not_inlined_into_aio_poll(cc, fixture_paths, variants,
                                             cache):
    """Each function is counted once: aio_poll holds only its own xchg of
    bh_scheduled (from the static aio_bh_poll), with either compiler."""
    if shutil.which(cc) is None:
        pytest.skip(f"{cc} not installed")
    from evaluator.build.compile import find_toolchain
    rendered = render_variant(variants["original-05e514b1"], fixture_paths)
    record = census_variant(rendered, fixture_paths, find_toolchain(cc),
                            cache=cache)
    poll = record["arches"]["x86-64"]["aio_poll"]
    assert poll == {"full_fences": 0, "atomic_rmw": 1, "acq_rel": 0}
