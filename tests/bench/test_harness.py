"""The C harness on tiny plans: its JSON lines, its counters, its
correctness check and its watchdog (issue 6, "tests of the harness")."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest

from evaluator.bench.environment import choose_cpus
from evaluator.bench.harness import (Batch, ProcessPlan, argv, plan_text,
                                     run_process)
from evaluator.samples import Fault, Sample

WATCHDOG_S = 0.3


def make_plan(library, scenario, names, batches, *, settle=4,
              process=7, timeout=30.0) -> ProcessPlan:
    return ProcessPlan(process, scenario, tuple(names),
                       tuple(library(n) for n in names), tuple(batches),
                       settle, choose_cpus(None), WATCHDOG_S, timeout)


def run(binary, plan):
    records = []
    outcome = run_process(binary, plan, records.append)
    samples = [r for r in records if isinstance(r, Sample)]
    faults = [r for r in records if isinstance(r, Fault)]
    return outcome, samples, faults


def each(arms, ops, rounds=2):
    return [Batch(a, r == 0, ops) for r in range(rounds) for a in arms]


def test_every_line_is_json_and_batches_are_reported(harness_binary, library):
    names = ["original-05e514b1", "full-removal"]
    plan = make_plan(library, "self-resched", names, each([0, 1], 500))
    done = subprocess.run(argv(harness_binary, plan), input=plan_text(plan),
                          capture_output=True, text=True, timeout=30,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    kinds = [line["kind"] for line in lines]
    assert kinds == ["ready"] + ["sample"] * 4 + ["end"]
    assert [line["batch"] for line in lines[1:-1]] == [0, 1, 2, 3]
    assert lines[0]["cpus"][0] == plan.cpus[0]


def test_self_resched_counters(harness_binary, library):
    names = ["original-05e514b1", "full-removal", "test-then-xchg"]
    plan = make_plan(library, "self-resched", names, each([0, 1, 2], 1000))
    outcome, samples, faults = run(harness_binary, plan)
    assert not faults and outcome.exit_status == 0
    assert len(samples) == 6
    for s in samples:
        assert s.ops == 1000 and s.ns > 0 and s.process == 7
        # involuntary context switches of the timing thread: counted
        assert isinstance(s.preempted, int) and s.preempted >= 0
        assert s.eventfd_writes == 0        # notify_me is never raised
        if s.variant == "full-removal":
            assert s.eventfd_reads == s.ops  # a drain every iteration
        else:
            assert s.eventfd_reads == 0


def test_pingpong_one_write_and_one_read_per_op(harness_binary, library):
    names = ["original-05e514b1", "qemu-5.2", "full-removal"]
    plan = make_plan(library, "pingpong", names, each([0, 1, 2], 300))
    outcome, samples, faults = run(harness_binary, plan)
    assert not faults and outcome.exit_status == 0
    for s in (s for s in samples if not s.warmup):
        # Every operation is a wakeup: the poller was asleep, or about to
        # be; a few round trips can find it still awake.
        assert 0.8 <= s.eventfd_writes / s.ops <= 1.05, s
        assert 0.8 <= s.eventfd_reads / s.ops <= 1.05, s


def test_flood_runs_and_coalesces(harness_binary, library):
    names = ["original-05e514b1", "relaxed"]
    plan = make_plan(library, "flood", names, each([0, 1], 3000))
    outcome, samples, faults = run(harness_binary, plan)
    assert not faults and outcome.exit_status == 0
    assert len(samples) == 4
    for s in samples:
        # At most one write per schedule; reads only after writes.
        assert s.eventfd_writes <= s.ops
        assert s.eventfd_reads <= s.eventfd_writes + 2


def test_dropped_bh_fails_the_check_and_others_go_on(harness_binary,
                                                     library):
    names = ["test-drop-bh", "original-05e514b1"]
    plan = make_plan(library, "self-resched", names, each([0, 1], 200, 3))
    outcome, samples, faults = run(harness_binary, plan)
    assert outcome.exit_status == 1
    [fault] = faults
    assert fault.kind == "check-failed" and fault.variant == "test-drop-bh"
    assert "dropped" in fault.detail and fault.scenario == "self-resched"
    assert outcome.dead == {"test-drop-bh"}
    assert {s.variant for s in samples} == {"original-05e514b1"}
    assert len(samples) == 3


def test_lost_wakeup_is_hung_and_the_process_goes_on(harness_binary,
                                                     library):
    names = ["test-lost-wakeup", "original-05e514b1"]
    batches = [Batch(0, False, 50)] + [Batch(1, False, 50)] * 3
    plan = make_plan(library, "pingpong", names, batches)
    outcome, samples, faults = run(harness_binary, plan)
    [fault] = faults
    assert fault.kind == "hung" and fault.variant == "test-lost-wakeup"
    assert fault.scenario == "pingpong"
    # The poller sleeps in ppoll with the BH scheduled: a lost wakeup.
    assert "bh_scheduled=1" in fault.detail
    assert "poller_in_ppoll=1" in fault.detail
    assert "eventfd_count=0" in fault.detail
    assert [s.variant for s in samples] == ["original-05e514b1"] * 3
    assert outcome.exit_status == 1


def test_crash_is_reported_for_the_batch_in_flight(harness_binary, library):
    names = ["original-05e514b1", "test-crash"]
    plan = make_plan(library, "self-resched", names,
                     [Batch(0, False, 100), Batch(1, False, 100),
                      Batch(0, False, 100)])
    outcome, samples, faults = run(harness_binary, plan)
    [fault] = faults
    assert fault.kind == "crashed" and fault.variant == "test-crash"
    assert "SIGSEGV" in fault.detail
    assert len(samples) == 1 and outcome.dead == {"test-crash"}


def test_interrupt_keeps_finished_batches_and_kills_the_child(
        harness_binary, library, monkeypatch):
    """Ctrl-C while waiting for the harness: the batches it finished are
    emitted, the child is killed and reaped, the interrupt goes on."""
    import evaluator.bench.harness as harness_module
    real_popen = subprocess.Popen
    pids = []

    class Interrupted(real_popen):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            pids.append(self.pid)

        def wait(self, timeout=None):
            if timeout is not None:         # run_process's main wait
                time.sleep(1.0)
                raise KeyboardInterrupt
            return super().wait()

    monkeypatch.setattr(harness_module.subprocess, "Popen", Interrupted)
    plan = make_plan(library, "self-resched", ["original-05e514b1"],
                     [Batch(0, False, 100_000)] * 100_000)
    seen = []
    with pytest.raises(KeyboardInterrupt):
        run_process(harness_binary, plan, seen.append)
    assert seen and all(isinstance(r, Sample) for r in seen)
    assert [r.batch for r in seen] == list(range(len(seen)))
    with pytest.raises(ProcessLookupError):
        os.kill(pids[0], 0)     # killed and reaped


def test_bad_setup_is_a_bench_error(harness_binary, tmp_path):
    from evaluator.errors import BenchError
    not_elf = tmp_path / "broken.so"
    not_elf.write_text("not a shared object")

    def plan(library):
        return ProcessPlan(1, "self-resched", ("x",), (library,),
                           (Batch(0, False, 10),), 1, choose_cpus(None),
                           WATCHDOG_S, 30.0)
    with pytest.raises(BenchError, match="cannot load variant"):
        run_process(harness_binary, plan(not_elf), lambda r: None)
    with pytest.raises(BenchError, match="library missing"):
        run_process(harness_binary, plan(tmp_path / "gone.so"),
                    lambda r: None)


def test_each_process_loads_fresh_copies(library, tmp_path):
    from evaluator.bench.harness import fresh_copies
    original = library("original-05e514b1")
    [copy] = fresh_copies([original], tmp_path)
    assert copy != original and copy.read_bytes() == original.read_bytes()
    assert copy.stat().st_ino != original.stat().st_ino


def test_a_harness_killed_from_outside_is_not_the_variants_fault(
        harness_binary, library, monkeypatch):
    """SIGKILL from someone else (the OOM killer, an operator) mid-batch:
    an "external" fault, and the variant stays in the run."""
    import evaluator.bench.harness as harness_module
    real_popen = subprocess.Popen

    class KilledFromOutside(real_popen):
        def wait(self, timeout=None):
            if timeout is not None:
                time.sleep(1.0)
                os.kill(self.pid, signal.SIGKILL)
            return super().wait()

    monkeypatch.setattr(harness_module.subprocess, "Popen",
                        KilledFromOutside)
    plan = make_plan(library, "self-resched", ["original-05e514b1"],
                     [Batch(0, False, 100_000)] * 100_000)
    seen = []
    outcome = run_process(harness_binary, plan, seen.append)
    faults = [r for r in seen if not isinstance(r, Sample)]
    assert [f.kind for f in faults] == ["external"]
    assert "killed from outside (SIGKILL)" in faults[0].detail
    assert outcome.dead == set()
    samples = [r for r in seen if isinstance(r, Sample)]
    from evaluator.samples import SampleSet
    from evaluator.stats.cells import collect_cells
    cells = collect_cells(SampleSet({}, {}, tuple(samples), tuple(faults)),
                          "self-resched")
    [kept] = cells.batches["original-05e514b1"].values()
    # every batch finished before the kill counts (preempted ones are
    # left out for their own reason, stats/cells.py)
    assert samples and len(kept) == sum(not s.preempted for s in samples)
