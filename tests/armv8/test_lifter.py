"""The AArch64 lifter (aarch64/lifter.py): objdump text -> checker IR.

Hand-written disassembly tests what it refuses (unknown instructions
and calls, named with function+offset) and how it treats calls, the
stack and LL/SC retry loops.  The integration tests compile shipped
variants as the census does (evaluator/census.py: -O2 -fPIC -std=gnu11,
-march=armv8-a -mno-outline-atomics or -march=armv8.1-a, clang with
--target=aarch64-linux-gnu -fsemantic-interposition; objdump -d
--no-show-raw-insn) and check the store-buffering table of issue 13:

    the poller's RMW as compiled         lost wakeup under armv8
    LDADDAL (ARMv8.1 LSE)                never
    LDAXR/STLXR (C11 seq_cst, v8.0)      allowed
    LDXR/STLXR + DMB ISH (GCC __sync)    never

qemu-4.2-c11-rmw: the LL/SC builds hang, the LSE builds do not;
original-05e514b1 (2015 shape, __sync RMWs): GCC's v8.0 build adds the
DMB and is safe, clang's is not.  Under sc no build loses the wakeup.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from evaluator.checker.aarch64.lifter import (AIO_CONTEXT, LiftSpec,
                                              lift_program, lift_thread,
                                              parse_disassembly)
from evaluator.checker.explore import Explorer
from evaluator.checker.models import get_model
from evaluator.checker.properties import BusyLoop, LostWakeup
from evaluator.errors import LiftError

HEADER = """
x.o:     file format elf64-littleaarch64


Disassembly of section .text:

"""

ONE = (LiftSpec("t", "litmus", "f", (AIO_CONTEXT.base,)),)


def lifted(body: str, entry: str = "f", args=(AIO_CONTEXT.base,)):
    return lift_thread(HEADER + body, LiftSpec("t", "litmus", entry, args))


def test_parse_disassembly_reads_functions_and_operands():
    functions = parse_disassembly(HEADER + """\
0000000000000000 <f>:
   0:	mov	w0, #0x1                   	// #1
   4:	ret

0000000000000008 <g>:
   8:	cbnz	w0, 8 <g>
""")
    assert sorted(functions) == ["f", "g"]
    assert functions["f"].lines[0].operands == "w0, #0x1"
    assert functions["g"].start == 8


def test_unknown_instruction_names_it_and_where():
    with pytest.raises(LiftError) as err:
        lifted("""\
0000000000000000 <f>:
   0:	dmb	ish
   4:	ldr	w1, [x0]
   8:	fmadd	d0, d1, d2, d3
   c:	ret
""")
    assert "FMADD" in err.value.message
    assert "f+0x8" in err.value.message


def test_unknown_call_is_an_error():
    with pytest.raises(LiftError) as err:
        lifted("""\
0000000000000000 <f>:
   0:	bl	0 <__aarch64_swp4_acq_rel>
   4:	ret
""")
    assert "__aarch64_swp4_acq_rel" in err.value.message
    assert "-mno-outline-atomics" in err.value.hint


def test_missing_entry_lists_the_known_functions():
    with pytest.raises(LiftError) as err:
        lifted("0000000000000000 <f>:\n   0:\tret\n", entry="g")
    assert "f" in err.value.hint


def _run(code, model="armv8"):
    from evaluator.checker.ir import Program
    program = Program((code,), {name: 0 for name in
                                AIO_CONTEXT.fields.values()}, isa="aarch64")
    from evaluator.checker.explore import ended

    finals = set()

    class Finals:
        property = "finals"

        def __call__(self, explorer, node, threads, mem, counters,
                     ghost=None):
            if ended(explorer, threads):
                model_ = explorer.model
                finals.add(tuple(model_.latest(model_.settle(mem), x)[0]
                                 for x in ("notify_me", "notified")))
    Explorer(program, get_model(model)).search((Finals(),))
    return finals


def test_inlined_call_keeps_callee_saved_registers_on_the_stack():
    code = lifted("""\
