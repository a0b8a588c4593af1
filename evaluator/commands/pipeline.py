"""The main job: evaluate --variants all.

check     every selected variant under every memory model (sc, tso, c11)
          as gcc and as clang read it; then what each AArch64 build
          (gcc/clang, -march=armv8-a and armv8.1-a) emitted, under armv8
build     one shared object per variant, instruction census x86-64/AArch64
bench     contended loops, every variant in every process, seeded order
rank      paired per-process statistics against the baseline
report    reports/<run-id>/report.{txt,md,json} + samples.jsonl, check.json

--weaken BASE first runs `evaluate weaken BASE` under the C models (its
weaken.txt, weaken.json and variants/ go into the run directory) and
adds the weakest safe orderings it finds to every stage; the report's
"Weakest safe orderings" section ranks them against the baseline.

The bench includes three self-validation arms unless --no-controls: the
baseline a second time (A/A: must not come out different), the baseline
with a known extra delay (must come out slower) and the baseline with
exactly one more locked RMW per operation (must come out slower in
self-resched, or the report makes no single-barrier claims).

The default run takes about three minutes on a 2-core machine (checks of
the C and of the AArch64 builds ~80 s, the bench at most its 150 s
budget); --quick is a smoke run of under a minute, without build checks,
whose report says it is not conclusive.
"""

from __future__ import annotations

import argparse
import os
import shlex
from dataclasses import replace

from .. import memory_models, paths
from ..bench import run_bench
from ..build.compile import COMPILERS, find_toolchain
from ..checker import CheckOptions
from ..checker.matrix import check_matrix
from ..checker.results import write_results
from ..errors import EvaluateError
from ..samples import read_samples
from ..build.lifted import MODEL as BUILD_MODEL
from ..build.lifted import pipeline_scenario
from .common import (add_bench_options, add_builds, add_models, add_root,
                     add_variants, bench_config, chosen_builds,
                     chosen_variants, given, one_variant, parse_delta,
                     parse_models)
from .progress import Progress, warn

DEFAULT_BUDGET = 150.0      # bench seconds; checks and report add ~90 s
QUICK_BUDGET = 25.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_root(parser)
    add_variants(parser)
    add_models(parser)
    add_builds(parser, "all, unless --quick")
    add_bench_options(parser, f"benchmark wall time (default "
                              f"{DEFAULT_BUDGET:.0f}; --quick: "
                              f"{QUICK_BUDGET:.0f})")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run in under a minute; the report says "
                             "it is not conclusive")
    parser.add_argument("--delta", type=parse_delta, default=0.01,
                        metavar="D",
                        help="practical threshold, 1%% or 0.01: smaller "
                             "differences are 'equivalent' (default 1%%)")
    parser.add_argument("--syscalls", choices=("acq_rel", "full-fence"),
                        default="acq_rel",
                        help="eventfd syscall semantics in the checker "
                             "(default acq_rel; README: What the checker "
                             "assumes)")
    parser.add_argument("--weaken", default=None, metavar="BASE",
                        help="first find BASE's weakest safe orderings "
                             "(evaluate weaken, under the C models), then "
                             "check, bench, rank and report them with the "
                             "variants")
    parser.add_argument("--no-controls", action="store_true",
                        help="skip the self-validation arms (by default the "
                             "baseline is benched twice, A/A, once with a "
                             "known extra delay and once with one more "
                             "locked RMW per operation, which must come out "
                             "slower)")


def check_all(selection, models, syscalls, cc: str,
              progress: Progress) -> list:
    """The verdict matrix under the reading of the compiler the bench
    builds with (what is checked is what is timed), then under the other
    compiler's, for the report's caveats."""
    results = []
    for reading in (cc, *(c for c in COMPILERS if c != cc)):
        options = CheckOptions(syscalls=syscalls, csrc=selection.paths.csrc,
                               cc=reading)
        cells = check_matrix(selection.chosen, models, selection.paths,
                             options, jobs=os.cpu_count() or 1,
                             progress=progress.stage(f"check ({reading})"))
        results += _noted(cells, f"check ({reading})", progress)
    return results


def check_builds(selection, syscalls, builds, progress: Progress) -> list:
    """What each AArch64 build emitted, under armv8, at the pipeline's
    bound for builds (build/lifted.pipeline_scenario)."""
    if not builds:
        return []
    options = CheckOptions(syscalls=syscalls, csrc=selection.paths.csrc)
    options = replace(options, scenario=pipeline_scenario(options.scenario))
    stage = "check (AArch64 builds)"
    return _noted(check_matrix(selection.chosen, [BUILD_MODEL],
                               selection.paths, options,
                               jobs=os.cpu_count() or 1,
                               progress=progress.stage(stage),
                               builds=builds), stage, progress)


