"""The written report: golden files, the 72-column rule, unsafe variants
only in the rejected list, JSON fields, never overwriting."""

import json
import math
import os
import unicodedata
from pathlib import Path

import pytest
from helpers import BASELINE, COMMAND, DATE, as_results, doc, ranked, variants
from synthetic import EFFECTS, UNSAFE, check_results, make_run

from evaluator.errors import ReportError
from evaluator.report.document import MachineRun, build_report
from evaluator.report.files import render_all, save
from evaluator.report.jsondoc import SCENARIO_FIELDS
from evaluator.samples import SampleSet

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("EVALUATE_UPDATE_GOLDEN") == "1"


def columns(line: str) -> int:
    wide = sum(unicodedata.east_asian_width(c) in "WF" for c in line)
    return len(line) + wide


def rounded(value, digits=6):
    """Floats to `digits` significant digits, so the JSON golden file does
    not depend on the last bits of scipy's quantile functions."""
    if isinstance(value, float):
        return float(f"{value:.{digits}g}") if math.isfinite(value) else value
    if isinstance(value, dict):
        return {k: rounded(v, digits) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v, digits) for v in value]
    return value


@pytest.fixture(scope="module")
def texts():
    return render_all(doc())


@pytest.mark.parametrize("ext", ["txt", "md"])
def test_golden_text(texts, ext):
    golden = GOLDEN / f"report.{ext}"
    if UPDATE:
        golden.write_text(texts[ext], encoding="utf-8")
    assert texts[ext] == golden.read_text(encoding="utf-8")


def test_golden_json(texts):
    golden = GOLDEN / "report.json"
    data = rounded(json.loads(texts["json"]))
    if UPDATE:
        golden.write_text(json.dumps(data, indent=2, ensure_ascii=False)
                          + "\n", encoding="utf-8")
    assert data == json.loads(golden.read_text(encoding="utf-8"))


def test_no_line_over_72_columns(texts):
    long = [line for line in texts["txt"].splitlines() if columns(line) > 72]
    assert long == []


def test_72_columns_with_long_names_and_values():
    sample_set = make_run(processes=4, batches=3, quick=True)
    long_name = "a-very-long-variant-name-that-overflows"
    renamed = tuple(s.__class__(**{**s.__dict__, "variant": long_name})
                    if s.variant == "relaxed" else s
                    for s in sample_set.samples)
    env = dict(sample_set.environment,
               flags="-O2 " + " ".join(f"-fflag-number-{i}" for i in
                                       range(30)),
               cpu_model="X" * 100)
    census = dict(sample_set.census, **{long_name:
                                        sample_set.census["relaxed"]})
    text = render_all(doc(SampleSet(env, census, renamed,
                                    sample_set.faults)))["txt"]
    assert long_name in text
    assert max(columns(line) for line in text.splitlines()) <= 72
    assert "SMOKE RUN" in text


