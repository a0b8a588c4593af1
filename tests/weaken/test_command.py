"""`evaluate weaken` end to end on small searches (one cheap model, or
all but two sites pinned): the table and the JSON, bad input, a bounded
search, the reasons re-checked, the written points re-checked and
diffed."""

from __future__ import annotations

import json
import shutil

import pytest

from evaluator.checker import CheckOptions
from evaluator.checker.check import check_program
from evaluator.checker.models import get_model
from evaluator.weaken import lattice
from evaluator.weaken.emit import EmitError, point_variant, verify
from evaluator.weaken.output import SCHEMA
from evaluator.weaken.run import Request, subject_of, weaken
from evaluator.weaken.why import reasons
from evaluator.cli import main
from evaluator.orders import Order
from evaluator.paths import find_project
from evaluator.render import render_variant
from evaluator.variants import load_variants, parse_variant

# qemu-5.2 under x86-TSO with every site but its two smp_mb pinned: a
# 25-point lattice whose only weakest safe point keeps both (the
# store-buffering pair of aio_notify and aio_poll_wait).
FREE = ("aio_notify:smp_mb", "aio_poll_wait:smp_mb")


@pytest.fixture
def project(tmp_path, repo):
    for name in ("variants", "templates", "csrc"):
        shutil.copytree(repo / name, tmp_path / name)
    return tmp_path


def _subject(name: str, root=None):
    paths = find_project(root)
    rendered = render_variant(load_variants(paths.variants)[name], paths)
    options = CheckOptions(csrc=paths.csrc)
    return subject_of(rendered, options, (paths.root, paths.csrc)), options


def _pins(subject) -> list[str]:
    return [s.name for s in subject.sites if s.name not in FREE]


def _pin_args(subject) -> list[str]:
    return [word for name in _pins(subject) for word in ("--pin", name)]


def test_sc_frontier_of_the_original_end_to_end(tmp_path, capsys):
    out = tmp_path / "run"
    status = main(["weaken", "original-05e514b1", "--models", "sc",
                   "--jobs", "1", "--out", str(out)])
    text = capsys.readouterr().out
    assert status == 0
    assert "1 weakest safe ordering(s) under SC (complete" in text
    assert all(len(line) <= 72 for line in text.splitlines()
               if not line.startswith(("P0", "P1", " "))
               and str(tmp_path) not in line)    # traces and paths
    # SC needs no barrier at all: every fence absent, every op relaxed.
    row = next(line for line in text.splitlines()
               if line.startswith("aio_notify:smp_mb"))
    assert row.split() == ["aio_notify:smp_mb", "seq_cst", "absent"]
    # The census: fewer x86-64 fences (F/R/A) than the base, or a note
    # saying why there is none.
    census = [line.split()[-2:] for line in text.splitlines()
              if line.startswith("census x86-64")]
    if census:
        [[base, weakest]] = census
        assert int(weakest.split("/")[0]) < int(base.split("/")[0])
    else:
        assert "no instruction census" in text
    spec = out / "variants" / "original-05e514b1-weakest-1.toml"
    assert spec.is_file() and (out / "weaken.json").is_file()
    assert 'provenance = "evaluate weaken from original-05e514b1"' in \
        spec.read_text()
    assert main(["diff", "original-05e514b1", str(spec)]) == 0
    diff = capsys.readouterr().out
    assert "-    smp_mb();" in diff
    assert "+        __atomic_fetch_add(&ctx->notify_me, 2, " \
        "__ATOMIC_RELAXED);" in diff


def test_json_shape(tmp_path, capsys):
    subject, _ = _subject("qemu-5.2")
    status = main(["weaken", "qemu-5.2", "--models", "tso", "--jobs", "1",
                   "--out", str(tmp_path), "--json", "--no-census",
                   *_pin_args(subject)])
    doc = json.loads(capsys.readouterr().out)
    assert status == 0
    assert doc["schema"] == SCHEMA == "evaluate.weaken/1"
    assert doc["complete"] is True and doc["unexplored"] == 0
    assert doc["space"] == 25 and 0 < doc["checks"] <= 25
    assert [s["name"] for s in doc["sites"]] == \
        [s.name for s in subject.sites]
    assert sum(s["pinned"] for s in doc["sites"]) == len(subject.sites) - 2
    [point] = doc["points"]
    assert {point["orders"][name] for name in FREE} == {"seq_cst"}
    assert point["changed"] == {}
    assert sorted(w["site"] for w in point["why"]) == sorted(FREE)
    for why in point["why"]:
        assert why["verdict"] == "unsafe" and why["model"] == "tso"
        assert why["property"] == "lost-wakeup"
        assert why["sentence"].startswith(f"with {why['site']} (")
        assert "under x86-TSO: lost wakeup" in why["sentence"]
        assert why["trace"][-1].startswith("lost wakeup")


