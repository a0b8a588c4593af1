"""How fast the RC11 model checks the shipped variants and the litmus
corpora (run with --benchmark; -s shows the figures).

Targets (issue 4): every shipped variant under c11 well under a minute
in total; both litmus corpora under c11 in a few seconds.
"""

import time

import pytest

from evaluator.checker.check import check_variant
from evaluator.checker.litmus import read_litmus, run_litmus
from evaluator.paths import find_project
from evaluator.render import render_variant
from evaluator.variants import load_variants

pytestmark = pytest.mark.benchmark


def test_variants_under_c11():
    project = find_project()
    variants = load_variants(project.variants)
    total, lines = 0.0, []
    for name, variant in sorted(variants.items()):
        started = time.perf_counter()
        result = check_variant(render_variant(variant, project), "c11")
        seconds = time.perf_counter() - started
        total += seconds
        lines.append(f"{name:22} {result.verdict:7} {result.explored:>8} "
                     f"states {seconds:6.1f} s")
    print("\n".join(lines + [f"{'total':22} {'':7} {'':>8} "
                             f"       {total:6.1f} s"]))
    assert total < 60


def test_litmus_corpora_under_c11(repo, shared_dir):
    paths = sorted((repo / "litmus").glob("*.litmus")) \
        + sorted((shared_dir / "litmus").glob("*.litmus"))
    started = time.perf_counter()
    for path in paths:
        run_litmus(read_litmus(path), "c11")
    seconds = time.perf_counter() - started
    print(f"{len(paths)} litmus tests under c11: {seconds:.2f} s")
    assert seconds < 5