def _noted(cells: list, stage: str, progress: Progress) -> list:
    """Say each unsafe or unknown cell as it comes."""
    for r in cells:
        if r.violations or r.unknown:
            what = r.violations[0].property if r.violations \
                else "a limit was reached"
            progress.note(stage, f"{r.label} {r.verdict} ({what})")
    return cells


def _refuse_unsafe_baseline(checks, baseline: str, cc: str) -> None:
    """Every ratio is against the baseline: it must be shown safe under
    the reading of the compiler the bench builds with."""
    broken = [f"{c.model} ({c.verdict})" for c in checks
              if c.variant == baseline and c.cc == cc
              and c.verdict != "safe"]
    if broken:
        raise EvaluateError(
            f"baseline {baseline!r} is not shown safe under "
            f"{', '.join(broken)} as {cc} compiles it",
            hint="pick a safe --baseline, e.g. original-05e514b1")


def add_weakest(selection, base, models, syscalls: str, run_dir,
                progress: Progress):
    """--weaken: the frontier points of `base`, written into the run
    directory (weaken.txt, weaken.json, variants/), join the selection."""
    from ..weaken.run import Request
    from ..variants import parse_variant
    from .weaken import search_and_write, write_outputs
    request = Request(tuple(models),
                      CheckOptions(syscalls=syscalls,
                                   csrc=selection.paths.csrc),
                      jobs=os.cpu_count() or 1)
    result, saved, census, notes = search_and_write(
        selection.paths, base, request, run_dir, progress)
    write_outputs(run_dir, result, census, notes, saved)
    points = [parse_variant(s.spec) for s in saved if s.spec is not None]
    state = "" if result.frontier.complete else \
        " (the search did not finish: others may exist)"
    progress.note("weaken", f"{len(points)} weakest safe ordering(s) of "
                  f"{base.name}{state}: " + ", ".join(p.name for p in points)
                  + f"; see {run_dir / 'weaken.txt'}")
    for note in notes:
        if not note.startswith("census:"):     # the legend: in weaken.txt
            progress.note("weaken", note)
    return replace(selection, chosen=[*selection.chosen, *points],
                   catalog={**selection.catalog,
                            **{p.name: p for p in points}})


def run(args: argparse.Namespace) -> int:
    # numpy/scipy: imported only when a run needs them, so --help is quick
    from ..report.problems import hardware_contradictions
    from ..report.runs import report_runs
    from ..report.text import summary_text
    # The baseline is checked and benched even when not asked for: every
    # ratio is against it, and an unsafe baseline must be refused early.
    selection = chosen_variants(args).with_baseline(args.baseline)
    # by default the C models and armv8 on the builds (not with --quick,
    # unless --builds asks for them)
    wants_builds = args.builds != "none" and (args.builds is not None
                                              or not args.quick)
    models = parse_models(args.models) if args.models else \
        list(memory_models.names()) + [BUILD_MODEL] * wants_builds
    builds = chosen_builds(models, args.builds)
    models = [m for m in models if memory_models.reads(m, "c11")]
    budget = given(args.budget,
                          QUICK_BUDGET if args.quick else DEFAULT_BUDGET)
    # Every option is validated, and the run directory made, before the
    # first check: a typo must not cost the checks' time.
    config = bench_config(args, selection, aa=not args.no_controls,
                          positive_control=not args.no_controls,
                          budget=budget)
    find_toolchain(config.cc)
    weaken_base = one_variant(selection.catalog, args.weaken, "--weaken") \
        if args.weaken else None
    run_dir = paths.run_dir(selection.paths.reports, args.out)
    config = replace(config, out=run_dir)
    progress = Progress()
    try:
        if weaken_base is not None:
            selection = add_weakest(selection, weaken_base, models,
                                    args.syscalls, run_dir, progress)
            config = replace(config, variants=tuple(selection.chosen))
        checks = check_all(selection, models, args.syscalls, args.cc,
                           progress)
        write_results(run_dir, checks)
        _refuse_unsafe_baseline(checks, args.baseline, args.cc)
        checks += check_builds(selection, args.syscalls, builds, progress)
        write_results(run_dir, checks)
        run_bench(config, progress.stage("bench"))
        progress.note("report", "ranking and writing the report")
        result = report_runs([run_dir], selection.catalog,
                             shlex.join(args.argv), baseline=args.baseline,
                             delta=args.delta,
                             reports_dir=selection.paths.reports,
                             seed=args.seed, quick=args.quick,
                             paths=selection.paths)
    finally:
        progress.done()
    print(summary_text(result.doc))
    print(f"\nreport: {result.paths.txt}")
    problems = [*result.problems, *hardware_contradictions(
        read_samples(run_dir / "samples.jsonl"), selection.chosen)]
    for problem in problems:
        warn(problem)
    return 1 if problems else 0
