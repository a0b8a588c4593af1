"""Fixtures for the checker tests: the project's variants, rendered."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import pytest

from evaluator.checker.models import available
from evaluator.paths import find_project
from evaluator.render import render_variant
from evaluator.variants import load_variants

# Shared test data (litmus_samples.py); pytest's importlib mode does not
# put test directories on sys.path by itself.
sys.path.insert(0, str(Path(__file__).parent))


@functools.cache
def _variants():
    paths = find_project()
    return paths, load_variants(paths.variants)


@pytest.fixture(scope="session")
def variants():
    return _variants()[1]


@pytest.fixture(scope="session")
def rendered():
    paths, variants = _variants()
    return lambda name: render_variant(variants[name], paths)


def needs_c11():
    return pytest.mark.skipif("c11" not in available(),
                              reason="models/rc11.py (the c11 model) is "
                                     "not there yet")


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@functools.cache
def _fixture_project(root: Path):
    """A project root holding csrc/, every real template and variant and
    the test-only ones from tests/fixtures/ (symlinks)."""
    from evaluator.paths import ProjectPaths
    repo = find_project().root
    (root / "csrc").symlink_to(repo / "csrc")
    for sub in ("templates", "variants"):
        (root / sub).mkdir()
        for source in (repo / sub, FIXTURES / sub):
            for file in sorted(source.iterdir()):
                (root / sub / file.name).symlink_to(file)
    paths = ProjectPaths(root)
    return paths, load_variants(paths.variants)


@pytest.fixture(scope="session")
def fixture_project(tmp_path_factory):
    return _fixture_project(tmp_path_factory.mktemp("fixture-project"))


@pytest.fixture(scope="session")
def fixture_rendered(fixture_project):
    paths, variants = fixture_project
    return lambda name: render_variant(variants[name], paths)
