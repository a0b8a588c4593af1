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
