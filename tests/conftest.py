"""Shared test configuration.

Benchmarks (tests marked @pytest.mark.benchmark) measure performance and
only run with --benchmark; they never gate the normal suite.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# Helpers shared by several test directories (bitrel.py) are imported by
# name: import-mode=importlib does not put tests/ on sys.path by itself.
sys.path.insert(0, str(Path(__file__).parent))


def pytest_addoption(parser):
    parser.addoption("--benchmark", action="store_true", default=False,
                     help="also run performance benchmarks")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--benchmark"):
        return
    skip = pytest.mark.skip(reason="benchmark: run with --benchmark")
    for item in items:
        if "benchmark" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the checkout (CI lays it there), or
    $EVALUATE_SHARED."""
    path = Path(os.environ.get("EVALUATE_SHARED", REPO.parent / "shared"))
    if not path.is_dir():
        pytest.skip(f"no shared directory at {path}")
    return path


def have(tool: str) -> bool:
    return shutil.which(tool) is not None
