"""Fixtures for the variant tests: the project, its specs, rendering."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from evaluator.paths import find_project
from evaluator.variants import load_variants

# pinned.py is shared data; importlib mode does not put test directories
# on sys.path by itself.
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def paths():
    return find_project()


@pytest.fixture(scope="session")
def variants(paths):
    return load_variants(paths.variants)


@pytest.fixture
def scratch(tmp_path, paths):
    """A throw-away project: copies of variants/ and templates/, the real
    csrc/.  Tests add or break specs here, never in the checkout."""
    import shutil
    from evaluator.paths import ProjectPaths
    shutil.copytree(paths.variants, tmp_path / "variants")
    shutil.copytree(paths.templates, tmp_path / "templates")
    (tmp_path / "csrc").symlink_to(paths.csrc)
    return ProjectPaths(tmp_path)
