"""`evaluate weaken` without the CLI: a variant's sites, the oracle that
checks an assignment of orders to them, and the search.

The oracle checks a point's program under each chosen model with the
checker's own options (default limits and scenario unless the caller
says otherwise).  Models are tried cheapest first and a point shown
unsafe under one is not checked under the others: an unsafe point is
unsafe whatever the rest say, and the search needs no more.  A point is
safe only when every model says safe; a limit under any model (and no
"unsafe") makes it unknown, never safe.

Checks run in worker processes (`jobs`); each task carries the program
it checks, so a worker needs no state of its own.

Entry points: subject_of(rendered, options, roots) and weaken(subject,
request, progress).
"""

from __future__ import annotations

import difflib
import multiprocessing
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import memory_models
from ..errors import EvaluateError
from ..orders import Order
from ..render import RenderedVariant
from ..checker.check import CheckOptions, CheckResult, check_program, \
    compile_variant
from ..checker.ir import Program
from ..checker.pools import quiet_worker
from ..checker.models import get_model
from .frontier import SAFE, UNKNOWN, UNSAFE, Frontier, Outcome, Point, \
    find_frontier
from .journal import Journal
from .sites import Site, apply, find_sites, line_reader

Say = Callable[[str], None]


@dataclass(frozen=True)
class Subject:
    """What is weakened: one variant's program and its sites."""

    name: str
    rendered: RenderedVariant
    program: Program
    sites: tuple[Site, ...]

    @property
    def start(self) -> Point:
        return tuple(s.level for s in self.sites)

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(s.kind for s in self.sites)

    def assignment(self, point: Point) -> dict[str, Order]:
        return {s.name: level for s, level in zip(self.sites, point)}

    def program_at(self, point: Point) -> Program:
        return apply(self.program, self.sites, self.assignment(point))


@dataclass(frozen=True)
class Request:
    models: tuple[str, ...]
    options: CheckOptions
    pins: tuple[str, ...] = ()
    jobs: int = 1
    budget: int | None = None           # points checked at most


@dataclass(frozen=True)
class Weakening:
    """A finished (or budget-bounded) search."""

    subject: Subject
    request: Request
    frontier: Frontier
    cells: int                          # model checks run
    seconds: float
    resumed: int = 0                    # model checks the journal answered


def subject_of(rendered: RenderedVariant, options: CheckOptions,
               roots: Sequence[Path]) -> Subject:
    program = compile_variant(rendered, options)
    sites = find_sites(program, line_reader(rendered.text, *roots))
    return Subject(rendered.name, rendered, program, sites)


def check_pins(subject: Subject, pins: Sequence[str]) -> tuple[bool, ...]:
    """Which sites --pin keeps; an unknown name is an error."""
    names = [s.name for s in subject.sites]
    for pin in pins:
        if pin not in names:
            close = difflib.get_close_matches(pin, names, n=1)
            raise EvaluateError(
                f"--pin {pin!r}: {subject.name} has no such site",
                hint=(f"did you mean {close[0]!r}? " if close else "")
                + "sites: " + ", ".join(names))
    return tuple(name in pins for name in names)


def check_models(models: Sequence[str]) -> None:
    for model in models:
        if not memory_models.reads(model, "c11"):
            raise EvaluateError(
                f"--models {model}: weaken changes the C's orders, and "
                f"{model} checks compiled instructions",
                hint="use models of C: " + ", ".join(memory_models.names()))


# ---- the oracle -------------------------------------------------------------

# What a worker checks: set once per worker process by its initializer.
# The program holds closures (it cannot be pickled), so workers are
# forked and inherit it; tasks carry only a point and a model.
_WORKER: dict[str, object] = {}


def _start_worker(subject: Subject, options: CheckOptions) -> None:
    quiet_worker()      # signals as the check matrix's workers take them
    _WORKER.update(subject=subject, options=options)


