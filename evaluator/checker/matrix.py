"""Check many variants under many models: the verdict matrix.

Entry point: check_matrix(variants, models, paths, options, jobs,
progress, builds) -> list[CheckResult], one per variant x model in that
order, each carrying the variant's declared expectation.  A model that
reads instructions (armv8) has one cell per build in `builds` instead,
each a check of what that build emitted (build/lifted.py); the C models
check the C.  Checks are pure, so running them in worker processes
gives the same results as serially.

A cell that reaches a limit comes back as unknown and the others are
kept.  Ctrl-C stops every worker at once: workers ignore SIGINT (so
none prints a traceback) and the parent terminates them.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass, replace
from collections.abc import Callable, Sequence

from .. import memory_models
from ..errors import CheckerError
from ..paths import ProjectPaths
from ..render import RenderedVariant, render_variant
from ..variants import Variant
from ..build.lifted import check_build
from ..build.targets import BuildTarget
from .check import CheckOptions, CheckResult, check_variant, compile_variant
from .results import cell_label
from .pools import quiet_worker
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


@dataclass(frozen=True)
class Cell:
    """One check: a variant's C under a C model, or what `target` built
    from it under a model of instructions."""

    rendered: RenderedVariant
    model: str
    target: BuildTarget | None = None

    @property
    def label(self) -> str:
        return cell_label(self.rendered.name, self.model,
                          self.target.name if self.target else "")


def check_cell(cell: Cell, options: CheckOptions, paths: ProjectPaths,
               progress: Callable[[int], None] | None = None
               ) -> CheckResult:
    """One cell; an error in it names the variant and the model."""
    try:
        if cell.target is not None:
            return check_build(cell.rendered, cell.target, paths, options,
                               progress)
        return check_variant(cell.rendered, cell.model, options, progress)
    except CheckerError as exc:
        raise CheckerError(f"{cell.label}: {exc.message}", path=exc.path,
                           line=exc.line, hint=exc.hint) from None


def _serial(cells, options, paths, say: Progress) -> list[CheckResult]:
    results = []
    for (variant, cell), cell_options in zip(cells, options):
        say(cell.label)
        result = check_cell(cell, cell_options, paths,
                            lambda n, label=cell.label:
                            say(f"{label}: {n} states"))
        results.append(with_expectation(result, variant))
    return results


def _indexed(task) -> tuple[int, CheckResult]:
    index, cell, options, paths = task
    return index, check_cell(cell, options, paths)


def _parallel(cells, options, paths, jobs: int,
              say: Progress) -> list[CheckResult]:
    cost = {m: memory_models.info(m).cost for m in {c.model for _, c in cells}}
    order = sorted(range(len(cells)), key=lambda i: -cost[cells[i][1].model])
    tasks = [(i, cells[i][1], options[i], paths) for i in order]
    results: list[CheckResult | None] = [None] * len(cells)
    pool = multiprocessing.get_context().Pool(jobs, quiet_worker)
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
                 progress: Progress | None = None,
                 builds: Sequence[BuildTarget] = (),
                 build_options: CheckOptions | None = None
                 ) -> list[CheckResult]:
    """`build_options` (default: `options`) are those of the build
    checks, which may run at smaller bounds (armv8 is slower)."""
    say = progress or (lambda text: None)
    for name in models:
        get_model(name)                  # fail early on an unavailable one
    rendered = {v.name: render_variant(v, paths) for v in variants}
    for text in rendered.values():
        compile_variant(text, options)   # C errors surface here, in order
    cells = []
    for variant in variants:
        for model in models:
            # a model that does not read C checks what each build emitted
            targets = (None,) if memory_models.reads(model, "c11") \
                else builds
            cells += [(variant, Cell(rendered[variant.name], model, target))
                      for target in targets]
    per_cell = [options if c.target is None else build_options or options
                for _, c in cells]
    if jobs > 1 and len(cells) > 1:
        return _parallel(cells, per_cell, paths, jobs, say)
    if jobs > 1:            # one check: its search uses the jobs instead
        per_cell = [replace(o, workers=jobs) for o in per_cell]
    return _serial(cells, per_cell, paths, say)
