"""Model-check variants for lost wakeups, busy loops, dropped work,
non-terminating loops, assertion failures and data races, under SC,
x86-TSO and C11 (RC11).

The rendered C of each variant (the very text the benchmark compiles)
is explored exhaustively for a bounded scenario: one notifier calling
qemu_bh_schedule() --rounds times, one poller looping aio_poll(ctx,
true) (cut after --iterations calls), optionally one or two temporary
pollers (--pollers 2, 3).  The output is a verdict matrix (variants x
models), then a counterexample for every unsafe cell: one line per
event with the template line, the operation and its memory order, and
the write each read saw.  Each cell stops at its first (shortest)
counterexample; --all-violations looks for every property's.

Compiler (--cc): the builtins whose meaning differs between compilers
are read as that compiler compiles them.  gcc (default, what `evaluate
bench` builds with): __sync RMWs are full barriers; clang: bare seq_cst
RMWs, which are not fences in C11.  Both promote memory_order_consume
to acquire.  Variants declare [expect] for gcc; under clang a different
verdict is reported but contradicts nothing.

AArch64 builds (--models armv8): the armv8 model (herd7's aarch64.cat)
checks the instructions a compiler emitted, not the C: each of --builds
(gcc and clang, -march=armv8-a with LL/SC loops or armv8.1-a with LSE
atomics) compiles the variant with the bench's flags, the protocol
functions are disassembled and lifted, and the same scenario is checked
on them (one column per build; dropped work is decided on the C only:
which exchange schedules the BH is not visible in the instructions).

Syscall semantics (--syscalls): acq_rel (default) treats eventfd set
and test-and-clear as acq_rel RMWs on the eventfd counter and a wait
that returns as an acquire read; full-fence also puts a seq_cst fence
before and after each (what the x86 kernel entry gives).

Limits: every check, all its phases included (the search and the
busy-loop, dropped-work and termination continuations), stops at
--max-states states and steps or after --timeout seconds.  A cell that
does has the verdict unknown (? in the matrix, "unknown" in --json)
with the reason and how far it got; the other cells are unaffected.

Exit status: 0 every cell has a verdict and none contradicts its
[expect]; 1 a verdict contradicts a variant's [expect] (declared for
the default scenario; --pollers 2 can legitimately break single-poller
protocols such as qemu-5.2), or some cell is unknown (a limit was
reached: nothing was shown either way, so an expected "safe" is not
confirmed -- raise the limit; the matrix shows ? and the reason);
2 bad input.
"""

from __future__ import annotations

import argparse
import json
import os
import textwrap
import time

from .. import memory_models
from ..checker import CheckOptions, CheckResult, Scenario
from ..checker.explore import DEFAULT_ENGINE, ENGINES
from ..checker import readings
from ..checker.frontend import SYSCALL_SEMANTICS
from ..checker.limits import DEFAULT_MAX_STATES, memory_estimate
from ..checker.matrix import check_matrix
from ..checker.properties import NON_TERMINATING
from ..checker.results import SCHEMA, results_document
from ..errors import EvaluateError
from .common import (add_builds, add_models, add_root, add_variants,
                     chosen_builds, chosen_variants, parse_models)
from .progress import Progress

