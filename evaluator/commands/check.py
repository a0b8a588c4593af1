"""Model-check variants for lost wakeups, busy loops, assertion failures
and data races, under SC, x86-TSO and C11 (RC11).

The rendered C of each variant (the very text the benchmark compiles)
is explored exhaustively for a bounded scenario: one notifier calling
qemu_bh_schedule() --rounds times, one poller looping aio_poll(ctx,
true) (cut after --iterations calls), optionally a second, temporary
poller (--pollers 2).  The output is a verdict matrix (variants x
models), then a counterexample for every unsafe cell: one line per
event with the template line, the operation and its memory order, and
the write each read saw.

Syscall semantics (--syscalls): acq_rel (default) treats eventfd set
and test-and-clear as acq_rel RMWs on the eventfd counter and a wait
that returns as an acquire read; full-fence also puts a seq_cst fence
before and after each (what the x86 kernel entry gives).

Exit status 1 when a verdict contradicts a variant's [expect] (the
expectations are declared for the default scenario; --pollers 2 can
legitimately break single-poller protocols such as qemu-5.2).
"""

from __future__ import annotations

import argparse
import json
import os
import textwrap
import time

from ..checker import CheckOptions, CheckResult, Scenario
from ..checker.frontend import SYSCALL_SEMANTICS
from ..checker.matrix import check_matrix
from ..checker.results import SCHEMA, results_document
from ..errors import EvaluateError
from .common import (add_models, add_root, add_variants, chosen_variants,
                     parse_models)
from .progress import Progress

HELP = "model-check variants under SC, x86-TSO and C11 (RC11)"
NAME_WIDTH = 20
CELL_WIDTH = 16


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_root(parser)
    add_variants(parser)
    defaults = Scenario()
    add_models(parser)
    parser.add_argument(
        "--syscalls", default="acq_rel", choices=SYSCALL_SEMANTICS,
        help="eventfd syscall semantics (default: acq_rel)")
    parser.add_argument("--rounds", type=int, default=defaults.rounds,
                        help="qemu_bh_schedule calls by the notifier "
                             f"(default {defaults.rounds})")
    parser.add_argument("--pollers", type=int, default=defaults.pollers,
                        choices=(1, 2),
                        help="2 adds a temporary poller (much larger "
                             "search; try it with --rounds 2)")
    parser.add_argument("--iterations", type=int,
                        default=defaults.iterations,
                        help="aio_poll calls before the poller's path is "
                             f"cut (default {defaults.iterations})")
    parser.add_argument("--busy", type=int,
                        default=defaults.busy_iterations, metavar="K",
                        help="idle aio_poll calls in a row that make a busy "
                             f"loop (default {defaults.busy_iterations})")
    parser.add_argument("--max-states", type=int,
                        default=CheckOptions().max_states,
                        help="give up beyond this many states per check")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="checks run in parallel (default: one per "
                             "CPU)")
    parser.add_argument("--json", action="store_true",
                        help=f"print JSON (schema {SCHEMA})")


def run(args: argparse.Namespace) -> int:
    selection = chosen_variants(args)
    if args.jobs < 1:
        raise EvaluateError(f"--jobs {args.jobs}", hint="at least 1")
    models = parse_models(args.models)
    options = CheckOptions(
        scenario=Scenario(rounds=args.rounds, pollers=args.pollers,
                          iterations=args.iterations,
                          busy_iterations=args.busy),
        syscalls=args.syscalls, max_states=args.max_states,
        csrc=selection.paths.csrc)
    progress = Progress()
    started = time.monotonic()
    try:
        results = check_matrix(selection.chosen, models, selection.paths,
                               options, args.jobs, progress.stage("check"))
    finally:
        progress.done()
    if args.json:
        print(json.dumps(results_document(results), indent=2,
                         ensure_ascii=False))
    else:
        print("\n".join(render_text(results, models, options,
                                     time.monotonic() - started)))
    return 1 if any(r.contradicts for r in results) else 0


def cell(result: CheckResult) -> str:
    if not result.violations:
        text = "✓ safe"
    else:
        text = "✗ " + result.violations[0].property
        if len(result.violations) > 1:
            text += "+"
    return text + (" !" if result.contradicts else "")


def render_text(results: list[CheckResult], models: list[str],
                options: CheckOptions, wall: float) -> list[str]:
    by_cell = {(r.variant, r.model): r for r in results}
    names = list(dict.fromkeys(r.variant for r in results))
    lines = ["variant".ljust(NAME_WIDTH) + "".join(
        m.ljust(CELL_WIDTH) for m in models).rstrip()]
    for name in names:
        row = name.ljust(NAME_WIDTH)
        row += "".join(cell(by_cell[(name, m)]).ljust(CELL_WIDTH)
                       for m in models)
        lines.append(row.rstrip())
    lines.append("")
    lines += _wrap("✓ safe; ✗ unsafe: the first property broken (+ more); "
                   "! contradicts the variant's declared [expect].")
    lines += _wrap(f"Syscalls: {options.syscalls}.  Scenario: "
                   f"{options.scenario.describe()}.")
    states = sum(r.explored for r in results)
    seconds = sum(r.seconds for r in results)
    lines += _wrap(f"Explored {states} states in {seconds:.1f} s of "
                   f"checking ({wall:.1f} s elapsed); "
                   f"{sum(r.cut for r in results)} paths were cut at the "
                   "poller's bound, without a verdict.")
    shown: dict[tuple, str] = {}
    for result in results:
        for violation in result.violations:
            title = f"{result.variant} under {result.model}"
            lines += ["", f"== {title}: {violation.property} =="]
            if violation.trace in shown:
                lines.append(f"(same trace as {shown[violation.trace]})")
                continue
            shown[violation.trace] = title
            lines += violation.trace[:-1]
            lines += _wrap(violation.trace[-1])
    return lines


def _wrap(text: str) -> list[str]:
    return textwrap.wrap(text, 72, break_on_hyphens=False)
