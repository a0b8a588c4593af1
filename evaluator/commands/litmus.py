"""Run herd7 C and AArch64 litmus tests under the checker's models.

Each FILE (or every *.litmus in a DIRECTORY) is read in herd7's C
dialect (a `C name` line, an init block `{ x = 0; y = 0; }`, threads
`P0 (atomic_int* x, ...) { ... }` using atomic_*_explicit and
atomic_thread_fence) or in its AArch64 dialect (an `AArch64 name` line,
`{ 0:X10=x; }`, a `P0 | P1 ;` table of instructions), told apart by the
first word; the final `exists (...)` condition has /\\, \\/, ~, registers
(0:r0=1, 0:X0=1) and locations (x=2).  For each model the output says
whether the condition is reachable (allowed / forbidden) and lists
every reachable final state projected on the condition's variables.
C tests run under sc, tso and c11; AArch64 tests under armv8 and sc
(the same instructions interleaved).  Under c11 a test one of whose
executions has a data race (a plain access and a conflicting one not
ordered by happens-before) says so: its behaviour is undefined
whatever the outcomes (herd7's "Flag").

Builtins whose meaning depends on the compiler (__sync RMWs,
memory_order_consume) are read as --cc says: by default the language
(ISO C11 for consume -- a relaxed read in RC11 that still synchronises
through a later acquire fence -- and the GCC manual for __sync), as
herd7 reads C; gcc or clang read them as that compiler compiles them.
A file may fix its own reading with a herd7 info line `Compiler=gcc`
before its init block; --cc does not override it.

A file that cannot be read (a construct outside the checker's C
subset, a syntax error) does not stop the others: it is named with its
error after the results (JSON "errors") and the exit status is 2; when
no file can be read, the first error is the whole output.

When the file's directory has an expected.csv (test, file, then SC,
TSO, C11 or ARMv8 columns), verdicts are compared with it (for the
reading the file was written for: its Compiler= line, else the
language) and the exit status is 1 on a mismatch.
"""

from __future__ import annotations

import argparse
import json
import textwrap
from pathlib import Path

from .. import memory_models
from ..checker import LitmusResult, read_litmus, readings, run_litmus
from ..checker.expected import read_expected
from ..checker.limits import DEFAULT_MAX_STATES, Budget
from ..checker.results import UNKNOWN
from ..errors import CheckerError, EvaluateError
from .common import split_list
from .progress import Progress

HELP = "run herd7 C and AArch64 litmus tests (SC, x86-TSO, C11, ARMv8)"
SCHEMA = "evaluate.litmus/1"
EXIT_UNREAD = 2          # some file could not be read: bad input
# Threads a test may have unless --max-states states its own limit (herd7
# suites go to 4; IRIW+ variants and hand-made tests a few more).
MAX_THREADS = 6


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE",
                        help="litmus files, or directories of *.litmus")
    parser.add_argument(
        "--models", default=None, metavar="A,B",
        help="memory models (default: every one that reads the test's "
             "language: " + ",".join(memory_models.names("c11")) +
             " for C, " + ",".join(memory_models.names("aarch64")) +
             " for AArch64); a model that does not read a test's "
             "language is skipped for it")
    parser.add_argument(
        "--cc", default=readings.LITMUS_DEFAULT, choices=readings.names(),
        help="read __sync builtins and memory_order_consume as this "
             f"compiler does (default {readings.LITMUS_DEFAULT}: as the "
             "C standard and the GCC manual define them); a file's own "
             "Compiler= line wins")
    parser.add_argument(
        "--max-states", type=int, default=None, metavar="N",
        help="per test and model: stop after N states, verdict unknown "
             f"(default {DEFAULT_MAX_STATES}); also lifts the limit of "
             f"{MAX_THREADS} threads per test")
    parser.add_argument(
        "--timeout", type=float, default=None, metavar="SECONDS",
        help="per test and model: stop after SECONDS, verdict unknown")
    parser.add_argument("--json", action="store_true",
                        help=f"print JSON (schema {SCHEMA})")


def litmus_files(paths: list[Path]) -> list[Path]:
    files = []
    for path in paths:
        if path.is_dir():
            found = sorted(path.glob("*.litmus"))
            if not found:
                raise CheckerError("no *.litmus files", path=path)
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise CheckerError("no such litmus file or directory",
                               path=path)
    return files


def run(args: argparse.Namespace) -> int:
    models = split_list(args.models, memory_models.names(None),
                        "memory model") if args.models else None
    limits = _limits(args)
    tests, errors = _read_all(args, models)
    cells = [(test, name) for test in tests
             for name in models_for(test, models)]
    progress = Progress()
    say = progress.stage("litmus")
    results: list[tuple[LitmusResult, str | None]] = []
    try:
        for done, (test, name) in enumerate(cells):
            say(f"{done}/{len(cells)}: {test.path.name} under {name}")
            results.append((run_litmus(test, name, Budget(*limits)),
                            expected_verdict(test, name)))
    finally:
        progress.done()
    if args.json:
        print(json.dumps({"schema": SCHEMA,
                          "results": [r.to_json() for r, _ in results],
                          "errors": [str(e) for e in errors]},
                         indent=2))
    else:
        conditions = {t.file: f"{t.quantifier} {t.condition_text}"
                      for t in tests}
        print("\n".join(render_text(results, tests, conditions)
                        + _error_lines(errors)))
    if errors:
        return EXIT_UNREAD
    return 1 if any(r.verdict == UNKNOWN or (e is not None
                                             and e != r.verdict)
                    for r, e in results) else 0