def section(text: str, title: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index(title)
    end = next((i for i in range(start + 3, len(lines))
                if i + 1 < len(lines) and lines[i] == ""
                and set(lines[i + 2] if i + 2 < len(lines) else "") <= {
                    "-", "="} and lines[i + 2]), len(lines))
    return lines[start:end]


def test_unsafe_variants_appear_only_in_the_rejected_list(texts):
    txt = texts["txt"]
    rejected = "\n".join(section(txt, "Rejected: unsafe, never ranked or "
                                      "recommended"))
    for name in UNSAFE:
        assert name in rejected
        assert txt.count(name) == rejected.count(name), name
    md = texts["md"]
    md_rejected = md[md.index("### Rejected"):md.index("### Environment")]
    for name in UNSAFE:
        assert md.count(name) == md_rejected.count(name), name


def test_json_has_the_issue_fields_and_no_rankings_for_unsafe(texts):
    data = json.loads(texts["json"])
    assert data["schema"] == "evaluate.report/1"
    for key in ("baseline", "delta", "mde", "environment", "variants"):
        assert key in data
    assert data["baseline"] == BASELINE and data["delta"] == 0.01
    assert set(data["mde"]) == {"self-resched", "pingpong", "flood"}
    for variant in data["variants"]:
        fields = {"name", "verdicts", "scenarios"}
        if variant["name"] not in UNSAFE:
            fields |= {"changes", "diff"}
        assert set(variant) == fields
        assert set(variant["verdicts"]) == {"sc", "tso", "c11"}
        for entry in variant["scenarios"].values():
            assert tuple(entry) == SCENARIO_FIELDS
        if variant["name"] in UNSAFE:
            assert variant["scenarios"] == {}
            assert "unsafe" in variant["verdicts"].values()
    best = next(v for v in data["variants"] if v["name"] == "test-then-xchg")
    entry = best["scenarios"]["self-resched"]
    assert entry["tier"] == 1 and entry["verdict"] == "faster"
    assert entry["ratio"] == pytest.approx(0.6, abs=0.01)
    assert entry["ratio_ci95"][0] < entry["ratio"] < entry["ratio_ci95"][1]


def test_recommendation_names_the_fastest_c11_safe_variant(texts):
    txt = texts["txt"]
    rec = " ".join(section(txt, "Recommendation")[2:])
    assert rec.startswith("Fastest variant safe under C11: test-then-xchg")
    assert "Synthetic CPU" in rec and "acq_rel" in rec


def test_without_c11_verdicts_nothing_is_recommended():
    checks = [r for r in check_results() if r["model"] != "c11"]
    text = render_all(doc(checks=checks))["txt"]
    assert "recommends nothing" in text


def test_keep_the_baseline_when_nothing_safe_beats_it():
    checks = [dict(r, verdict="unsafe",
                   violations=[{"property": "data-race", "trace": []}])
              if r["variant"] not in (BASELINE, "full-removal")
              and r["model"] == "c11" else r for r in check_results()]
    text = render_all(doc(checks=checks))["txt"]
    assert "Keep the baseline original-05e514b1" in text


def test_no_speed_claim_when_nothing_beats_the_baseline():
    flat = {name: (1.0, 1.0, 1.0) for name in EFFECTS}
    flat[BASELINE + "~slow"] = (1.3, 1.0, 1.0)
    flat[BASELINE + "~lock"] = (1.3, 1.0, 1.0)
    sample_set = make_run(seed=2, processes=8, batches=6, effects=flat)
    text = " ".join(render_all(doc(sample_set))["txt"].split())
    assert ("No variant safe under C11 is measurably faster than "
            "original-05e514b1 (beyond ±1.0%) in any scenario") in text
    assert "Fastest variant" not in text


def test_faults_of_ranked_variants_are_listed(texts):
    assert "full-removal: crashed in 1 of 10 processes (flood): SIGSEGV" \
        in texts["txt"]


def test_report_is_never_overwritten(tmp_path):
    sample_set, checks, ranking = ranked()

    def write(command):
        return save(build_report([MachineRun(sample_set, checks, ranking)],
                                 variants(), command, date=DATE), tmp_path)
    first = write(COMMAND)
    before = first.txt.read_text()
    second = write("another command")
    assert first.txt.name == "report.txt"
    assert second.txt.name == "report-2.txt"
    assert second.json.name == "report-2.json"
    assert first.txt.read_text() == before
    assert "another command" in second.txt.read_text()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_unsafe_baseline_is_refused():
    checks = [dict(r, verdict="unsafe") if r["variant"] == BASELINE
              else r for r in check_results()]
    sample_set, _, ranking = ranked()
    with pytest.raises(ReportError, match="baseline.*unsafe"):
        build_report([MachineRun(sample_set, as_results(checks), ranking)],
                     variants(), COMMAND)


def test_ranking_that_includes_an_unsafe_variant_is_refused():
    sample_set = make_run(processes=3, batches=2)
    from evaluator.stats import rank
    ranking = rank(sample_set, BASELINE, resamples=0)
    with pytest.raises(ReportError,
                       match="unsafe or unknown variant.*ranking"):
        build_report([MachineRun(sample_set, as_results(check_results()),
                                 ranking)],
                     variants(), COMMAND)


def test_environment_block_has_the_reproduction_facts(texts):
    env = "\n".join(section(texts["txt"], "Environment and reproduction"))
    for needle in ("CPU: Synthetic CPU", "cores used: 0,1 (of 2 online)",
                   "kernel: Linux", "compiler: gcc (Debian 12.2.0-14)",
                   "flags: -O2 -fPIC (default -march=x86-64)",
                   "tool version: 0.1.0", "git commit: 0123456789abcdef",
                   "bench command: evaluate --variants all --aa",
                   "seed: 42", "date: 2025-01-02T03:04:05Z",
                   f"report command: {COMMAND}"):
        assert needle in env, needle


def test_degenerate_run_renders_without_crashing():
    """Baseline hung everywhere in one scenario, three processes, no
    checker results, no census, no environment."""
    from evaluator.samples import Fault
    from evaluator.stats import rank
    run = make_run(seed=3, processes=3, batches=2)
    samples = tuple(s for s in run.samples if not (
        s.scenario == "pingpong" and s.variant == BASELINE))
    faults = tuple(Fault(p, BASELINE, "pingpong", "hung", "stuck")
                   for p in range(3))
    sample_set = SampleSet({}, {}, samples, faults)
    ranking = rank(sample_set, BASELINE, resamples=50)
    texts = render_all(build_report([MachineRun(sample_set, [], ranking)],
                                    {}, COMMAND, date=DATE))
    txt = texts["txt"]
    assert "Nothing ranked in this scenario." in txt
    assert f"{BASELINE}: hung in 3 of 3 processes (pingpong): stuck" in txt
    flat = " ".join(txt.split())
    assert "No checker results: safety is unknown." in flat
    assert "recommends nothing" in flat
    assert max(columns(line) for line in txt.splitlines()) <= 72
    json.loads(texts["json"])


def test_summary_has_the_tables_and_keeps_unsafe_out_of_them():
    from evaluator.report.text import summary_text
    text = summary_text(doc())
    assert "Scenario self-resched: 10 processes" in text
    assert max(columns(line) for line in text.splitlines()) <= 72
    tables, _, rejected = text.rpartition("Rejected as unsafe")
    for name in UNSAFE:
        assert name not in tables and name in rejected


@pytest.mark.parametrize("ending", [None, "interrupted"])
def test_an_unfinished_run_says_so_at_the_top(ending):
    from evaluator.samples import Ending
    run = make_run(processes=4, batches=3)
    kept = tuple(s for s in run.samples
                 if not (s.scenario == "flood" and s.variant == "relaxed"))
    env = dict(run.environment, bench={
        "scenarios": ["self-resched", "pingpong", "flood"],
        "variants": sorted({s.variant for s in run.samples})})
    end = None if ending is None else Ending(ending, "Ctrl-C", 42.0)
    texts = render_all(doc(SampleSet(env, run.census, kept, run.faults,
                                     run.dynamic, end)))
    body = texts["txt"]
    banner = body.index("*** INCOMPLETE RUN")
    assert banner < body.index("Recommendation")
    how = ("no end record" if ending is None
           else "interrupted (Ctrl-C) after 42 s")
    assert how in " ".join(body.split())
    assert "flood: no samples of relaxed." in body
    data = json.loads(texts["json"])
    assert data["incomplete"]["missing"] == {"flood": ["relaxed"]}
    assert "**INCOMPLETE RUN**" in texts["md"]


def test_a_complete_run_has_no_incomplete_banner(texts):
    assert "INCOMPLETE" not in texts["txt"]
    assert "incomplete" not in json.loads(texts["json"])


def test_variant_list_shows_each_candidates_change_against_the_baseline():
    from evaluator.paths import find_project
    from evaluator.variants import load_variants
    paths = find_project()
    sample_set, checks, ranking = ranked()
    texts = render_all(build_report(
        [MachineRun(sample_set, checks, ranking)],
        load_variants(paths.variants), COMMAND, date=DATE, paths=paths))
    relaxed = next(v for v in json.loads(texts["json"])["variants"]
                   if v["name"] == "relaxed")
    assert "accept" in relaxed["changes"]
    assert "-    if (__atomic_exchange_n(&ctx->notified, 0, " \
           "__ATOMIC_SEQ_CST))" in relaxed["diff"]
    assert "+    if (__atomic_exchange_n(&ctx->notified, 0, " \
           "__ATOMIC_RELAXED))" in relaxed["diff"]
    base = next(v for v in json.loads(texts["json"])["variants"]
                if v["name"] == BASELINE)
    assert base["diff"] == "" and base["changes"] == ""
    assert "```diff" in texts["md"] and relaxed["diff"].splitlines()[3] \
        in texts["md"]
    text = texts["txt"]
    assert "changes: " + relaxed["changes"][:40] in " ".join(text.split())
    assert max(len(line) for line in text.splitlines()) <= 72


def test_positive_lock_in_self_validation(texts):
    data = json.loads(texts["json"])
    kinds = {c["kind"]: c for c in data["self_validation"]}
    assert set(kinds) == {"aa", "positive", "positive-lock"}
    assert kinds["positive-lock"]["name"] == BASELINE + "~lock"
    assert kinds["positive-lock"]["ok"] is True
    assert data["barrier"]["resolved"] is True
    text = " ".join(texts["txt"].split())
    assert ("self-resched: one locked instruction per operation resolved "
            "(ratio 1.298, slower)") in text


def test_a_run_blind_to_one_lock_makes_no_single_barrier_claim():
    """The one-lock control not slower in self-resched: every comparison
    between arms with the same syscalls per op is 'unresolved', and the
    recommendation recommends nothing on speed."""
    effects = dict(EFFECTS)
    effects[BASELINE + "~lock"] = (1.0, 1.0, 1.0)
    texts = render_all(doc(make_run(seed=5, effects=effects)))
    data = json.loads(texts["json"])
    assert data["barrier"]["resolved"] is False
    verdicts = {(e["name"], s): v["verdict"] for e in data["variants"]
                for s, v in e["scenarios"].items()}
    assert verdicts["test-then-xchg", "self-resched"] == "unresolved"
    assert verdicts["relaxed", "flood"] == "unresolved"
    # one read(2) per operation more than the baseline: still measured
    assert verdicts["full-removal", "self-resched"] == "slower"
    recommendation = data["recommendation"]
    assert "cannot speak about single-barrier differences" in recommendation
    assert "recommends nothing on speed" in recommendation
    assert "Fastest variant" not in recommendation
    assert "SELF-VALIDATION FAILED" in recommendation
    txt = " ".join(texts["txt"].split())
    assert "unres" in texts["txt"]
    assert "comparison between arms that make the same system calls" in txt


def test_dynamic_census_is_shown_next_to_ns_per_op(texts):
    txt = texts["txt"]
    start = txt.index("Executed per operation (dynamic census)")
    block = txt[start:txt.index("Hung or crashed")]
    row = next(line for line in block.splitlines()
               if line.startswith("test-then-xchg"))
    # x86-64 F R A, a64 F R A, a64-lse F R A, S P, ns/op
    assert row.split()[1:12] == ["1", "2", "0", "1", "2", "4", "1", "2",
                                 "2", "0", "0"]
    data = json.loads(texts["json"])
    arm = data["executed"]["pingpong"]["arms"]["test-then-xchg"]
    assert arm["syscalls"] == {"S": 2, "P": 1}
    assert arm["ns_per_op"] > 0 and arm["sites"]


def _with(checks, **changes_by_cell):
    """check.json records with some cells changed: {variant__model: dict}."""
    out = []
    for r in checks:
        key = f"{r['variant']}__{r['model']}".replace("-", "_").replace(
            ".", "_")
        out.append(dict(r, **changes_by_cell.get(key, {})))
    return out


def test_a_variant_left_unknown_is_listed_never_ranked():
    limit = {"kind": "max-states", "phase": "search",
             "detail": "the state limit (20000 states and steps) was "
                       "reached", "explored": 20000, "steps": 0,
             "depth": 12, "seconds": 3.0}
    checks = _with(check_results(), relaxed__c11={
        "verdict": "unknown", "expected": None, "limit": limit,
        "complete": False})
    sample_set, _, ranking = ranked(checks=checks)
    assert all("relaxed" not in s.order for s in ranking.scenarios)
    texts = render_all(doc(checks=checks))
    body = texts["txt"]
    at = body.index("Unknown: a search limit left the verdict open")
    assert "relaxed: unknown under c11; safe under sc, tso." in \
        " ".join(body[at:].split())
    assert "the state limit (20000 states" in body[at:]
    data = json.loads(texts["json"])
    [entry] = data["unknown"]
    assert entry["name"] == "relaxed" and "max-states" in \
        entry["limits"]["c11"]
    assert "relaxed" not in [v for s in data["friedman"] for v in s]


def test_a_verdict_that_changes_with_the_compiler_is_a_caveat():
    gcc = check_results()
    trace = ["P1#3  aio_protocol.c:19    load(bh_scheduled) relaxed reads 0 "
             "from init (stale: P0#0 wrote 1 earlier)", "lost wakeup: ..."]
    clang = [dict(r, cc="clang", expected=None) for r in gcc]
    clang = [dict(r, verdict="unsafe", violations=[
        {"property": "lost-wakeup", "trace": trace}])
        if r["variant"] == "test-then-xchg" and r["model"] == "c11" else r
        for r in clang]
    texts = render_all(doc(checks=gcc + clang))
    flat = " ".join(texts["txt"].split())
    assert ("test-then-xchg, c11: safe with gcc; unsafe with clang "
            "(lost-wakeup after a stale relaxed load(bh_scheduled))") in flat
    recommendation = flat[flat.index("Recommendation"):]
    assert ("The verdict depends on the compiler: test-then-xchg is safe "
            "under c11 as built here (gcc) but unsafe as clang compiles "
            "it") in recommendation
    data = json.loads(texts["json"])
    assert data["compiler_reading"] == "gcc"
    assert data["compiler_splits"][0]["verdicts"] == {"clang": "unsafe",
                                                      "gcc": "safe"}
    # the clang results do not change what is ranked (gcc built it)
    assert any("test-then-xchg" in s.order for s in ranked(
        checks=gcc + clang)[2].scenarios)
