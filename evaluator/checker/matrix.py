"""Check many variants under many models: the verdict matrix.

Entry point: check_matrix(variants, models, paths, options, jobs,
progress) -> list[CheckResult], one per variant x model in that order,
each carrying the variant's declared expectation.  Checks are pure, so
running them in worker processes gives the same results as serially.

A cell that reaches a limit comes back as unknown and the others are
kept.  Ctrl-C stops every worker at once: workers ignore SIGINT (so
none prints a traceback) and the parent terminates them.
"""

from __future__ import annotations

import multiprocessing
import signal
from dataclasses import replace
from collections.abc import Callable, Sequence

from .. import memory_models
from ..errors import CheckerError
from ..paths import ProjectPaths
from ..render import RenderedVariant, render_variant
from ..variants import Variant
from .check import CheckOptions, CheckResult, check_variant, compile_variant
from .models import get_model
from .readings import EXPECT_READING

Progress = Callable[[str], None]


def with_expectation(result: CheckResult, variant: Variant) -> CheckResult:
    """A variant's [expect] verdicts are declared for the default
    compiler reading (gcc): under another one a different verdict is a
    compiler-dependent result, not a contradiction."""
    if result.cc != EXPECT_READING:
        return replace(result, expected=None)
    return replace(result, expected=variant.expect.get(result.model))


def check_cell(rendered: RenderedVariant, model: str,
               options: CheckOptions,
               progress: Callable[[int], None] | None = None
               ) -> CheckResult:
    """One cell; an error in it names the variant and the model."""
    try:
        return check_variant(rendered, model, options, progress)
    except CheckerError as exc:
        raise CheckerError(f"{rendered.name} under {model}: {exc.message}",
                           path=exc.path, line=exc.line,
                           hint=exc.hint) from None


def _serial(cells, options: CheckOptions, say: Progress) -> list[CheckResult]:
    results = []
    for variant, rendered, model in cells:
        label = f"{variant.name} under {model}"
        say(label)
        result = check_cell(rendered, model, options,
                            lambda n, label=label:
                            say(f"{label}: {n} states"))
        results.append(with_expectation(result, variant))
    return results


def _quiet_worker() -> None:
    """Ctrl-C goes to the whole process group: the parent handles it.
    SIGTERM (how the parent stops a worker) kills it outright, whatever
    handler the parent installed (the CLI turns SIGTERM into an
    exception, which a worker must not print)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _indexed(task) -> tuple[int, CheckResult]:
    index, rendered, model, options = task
    return index, check_cell(rendered, model, options)


def _parallel(cells, options: CheckOptions, jobs: int,
              say: Progress) -> list[CheckResult]:
    cost = {m: memory_models.info(m).cost for m in {c[2] for c in cells}}
    order = sorted(range(len(cells)), key=lambda i: -cost[cells[i][2]])
    tasks = [(i, cells[i][1], cells[i][2], options) for i in order]
    results: list[CheckResult | None] = [None] * len(cells)
    pool = multiprocessing.get_context().Pool(jobs, _quiet_worker)
    try:
        for done, (index, result) in enumerate(
                pool.imap_unordered(_indexed, tasks), start=1):
            results[index] = with_expectation(result, cells[index][0])
            say(f"{done}/{len(cells)} checks done")
        pool.close()
    except BaseException:
        pool.terminate()        # Ctrl-C or an error: stop every worker now
        raise
    finally:
        pool.join()
    return results


def check_matrix(variants: Sequence[Variant], models: Sequence[str],
                 paths: ProjectPaths, options: CheckOptions, jobs: int = 1,
                 progress: Progress | None = None) -> list[CheckResult]:
    say = progress or (lambda text: None)
    for name in models:
        get_model(name)                  # fail early on an unavailable one
    rendered = {v.name: render_variant(v, paths) for v in variants}
    for text in rendered.values():
        compile_variant(text, options)   # C errors surface here, in order
    cells = [(variant, rendered[variant.name], model)
             for variant in variants for model in models]
    if jobs > 1 and len(cells) > 1:
        return _parallel(cells, options, jobs, say)
    return _serial(cells, options, say)
