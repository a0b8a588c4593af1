"""The nine variants shipped before issue 10 keep their meaning: the
same C as the checker reads it, the same verdicts and state counts."""

from __future__ import annotations

import os

import pytest

from evaluator.checker import check_variant
from evaluator.render import render_variant

from pinned import FAST, GOLDEN, PINNED, SCENARIOS, canonical_c, cell_options

ALL = os.environ.get("EVALUATE_PIN_ALL") == "1"
CELLS = [cell for cell in SCENARIOS if ALL or cell in FAST]


@pytest.mark.parametrize("name", sorted(PINNED))
def test_checker_input_is_unchanged(paths, variants, name):
    text = render_variant(variants[name], paths).text
    expected = (GOLDEN / f"{name}.c").read_text()
    assert canonical_c(text, paths.csrc, name) == expected, (
        f"{name} now means something else; see tests/variants/pinned.py")


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("name", sorted(PINNED))
def test_verdict_and_state_counts_are_pinned(paths, variants, name, cell):
    model, options = cell_options(cell, paths.csrc)
    result = check_variant(render_variant(variants[name], paths), model,
                           options)
    got = (result.verdict, result.explored, result.cut)
    assert got == PINNED[name][cell], (
        f"{name} under {cell}: {got}; regenerate with "
        "tests/variants/pinned.py if the checker changed on purpose")