def _check_point(subject: Subject, options: CheckOptions, point: Point,
                 model: str) -> CheckResult:
    return check_program(subject.name, subject.program_at(point),
                         get_model(model), options)


def _check_task(task) -> tuple[int, CheckResult]:
    index, point, model = task
    return index, _check_point(_WORKER["subject"], _WORKER["options"],
                               point, model)


class Oracle:
    """Checks batches of points, in parallel when jobs > 1."""

    def __init__(self, subject: Subject, request: Request, say: Say,
                 journal: Journal | None = None):
        self.subject = subject
        self.request = request
        self.say = say
        self.journal = journal
        self.points = 0
        self.cells = 0
        self.minimal = 0                # frontier points found so far
        self.pool = None
        self.models = sorted(request.models,
                             key=lambda m: memory_models.info(m).cost)

    def __enter__(self) -> Oracle:
        if self.request.jobs > 1:
            self.pool = multiprocessing.get_context("fork").Pool(
                self.request.jobs, _start_worker,
                (self.subject, self.request.options))
        return self

    def __exit__(self, kind, value, trace) -> None:
        if self.pool is not None:
            if kind is None:
                self.pool.close()
            else:
                self.pool.terminate()   # Ctrl-C or an error: stop now
            self.pool.join()

    def _run(self, tasks: list) -> list[CheckResult]:
        results: list[CheckResult | None] = [None] * len(tasks)
        if self.journal is not None:
            for n, point, model in tasks:
                results[n] = self.journal.get(point, model)
        tasks = [task for task in tasks if results[task[0]] is None]
        asked = {n: (point, model) for n, point, model in tasks}
        if self.pool is None or len(tasks) == 1:
            done = ((n, _check_point(self.subject, self.request.options,
                                     point, model))
                    for n, point, model in tasks)
        else:
            done = self.pool.imap_unordered(_check_task, tasks)
        for index, result in done:
            results[index] = result
            self.cells += 1
            if self.journal is not None:
                self.journal.record(*asked[index], result)
        return results

    def found_minimal(self, point: Point) -> None:
        self.minimal += 1

    def __call__(self, points: Sequence[Point]) -> list[Outcome]:
        per_model: list[dict[str, CheckResult]] = [{} for _ in points]
        for model in self.models:
            todo = [i for i, seen in enumerate(per_model)
                    if not any(r.verdict == UNSAFE for r in seen.values())]
            tasks = [(n, points[i], model) for n, i in enumerate(todo)]
            for i, result in zip(todo, self._run(tasks)):
                per_model[i][model] = result
        self.points += len(points)
        resumed = self.journal.resumed if self.journal else 0
        again = f", {resumed} from the journal" if resumed else ""
        self.say(f"{self.points} points checked ({self.cells} checks"
                 f"{again}), {self.minimal} weakest found so far")
        return [_outcome(seen) for seen in per_model]


def _outcome(seen: dict[str, CheckResult]) -> Outcome:
    verdicts = {m: r.verdict for m, r in seen.items()}
    if UNSAFE in verdicts.values():
        verdict = UNSAFE
    elif UNKNOWN in verdicts.values():
        verdict = UNKNOWN
    else:
        verdict = SAFE
    return Outcome(verdict, verdicts, seen)


def weaken(subject: Subject, request: Request,
           progress: Say | None = None,
           journal: Journal | None = None) -> Weakening:
    """The frontier of the subject's sites (pins kept as they are); a
    journal answers the checks it holds and records the others."""
    say = progress or (lambda text: None)
    check_models(request.models)
    pinned = check_pins(subject, request.pins)
    started = time.monotonic()
    with Oracle(subject, request, say, journal) as oracle:
        frontier = find_frontier(subject.kinds, subject.start, oracle,
                                 pinned=pinned, budget=request.budget,
                                 on_minimal=oracle.found_minimal,
                                 batch=request.jobs)
    return Weakening(subject, request, frontier, oracle.cells,
                     time.monotonic() - started,
                     journal.resumed if journal else 0)
