"""The dynamic census (bench/dynamic.py): what one operation executes.

Three kinds of evidence: the C11 -> instruction table (build/isa.py)
against what the compilers emit for each operation; the census of the
baseline in self-resched against what a reader of the C expects; and,
on x86-64, the IR-derived counts against valgrind's callgrind counting
the instructions the compiled shared object really executed.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from callgrind_count import per_op

from evaluator.bench.dynamic import dynamic_census, op_events
from evaluator.build.census import ARCHES, CATEGORIES, classify, parse_objdump
from evaluator.build.compile import build_variant, find_toolchain
from evaluator.build.isa import PROBES, instructions
from evaluator.render import render_variant

BASE = "original-05e514b1"
LOCK = "EVALUATE_EXTRA_LOCK=1"
_CROSS = {"aarch64": ("-march=armv8-a", "-mno-outline-atomics"),
          "aarch64-lse": ("-march=armv8.1-a",)}


def _compilers():
    """(compiler, arch, argv, objdump) for every toolchain installed."""
    found = []
    for cc in ("gcc", "clang"):
        if shutil.which(cc):
            found.append((cc, "x86-64", [cc], "objdump"))
    if shutil.which("aarch64-linux-gnu-objdump"):
        for arch, flags in _CROSS.items():
            if shutil.which("aarch64-linux-gnu-gcc"):
                found.append(("gcc", arch, ["aarch64-linux-gnu-gcc",
                                            *flags],
                              "aarch64-linux-gnu-objdump"))
            if shutil.which("clang"):
                found.append(("clang", arch, ["clang",
                                              "--target=aarch64-linux-gnu",
                                              *flags],
                              "aarch64-linux-gnu-objdump"))
    return found


@pytest.fixture(scope="module")
def probes(tmp_path_factory):
    """Per toolchain the categories of each probe's compiled body."""
    tmp = tmp_path_factory.mktemp("probes")
    source = tmp / "probes.c"
    names = {key: f"probe_{i}" for i, key in enumerate(PROBES)}
    source.write_text("int x;\n" + "".join(
        f"int {names[key]}(void) {{ {body} return 0; }}\n"
        if not body.startswith("return") else
        f"int {names[key]}(void) {{ {body} }}\n"
        for key, body in PROBES.items()))
    out = {}
    for cc, arch, argv, objdump in _compilers():
        obj = tmp / f"{cc}-{arch}.o"
        subprocess.run([*argv, "-std=gnu11", "-O2", "-fPIC",
                        "-fno-semantic-interposition", "-c", str(source),
                        "-o", str(obj)], check=True)
        text = subprocess.run([objdump, "-dr", "--no-show-raw-insn",
                               str(obj)], capture_output=True, text=True,
                              check=True).stdout
        functions = parse_objdump(text)
        out[cc, arch] = {key: _categories(arch, functions[names[key]])
                         for key in PROBES}
    return out


def _categories(arch, insns) -> dict[str, int]:
    counts = dict.fromkeys(CATEGORIES, 0)
    for insn in insns:
        for category in classify(arch, insn):
            counts[category] += 1
    return counts


def test_the_table_matches_what_each_compiler_emits(probes):
    assert probes, "no compiler installed"
    for (cc, arch), compiled in probes.items():
        for key, got in compiled.items():
            want = _categories(arch, instructions(key, arch, cc))
            assert got == want, (cc, arch, key)


def test_every_table_row_covers_every_architecture():
    """...and has a probe, but for a failed CAS: its probe is the CAS
    one, whose store-exclusive a failing CAS skips."""
    from evaluator.build.isa import TABLE
    for key, per_arch in TABLE.items():
        assert set(per_arch) == set(ARCHES), key
        if key[0] == "cas-fail":
            for arch in ARCHES:
                failed = [i.mnemonic for i in instructions(key, arch)]
                whole = [i.mnemonic for i in instructions(("cas", key[1]),
                                                          arch)]
                assert whole[:len(failed)] == failed
            continue
        assert key in PROBES, f"{key} has no probe"


# ---- the baseline, as a reader of the C expects --------------------------

