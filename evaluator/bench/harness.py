"""Run one harness process (csrc/harness/) and turn its JSON lines into
Samples and Faults.

The harness reads its batch plan on stdin and prints one JSON object per
line; nothing it prints is prose to be scraped.  This module also turns
what the harness cannot report itself into faults: a crash (the variant
whose batch was in flight) and a process that had to be killed after the
time limit.  The child is always killed and reaped, also on Ctrl-C.
Entry point: run_process().
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BenchError
from ..samples import EXTERNAL, Fault, Sample

Record = Sample | Fault


@dataclass(frozen=True)
class Batch:
    arm: int            # index into ProcessPlan.arms
    warmup: bool
    ops: int
    # Which round of the process (every arm once per round, shuffled):
    # batches of one round ran within a few ms of each other, so the
    # statistics pair them (stats/cells.py).  None: not part of a round.
    round: int | None = None


@dataclass(frozen=True)
class ProcessPlan:
    process: int
    scenario: str
    arms: tuple[str, ...]           # names, in the order of `libraries`
    libraries: tuple[Path, ...]
    batches: tuple[Batch, ...]
    settle: int                     # untimed operations before each batch
    cpus: tuple[int, int]
    watchdog_s: float
    timeout_s: float                # kill the process after this long
    note: str = ""                  # prefix for fault details
    # Runs the harness under an emulator (("qemu-aarch64", "-L", sysroot)
    # in the AArch64 tests).  The bench never sets it: emulated timings
    # are not measurements.
    launcher: tuple[str, ...] = ()


@dataclass
class Outcome:
    """What one process produced besides the records it streamed."""

    dead: set[str] = field(default_factory=set)     # arms that faulted
    samples: int = 0
    exit_status: int | None = None
    cpus: tuple[int, int] | None = None


def plan_text(plan: ProcessPlan) -> str:
    return "".join(f"{b.arm} {int(b.warmup)} {b.ops}\n" for b in plan.batches)


def argv(binary: Path, plan: ProcessPlan,
         libraries: Sequence[Path] | None = None) -> list[str]:
    return [*plan.launcher, str(binary), "--scenario", plan.scenario,
            "--cpus", f"{plan.cpus[0]},{plan.cpus[1]}",
            "--watchdog-ms", str(max(1, round(plan.watchdog_s * 1000))),
            "--settle", str(plan.settle),
            *map(str, libraries or plan.libraries)]


def fresh_copies(libraries: Sequence[Path], where: Path) -> list[Path]:
    """Each library copied to a new file for this process only.

    A file's page-cache pages stay at the same physical addresses for
    every process that maps it, so a physical-layout accident of one .so
    (we saw a variant run 10% slower in pingpong than byte-identical code
    until its .so was rebuilt) would be a fixed bias of that variant.
    Fresh copies make it vary between processes, where the blocked design
    averages it out."""
    copies = []
    for index, library in enumerate(libraries):
        if not library.is_file():
            raise BenchError("variant library missing", path=library,
                             hint="its build cache entry was removed; "
                                  "run again to rebuild it")
        copy = where / f"{index}-{library.name}"
        shutil.copyfile(library, copy)
        copies.append(copy)
    return copies


# Signals a variant's code does not raise itself: someone (the OOM
# killer, an operator) stopped the process.  Faults of kind EXTERNAL are
# recorded but do not drop the variant from later processes.
OUTSIDE_SIGNALS = frozenset({signal.SIGKILL, signal.SIGTERM, signal.SIGINT,
                             signal.SIGHUP, signal.SIGQUIT})

LIBS_PREFIX = "evaluate-libs-"


def libs_prefix() -> str:
    """Per-process copies live in <tmp>/evaluate-libs-<our pid>-*, so a
    later run can tell (and remove) what a killed run left behind."""
    return f"{LIBS_PREFIX}{os.getpid()}-"


def remove_stale_copies() -> list[Path]:
    """Remove the library copies of runs that died (SIGKILL leaves no
    chance to clean up); returns what was removed."""
    removed = []
    for path in Path(tempfile.gettempdir()).glob(LIBS_PREFIX + "*"):
        pid = path.name[len(LIBS_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True         # someone else's live process
    return True


def pending_text(pending: dict) -> str:
    """The state the watchdog saw, for a fault's detail."""
    order = ("bh_scheduled", "notify_me", "notified", "eventfd_count",
             "poller_in_ppoll", "producer_in_ppoll", "bh_runs")
    return ", ".join(f"{k}={pending[k]}" for k in order if k in pending)


