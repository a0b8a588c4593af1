"""`evaluate check` and `evaluate litmus`: output, JSON, exit status."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from litmus_samples import SB

from evaluator.cli import main

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path) -> Path:
    """A private copy of the project inputs, safe to edit."""
    for name in ("variants", "templates", "csrc"):
        shutil.copytree(REPO / name, tmp_path / name)
    return tmp_path


def test_check_json(capsys):
    code = main(["check", "--variants", "bug-skip-set,relaxed", "--models",
                 "sc,tso", "--json", "--jobs", "1"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["schema"] == "evaluate.check/1"
    cells = {(r["variant"], r["model"]): r for r in out["results"]}
    assert set(cells) == {("bug-skip-set", "sc"), ("bug-skip-set", "tso"),
                          ("relaxed", "sc"), ("relaxed", "tso")}
    bad = cells[("bug-skip-set", "tso")]
    assert bad["verdict"] == "unsafe" and bad["expected"] == "unsafe"
    assert bad["syscalls"] == "acq_rel"
    assert [v["property"] for v in bad["violations"]] == ["lost-wakeup"]
    assert bad["violations"][0]["trace"][-1].startswith("lost wakeup")
    good = cells[("relaxed", "sc")]
    assert good["verdict"] == "safe" and good["violations"] == []
    assert good["explored"] > 0 and good["seconds"] >= 0
    for key in ("variant", "model", "syscalls", "verdict", "expected",
                "violations", "explored", "seconds"):
        assert key in good


def test_check_table_and_parallel_jobs(capsys):
    code = main(["check", "--variants", "bug-notified-first,full-removal",
                 "--models", "sc,tso", "--jobs", "2"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0].split() == ["variant", "sc", "tso"]
    assert out[1].split() == ["bug-notified-first", "✗", "busy-loop", "✗",
                              "busy-loop"]
    assert out[2].split() == ["full-removal", "✓", "safe", "✓", "safe"]
    table = out[:out.index("")]
    assert max(len(line) for line in table) <= 72
    assert "== bug-notified-first under sc: busy-loop ==" in out
    assert "(same trace as bug-notified-first under sc)" not in out


def test_check_exit_1_when_a_verdict_contradicts_expect(project, capsys):
    spec = project / "variants" / "relaxed.toml"
    spec.write_text(spec.read_text().replace('sc = "safe"',
                                             'sc = "unsafe"'))
    code = main(["check", "--root", str(project), "--variants", "relaxed",
                 "--models", "sc"])
    assert code == 1
    assert "✓ safe !" in capsys.readouterr().out


def test_check_names_the_template_line_of_unsupported_c(project, capsys):
    template = project / "templates" / "notify.c.j2"
    lines = template.read_text().splitlines()
    index = next(i for i, line in enumerate(lines)
                 if line.startswith("void aio_notify(AioContext *ctx)"))
    lines.insert(index + 2, "    switch (0) { default: break; }")
    template.write_text("\n".join(lines) + "\n")
    code = main(["check", "--root", str(project), "--variants", "relaxed",
                 "--models", "sc"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"templates/notify.c.j2:{index + 3}: " in err
    assert "switch statement" in err


@pytest.mark.parametrize("args, words", [
    (["--models", "psc"], "unknown memory model 'psc'"),
    (["--variants", "nope"], "nope"),
    (["--rounds", "0"], "rounds = 0"),
])
def test_check_bad_input_exits_2(args, words, capsys):
    assert main(["check", "--jobs", "1", *args]) == 2
    assert words in capsys.readouterr().err


def test_litmus_json_and_text(tmp_path, capsys):
    path = tmp_path / "SB.litmus"
    path.write_text(SB)
    assert main(["litmus", str(path), "--models", "sc,tso", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["schema"] == "evaluate.litmus/1"
    sc, tso = out["results"]
    assert (sc["test"], sc["file"], sc["model"], sc["verdict"]) == \
        ("SB", "SB.litmus", "sc", "forbidden")
    assert tso["verdict"] == "allowed"
    assert {"0:r0": 0, "1:r0": 0} in tso["outcomes"]
    assert {"0:r0": 0, "1:r0": 0} not in sc["outcomes"]
    assert main(["litmus", str(tmp_path), "--models", "tso"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("SB (SB.litmus): exists (0:r0=0 /\\ 1:r0=0)")
    assert "tso  allowed    4 final states" in text


def test_litmus_exit_1_against_expected_csv(tmp_path, capsys):
    (tmp_path / "SB.litmus").write_text(SB)
    (tmp_path / "expected.csv").write_text(
        "test,file,SC,TSO,C11\nSB,SB.litmus,allowed,allowed,allowed\n")
    assert main(["litmus", str(tmp_path), "--models", "sc,tso"]) == 1
    assert "! expected allowed" in capsys.readouterr().out


def test_litmus_malformed_exits_2_with_line(tmp_path, capsys):
    path = tmp_path / "bad.litmus"
    path.write_text(SB.replace("exists (0:r0=0 /\\ 1:r0=0)",
                               "exists (0:r0=0 /\\ 1:r0=0"))
    assert main(["litmus", str(path), "--models", "sc"]) == 2
    err = capsys.readouterr().err
    assert f"{path}:" in err and "condition" in err


def test_traces_wrap_at_100_columns_and_long_names_keep_columns(project,
                                                                capsys):
    name = ("bug-skip-set-with-a-name-of-sixty-characters-for-the-check"
            "-ok")[:60]
    spec = (project / "variants" / "bug-skip-set.toml").read_text()
    (project / "variants" / f"{name}.toml").write_text(
        spec.replace('name = "bug-skip-set"', f'name = "{name}"'))
    assert main(["check", "--root", str(project), "--variants",
                 f"{name},relaxed", "--models", "sc,c11", "--jobs",
                 "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert max(len(line) for line in lines) <= 100
    at = lines.index(name)
    assert lines[at + 1].split() == ["✗", "lost-wakeup", "✗", "lost-wakeup"]
    assert lines[at + 1].index("✗") == lines[0].index("sc")
    assert any(line.startswith(" " * 27) for line in lines)  # a wrapped one