def test_original_in_self_resched(fixture_paths, variants):
    """notify_me is 0, so atomic_mb_set never runs; aio_notify's smp_mb
    is the one full fence; the three exchanges (accept's on notified,
    aio_bh_poll's and qemu_bh_schedule's on bh_scheduled) are the locked
    RMWs on x86-64; no system call."""
    rendered = render_variant(variants[BASE], fixture_paths)
    record = dynamic_census(rendered, fixture_paths.csrc)
    one = record["scenarios"]["self-resched"]
    sites = one["sites"]
    assert not [s for s in sites if "atomic_mb_set" in s["source"]]
    fences = [s for s in sites if s["arches"]["x86-64"]["full_fences"]]
    assert [(s["func"], s["source"]) for s in fences] == [
        ("aio_notify", "smp_mb();")]
    assert one["arches"]["x86-64"] == {"full_fences": 1, "atomic_rmw": 3,
                                       "acq_rel": 0}
    rmw_sites = sorted(s["func"] for s in sites
                       if s["arches"]["x86-64"]["atomic_rmw"])
    assert rmw_sites == ["aio_bh_poll", "aio_notify_accept",
                         "qemu_bh_schedule"]
    assert one["syscalls"] == {"write": 0, "read": 0, "ppoll": 0}


def test_atomic_mb_set_runs_once_per_wakeup_in_pingpong(fixture_paths,
                                                        variants):
    rendered = render_variant(variants[BASE], fixture_paths)
    pingpong = dynamic_census(rendered, fixture_paths.csrc)["scenarios"][
        "pingpong"]
    [mb_set] = [s for s in pingpong["sites"]
                if "atomic_mb_set" in s["source"]]
    # smp_wmb (nothing on x86), the store, smp_mb: 3 events, 1 fence
    assert mb_set["events"] == 3
    assert mb_set["arches"]["x86-64"]["full_fences"] == 1
    assert mb_set["arches"]["aarch64"]["full_fences"] == 2
    assert pingpong["syscalls"] == {"write": 1, "read": 1, "ppoll": 1}


def test_the_lock_control_adds_exactly_one_rmw(fixture_paths, variants):
    rendered = render_variant(variants[BASE], fixture_paths)
    base = dynamic_census(rendered, fixture_paths.csrc)["scenarios"]
    lock = dynamic_census(rendered, fixture_paths.csrc,
                          defines=[LOCK])["scenarios"]
    for scenario, entry in lock.items():
        for arch in ARCHES:
            mine, theirs = entry["arches"][arch], base[scenario]["arches"][
                arch]
            assert mine["atomic_rmw"] == theirs["atomic_rmw"] + 1
            assert mine["full_fences"] == theirs["full_fences"]
        assert entry["syscalls"] == base[scenario]["syscalls"]


def test_test_then_xchg_skips_the_accept_exchange(fixture_paths, variants):
    events = op_events(render_variant(variants["test-then-xchg"],
                                      fixture_paths),
                       fixture_paths.csrc, "self-resched")
    accept = [e for e in events if e.func == "aio_notify_accept"]
    assert [e.access.kind.value for e in accept] == ["load"]


# ---- against the machine (x86-64, valgrind) --------------------------------

needs_valgrind = pytest.mark.skipif(shutil.which("valgrind") is None,
                                    reason="valgrind not installed")
CASES = [(BASE, (), "self-resched"), ("test-then-xchg", (), "self-resched"),
         ("qemu-5.2", (), "self-resched"), ("full-removal", (),
                                            "self-resched"),
         (BASE, (LOCK,), "self-resched"), (BASE, (), "pingpong"),
         ("qemu-5.2", (), "pingpong")]


@needs_valgrind
@pytest.mark.slow
@pytest.mark.parametrize("name,defines,scenario", CASES)
def test_callgrind_counts_what_the_ir_says(name, defines, scenario,
                                           fixture_paths, variants,
                                           harness_binary, cache, tmp_path):
    """callgrind counts every instruction of the variant's object that
    runs; two runs of 50 and 150 operations subtracted give one
    operation.  pingpong: a rare operation can find the poller awake (no
    wakeup), hence the tolerance."""
    rendered = render_variant(variants[name], fixture_paths)
    library = build_variant(rendered, fixture_paths, find_toolchain("gcc"),
                            defines=list(defines), cache=cache).library
    real = per_op(harness_binary, library, scenario, tmp_path, 50, 150)
    ir = dynamic_census(rendered, fixture_paths.csrc, defines=defines,
                        scenario_names=[scenario])["scenarios"][scenario]
    for category in CATEGORIES:
        assert real["x86-64"][category] == pytest.approx(
            ir["arches"]["x86-64"][category], abs=0.05), category
    assert real["syscalls"] == pytest.approx(sum(ir["syscalls"].values()),
                                             abs=0.05)