class _Reader:
    """Turns harness lines into records for one process."""

    def __init__(self, plan: ProcessPlan, emit: Callable[[Record], None]):
        self.plan, self.emit = plan, emit
        self.outcome = Outcome()
        self.last_batch = -1
        self.error: str | None = None
        self.ended = False

    def fault(self, arm: int, kind: str, detail: str) -> None:
        name = self.plan.arms[arm]
        if kind != EXTERNAL:        # not the variant's doing: keep it
            self.outcome.dead.add(name)
        self.emit(Fault(self.plan.process, name, self.plan.scenario, kind,
                        self.plan.note + detail))

    def line(self, text: str) -> None:
        try:
            record = json.loads(text)
        except json.JSONDecodeError:
            raise BenchError(f"harness printed a line that is not JSON: "
                             f"{text[:200]!r}") from None
        kind = record.get("kind")
        if kind == "sample":
            self.sample(record)
        elif kind == "fault":
            self.last_batch = max(self.last_batch, record["batch"])
            self.harness_fault(record)
        elif kind == "ready":
            self.outcome.cpus = tuple(record["cpus"])
        elif kind == "end":
            self.ended = True
        elif kind == "error":
            self.error = record.get("message", "unknown error")
        elif kind == "fatal":
            self.last_batch = max(self.last_batch, record["batch"])

    def sample(self, r: dict) -> None:
        self.last_batch = r["batch"]
        self.outcome.samples += 1
        planned = self.plan.batches[r["batch"]] \
            if 0 <= r["batch"] < len(self.plan.batches) else None
        self.emit(Sample(process=self.plan.process,
                         variant=self.plan.arms[r["variant"]],
                         scenario=self.plan.scenario, batch=r["batch"],
                         warmup=bool(r["warmup"]), ops=r["ops"], ns=r["ns"],
                         eventfd_writes=r["writes"],
                         eventfd_reads=r["reads"],
                         round=planned.round if planned else None,
                         preempted=r.get("preempted")))

    def harness_fault(self, r: dict) -> None:
        if r["fault"] == "hung":
            detail = (f"{self.plan.scenario}: no progress for "
                      f"{r.get('stalled_ms', '?')} ms in batch {r['batch']};"
                      f" pending: {pending_text(r.get('pending', {}))}")
        else:
            detail = f"{self.plan.scenario}: {r.get('message', '')}"
        self.fault(r["variant"], "hung" if r["fault"] == "hung"
                   else "check-failed", detail)

    def in_flight(self) -> int | None:
        """The arm whose batch was running when the process stopped."""
        for batch in self.plan.batches[self.last_batch + 1:]:
            if self.plan.arms[batch.arm] not in self.outcome.dead:
                return batch.arm
        return None


def _signal_name(status: int) -> str:
    try:
        return signal.Signals(-status).name
    except ValueError:
        return f"signal {-status}"


def _finish(reader: _Reader, status: int, killed: bool, stderr: str) -> None:
    """Faults for what the harness could not report, or a BenchError."""
    if reader.error is not None:
        raise BenchError(f"harness setup failed: {reader.error}",
                         hint="this is not a variant's fault")
    if status in (0, 1, 3) and (reader.ended or status == 3):
        return
    if reader.outcome.cpus is None:
        raise BenchError(f"harness exited with status {status} "
                         f"before it started: {stderr.strip()[:500]}")
    arm = reader.in_flight()
    if arm is None:
        return      # it ended between batches: every batch is accounted for
    scenario = reader.plan.scenario
    if killed:
        reader.fault(arm, "hung", f"{scenario}: the process passed its "
                     f"{reader.plan.timeout_s:.0f} s limit and was killed")
    elif status < 0 and -status in OUTSIDE_SIGNALS:
        reader.fault(arm, EXTERNAL, f"{scenario}: the harness was killed "
                     f"from outside ({_signal_name(status)}) during this "
                     "variant's batch; not counted against it")
    elif status < 0:
        reader.fault(arm, "crashed", f"{scenario}: killed by "
                     f"{_signal_name(status)}")
    else:
        reader.fault(arm, "crashed", f"{scenario}: harness exited with "
                     f"status {status}: {stderr.strip()[:300]}")


def _start(binary: Path, plan: ProcessPlan, libraries: Sequence[Path],
           out, err) -> subprocess.Popen:
    # stdout goes to a file, not a pipe, so we are not woken (and do not
    # take a CPU from the two measured threads) after every batch.  Its
    # own session: a terminal's Ctrl-C reaches only us and we kill the
    # child, so an interrupt is never mistaken for a crash.
    proc = subprocess.Popen(argv(binary, plan, libraries),
                            stdin=subprocess.PIPE,
                            stdout=out, stderr=err, text=True,
                            start_new_session=True)
    try:
        proc.stdin.write(plan_text(plan))
        proc.stdin.close()
    except BrokenPipeError:
        pass    # it stopped before reading the plan: its output says why
    return proc


def _read_lines(reader: _Reader, out) -> None:
    out.seek(0)
    for text in out:
        if text.endswith("\n"):    # a line cut by a kill is dropped
            reader.line(text)


def run_process(binary: Path, plan: ProcessPlan,
                emit: Callable[[Record], None]) -> Outcome:
    """Run one harness process; emit() each Sample/Fault it produced.

    Records are emitted when the process has ended, also when it is
    interrupted (Ctrl-C), so every finished batch is kept."""
    reader = _Reader(plan, emit)
    killed = False
    with tempfile.TemporaryFile("w+") as out, \
            tempfile.TemporaryFile("w+") as err, \
            tempfile.TemporaryDirectory(prefix=libs_prefix()) as tmp:
        libraries = fresh_copies(plan.libraries, Path(tmp))
        proc = None
        try:
            proc = _start(binary, plan, libraries, out, err)
            try:
                status = proc.wait(timeout=plan.timeout_s)
            except subprocess.TimeoutExpired:
                killed = True
                proc.kill()
                status = proc.wait()
        finally:
            if proc is not None and proc.poll() is None:  # Ctrl-C, error
                proc.kill()
                proc.wait()
                _read_lines(reader, out)
        _read_lines(reader, out)
        err.seek(0)
        stderr = err.read()
    reader.outcome.exit_status = status
    _finish(reader, status, killed, stderr)
    return reader.outcome
