"""Build checks (build/lifted.py, `evaluate check --models armv8`): the
instructions each AArch64 build emitted, checked under armv8.

Expected verdicts are issue 13's store-buffering table, for the compiled
protocol: qemu-4.2-c11-rmw (C11 seq_cst RMW on notify_me) loses the
wakeup as an LL/SC loop (LDAXR/STLXR, -march=armv8-a) and not as LSE
(LDADDAL, -march=armv8.1-a); original-05e514b1 (__sync RMWs) is safe as
GCC builds it for v8.0 (it adds DMB ISH after the loop) and not as clang
does (no barrier).
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from evaluator.build import targets
from evaluator.build.lifted import check_build, pipeline_scenario
from evaluator.checker.aarch64.lifter import AIO_CONTEXT
from evaluator.checker.check import CheckOptions
from evaluator.checker.matrix import check_matrix
from evaluator.checker.results import CheckResult
from evaluator.checker.scenario import Scenario
from evaluator.cli import main
from evaluator.paths import find_project
from evaluator.render import render_variant
from evaluator.variants import load_variants

SMALL = CheckOptions(scenario=Scenario(rounds=1, iterations=2))


def _need(target: str):
    missing = targets.missing_tools(targets.get(target))
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed")
    return targets.get(target)


def _rendered(name: str):
    project = find_project()
    return render_variant(load_variants(project.variants)[name], project)


@pytest.mark.parametrize("variant, build, broken", [
    ("qemu-4.2-c11-rmw", "gcc-v8.0", ["lost-wakeup"]),
    ("qemu-4.2-c11-rmw", "gcc-v8.1", []),
    ("qemu-4.2-c11-rmw", "clang-v8.0", ["lost-wakeup"]),
    ("qemu-4.2-c11-rmw", "clang-v8.1", []),
    ("original-05e514b1", "gcc-v8.0", []),
    ("original-05e514b1", "clang-v8.0", ["lost-wakeup"]),
])
def test_build_verdicts_follow_the_emitted_atomics(variant, build, broken):
    result = check_build(_rendered(variant), _need(build), find_project(),
                         SMALL)
    assert result.model == "armv8" and result.build == build
    assert result.cc == targets.get(build).cc
    assert [v.property for v in result.violations] == broken
    assert result.verdict == ("unsafe" if broken else "safe")
    assert result.complete or broken
    if broken:      # the trace names the emitted instructions
        trace = "\n".join(result.violations[0].trace)
        assert re.search(r"\[aio_poll\S*\+0x[0-9a-f]+: ld\w*xr ", trace)


def test_lifted_struct_offsets_are_the_compilers(tmp_path):
    """AIO_CONTEXT's field offsets, as aarch64 GCC lays out
    csrc/aio_protocol.h's AioContext (offsetof, compiled to .word)."""
    gcc = _need("gcc-v8.0").compilers()[0]
    fields = [AIO_CONTEXT.fields[off] for off in sorted(AIO_CONTEXT.fields)]
    probe = tmp_path / "probe.c"
    probe.write_text('#include "aio_protocol.h"\nconst int off[] = {'
                     + ", ".join(f"__builtin_offsetof(AioContext, {f})"
                                 for f in fields) + "};\n")
    asm = subprocess.run([shutil.which(gcc), "-S", "-O2", "-o", "-", "-I",
                          str(find_project().csrc), str(probe)],
                         capture_output=True, text=True, check=True).stdout
    words = [int(w) for w in re.findall(r"\.word\s+(\d+)", asm)]
    assert words == sorted(AIO_CONTEXT.fields)


def test_matrix_gives_one_armv8_cell_per_build():
    project = find_project()
    variant = load_variants(project.variants)["qemu-4.2-c11-rmw"]
    builds = (_need("gcc-v8.0"), _need("gcc-v8.1"))
    cells = check_matrix([variant], ["sc", "armv8"], project, SMALL,
                         builds=builds)
    assert [(r.model, r.build) for r in cells] == [
        ("sc", ""), ("armv8", "gcc-v8.0"), ("armv8", "gcc-v8.1")]
    assert [r.verdict for r in cells] == ["safe", "unsafe", "safe"]
    assert cells[1].label == \
        "qemu-4.2-c11-rmw as gcc-v8.0 builds it under armv8"
    assert all(r.expected is None for r in cells[1:])   # no [expect] key


