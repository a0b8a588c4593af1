"""Stage: check what a compiler emitted for AArch64 (issue 13).

The C11 verdict is a statement about the language; whether a build
hangs on an ARMv8 machine depends on the instructions: the same C can
lose a wakeup as an LL/SC loop (LDAXR/STLXR) and not as an LSE atomic
(LDADDAL).  So for one variant and one build configuration
(build/targets.py) this compiles the variant as the census does (the
bench's build profile plus the target's -march flags, cached), lifts the
disassembled protocol functions into checker IR (checker/aarch64/
lifter.py: inlined callees, event-notifier calls as the checker's
intrinsics, an unknown instruction an error naming function+offset) and
checks the lifted threads under the armv8 model with the same scenario
and properties as the C check.  The result is a CheckResult whose
`build` names the configuration and whose `cc` is the compiler that
emitted the code.

The scenario's threads are the C check's (checker/scenario.thread_specs)
with their arguments as addresses: the AioContext sits at the lifter's
AIO_CONTEXT base, its fields at the offsets csrc/aio_protocol.h gives
them (tests/armv8/test_build_check.py compares them with the compiler's
offsetof).  Entry point: check_build().
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ..checker.aarch64.lifter import AIO_CONTEXT, LiftSpec, lift_program
from ..checker.check import CheckOptions, check_program
from ..checker.csubset import LocPtr, ThreadSpec
from ..checker.ir import Program
from ..checker.models import get_model
from ..checker.results import CheckResult
from ..checker.scenario import NOTIFIER_LOC, WORK_LOC, Scenario, thread_specs
from ..errors import LiftError
from ..paths import ProjectPaths
from ..render import RenderedVariant
from .census import arch_tool, objdump_text
from .compile import DEFAULT_PROFILE, find_toolchain
from .targets import BuildTarget

MODEL = "armv8"
# The pipeline's bound for build checks: armv8 explores several times the
# states of C11 on the same scenario (deferred reads), and every known bug
# shape needs at most two aio_poll calls (checker/scenario.py), so the
# poller is cut after two; `evaluate check --models armv8` takes any.
PIPELINE_ITERATIONS = 2


def pipeline_scenario(scenario: Scenario) -> Scenario:
    return replace(scenario,
                   iterations=min(scenario.iterations, PIPELINE_ITERATIONS))


def lift_spec(spec: ThreadSpec) -> LiftSpec:
    """A C scenario thread as the lifter runs it: pointers become the
    addresses of the lifted AioContext and its fields."""
    args = tuple(_address(arg) if isinstance(arg, LocPtr) else arg
                 for arg in spec.args)
    return LiftSpec(spec.name, spec.role, spec.call, args, spec.iterations,
                    spec.endless, spec.stubs, spec.show)


def _address(pointer: LocPtr) -> int:
    if not pointer.path:
        return AIO_CONTEXT.base
    try:
        return AIO_CONTEXT.address(pointer.path)
    except KeyError:
        raise LiftError(f"the scenario passes &ctx->{pointer.path}, which "
                        "is not a field of the lifted AioContext") from None


def lift_build(rendered: RenderedVariant, target: BuildTarget,
               paths: ProjectPaths, options: CheckOptions,
               cache: Path | None = None,
               build_profile: str = DEFAULT_PROFILE) -> Program:
    """The variant's scenario threads as `target` compiled them."""
    tool = arch_tool(target.arch, find_toolchain(target.cc))
    text = objdump_text(rendered, paths, tool, cache=cache,
                        build_profile=build_profile)
    specs = tuple(lift_spec(s) for s in thread_specs(options.scenario))
    program = lift_program(text, specs, AIO_CONTEXT, options.syscalls,
                           WORK_LOC, NOTIFIER_LOC)
    return replace(program, reading=target.cc)


def check_build(rendered: RenderedVariant, target: BuildTarget,
                paths: ProjectPaths, options: CheckOptions,
                progress: Callable[[int], None] | None = None,
                cache: Path | None = None,
                build_profile: str = DEFAULT_PROFILE) -> CheckResult:
    """One variant's build checked under armv8 (errors: the caller
    names the cell, checker/matrix.check_cell)."""
    program = lift_build(rendered, target, paths, options, cache,
                         build_profile)
    result = check_program(rendered.name, program, get_model(MODEL),
                           options, progress)
    return replace(result, build=target.name)
