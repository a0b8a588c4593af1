"""Fixtures for the build/census/harness/bench tests.

`fixture_paths` is a project root in a temp directory that holds the real
csrc/, every real template and variant, and the test-only broken
variants from tests/fixtures/ (lost wakeup, dropped BH, crash, compile
error), so one run can mix them.  Builds are cached per test session.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from evaluator.build.compile import (build_harness, build_variant,
                                     find_toolchain)
from evaluator.paths import ProjectPaths
from evaluator.render import render_variant
from evaluator.variants import load_variants

sys.path.insert(0, str(Path(__file__).parent))     # callgrind_count
REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"

needs_gcc = pytest.mark.skipif(shutil.which("gcc") is None,
                               reason="gcc not installed")


def _link_all(source: Path, target: Path, pattern: str) -> None:
    target.mkdir(exist_ok=True)
    for file in source.glob(pattern):
        (target / file.name).symlink_to(file)


@pytest.fixture(scope="session")
def fixture_paths(tmp_path_factory) -> ProjectPaths:
    root = tmp_path_factory.mktemp("project")
    (root / "csrc").symlink_to(REPO / "csrc")
    for sub, pattern in (("templates", "*.c.j2"), ("variants", "*.toml")):
        _link_all(REPO / sub, root / sub, pattern)
        _link_all(FIXTURES / sub, root / sub, pattern)
    return ProjectPaths(root)


@pytest.fixture(scope="session")
def variants(fixture_paths):
    return load_variants(fixture_paths.variants)


@pytest.fixture(scope="session")
def toolchain():
    if shutil.which("gcc") is None:
        pytest.skip("gcc not installed")
    return find_toolchain("gcc")


@pytest.fixture(scope="session")
def cache(fixture_paths) -> Path:
    return fixture_paths.root / ".cache" / "build"


@pytest.fixture(scope="session")
def harness_binary(fixture_paths, toolchain, cache) -> Path:
    return build_harness(fixture_paths, toolchain, cache)


@pytest.fixture(scope="session")
def library(fixture_paths, variants, toolchain, cache):
    """library(name) -> the variant's shared object (built once)."""
    built: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in built:
            rendered = render_variant(variants[name], fixture_paths)
            built[name] = build_variant(rendered, fixture_paths, toolchain,
                                        cache=cache).library
        return built[name]
    return get