HELP = "model-check variants under SC, x86-TSO and C11 (RC11)"
NAME_WIDTH = 20
CELL_WIDTH = 16
# Four builds in 72 columns: a 12-column name and 15-column cells.
BUILD_NAME_WIDTH, BUILD_CELL_WIDTH = 12, 15
# An unknown verdict is not safe: it needs attention like a contradicted
# expectation (exit 1), and the output says which it was.
EXIT_OK, EXIT_CONTRADICTION, EXIT_UNKNOWN = 0, 1, 1
# Matrix cells are 16 columns: the one property name too long for them.
CELL_NAMES = {NON_TERMINATING: "never-returns"}
BUILD_CELL_NAMES = {NON_TERMINATING: "no-return"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_root(parser)
    add_variants(parser)
    defaults = Scenario()
    add_models(parser)
    add_builds(parser, "all")
    parser.add_argument(
        "--syscalls", default="acq_rel", choices=SYSCALL_SEMANTICS,
        help="eventfd syscall semantics (default: acq_rel)")
    parser.add_argument("--rounds", type=int, default=defaults.rounds,
                        help="qemu_bh_schedule calls by the notifier "
                             f"(default {defaults.rounds})")
    parser.add_argument("--pollers", type=int, default=defaults.pollers,
                        choices=(1, 2, 3),
                        help="2 adds a temporary poller, 3 two of them "
                             "(each aio_poll(ctx, true) twice, then it "
                             "leaves: QEMU 21a03d17's two waiters).  The "
                             "search grows with every thread; c11 memory "
                             "stays flat (--engine tree) but time does "
                             "not: raise --max-states and --timeout "
                             "(README: how long two pollers take)")
    parser.add_argument("--iterations", type=int,
                        default=defaults.iterations,
                        help="aio_poll calls before the poller's path is "
                             f"cut (default {defaults.iterations})")
    parser.add_argument("--busy", type=int,
                        default=defaults.busy_iterations, metavar="K",
                        help="idle aio_poll calls in a row that make a busy "
                             f"loop (default {defaults.busy_iterations})")
    parser.add_argument(
        "--cc", default=readings.CHECK_DEFAULT, choices=readings.COMPILERS,
        help="read __sync builtins and memory_order_consume as this "
             f"compiler compiles them (default {readings.CHECK_DEFAULT}, "
             "as evaluate bench builds)")
    parser.add_argument(
        "--max-states", type=int, default=DEFAULT_MAX_STATES, metavar="N",
        help="per check, every phase included: stop after N explored "
             "states and continuation steps, verdict unknown (default "
             f"{DEFAULT_MAX_STATES}; memory at most "
             f"{memory_estimate(DEFAULT_MAX_STATES)}, c11 with --engine "
             "compact: the default tree engine's c11 memory does not "
             "grow with N, only time does)")
    parser.add_argument(
        "--timeout", type=float, default=None, metavar="SECONDS",
        help="per check, every phase included: stop after SECONDS, "
             "verdict unknown (default: none; --max-states bounds the "
             "time too)")
    parser.add_argument(
        "--all-violations", action="store_true",
        help="keep exploring after a cell's first counterexample and "
             "report every property it breaks (default: stop at the "
             "first, the shortest)")
    parser.add_argument(
        "--engine", choices=ENGINES, default=DEFAULT_ENGINE,
        help="how the c11 search keeps track of states: tree (default: "
             "each state is reached once in a canonical order, so none "
             "is remembered; breadth first for the first levels, then "
             "depth first: memory stays under 100 MB whatever the "
             "scenario), compact (breadth first, an exact key per "
             "visited state) or reference (whole states).  All three "
             "explore the same states and give the same verdicts and "
             "counterexample lengths; tree may show another trace of "
             "the same length.  sc and tso always search as compact")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="checks run in parallel (default: one per "
                             "CPU); a single check under the tree engine "
                             "splits its depth-first search over them "
                             "instead (same verdict and trace)")
    parser.add_argument("--json", action="store_true",
                        help=f"print JSON (schema {SCHEMA})")


def run(args: argparse.Namespace) -> int:
    selection = chosen_variants(args)
    if args.jobs < 1:
        raise EvaluateError(f"--jobs {args.jobs}", hint="at least 1")
    models = parse_models(args.models)
    if args.max_states < 1:
        raise EvaluateError(f"--max-states {args.max_states}",
                            hint="at least 1")
    if args.timeout is not None and args.timeout <= 0:
        raise EvaluateError(f"--timeout {args.timeout:g}",
                            hint="a positive number of seconds")
    options = CheckOptions(
        scenario=Scenario(rounds=args.rounds, pollers=args.pollers,
                          iterations=args.iterations,
                          busy_iterations=args.busy),
        syscalls=args.syscalls, max_states=args.max_states,
        timeout=args.timeout, cc=args.cc,
        all_violations=args.all_violations, csrc=selection.paths.csrc,
        engine=args.engine)
    builds = chosen_builds(models, args.builds)
    progress = Progress()
    started = time.monotonic()
    try:
        results = check_matrix(selection.chosen, models, selection.paths,
                               options, args.jobs, progress.stage("check"),
                               builds)
    finally:
        progress.done()
    if args.json:
        print(json.dumps(results_document(results), indent=2,
                         ensure_ascii=False))
    else:
        print("\n".join(render_text(results, models, options,
                                     time.monotonic() - started)))
    return exit_status(results)


def exit_status(results: list[CheckResult]) -> int:
    """1 when a verdict contradicts [expect] or a cell is unknown."""
    if any(r.contradicts for r in results):
        return EXIT_CONTRADICTION
    if any(r.unknown for r in results):
        return EXIT_UNKNOWN
    return EXIT_OK


def cell(result: CheckResult, aliases: dict[str, str] = CELL_NAMES) -> str:
    if result.unknown:
        text = f"? {result.limit.kind if result.limit else 'unknown'}"
    elif not result.violations:
        text = "✓ safe"
    else:
        prop = result.violations[0].property
        text = "✗ " + aliases.get(prop, prop)
        if len(result.violations) > 1:
            text += "+"
    return text + (" !" if result.contradicts else "")


