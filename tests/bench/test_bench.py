"""The bench stage end to end on tiny budgets, and its planning rules."""

from __future__ import annotations

import json
import os
import random
import shutil
import tempfile
from pathlib import Path

import pytest

from evaluator import cli
from evaluator.bench import BenchConfig, run_bench
from evaluator.bench.schedule import (budget_shares, choose_ops, load_order,
                                      shuffled_rounds)
from evaluator.errors import BenchError, EvaluateError
from evaluator.report.text import bench_text
from evaluator.samples import read_samples
from evaluator.stats.summary import summarize


def config(paths, variants, names, tmp_path, **kw) -> BenchConfig:
    defaults = dict(scenarios=("self-resched",), budget=4.0, processes=2,
                    seed=11, out=tmp_path / "run", watchdog_s=0.3,
                    cache=paths.root / ".cache" / "build")
    defaults.update(kw)
    return BenchConfig(paths, tuple(variants[n] for n in names), **defaults)


def lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture(scope="module")
def hang_run(fixture_paths, variants, tmp_path_factory):
    """pingpong with a variant that loses every wakeup."""
    tmp = tmp_path_factory.mktemp("hang")
    cfg = config(fixture_paths, variants,
                 ["original-05e514b1", "test-lost-wakeup", "relaxed"], tmp,
                 scenarios=("pingpong",), budget=8.0)
    return run_bench(cfg)


def test_hang_is_reported_and_the_run_goes_on(hang_run):
    sample_set = read_samples(hang_run / "samples.jsonl")
    hung = [f for f in sample_set.faults if f.variant == "test-lost-wakeup"]
    assert hung and all(f.kind == "hung" for f in hung)
    assert "bh_scheduled=1" in hung[0].detail
    measured = {s.variant for s in sample_set.samples}
    assert measured == {"original-05e514b1", "relaxed"}
    # --processes 2; the second one is skipped if the first (on a busy
    # machine) left too little of the budget for it.
    assert 1 <= len({s.process for s in sample_set.samples}) <= 2


def test_file_layout_environment_census_samples(hang_run):
    records = lines(hang_run / "samples.jsonl")
    kinds = [r["kind"] for r in records]
    assert kinds[0] == "environment"
    assert kinds[1:4] == ["census"] * 3
    assert kinds[4:7] == ["dynamic"] * 3
    assert set(kinds[7:-1]) <= {"sample", "fault"}
    assert kinds[-1] == "end"
    assert all(r["schema"] == "evaluate.samples/1" for r in records)
    env = records[0]
    for key in ("cpu_model", "cpu_pair", "kernel", "compiler", "seed",
                "command_line", "date", "tool_version", "git",
                "census_compilers"):
        assert key in env, key
    assert env["seed"] == 11
    assert env["compiler"]["flags"][:2] == ["-std=gnu11", "-O2"]
    # issue 15: built like a QEMU executable, and the record says so
    assert "-fno-semantic-interposition" in env["compiler"]["flags"]
    assert env["compiler"]["build_profile"] == "qemu"
    assert "write(2)" in env["bench"]["syscall_count_method"]


def test_blocked_design_every_process_runs_every_variant(hang_run):
    sample_set = read_samples(hang_run / "samples.jsonl")
    by_process = {}
    for s in sample_set.samples:
        by_process.setdefault(s.process, []).append(s)
    for batch in by_process.values():
        names = [s.variant for s in batch]
        assert set(names) == {"original-05e514b1", "relaxed"}
        assert names.count("original-05e514b1") == names.count("relaxed")
        assert len({s.ops for s in batch}) == 1     # one calibrated size
        warm = [s.warmup for s in sorted(batch, key=lambda s: s.batch)]
        assert warm == sorted(warm, reverse=True)   # warm-up comes first
        assert any(warm) and not all(warm)


def test_the_baseline_must_be_among_the_variants(fixture_paths, variants,
                                                 tmp_path):
    with pytest.raises(BenchError, match="baseline .* is not among"):
        config(fixture_paths, variants, ["relaxed"], tmp_path, aa=True)


