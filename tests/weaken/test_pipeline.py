"""`evaluate --weaken BASE`: the frontier points join the check, the
bench, the ranking and the report, which names them as the weakest
safe orderings (gcc-dependent: it builds and times them)."""

from __future__ import annotations

import json
import shutil

import pytest

from evaluator.cli import main


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")
def test_quick_pipeline_ranks_the_frontier_points(tmp_path, capsys):
    out = tmp_path / "run"
    status = main(["--variants", "original-05e514b1", "--weaken",
                   "original-05e514b1", "--quick", "--models", "sc",
                   "--scenarios", "self-resched", "--budget", "6",
                   "--no-controls", "--out", str(out)])
    capsys.readouterr()
    point = "original-05e514b1-weakest-1"
    assert status in (0, 1)         # 1: a quick run's unmet expectations
    assert (out / "weaken.json").is_file()
    assert (out / "variants" / f"{point}.toml").is_file()
    checked = json.loads((out / "check.json").read_text())["results"]
    assert {(r["variant"], r["verdict"]) for r in checked
            if r["variant"] == point} == {(point, "safe")}
    report = (out / "report.txt").read_text()
    section = " ".join(report[report.index("Weakest safe orderings"):]
                       .split())      # unwrapped
    assert f"{point}: a weakest safe ordering of original-05e514b1" in \
        section
    assert "self-resched: #" in section
    assert "Census F/R/A: x86-64 0/5/0 (original-05e514b1 2/5/0)" in section
    doc = json.loads((out / "report.json").read_text())
    machines = doc.get("machines", [doc])       # one machine: flat
    assert any(e["variant"] == point and e["weakened_from"] ==
               "original-05e514b1" for m in machines
               for e in m.get("weakest", []))


def test_an_unknown_weaken_base_fails_before_any_check(tmp_path, capsys,
                                                       monkeypatch):
    from evaluator.commands import pipeline
    checked = []
    monkeypatch.setattr(pipeline, "check_matrix",
                        lambda *a, **k: checked.append(1) or [])
    status = main(["--variants", "original-05e514b1", "--weaken",
                   "no-such", "--out", str(tmp_path / "run")])
    assert status == 2 and not checked
    err = capsys.readouterr().err
    assert "'no-such'" in err and not (tmp_path / "run").exists()