def _read_all(args: argparse.Namespace, models: list[str] | None):
    """The tests that can be read, and the errors of those that cannot
    (raised at once when none can: then there is nothing to show)."""
    tests, errors = [], []
    for path in litmus_files(args.files):
        try:
            test = read_litmus(path, args.cc)
            _refuse_large(test, args.max_states)
            models_for(test, models)
        except EvaluateError as exc:
            errors.append(exc)
            continue
        tests.append(test)
    if not tests:
        raise errors[0]
    return tests, errors


def _error_lines(errors: list[EvaluateError]) -> list[str]:
    if not errors:
        return []
    lines = ["", f"{len(errors)} file(s) not read:"]
    for error in errors:
        lines += textwrap.wrap(str(error), 72, initial_indent="  ",
                               subsequent_indent="    ",
                               break_long_words=False,
                               break_on_hyphens=False)   # paths whole
    return lines


def _limits(args: argparse.Namespace) -> tuple[int, float | None]:
    """(max states, timeout) of each test's search (a Budget each)."""
    if args.max_states is not None and args.max_states < 1:
        raise EvaluateError(f"--max-states {args.max_states}",
                            hint="at least 1")
    if args.timeout is not None and not 0 < args.timeout < float("inf"):
        raise EvaluateError(f"--timeout {args.timeout:g}",
                            hint="a positive number of seconds")
    return args.max_states or DEFAULT_MAX_STATES, args.timeout


def _refuse_large(test, max_states: int | None) -> None:
    """More than MAX_THREADS threads only with an explicit --max-states:
    the state space grows exponentially in the threads."""
    threads = len(test.program.threads)
    if threads > MAX_THREADS and max_states is None:
        raise CheckerError(
            f"{threads} threads, more than the {MAX_THREADS} a litmus "
            "test may have without a stated limit", path=test.path,
            hint="run it with --max-states N (its verdict is unknown if "
                 "N is reached)")


def expected_verdict(test, model: str) -> str | None:
    """expected.csv's verdict, for the reading the file was written for
    (its Compiler= line, else the language)."""
    if test.reading != test.expectation_reading:
        return None
    return read_expected(test.path.parent).get(test.path.name, {}).get(
        model)


def models_for(test, asked: list[str] | None) -> list[str]:
    """The models to run on `test`: those asked for (default: all) that
    read its language; none is an error."""
    isa = test.program.isa
    runnable = [name for name in asked or memory_models.names(isa)
                if memory_models.reads(name, isa)]
    if not runnable:
        raise CheckerError(
            f"none of the models {', '.join(asked or ())} reads "
            f"{test.arch} litmus tests", path=test.path,
            hint="models for it: " + ", ".join(memory_models.names(isa)))
    return runnable


def outcome_text(outcome) -> str:
    return " ".join(f"{name}={value}" for name, value in outcome)


def render_text(results, tests, conditions) -> list[str]:
    lines: list[str] = []
    width = max([4] + [len(r.model) for r, _ in results])
    by_file: dict[str, list] = {}
    for result, expected in results:
        by_file.setdefault(result.file, []).append((result, expected))
    for test in tests:
        reading = "" if test.reading == readings.LITMUS_DEFAULT \
            else f" [cc={test.reading}]"
        lines.append(f"{test.name} ({test.path.name}){reading}: "
                     f"{conditions[test.file]}")
        for result, expected in by_file[test.path.name]:
            if result.verdict == UNKNOWN:
                lines.append(f"  {result.model:<{width}} {UNKNOWN}")
                lines += textwrap.wrap(f"no verdict: {result.reason}", 72,
                                       initial_indent=" " * 7,
                                       subsequent_indent=" " * 7)
                continue
            mark = ""
            if expected is not None and expected != result.verdict:
                mark = f"  ! expected {expected}"
            count = len(result.outcomes)
            lines.append(f"  {result.model:<{width}} {result.verdict:<10} "
                         f"{count} final state{'s' * (count != 1)}{mark}")
            lines += wrap_outcomes([outcome_text(o)
                                    for o in result.outcomes])
            if result.race is not None:
                lines += textwrap.wrap(result.race, 72,
                                       initial_indent=" " * 7,
                                       subsequent_indent=" " * 7)
    return lines


def wrap_outcomes(items: list[str], indent: int = 7,
                  width: int = 72) -> list[str]:
    """Outcomes separated by ';', never split across lines."""
    lines: list[str] = []
    line = ""
    for item in items:
        candidate = f"{line};  {item}" if line else item
        if line and indent + len(candidate) > width:
            lines.append(" " * indent + line + ";")
            candidate = item
        line = candidate
    if line:
        lines.append(" " * indent + line)
    return lines