@pytest.mark.parametrize("field,value,option", [
    ("budget", 0.0, "--budget"), ("budget", float("nan"), "--budget"),
    ("budget", float("inf"), "--budget"), ("budget", 1e12, "--budget"),
    ("watchdog_s", 0.0, "--watchdog"), ("watchdog_s", -1.0, "--watchdog"),
    ("seed", -1, "--seed"), ("processes", 0, "--processes")])
def test_numbers_are_refused_before_any_work(fixture_paths, variants,
                                             tmp_path, field, value, option):
    with pytest.raises(BenchError, match=option):
        config(fixture_paths, variants, ["original-05e514b1"], tmp_path,
               **{field: value})
    assert not (tmp_path / "run").exists()


def test_controls_are_separate_arms(fixture_paths, variants, tmp_path):
    cfg = config(fixture_paths, variants, ["relaxed", "original-05e514b1"],
                 tmp_path, aa=True, positive_control=True, positive_lock=True,
                 budget=3.0)
    run_dir = run_bench(cfg)
    sample_set = read_samples(run_dir / "samples.jsonl")
    names = {s.variant for s in sample_set.samples}
    assert names == {"relaxed", "original-05e514b1",
                     "original-05e514b1~aa", "original-05e514b1~slow",
                     "original-05e514b1~lock"}
    census = sample_set.census
    base = census["original-05e514b1"]["arches"]
    assert census["original-05e514b1~aa"]["arches"] == base
    slow = census["original-05e514b1~slow"]["arches"]["x86-64"]
    assert slow["total"] == base["x86-64"]["total"]
    # ~lock: exactly one more locked RMW, in qemu_bh_schedule, nothing else
    lock = census["original-05e514b1~lock"]["arches"]["x86-64"]
    assert lock["total"] == {**base["x86-64"]["total"], "atomic_rmw":
                             base["x86-64"]["total"]["atomic_rmw"] + 1}
    dynamic = sample_set.dynamic
    one = dynamic["original-05e514b1"]["scenarios"]["self-resched"]
    more = dynamic["original-05e514b1~lock"]["scenarios"]["self-resched"]
    assert more["arches"]["x86-64"]["atomic_rmw"] == \
        one["arches"]["x86-64"]["atomic_rmw"] + 1
    env = sample_set.environment["bench"]
    assert env["positive_control"]["variant"] == "original-05e514b1~slow"
    assert env["positive_lock"]["variant"] == "original-05e514b1~lock"


def test_out_directory_is_never_overwritten(fixture_paths, variants,
                                            tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "samples.jsonl").write_text("")
    with pytest.raises(EvaluateError, match="earlier run"):
        run_bench(config(fixture_paths, variants, ["original-05e514b1"],
                         tmp_path))


def test_cli_prints_table_and_exits_0(fixture_paths, tmp_path, capsys):
    status = cli.main(["bench", "--root", str(fixture_paths.root),
                       "--variants", "original-05e514b1,full-removal",
                       "--scenarios", "self-resched", "--budget", "3",
                       "--processes", "2", "--seed", "5",
                       "--out", str(tmp_path / "cli")])
    out = capsys.readouterr().out
    assert status == 0
    table = [line for line in out.splitlines()
             if not line.startswith("samples: ")]    # a path
    assert all(len(line) <= 72 for line in table)
    row = next(line for line in out.splitlines()
               if line.startswith("full-removal "))
    cells = row.split()     # variant ns/op ratio sys/op wr/op rd/op procs
    assert float(cells[1]) > 0 and float(cells[5]) == 1.0


def test_cli_rejects_unknown_scenario(fixture_paths, capsys):
    status = cli.main(["bench", "--root", str(fixture_paths.root),
                       "--scenarios", "sleepy"])
    assert status == 2
    assert "unknown scenario" in capsys.readouterr().err


# ---- planning rules ------------------------------------------------------

