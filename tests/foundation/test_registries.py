"""One registry per fact: memory models, scenarios, report sections.

A fake memory model registered in the registry shows up in `evaluate
check`, the verdict matrix and all three report formats with no other
edit; a section added to (or moved in) the document is rendered where
the document puts it; no model or scenario list lives outside its
registry; the C harness names the scenarios the registry names.
"""

from __future__ import annotations

import ast
import json
import re
import sys
import types
from dataclasses import dataclass
from pathlib import Path

import pytest

from evaluator import cli, memory_models
from evaluator.bench import scenarios
from evaluator.checker.models.sc import ScModel
from evaluator.report import document, jsondoc, markdown, text
from evaluator.report.document import MachineRun, build_report
from evaluator.report.files import render_all

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "report"))
from helpers import BASELINE, COMMAND, DATE, as_results, doc, ranked, variants  # noqa: E402
from synthetic import check_results  # noqa: E402

FAKE = "fake"


class _Permissive(ScModel):
    """Every interleaving, one memory: enough to be a model."""

    name = FAKE


@pytest.fixture
def fake_model(monkeypatch):
    module = types.ModuleType("evaluate_fake_model")
    module.MODEL = _Permissive()
    monkeypatch.setitem(sys.modules, module.__name__, module)
    entry = memory_models.ModelInfo(
        FAKE, "Fake", "FAKE", "a permissive test model", module.__name__,
        cost=1)
    monkeypatch.setattr(memory_models, "REGISTRY",
                        memory_models.REGISTRY + (entry,))
    return entry


def test_fake_model_in_check_and_matrix(fake_model, capsys):
    status = cli.main(["check", "--variants", "relaxed", "--models",
                       f"sc,{FAKE}", "--jobs", "2"])
    out = capsys.readouterr().out
    assert status == 0
    header = out.splitlines()[0].split()
    assert header == ["variant", "sc", FAKE]
    row = next(line for line in out.splitlines()
               if line.startswith("relaxed"))
    assert row.count("✓ safe") == 2


def test_fake_model_is_a_default_model(fake_model):
    from evaluator.commands.common import parse_models
    assert parse_models(None)[-1] == FAKE


def _checks_with_fake():
    results = check_results()
    fake = [dict(r, model=FAKE, verdict="safe", expected=None,
                 violations=[]) for r in results if r["model"] == "sc"]
    return as_results(results + fake)


def test_fake_model_in_every_report_format(fake_model):
    texts = render_all(doc(checks=_checks_with_fake()))
    tests_header = next(line for line in texts["txt"].splitlines()
                        if line.startswith("T  variant") and "p adj" in line)
    assert tests_header.split()[-4:] == ["sc", "tso", "c11", FAKE]
    assert max(len(line) for line in texts["txt"].splitlines()) <= 72
    md_header = next(line for line in texts["md"].splitlines()
                     if line.startswith("| tier |"))
    assert f"| c11 | {FAKE} |" in md_header
    data = json.loads(texts["json"])
    assert all(FAKE in v["verdicts"] for v in data["variants"])


@dataclass(frozen=True)
class Marker:
    text: str


def _marker(where: str):
    def build(machine, ctx):
        yield Marker(f"MARKER-{where}")
    return build


def test_renderers_follow_the_document_order(monkeypatch):
    sections = [_marker("first"), *document.SECTIONS, _marker("last")]
    monkeypatch.setattr(document, "SECTIONS", sections)
    monkeypatch.setitem(text.RENDERERS, Marker, lambda s: ["", s.text])
    monkeypatch.setitem(markdown.RENDERERS, Marker, lambda s: [s.text, ""])
    monkeypatch.setitem(jsondoc.RENDERERS, Marker,
                        lambda s: {"markers": [s.text]})
    texts = render_all(doc())
    for fmt in ("txt", "md"):
        body = texts[fmt]
        first, last = body.index("MARKER-first"), body.index("MARKER-last")
        assert first < body.index("Recommendation") < last
        assert body.index("Environment and reproduction") < last
    assert json.loads(texts["json"])["markers"] == ["MARKER-first",
                                                    "MARKER-last"]


def test_moving_a_section_moves_it_in_every_format(monkeypatch):
    moved = [b for b in document.SECTIONS if b is not document._environment]
    moved.insert(1, document._environment)
    monkeypatch.setattr(document, "SECTIONS", moved)
    texts = render_all(doc())
    for fmt in ("txt", "md"):
        body = texts[fmt]
        assert body.index("Environment and reproduction") < \
            body.index("Recommendation")


def _module_sources():
    for path in sorted((REPO / "evaluator").rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def _string_items(node) -> list[str] | None:
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        items = node.elts
    elif isinstance(node, ast.Dict):
        items = [k for k in node.keys if k is not None]
    else:
        return None
    if items and all(isinstance(i, ast.Constant) and isinstance(i.value, str)
                     for i in items):
        return [i.value for i in items]
    return None


def test_no_list_of_model_names_outside_the_registry():
    models = set(memory_models.names())
    found = []
    for path, tree in _module_sources():
        if path.name == "memory_models.py":
            continue
        for node in ast.walk(tree):
            items = _string_items(node)
            if items and len(set(items) & models) >= 2:
                found.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert found == []


def test_no_scenario_name_outside_the_scenario_table():
    names = set(scenarios.names())
    found = []
    for path, tree in _module_sources():
        if path == REPO / "evaluator" / "bench" / "scenarios.py":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in names:
                found.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert found == []


def test_the_c_harness_names_the_registry_scenarios_in_order():
    source = (REPO / "csrc" / "harness" / "scenarios.c").read_text()
    match = re.search(r"names\[\]\s*=\s*\{([^}]*)\}", source)
    assert match, "scenarios.c lost its names[] table"
    assert tuple(re.findall(r'"([^"]+)"', match.group(1))) == \
        scenarios.names()


def test_every_registered_model_names_itself_as_registered():
    for entry in memory_models.REGISTRY:
        assert entry.load().name == entry.name


def test_bench_summary_and_report_print_the_same_figures():
    from evaluator.stats.summary import summarize
    sample_set, _, ranking = ranked()
    rows = summarize(sample_set, BASELINE)
    assert rows
    for row in rows:
        scenario = ranking.scenario(row.scenario)
        if row.variant not in scenario.estimates:
            continue        # unsafe: not in the ranking at all
        assert row.ns_per_op == scenario.estimates[row.variant].median_ns
        if row.variant in scenario.vs_baseline:
            assert row.ratio == pytest.approx(
                scenario.vs_baseline[row.variant].ratio, rel=1e-12)
        assert row.syscalls_per_op == pytest.approx(
            scenario.estimates[row.variant].syscalls_per_op, rel=1e-12)


def test_the_report_document_is_one_tuple_of_typed_sections():
    sample_set, checks, ranking = ranked()
    built = build_report([MachineRun(sample_set, checks, ranking)],
                         variants(), COMMAND, date=DATE)
    kinds = [type(s).__name__ for s in built.machines[0].sections]
    assert kinds[0] == "Preamble" and kinds[-1] == "Environment"
    assert kinds.count("ScenarioTables") == len(ranking.scenarios)
