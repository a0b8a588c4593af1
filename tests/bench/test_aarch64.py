"""The harness and every variant build for AArch64, and the AArch64
harness passes its correctness checks under qemu-user (Debian
qemu-user).  Only correctness is asserted: timings under user-mode
emulation are not measurements and no report is written from them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evaluator.bench.harness import Batch, ProcessPlan, run_process
from evaluator.build.compile import (build_harness, build_variant,
                                     cross_toolchain)
from evaluator.render import render_variant
from evaluator.samples import Fault, Sample

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "variants"
BROKEN = {p.stem for p in FIXTURES.glob("*.toml")}    # test-only variants
QEMU = "qemu-aarch64"
SYSROOT = Path("/usr/aarch64-linux-gnu")
SAFE = ("original-05e514b1", "test-then-xchg", "relaxed", "acq-rel",
        "qemu-5.2", "full-removal")

pytestmark = pytest.mark.skipif(
    shutil.which(QEMU) is None or shutil.which("aarch64-linux-gnu-gcc") is None
    or not (SYSROOT / "lib").is_dir(),
    reason="needs qemu-aarch64 (qemu-user), aarch64-linux-gnu-gcc and "
           "libc6-dev-arm64-cross")


@pytest.fixture(scope="module")
def cross(fixture_paths, variants, cache):
    toolchain = cross_toolchain("aarch64")
    harness = build_harness(fixture_paths, toolchain, cache)
    libraries = {}
    for name, variant in variants.items():
        if name in BROKEN:
            continue                # the broken-on-purpose test fixtures
        rendered = render_variant(variant, fixture_paths)
        libraries[name] = build_variant(rendered, fixture_paths, toolchain,
                                        cache=cache).library
    return harness, libraries


def _elf_machine(path: Path) -> int:
    data = path.read_bytes()[:20]
    assert data[:4] == b"\x7fELF"
    return int.from_bytes(data[18:20], "little")


def test_every_shipped_variant_and_the_harness_build(cross, variants):
    harness, libraries = cross
    shipped = set(variants) - BROKEN
    assert "test-then-xchg" in shipped
    assert set(libraries) == shipped
    for path in (harness, *libraries.values()):
        assert _elf_machine(path) == 183        # EM_AARCH64


@pytest.mark.slow
@pytest.mark.parametrize("scenario,ops", [("self-resched", 2000),
                                          ("pingpong", 100)])
def test_harness_checks_pass_under_qemu(cross, scenario, ops):
    harness, libraries = cross
    names = SAFE
    batches = tuple(Batch(arm, warm, ops) for warm in (True, False)
                    for arm in range(len(names)))
    plan = ProcessPlan(1, scenario, names,
                       tuple(libraries[n] for n in names), batches,
                       settle=10, cpus=(0, 1), watchdog_s=20.0,
                       timeout_s=240.0,
                       launcher=(QEMU, "-L", str(SYSROOT)))
    records = []
    outcome = run_process(harness, plan, records.append)
    faults = [r for r in records if isinstance(r, Fault)]
    samples = [r for r in records if isinstance(r, Sample)]
    assert faults == [] and outcome.exit_status == 0
    assert sorted({s.variant for s in samples}) == sorted(names)
    assert len(samples) == len(batches)
    for s in samples:
        if scenario == "pingpong":
            # every operation a wakeup: one write and one read (or a few
            # fewer when the producer found the poller awake)
            assert 0.5 <= s.eventfd_writes / s.ops <= 1.05, s
        elif s.variant == "full-removal":
            assert s.eventfd_reads == s.ops
        else:
            assert s.eventfd_reads == 0 and s.eventfd_writes == 0