0000000000000000 <f>:
   0:	stp	x29, x30, [sp, #-32]!
   4:	mov	x29, sp
   8:	str	x19, [sp, #16]
   c:	mov	x19, x0
  10:	bl	20 <g>
  14:	ldr	x19, [sp, #16]
  18:	ldp	x29, x30, [sp], #32
  1c:	b	30 <h>

0000000000000020 <g>:
  20:	str	x19, [sp, #-16]!
  24:	mov	x19, #0x0
  28:	ldr	x19, [sp], #16
  2c:	ret

0000000000000030 <h>:
  30:	mov	w1, #0x5
  34:	str	w1, [x0, #4]
  38:	ret
""")
    # x19 went through two stack frames; x0 still points at the
    # context, so the tail-called h writes notified (offset 4).
    assert _run(code) == {(0, 5)}


def test_stack_pointer_that_differs_between_paths_is_an_error():
    with pytest.raises(LiftError) as err:
        lifted("""\
0000000000000000 <f>:
   0:	cbz	w1, 8 <f+0x8>
   4:	sub	sp, sp, #0x10
   8:	ret
""")
    assert "SP differs" in err.value.message


LLSC = HEADER + """\
0000000000000000 <f>:
   0:	ldaxr	w1, [x0]
   4:	add	w1, w1, #0x2
   8:	stlxr	w2, w1, [x0]
   c:	cbnz	w2, 0 <f>
  10:	ret
"""


def test_llsc_retry_loop_is_one_attempt_that_succeeds():
    code = lift_thread(LLSC, ONE[0])
    stores = [ins for ins in code.code if ins.kind == 0 and
              ins.access.exclusive and ins.access.kind.value == "store"]
    assert len(stores) == 1 and stores[0].access.arm.retried
    assert _run(code, "armv8") == {(2, 0)}
    assert _run(code, "sc") == {(2, 0)}          # sc runs the real loop


def test_a_store_exclusive_without_retry_may_fail():
    code = lift_thread(LLSC.replace("cbnz\tw2, 0 <f>", "nop"), ONE[0])
    assert _run(code, "armv8") == {(2, 0), (0, 0)}


def test_intrinsics_are_the_checker_s():
    code = lifted("""\
0000000000000000 <f>:
   0:	stp	x29, x30, [sp, #-16]!
   4:	add	x0, x0, #0xc
   8:	mov	x19, x0
   c:	bl	0 <event_notifier_set>
  10:	mov	x0, x19
  14:	ldp	x29, x30, [sp], #16
  18:	b	0 <event_notifier_test_and_clear>
""")
    mems = [ins for ins in code.code if ins.kind == 0]
    kinds = [(m.access.kind.value, m.access.op and m.access.op.value,
              m.access.arm.acquire, m.access.arm.release) for m in mems]
    assert kinds[:2] == [("rmw", "add", "A", True), ("rmw", "xchg", "A",
                                                      True)]


# ---- compiled variants ------------------------------------------------------

CONFIGS = {
    "gcc-v8.0": ("aarch64-linux-gnu-gcc", "-march=armv8-a",
                 "-mno-outline-atomics"),
    "gcc-v8.1": ("aarch64-linux-gnu-gcc", "-march=armv8.1-a"),
    "clang-v8.0": ("clang", "--target=aarch64-linux-gnu",
                   "-fsemantic-interposition", "-march=armv8-a",
                   "-mno-outline-atomics"),
    "clang-v8.1": ("clang", "--target=aarch64-linux-gnu",
                   "-fsemantic-interposition", "-march=armv8.1-a"),
}
# (variant, build) -> lost wakeup under armv8?  (issue 13's SB table)
SB_TABLE = {
    ("qemu-4.2-c11-rmw", "gcc-v8.0"): True,
    ("qemu-4.2-c11-rmw", "clang-v8.0"): True,
    ("qemu-4.2-c11-rmw", "gcc-v8.1"): False,
    ("qemu-4.2-c11-rmw", "clang-v8.1"): False,
    ("original-05e514b1", "gcc-v8.0"): False,
    ("original-05e514b1", "clang-v8.0"): True,
    ("original-05e514b1", "gcc-v8.1"): False,
    ("original-05e514b1", "clang-v8.1"): False,
}


def _disassemble(tmp_path, repo, variant: str, config: str) -> str:
    tools = CONFIGS[config]
    for tool in (tools[0], "aarch64-linux-gnu-objdump"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
    from evaluator.paths import find_project
    from evaluator.render import render_variant
    from evaluator.variants import load_variants
    project = find_project()
    rendered = render_variant(load_variants(project.variants)[variant],
                              project)
    source = tmp_path / rendered.filename
    source.write_text(rendered.text)
    obj = tmp_path / f"{variant}.{config}.o"
    done = subprocess.run([*tools, "-std=gnu11", "-O2", "-fPIC", "-I",
                           str(repo / "csrc"), "-c", str(source), "-o",
                           str(obj)], check=False, capture_output=True,
                          text=True)
    if done.returncode != 0:
        pytest.skip(f"{tools[0]} cannot build for aarch64: "
                    f"{done.stderr.strip()[:200]}")
    return subprocess.run(["aarch64-linux-gnu-objdump", "-d",
                           "--no-show-raw-insn", str(obj)],
                          capture_output=True, text=True,
                          check=True).stdout


def _protocol(text: str, rounds: int, iterations: int):
    specs = (LiftSpec("notifier", "notifier", "qemu_bh_schedule",
                      (AIO_CONTEXT.base,), iterations=rounds,
                      show="qemu_bh_schedule(ctx)"),
             LiftSpec("poller", "poller", "aio_poll", (AIO_CONTEXT.base, 1),
                      iterations=iterations, endless=True,
                      show="aio_poll(ctx, true)"))
    return lift_program(text, specs)


@pytest.mark.parametrize("variant, config", sorted(SB_TABLE))
def test_sb_table_from_compiled_code(tmp_path, repo, variant, config):
    program = _protocol(_disassemble(tmp_path, repo, variant, config), 1, 2)
    found = {}
    for model in ("sc", "armv8"):
        search = Explorer(program, get_model(model)).search(
            (LostWakeup(), BusyLoop(3)))
        found[model] = set(search.findings)
    assert found["sc"] == set()
    assert ("lost-wakeup" in found["armv8"]) == SB_TABLE[variant, config]
    assert "busy-loop" not in found["armv8"]


@pytest.mark.benchmark
@pytest.mark.parametrize("config", ["gcc-v8.0", "gcc-v8.1"])
def test_full_scenario_qemu_4_2(tmp_path, repo, config):
    """The default scenario (3 rounds, 4 poll calls) under armv8."""
    program = _protocol(_disassemble(tmp_path, repo, "qemu-4.2-c11-rmw",
                                     config), 3, 4)
    search = Explorer(program, get_model("armv8")).search((LostWakeup(),))
    print(f"{config}: {search.explored} states, {search.seconds:.1f} s")
    assert ("lost-wakeup" in search.findings) == (config == "gcc-v8.0")


def _variants():
    from evaluator.paths import find_project
    from evaluator.variants import load_variants
    return sorted(load_variants(find_project().variants))


@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_every_shipped_variant_lifts(tmp_path, repo, config):
    """Whatever GCC and clang emit for the shipped variants at -O2, the
    lifter knows it: every instruction, call and stack access."""
    for variant in _variants():
        program = _protocol(_disassemble(tmp_path, repo, variant, config),
                            1, 1)
        labels = " ".join(ins.label for thread in program.threads
                          for ins in thread.code if ins.kind == 0)
        assert "event_notifier_wait" in labels or "event_notifier" in \
            labels, variant
        assert "thread ends" in labels
