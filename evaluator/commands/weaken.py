"""Find every weakest safe ordering of a variant's protocol, and say why
each remaining barrier is needed.

Every atomic operation and fence of the variant's C (its hooks and the
shared code) is a site with a lattice of orders (loads relaxed <
acquire < seq_cst; stores relaxed < release < seq_cst; RMWs and fences
relaxed/absent < acquire, release < acq_rel < seq_cst).  The frontier
is every assignment that is safe under every chosen model while
weakening any one site one step makes it unsafe (or unknown: a check
that reached a limit is never taken as safe).  The search uses
monotonicity (a stronger order is never less safe) and checks it on
every pair of points it compares; a violation is reported as a checker
bug.  Each check is `evaluate check`'s, with its default scenario and
limits.

For each frontier point and each site above its weakest level, the
output says what breaks when that site is weakened one step, with the
counterexample.  Each point is written as a plain-C variant into the
run directory (--save also copies it to variants/): `evaluate diff BASE
RUN/variants/POINT.toml` shows the patch, and after --save `evaluate
check --variants POINT` re-checks it.

--budget-checks N stops after N points were checked: the output then
says what is left undecided and never calls the frontier complete.

Nothing is lost on interruption: every finished check is appended to
RUN/checks.jsonl as it arrives, and `--resume RUN` (with the options of
the interrupted run) continues the search from there; a journal made
with other inputs (the C, the sites, the options, the checker) is
refused.

Exit status: 0 the search finished; 1 it was bounded (budget or a
limit), so the frontier may be incomplete; 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
from pathlib import Path

from ..checker import CheckOptions
from ..checker.limits import DEFAULT_MAX_STATES
from ..weaken import output
from ..weaken.census import census_rows
from ..weaken.run import (Request, check_models, check_pins,
                                  subject_of, weaken)
from ..weaken.journal import FILE, open_journal
from ..weaken.save import copy_saved, write_points
from .. import fsutil
from ..errors import EvaluateError, RunInterrupted
from ..paths import run_dir
from ..render import render_variant
from ..variants import load_variants, parse_variant
from .check import trace_line
from .common import add_root, one_variant, parse_models, project
from .progress import Progress

HELP = "find every weakest safe ordering of a variant's barriers"
EXIT_OK, EXIT_INCOMPLETE = 0, 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_root(parser)
    parser.add_argument("base", metavar="BASE",
                        help="the variant to weaken (e.g. "
                             "original-05e514b1)")
    parser.add_argument("--models", default=None, metavar="A,B",
                        help="safe means safe under each of these "
                             "(default sc,tso,c11)")
    parser.add_argument("--pin", action="append", default=[],
                        metavar="SITE",
                        help="keep this site's order as it is "
                             "(repeatable; names as the table shows them, "
                             "e.g. aio_notify:smp_mb)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="checks run in parallel (default: one per "
                             "CPU)")
    parser.add_argument("--budget-checks", type=int, default=None,
                        metavar="N",
                        help="check at most N points (default: no bound)")
    parser.add_argument("--max-states", type=int, default=DEFAULT_MAX_STATES,
                        metavar="N",
                        help="per check, as in evaluate check (default "
                             f"{DEFAULT_MAX_STATES})")
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="run directory (default: reports/<run-id>/)")
    parser.add_argument("--resume", type=Path, default=None, metavar="RUN",
                        help="continue the interrupted run in RUN from its "
                             "journal (checks.jsonl), with the same "
                             "options")
    parser.add_argument("--save", action="store_true",
                        help="also write each frontier point to variants/")
    parser.add_argument("--no-census", action="store_true",
                        help="skip the instruction census (no compiler "
                             "runs)")
    parser.add_argument("--json", action="store_true",
                        help=f"print JSON (schema {output.SCHEMA})")


def _request(args: argparse.Namespace, paths) -> Request:
    for option, value in (("--jobs", args.jobs),
                          ("--max-states", args.max_states),
                          ("--budget-checks", args.budget_checks)):
        if value is not None and value < 1:
            raise EvaluateError(f"{option} {value}", hint="at least 1")
    options = CheckOptions(max_states=args.max_states, csrc=paths.csrc)
    models = tuple(parse_models(args.models))
    check_models(models)
    return Request(models, options,
                   tuple(dict.fromkeys(args.pin)), args.jobs,
                   args.budget_checks)


def subject_for(paths, base, request: Request):
    return subject_of(render_variant(base, paths), request.options,
                      (paths.root, paths.csrc))


def search_and_write(paths, base, request: Request, out: Path,
                     progress: Progress, census: bool = True,
                     subject=None, resume: bool | None = None):
    """The search, its points written into out/variants/ and its text
    and JSON into out/ (the pipeline's --weaken does the same).
    subject: the base's, when the caller has compiled it already.
    resume: None, no journal (the pipeline); False, a new journal
    out/checks.jsonl; True, continue the one there."""
    subject = subject or subject_for(paths, base, request)
    journal = None if resume is None else \
        open_journal(out, subject, request, resume)
    try:
        result = weaken(subject, request, progress.stage("weaken"),
                        journal)
    finally:
        if journal is not None:
            journal.close()
    saved = write_points(result, base, paths, out / "variants",
                         output.names(result))
    notes = [f"{s.name}: {s.note}" for s in saved if s.spec is None]
    rows: dict = {}
    if census:
        rows, more = census_rows(
            [(-1, base)] + [(i, parse_variant(s.spec))
                            for i, s in enumerate(saved) if s.spec],
            paths)
        notes += more
    return result, saved, rows, notes


def write_outputs(out: Path, result, census, notes, saved
                  ) -> tuple[list[str], dict]:
    """weaken.txt and weaken.json in the run directory."""
    document = output.document(result, census, notes)
    text = output.summary(result) + [""] + output.table(result, census) + \
        output.why_lines(result, trace_line) + \
        output.written(saved, result.subject.name, notes)
    # atomic, as every other output: an interrupted write leaves the
    # old file or none, never half a JSON
    fsutil.replace(out / "weaken.json",
                   json.dumps(document, indent=1, ensure_ascii=False)
                   + "\n")
    fsutil.replace(out / "weaken.txt", "\n".join(text) + "\n")
    return text, document


def _save(saved, paths, notes: list[str]) -> None:
    notes += [f"saved {path}" for path in copy_saved(saved, paths.variants)]


def _out_dir(args: argparse.Namespace, paths) -> Path:
    if args.resume is None:
        return run_dir(paths.reports, args.out)
    if args.out is not None and Path(args.out) != Path(args.resume):
        raise EvaluateError(f"--out {args.out} with --resume {args.resume}",
                            hint="a resumed run writes into its own "
                                 "directory: drop --out")
    if not Path(args.resume).is_dir():
        raise EvaluateError("--resume: not a run directory",
                            path=args.resume,
                            hint="give the directory an interrupted "
                                 "evaluate weaken printed")
    return Path(args.resume)


def _resume_command(args: argparse.Namespace, out: Path) -> str:
    """The command line that continues this run (its own words, with
    --resume OUT in place of any --out/--resume)."""
    words, skip = [], False
    for word in args.argv:
        if skip:
            skip = False
        elif word in ("--out", "--resume"):
            skip = True
        elif not word.startswith(("--out=", "--resume=")):
            words.append(word)
    return shlex.join([*words, "--resume", str(out)])


def run(args: argparse.Namespace) -> int:
    paths = project(args)
    base = one_variant(load_variants(paths.variants), args.base, "weaken")
    request = _request(args, paths)
    # Bad --pin names fail before the run directory is made.
    subject = subject_for(paths, base, request)
    check_pins(subject, request.pins)
    out = _out_dir(args, paths)
    progress = Progress()
    try:
        result, saved, census, notes = search_and_write(
            paths, base, request, out, progress, not args.no_census,
            subject, resume=args.resume is not None)
    except KeyboardInterrupt:           # Ctrl-C, or SIGTERM (Terminated)
        raise RunInterrupted(
            f"interrupted; every finished check is kept in {out / FILE}; "
            f"continue with: {_resume_command(args, out)}") from None
    finally:
        progress.done()
    if args.save:
        _save(saved, paths, notes)
    text, document = write_outputs(out, result, census, notes, saved)
    text += ["", f"Written to {out}/ (weaken.txt, weaken.json)."]
    if args.json:
        print(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        print("\n".join(text))
    return EXIT_OK if result.frontier.complete else EXIT_INCOMPLETE