def test_each_reason_reproduces_when_rechecked():
    subject, options = _subject("qemu-5.2")
    result = weaken(subject, Request(("sc", "tso"), options,
                                     tuple(_pins(subject))))
    [point] = result.frontier.points
    found = reasons(result.frontier, subject.sites, point)
    assert {r.site.name for r in found} == set(FREE)
    for reason in found:
        assert reason.weakened == Order.ACQ_REL     # one step below
        again = check_program("again", subject.program_at(reason.point),
                              get_model(reason.model), options)
        assert again.verdict == "unsafe"
        assert again.violations[0].property == reason.property
        assert again.violations[0].trace == reason.trace


def test_a_weakened_point_written_as_c_is_unsafe_under_evaluate_check(
        project, capsys):
    subject, options = _subject("qemu-5.2", project)
    result = weaken(subject, Request(("tso",), options,
                                     tuple(_pins(subject))))
    [point] = result.frontier.points
    reason = reasons(result.frontier, subject.sites, point)[0]
    base = load_variants(project / "variants")["qemu-5.2"]
    written = point_variant(subject, reason.point, "weakened-probe",
                            base.params, ("tso",))
    (project / "variants" / "weakened-probe.c").write_text(written.source)
    (project / "variants" / "weakened-probe.toml").write_text(
        written.spec.replace('tso = "safe"', 'tso = "unsafe"'))
    assert main(["check", "--root", str(project), "--variants",
                 "weakened-probe", "--models", "tso", "--jobs", "1"]) == 0
    text = capsys.readouterr().out
    assert "✗ lost-wakeup" in text


# Two shared-code sites (written as parameters) and a fence of the hooks
# (written as C) that x86-TSO lets go.
SAVE_FREE = (*FREE, "qemu_bh_schedule:qatomic_xchg",
             "aio_bh_poll:qatomic_xchg", "aio_notify_accept:smp_mb")


