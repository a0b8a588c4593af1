"""Check many variants under many models: the verdict matrix.

Entry point: check_matrix(variants, models, paths, options, jobs,
progress) -> list[CheckResult], one per variant x model in that order,
each carrying the variant's declared expectation.  Checks are pure, so
running them in worker processes gives the same results as serially.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import replace

from .. import memory_models
from ..paths import ProjectPaths
from ..render import render_variant
from ..variants import Variant
from .check import CheckOptions, CheckResult, check_variant, compile_variant
from .models import get_model

Progress = Callable[[str], None]


def with_expectation(result: CheckResult, variant: Variant) -> CheckResult:
    return replace(result, expected=variant.expect.get(result.model))


def _serial(cells, options: CheckOptions, say: Progress) -> list[CheckResult]:
    results = []
    for variant, rendered, model in cells:
        label = f"{variant.name} under {model}"
        say(label)
        result = check_variant(rendered, model, options,
                               lambda n, label=label:
                               say(f"{label}: {n} states"))
        results.append(with_expectation(result, variant))
    return results


def _parallel(cells, options: CheckOptions, jobs: int,
              say: Progress) -> list[CheckResult]:
    cost = {m: memory_models.info(m).cost for m in {c[2] for c in cells}}
    order = sorted(range(len(cells)), key=lambda i: -cost[cells[i][2]])
    results: list[CheckResult | None] = [None] * len(cells)
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(check_variant, cells[i][1], cells[i][2],
                               options): i for i in order}
        for done, future in enumerate(as_completed(futures), start=1):
            index = futures[future]
            results[index] = with_expectation(future.result(),
                                              cells[index][0])
            say(f"{done}/{len(cells)} checks done")
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