def test_lifted_checks_leave_dropped_work_to_the_c():
    """P5 needs the C's marks (which exchange schedules, which claims);
    the lifted program has none, so the property is not run on it."""
    from evaluator.checker.properties import DROPPED_WORK, standard
    from evaluator.checker.models import get_model
    checks, ghost = standard(get_model("armv8"), 3, marked=False)
    assert DROPPED_WORK not in {c.property for c in checks} and ghost is None
    checks, ghost = standard(get_model("sc"), 3)
    assert DROPPED_WORK in {c.property for c in checks} and ghost is not None


def test_result_json_keeps_the_build():
    result = CheckResult("v", "armv8", "acq_rel", "safe", (), 10, 0, 0.1,
                         "s", cc="clang", build="clang-v8.1")
    back = CheckResult.from_json(result.to_json())
    assert back == result
    old = result.to_json()
    del old["build"]                    # a record written before issue 13
    assert CheckResult.from_json(old).build == ""


def test_pipeline_bound_caps_the_poller_only():
    assert pipeline_scenario(Scenario()) == Scenario(iterations=2)
    assert pipeline_scenario(Scenario(iterations=1)).iterations == 1
    assert pipeline_scenario(Scenario(rounds=5)).rounds == 5


def test_check_command_builds_table(capsys):
    _need("gcc-v8.0")
    _need("gcc-v8.1")
    code = main(["check", "--variants", "qemu-4.2-c11-rmw,qemu-5.2",
                 "--models", "armv8", "--builds", "gcc-v8.0,gcc-v8.1",
                 "--rounds", "1", "--iterations", "2", "--jobs", "1"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0                    # no [expect] for builds
    start = out.index("AArch64 builds under ARMv8: the instructions each "
                      "build emitted")
    assert out[start + 1].split() == ["variant", "gcc-v8.0", "gcc-v8.1"]
    assert out[start + 2] == "qemu-4.2-c11-rmw"     # too long: own line
    assert out[start + 3].split() == ["✗", "lost-wakeup", "✓", "safe"]
    assert out[start + 4].split() == ["qemu-5.2", "✓", "safe", "✓", "safe"]
    assert max(len(line) for line in out[:out.index("", start)]) <= 72
    assert "== qemu-4.2-c11-rmw as gcc-v8.0 builds it under armv8: " \
        "lost-wakeup ==" in out


@pytest.mark.parametrize("argv, words", [
    (["--models", "armv8", "--builds", "gcc-v9"], "unknown build 'gcc-v9'"),
    (["--models", "sc", "--builds", "gcc-v8.0"],
     "--builds gcc-v8.0 without a model that reads instructions"),
    (["--models", "armv8", "--builds", "none"],
     "checks AArch64 builds, and none is left (--builds none)"),
    (["--models", "armv9"], "unknown memory model 'armv9'"),
])
def test_bad_build_options_are_refused(capsys, argv, words):
    code = main(["check", "--variants", "qemu-5.2", *argv])
    err = capsys.readouterr().err
    assert code == 2 and words in err, err


def test_a_build_whose_compiler_is_missing(capsys, monkeypatch, tmp_path):
    """'all' leaves it out and says so; naming it is an error."""
    monkeypatch.setattr(targets, "missing_tools",
                        lambda t: ("clang",) if t.cc == "clang" else ())
    chosen, notes = targets.installed()
    assert [t.name for t in chosen] == ["gcc-v8.0", "gcc-v8.1"]
    assert notes == ("clang-v8.0: clang not found",
                     "clang-v8.1: clang not found")
    code = main(["check", "--variants", "qemu-5.2", "--models", "armv8",
                 "--builds", "clang-v8.1"])
    assert code == 2
    assert "--builds clang-v8.1: clang not found" in capsys.readouterr().err
