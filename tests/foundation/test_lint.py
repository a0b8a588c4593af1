"""The code passes the project's ruff configuration (pyproject.toml):
the suite CI runs includes the linter."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_ruff_passes():
    try:
        import ruff  # noqa: F401
    except ImportError:
        if shutil.which("ruff") is None:
            pytest.skip("ruff is not installed (pip install -e '.[test]')")
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "evaluator",
         "tests", "benchmarks"], cwd=REPO, capture_output=True, text=True,
        check=False)
    assert done.returncode == 0, done.stdout + done.stderr