def test_rounds_are_seeded_permutations():
    one = shuffled_rounds(4, 5, 2, 100, random.Random("7/3"))
    two = shuffled_rounds(4, 5, 2, 100, random.Random("7/3"))
    assert one == two
    assert len(one) == 28
    for r in range(7):
        chunk = one[4 * r:4 * r + 4]
        assert sorted(b.arm for b in chunk) == [0, 1, 2, 3]
        assert all(b.warmup == (r < 2) for b in chunk)
    orders = {tuple(b.arm for b in one[4 * r:4 * r + 4]) for r in range(7)}
    assert len(orders) > 1
    # each batch knows its round: the statistics pair the arms by it
    assert [b.round for b in one] == [r for r in range(7) for _ in range(4)]


def test_each_process_loads_the_arms_in_its_own_order():
    """The dlopen order is a permutation seeded per process, so no arm
    keeps one place in the address-space layout across processes."""
    arms = [f"arm{i}" for i in range(4)]
    orders = [tuple(load_order(arms, 7, p)) for p in range(200)]
    assert orders[5] == tuple(load_order(arms, 7, 5))     # reproducible
    assert all(sorted(o) == arms for o in orders)
    firsts = {a: sum(o[0] == a for o in orders) for a in arms}
    # each arm first in about a quarter of the processes (binomial
    # 200 x 1/4: mean 50, 99.99% within 20..80)
    assert all(20 <= n <= 80 for n in firsts.values()), firsts


def test_budget_goes_where_wakeups_happen():
    """The fast path gets a fifth of the time: one locked instruction is
    a large share of its operation; pingpong and flood need the rest."""
    shares = budget_shares(["self-resched", "pingpong", "flood"], 150.0)
    assert shares == {"self-resched": 30.0, "pingpong": 60.0,
                      "flood": 60.0}
    assert budget_shares(["pingpong"], 20.0) == {"pingpong": 20.0}


def test_choose_ops_targets_the_geometric_mean_within_bounds():
    assert choose_ops([1000.0, 1000.0], 2.0) == 2_000
    # geometric mean 2000 ns -> 1000 ops: 1 ms and 4 ms batches
    assert choose_ops([1000.0, 4000.0], 2.0) == 1_000
    # the slowest batch is capped at 10 ms (1155 -> 1111 ops) ...
    assert choose_ops([1000.0, 1000.0, 1000.0, 9000.0], 2.0) == 1_100
    # ... also when that leaves the fastest batch under 1 ms
    assert choose_ops([10.0, 500.0], 2.0) == 20_000
    assert choose_ops([1e7], 2.0) == 16                 # at least MIN_OPS


def test_summary_is_paired_and_fits_72_columns(hang_run):
    sample_set = read_samples(hang_run / "samples.jsonl")
    rows = summarize(sample_set, "original-05e514b1")
    base = next(r for r in rows if r.variant == "original-05e514b1")
    assert base.ratio == pytest.approx(1.0)
    hung = next(r for r in rows if r.variant == "test-lost-wakeup")
    assert hung.faults == {"hung": 1} and hung.ns_per_op is None
    text = bench_text(rows, sample_set.census, "original-05e514b1")
    assert all(len(line) <= 72 for line in text.splitlines())


@pytest.mark.parametrize("where", ["file", "under-a-file"])
def test_bad_out_is_refused_before_any_check(fixture_paths, tmp_path, capsys,
                                             monkeypatch, where):
    from evaluator.commands import pipeline
    checked = []
    monkeypatch.setattr(pipeline, "check_matrix",
                        lambda *a, **k: checked.append(1) or [])
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    out = blocker if where == "file" else blocker / "run"
    status = cli.main(["--root", str(fixture_paths.root), "--variants",
                       "original-05e514b1", "--out", str(out)])
    assert status == 2 and not checked
    err = capsys.readouterr().err
    assert str(blocker) in err and "Traceback" not in err


# 0 once fell through `args.budget or DEFAULT` and meant the default.
@pytest.mark.parametrize("value,shown", [("nan", "nan"), ("0", "0.0"),
                                         ("-5", "-5.0"), ("inf", "inf")])