def test_saved_points_recheck_safe(project, capsys):
    subject, _ = _subject("qemu-5.2", project)
    out = project / "run"
    pins = [word for s in subject.sites if s.name not in SAVE_FREE
            for word in ("--pin", s.name)]
    assert main(["weaken", "qemu-5.2", "--root", str(project), "--models",
                 "sc,tso", "--jobs", "2", "--out", str(out), "--save",
                 "--no-census", *pins]) == 0
    doc = json.loads((out / "weaken.json").read_text())
    assert doc["points"][0]["changed"] == {
        "qemu_bh_schedule:qatomic_xchg": "relaxed",
        "aio_bh_poll:qatomic_xchg": "relaxed",
        "aio_notify_accept:smp_mb": "absent"}
    capsys.readouterr()
    name = "qemu-5.2-weakest-1"
    saved = project / "variants" / f"{name}.toml"
    assert saved.is_file() and (project / "variants" / f"{name}.c").is_file()
    variant = parse_variant(saved)
    assert variant.provenance == "evaluate weaken from qemu-5.2"
    assert variant.params["bh_schedule_xchg"] == "relaxed"
    accept = _function(variant.source_text, "aio_notify_accept")
    assert accept.count("smp_mb") == 1
    assert "/* smp_mb(); dropped */" in accept
    assert main(["check", "--root", str(project), "--variants", name,
                 "--models", "sc,tso", "--jobs", "1"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines()
               if line.startswith(name))
    assert row.split()[1:] == ["✓", "safe", "✓", "safe"]


def _function(text: str, name: str) -> str:
    start = text.index(f"void {name}(")
    return text[start:text.index("\n}", start)]


def test_a_bounded_search_is_never_called_complete(tmp_path, capsys):
    status = main(["weaken", "qemu-5.2", "--models", "sc", "--jobs", "1",
                   "--budget-checks", "3", "--out", str(tmp_path),
                   "--json", "--no-census"])
    doc = json.loads(capsys.readouterr().out)
    assert status == 1
    assert doc["complete"] is False and doc["unexplored"] >= 1
    assert doc["budget_spent"] is True and doc["unknown"] == []
    assert doc["checks"] <= 3
    text = (tmp_path / "weaken.txt").read_text()
    assert "INCOMPLETE" in text and "--budget-checks" in text


@pytest.mark.parametrize("argv,words", [
    (["no-such-variant"], ["'no-such-variant'", "known:"]),
    (["qemu-5.2", "--pin", "aio_notify:smp_mbb"],
     ["'aio_notify:smp_mbb'", "did you mean 'aio_notify:smp_mb'"]),
    (["qemu-5.2", "--models", "sc,power"], ["'power'", "valid:"]),
    (["qemu-5.2", "--models", "armv8"], ["armv8", "models of C"]),
    (["qemu-5.2", "--budget-checks", "0"], ["--budget-checks 0",
                                            "at least 1"]),
])
def test_bad_input_is_an_error_naming_the_value(argv, words, tmp_path,
                                                capsys):
    status = main(["weaken", *argv, "--out", str(tmp_path / "run")])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("evaluate: error:")
    for word in words:
        assert word in err
    assert not (tmp_path / "run").exists()      # nothing was run


def test_point_variant_spells_a_composite_by_its_parts():
    subject, options, point, written = _written(
        "original-05e514b1", {
        "aio_notify:atomic_mb_set.fence-before": Order.RELAXED,
        "aio_notify:atomic_mb_set.store": Order.RELEASE})
    assert ("__atomic_store_n(&ctx->notified, 1, __ATOMIC_RELEASE); "
            "__atomic_thread_fence(__ATOMIC_SEQ_CST);") in written.source
    assert "atomic_mb_set" not in written.source
    assert written.changed == {
        "aio_notify:atomic_mb_set.fence-before": "absent",
        "aio_notify:atomic_mb_set.store": "release"}
    assert lattice.name(lattice.FENCE, Order.RELAXED) == "absent"




def test_a_limit_is_never_safe(tmp_path, capsys):
    status = main(["weaken", "qemu-5.2", "--models", "sc", "--jobs", "1",
                   "--max-states", "50", "--out", str(tmp_path), "--json",
                   "--no-census"])
    doc = json.loads(capsys.readouterr().out)
    assert status == 1
    assert doc["points"] == [] and doc["complete"] is False
    assert doc["budget_spent"] is False
    assert len(doc["unknown"]) == 1 and doc["checks"] == 1
    assert "reached a limit" in (tmp_path / "weaken.txt").read_text()


def _written(base: str, changes: dict):
    """BASE's point with `changes` (site name -> level), written as a
    plain-C variant named probe (not saved anywhere)."""
    subject, options = _subject(base)
    levels = dict(zip((s.name for s in subject.sites), subject.start))
    levels.update(changes)
    point = tuple(levels[s.name] for s in subject.sites)
    variant = load_variants(find_project().variants)[base]
    return subject, options, point, point_variant(
        subject, point, "probe", variant.params, ("sc",))


def _read_back(tmp_path, written, options):
    """The written point as evaluate would load it: its sites."""
    (tmp_path / "variants").mkdir()
    (tmp_path / "variants" / "probe.c").write_text(written.source)
    spec = tmp_path / "variants" / "probe.toml"
    spec.write_text(written.spec)
    paths = find_project()
    return subject_of(render_variant(parse_variant(spec), paths), options,
                      (paths.root, paths.csrc))


def test_nested_calls_are_rewritten_innermost_first(tmp_path):
    subject, options, point, written = _written(
        "qemu-5.2", {
        "aio_poll_wait:qatomic_set": Order.SEQ_CST,
        "aio_poll_wait:qatomic_read@155": Order.ACQUIRE})
    assert ("__atomic_store_n(&ctx->notify_me, __atomic_load_n("
            "&ctx->notify_me, __ATOMIC_ACQUIRE) + 2, __ATOMIC_SEQ_CST);"
            in written.source)
    again = _read_back(tmp_path, written, options)
    verify(subject, point, again.sites)         # raises on a mismatch
    with pytest.raises(EmitError, match="does not realise the point"):
        verify(subject, subject.start, again.sites)


def test_a_dropped_fence_statement_becomes_a_comment_line(tmp_path):
    subject, options, point, written = _written(
        "qemu-5.2", {
        "aio_notify:smp_mb": Order.RELAXED})  # absent
    lines = written.source.splitlines()
    assert [line.strip() for line in lines if "dropped" in line] == \
        ["/* smp_mb(); dropped */"]
    assert "(void)0" not in written.source
    again = _read_back(tmp_path, written, options)
    verify(subject, point, again.sites)         # the fence is gone


def _weaken_json(out, *extra):
    subject, _ = _subject("qemu-5.2")
    return ["weaken", "qemu-5.2", "--models", "sc,tso", "--jobs", "1",
            "--json", "--no-census", *_pin_args(subject), *extra]


def _same_search(doc):
    return {k: v for k, v in doc.items()
            if k not in ("seconds", "model_checks", "resumed_checks")}


def test_an_interrupted_search_resumes_from_its_journal(
        tmp_path, capsys, monkeypatch):
    from evaluator.weaken import run as weaken_run
    whole = tmp_path / "whole"
    assert main(_weaken_json(whole, "--out", str(whole))) == 0
    expected = json.loads(capsys.readouterr().out)
    real, calls = weaken_run._check_point, []

    def stopped_after_three(*args):
        if len(calls) == 3:
            raise KeyboardInterrupt
        calls.append(args)
        return real(*args)
    monkeypatch.setattr(weaken_run, "_check_point", stopped_after_three)
    out = tmp_path / "cut"
    assert main(_weaken_json(out, "--out", str(out))) == 130
    err = capsys.readouterr().err
    assert f"kept in {out / 'checks.jsonl'}" in err
    resume = err.split("continue with: ")[1].strip()
    assert resume.endswith(f"--resume {out}") and "--out" not in resume
    assert len((out / "checks.jsonl").read_text().splitlines()) == 1 + 3
    monkeypatch.setattr(weaken_run, "_check_point", real)
    assert main(resume.split()[1:]) == 0
    resumed = json.loads(capsys.readouterr().out)
    assert _same_search(resumed) == _same_search(expected)
    assert resumed["model_checks"] == expected["model_checks"] - 3
    assert resumed["resumed_checks"] == 3


def test_a_journal_is_never_reused_for_other_inputs(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(_weaken_json(out, "--out", str(out))) == 0
    capsys.readouterr()
    # another run into the same directory would overwrite the journal
    assert main(_weaken_json(out, "--out", str(out))) == 2
    assert "checks.jsonl: already holds the journal" in \
        capsys.readouterr().err
    # other models: other verdicts
    args = _weaken_json(out, "--resume", str(out))
    args[args.index("sc,tso")] = "tso"
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "checks.jsonl:1: this journal is of qemu-5.2 under sc,tso" in err
    # a damaged record in the middle is an error naming its line
    journal = out / "checks.jsonl"
    lines = journal.read_text().splitlines()
    journal.write_text("\n".join([lines[0], "{", *lines[1:]]) + "\n")
    assert main(_weaken_json(out, "--resume", str(out))) == 2
    assert "checks.jsonl:2: record 2 is damaged" in capsys.readouterr().err
    # a last record cut short by a kill is only checked again
    journal.write_text("\n".join([*lines, lines[-1][:40]]))
    assert main(_weaken_json(out, "--resume", str(out))) == 0
    assert json.loads(capsys.readouterr().out)["model_checks"] == 0
    assert journal.read_text().splitlines() == lines   # the cut line went
    assert main(_weaken_json(out, "--resume", str(tmp_path / "none"))) == 2
    assert "not a run directory" in capsys.readouterr().err


def test_a_by_address_builtin_is_refused_not_respelt_without_its_result():
    # __atomic_load(p, &ret, o) as __atomic_load_n(p, o) would leave ret
    # unset while the round trip (same sites and orders) still passed.
    from evaluator.checker.ir import Where
    from evaluator.weaken.emit import rewrite
    from evaluator.weaken.sites import Site
    site = Site("aio_notify:__atomic_load", lattice.LOAD, Order.SEQ_CST,
                "aio_notify", Where("variants/v.c", 3, 5), 0, ((0, 1),))
    with pytest.raises(EmitError) as err:
        rewrite("__atomic_load(&ctx->notify_me, &me, __ATOMIC_SEQ_CST);",
                [site], {site.name: Order.RELAXED}, {site.name: None})
    assert "passes its values by address" in str(err.value)