def table(results: list[CheckResult], columns: list[tuple[str, tuple]],
          name_width: int, cell_width: int,
          aliases: dict[str, str] = CELL_NAMES) -> list[str]:
    """Variants down, `columns` (head, (model, build)) across; a name
    too long for its column gets a line of its own."""
    by_cell = {(r.variant, r.model, r.build): r for r in results}
    names = list(dict.fromkeys(r.variant for r in results))
    lines = ["variant".ljust(name_width) + "".join(
        head.ljust(cell_width) for head, _ in columns).rstrip()]
    for name in names:
        if len(name) >= name_width:
            lines.append(name)
        row = ("" if len(name) >= name_width else name).ljust(name_width)
        row += "".join(cell(by_cell[(name, *key)], aliases).ljust(cell_width)
                       for _, key in columns)
        lines.append(row.rstrip())
    return lines


def build_table(results: list[CheckResult]) -> list[str]:
    """The AArch64 builds' verdicts: one column per (model, build)."""
    built = [r for r in results if r.build]
    if not built:
        return []
    keys = list(dict.fromkeys((r.model, r.build) for r in built))
    columns = [(b if len({m for m, _ in keys}) == 1 else f"{m}/{b}", (m, b))
               for m, b in keys]
    head = ("AArch64 builds under " + ", ".join(
        dict.fromkeys(memory_models.info(m).label for m, _ in keys))
        + ": the instructions each build emitted")
    return [*_wrap(head), *table(built, columns, BUILD_NAME_WIDTH,
                                 BUILD_CELL_WIDTH, BUILD_CELL_NAMES)]


def render_text(results: list[CheckResult], models: list[str],
                options: CheckOptions, wall: float) -> list[str]:
    c_models = [m for m in models if memory_models.reads(m, "c11")]
    lines = table([r for r in results if not r.build],
                  [(m, (m, "")) for m in c_models], NAME_WIDTH,
                  CELL_WIDTH) if c_models else []
    builds = build_table(results)
    lines += ([""] if lines and builds else []) + builds
    lines.append("")
    lines += _wrap("✓ safe; ✗ unsafe: the first property broken (+ more); "
                   "? unknown: a limit was reached (reason below); "
                   "never-returns (no-return for a build): a "
                   "non-terminating loop; "
                   "! contradicts the variant's declared [expect].")
    reading = readings.get(options.cc)
    lines += _wrap(f"Compiler: {reading.name} ({reading.summary}).  "
                   f"Syscalls: {options.syscalls}.  Scenario: "
                   f"{options.scenario.describe()}.")
    states = sum(r.explored for r in results)
    seconds = sum(r.seconds for r in results)
    first = ("" if options.all_violations else
             "; each cell stopped at its first counterexample "
             "(--all-violations for more)")
    lines += _wrap(f"Explored {states} states in {seconds:.1f} s of "
                   f"checking ({wall:.1f} s elapsed); "
                   f"{sum(r.cut for r in results)} paths were cut at the "
                   f"poller's bound, without a verdict{first}.")
    for result in results:
        if result.unknown:
            lines += ["", f"== {result.label}: unknown =="]
            lines += _wrap(f"No verdict: {result.reason}.")
        elif result.limit is not None:
            lines += ["", f"== {result.label}: incomplete =="]
            lines += _wrap(f"Unsafe (shown below), but the search for "
                           f"other properties stopped: "
                           f"{result.limit.reason}.")
    shown: dict[tuple, str] = {}
    for result in results:
        for violation in result.violations:
            title = result.label
            lines += ["", f"== {title}: {violation.property} =="]
            if violation.trace in shown:
                lines.append(f"(same trace as {shown[violation.trace]})")
                continue
            shown[violation.trace] = title
            lines += [part for line in violation.trace[:-1]
                      for part in trace_line(line)]
            lines += _wrap(violation.trace[-1])
    return lines


TRACE_WIDTH = 100
# "P1#13 aio_protocol.c:19    ": who (5), a space, where (20), a space.
TRACE_INDENT = " " * 27


def trace_line(line: str) -> list[str]:
    """One trace event, wrapped at TRACE_WIDTH under its operation."""
    if len(line) <= TRACE_WIDTH:
        return [line]
    return textwrap.wrap(line, TRACE_WIDTH, subsequent_indent=TRACE_INDENT,
                         break_on_hyphens=False, break_long_words=False)


def _wrap(text: str) -> list[str]:
    return textwrap.wrap(text, 72, break_on_hyphens=False)
