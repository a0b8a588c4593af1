"""The interleaving checker (DESIGN §5).

    frontend   C subset -> IR of thread programs (pycparser)
    scenario   which threads run what, with which bounds
    explore    breadth-first search over thread states x memory states
    models     SC, x86-TSO, RC11 behind memory.MemoryModel
    properties lost wakeup, busy loop, dropped work, non-terminating
               loop (+ assertion, data race); each in its own module
    readings   how gcc, clang and the language read __sync and consume
    trace      counterexamples one event per line
    litmus     herd7 C litmus tests

Entry points: check_variant(rendered, model, options) -> CheckResult and
run_litmus(test, model) -> LitmusResult.
"""

from .check import (CheckOptions, CheckResult, Violation, check_program,
                    check_variant, compile_variant)
from . import readings
from .litmus import LitmusResult, LitmusTest, read_litmus, run_litmus
from .scenario import Scenario

__all__ = ["CheckOptions", "CheckResult", "Violation", "check_program",
           "check_variant", "compile_variant", "LitmusResult", "LitmusTest",
           "read_litmus", "readings", "run_litmus", "Scenario"]
