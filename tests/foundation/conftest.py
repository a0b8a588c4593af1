from __future__ import annotations

import shutil

import pytest

from evaluator.paths import ProjectPaths, find_project
from evaluator.variants import load_variants


@pytest.fixture(scope="session")
def paths() -> ProjectPaths:
    return find_project()


@pytest.fixture(scope="session")
def variants(paths):
    return load_variants(paths.variants)


@pytest.fixture
def scratch(tmp_path, paths) -> ProjectPaths:
    """A throw-away project: copies of variants/ and templates/, the real
    csrc/.  Tests break files here, never in the checkout."""
    shutil.copytree(paths.variants, tmp_path / "variants")
    shutil.copytree(paths.templates, tmp_path / "templates")
    (tmp_path / "csrc").symlink_to(paths.csrc)
    return ProjectPaths(tmp_path)

