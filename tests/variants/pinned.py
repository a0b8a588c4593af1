"""What the nine variants shipped before issue 10 must keep meaning: the
checker's verdict, distinct states explored and paths cut, per variant
and cell (a model under a scenario), and their C as the checker reads it
(golden/<name>.c: the preprocessed translation unit, parsed by pycparser
and printed back, so spelling and parentheses do not matter but every
access, order and branch does).

Recorded with `evaluate check --json` (default scenario) and `evaluate
check --json --models c11 --iterations 2` ("c11-small") on the code
before the variants were re-expressed as parameters of one template;
checked with --all-violations (an exhaustive search, as then).

Regenerate (after a deliberate checker change, e.g. stopping at the first
counterexample, which changes the counts of unsafe cells):

    .venv/bin/python tests/variants/pinned.py          # prints PINNED
    .venv/bin/python tests/variants/pinned.py --golden # rewrites golden/

and paste the printed table over the one below.  Change golden/ only
when a shipped variant is meant to change meaning.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"

# Cells: a model name, or "<model>-small" for the C11 cell the fast suite
# checks (the default-scenario C11 cells take ~40 s of CPU together).
SCENARIOS = {"sc": {}, "tso": {}, "c11": {}, "c11-small": {"iterations": 2}}
# The cells the normal suite runs; EVALUATE_PIN_ALL=1 runs every one.
FAST = ("sc", "tso", "c11-small")

# variant: {cell: (verdict, explored, cut)}
PINNED = {
    "acq-rel": {"sc": ("safe", 1246, 20), "tso": ("safe", 1555, 25), "c11": ("safe", 66550, 4563), "c11-small": ("safe", 7425, 958)},
    "bug-notified-first": {"sc": ("unsafe", 1378, 21), "tso": ("unsafe", 1927, 29), "c11": ("unsafe", 72782, 3905), "c11-small": ("unsafe", 9944, 1154)},
    "bug-skip-set": {"sc": ("unsafe", 1018, 22), "tso": ("unsafe", 1437, 35), "c11": ("unsafe", 116290, 7981), "c11-small": ("unsafe", 10052, 1293)},
    "full-removal": {"sc": ("safe", 512, 5), "tso": ("safe", 512, 5), "c11": ("safe", 18843, 442), "c11-small": ("safe", 4513, 581)},
    "original-05e514b1": {"sc": ("safe", 1246, 20), "tso": ("safe", 1936, 33), "c11": ("safe", 77408, 4563), "c11-small": ("safe", 8779, 958)},
    "qemu-4.2-c11-rmw": {"sc": ("safe", 1239, 20), "tso": ("safe", 1929, 33), "c11": ("unsafe", 80641, 6289), "c11-small": ("unsafe", 8940, 1191)},
    "qemu-5.2": {"sc": ("safe", 2208, 30), "tso": ("safe", 5577, 44), "c11": ("safe", 209095, 15382), "c11-small": ("safe", 13884, 2136)},
    "relaxed": {"sc": ("safe", 1246, 20), "tso": ("safe", 1555, 25), "c11": ("safe", 66550, 4563), "c11-small": ("safe", 7425, 958)},
    "test-then-xchg": {"sc": ("safe", 1409, 20), "tso": ("safe", 2191, 33), "c11": ("safe", 94043, 5305), "c11-small": ("safe", 10812, 1145)},
}


def cell_options(cell: str, csrc: Path):
    """CheckOptions and model name of one cell.  The whole state space
    is explored (--all-violations): the counts were recorded before the
    checker learnt to stop at the first counterexample, and an exhaustive
    search still visits exactly those states."""
    from evaluator.checker import CheckOptions, Scenario
    return (cell.split("-")[0],
            CheckOptions(scenario=Scenario(**SCENARIOS[cell]), csrc=csrc,
                         all_violations=True))


def canonical_c(text: str, csrc: Path, name: str) -> str:
    """The rendered C as the checker reads it: cpp, pycparser, printed
    back by pycparser's generator (one spelling per construct)."""
    from pycparser import c_generator, c_parser
    cpp = subprocess.run(["gcc", "-E", "-std=gnu11", "-nostdinc", "-I",
                          str(csrc), "-"], input=text, capture_output=True,
                         text=True, check=True).stdout
    ast = c_parser.CParser().parse(cpp, f"{name}.c")
    return c_generator.CGenerator().visit(ast)


def _regenerate(golden: bool) -> None:
    from evaluator.checker import check_variant
    from evaluator.paths import find_project
    from evaluator.render import render_variant
    from evaluator.variants import load_variants
    paths = find_project()
    variants = load_variants(paths.variants)
    print("PINNED = {")
    for name in sorted(PINNED):
        rendered = render_variant(variants[name], paths)
        if golden:
            (GOLDEN / f"{name}.c").write_text(
                canonical_c(rendered.text, paths.csrc, name))
        cells = []
        for cell in SCENARIOS:
            model, options = cell_options(cell, paths.csrc)
            r = check_variant(rendered, model, options)
            cells.append(f'"{cell}": ("{r.verdict}", {r.explored}, '
                         f'{r.cut})')
        print(f'    "{name}": {{' + ", ".join(cells) + "},")
    print("}")


if __name__ == "__main__":
    _regenerate(golden="--golden" in sys.argv[1:])