@pytest.mark.parametrize("command", [[], ["bench"]])
def test_a_bad_budget_is_refused_before_any_work(fixture_paths, monkeypatch,
                                                 capsys, value, shown,
                                                 command):
    from evaluator.commands import bench, pipeline
    worked = []
    monkeypatch.setattr(pipeline, "check_matrix",
                        lambda *a, **k: worked.append(1) or [])
    monkeypatch.setattr(bench, "run_bench",
                        lambda *a, **k: worked.append(1))
    assert cli.main(["--root", str(fixture_paths.root), *command,
                     "--budget", value, "--variants",
                     "original-05e514b1"]) == 2
    assert not worked
    assert f"--budget {shown} is not a number of seconds" in \
        capsys.readouterr().err


@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM"])
def test_an_interrupted_bench_records_its_end(fixture_paths, tmp_path,
                                              signame):
    import signal
    import subprocess
    import sys
    import time
    out = tmp_path / "run"
    proc = subprocess.Popen(
        [sys.executable, "-m", "evaluator.cli", "bench", "--root",
         str(fixture_paths.root), "--variants", "original-05e514b1",
         "--scenarios", "self-resched", "--budget", "60", "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    samples = out / "samples.jsonl"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (
            not samples.exists() or '"sample"' not in samples.read_text()):
        time.sleep(0.2)
    proc.send_signal(getattr(signal, signame))
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    reason = "SIGTERM" if signame == "SIGTERM" else "Ctrl-C"
    assert f"interrupted ({reason})" in err
    assert f"evaluate report {out}" in err
    last = lines(samples)[-1]
    assert last["kind"] == "end" and last["status"] == "interrupted"
    assert last["reason"] == reason
    sample_set = read_samples(samples)
    assert sample_set.samples and not sample_set.complete
    assert not list(Path(tempfile.gettempdir()).glob(
        f"evaluate-libs-{proc.pid}-*"))


def test_copies_left_by_a_killed_run_are_removed(tmp_path):
    from evaluator.bench.harness import LIBS_PREFIX, remove_stale_copies
    dead = 2**22 + 12345       # above pid_max on default kernels
    stale = Path(tempfile.gettempdir()) / f"{LIBS_PREFIX}{dead}-abc"
    stale.mkdir()
    (stale / "0-variant.so").write_text("x")
    mine = Path(tempfile.mkdtemp(prefix=f"{LIBS_PREFIX}{os.getpid()}-"))
    try:
        assert stale in remove_stale_copies()
        assert not stale.exists() and mine.exists()
    finally:
        shutil.rmtree(mine, ignore_errors=True)


def test_a_complete_bench_records_its_end(hang_run):
    last = lines(hang_run / "samples.jsonl")[-1]
    assert last["kind"] == "end" and last["status"] == "complete"


def test_calibration_ignores_batches_that_lost_the_cpu():
    from evaluator.bench.schedule import _calibrated
    # two clean batches at ~2.5 us/op, three stretched by another task
    batches = [(False, 2500.0), (True, 160000.0), (True, 150000.0),
               (False, 2600.0), (True, 170000.0)]
    assert _calibrated(batches) == pytest.approx(2550.0)
    assert _calibrated([(True, 10.0), (True, 30.0)]) == 20.0   # no choice


def test_a_tiny_budget_still_measures_every_scenario_once(fixture_paths,
                                                          variants, tmp_path):
    cfg = config(fixture_paths, variants, ["original-05e514b1", "relaxed"],
                 tmp_path, scenarios=("self-resched", "pingpong"),
                 budget=0.5, processes=None)
    sample_set = read_samples(run_bench(cfg) / "samples.jsonl")
    measured = {(s.scenario, s.variant) for s in sample_set.samples
                if not s.warmup}
    assert {("self-resched", "original-05e514b1"),
            ("pingpong", "original-05e514b1")} <= measured


def test_a_baseline_without_batches_stops_the_run_and_says_why(
        fixture_paths, variants, tmp_path):
    cfg = config(fixture_paths, variants, ["test-lost-wakeup", "relaxed"],
                 tmp_path, scenarios=("pingpong",),
                 baseline="test-lost-wakeup",
                 budget=3.0)
    with pytest.raises(BenchError, match="has no measured batch: it "
                                         "faulted: pingpong: hung"):
        run_bench(cfg)
    assert read_samples(tmp_path / "run" / "samples.jsonl").faults
