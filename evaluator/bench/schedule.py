"""Calibration and the schedule of measurement processes (bench stage).

Calibration: one process per scenario runs every arm for a warm-up and
CALIBRATION_BATCHES timed batches of a fixed size; from the median of
each arm, the batch size for the run is chosen so the geometric-mean
variant's batch lasts about batch_ms and the slowest at most
MAX_BATCH_NS.  When the variants are far apart (full-removal is 30-60
times slower than the rest in self-resched) the cap wins and the
fastest batches are shorter than 1 ms: still thousands of operations,
far above the clock's resolution, while one very slow arm cannot make
every process long.

Schedule: the time left is shared by the scenarios in proportion to
their budget weights (scenarios.py: the fast path resolves a locked
instruction with a fifth of the time; pingpong and flood need the rest
to get near an MDE of 3%).  The next process always goes to the
scenario that has used the least of its share so far, so an interrupted
run has some of each; a scenario stops when its
next process (estimated from the ones it already ran — flood in
particular switches between a fast and a syscall-bound regime that a
short calibration cannot predict) would pass the deadline, or when it has
run --processes (default: at most MAX_PROCESSES) processes.  Without
--processes, rounds per process grow when MAX_PROCESSES processes of
config.rounds rounds would leave the share unused.
"""

from __future__ import annotations

import math
import random
from collections import Counter
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..samples import Fault, Sample, append_fault, append_samples
from . import scenarios
from .config import Arm, BenchConfig
from .harness import Batch, ProcessPlan, Record, run_process

MAX_BATCH_NS = 10e6         # the slowest variant's batch: at most 10 ms
MIN_OPS = 16
MIN_PROCESSES = 2           # rounds shrink so a small budget still has two
MAX_PROCESSES = 100         # beyond this, longer processes instead
MAX_ROUNDS = 500
SETTLE_FRACTION = 20        # ops/20 untimed operations before each batch
# Timed calibration batches per arm: the median of five survives one or
# two disturbed batches (one arm calibrated 40x too slow on a loaded
# machine would cap every batch of the run at a few operations).
CALIBRATION_BATCHES = 5

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Calibration:
    scenario: str
    arms: tuple[Arm, ...]           # those that survived calibration
    ops: int
    ns_per_op: Mapping[str, float]  # median timed batch per arm
    overhead_s: float               # process start and batch hand-offs

    @property
    def round_s(self) -> float:
        """One batch of every arm."""
        return sum(self.ops * ns for ns in self.ns_per_op.values()) / 1e9


@dataclass
class RunState:
    """Mutable state of one bench run (created and kept by run_bench)."""

    config: BenchConfig
    binary: Path
    cpus: tuple[int, int]
    seed: int
    samples: Path
    deadline: float
    next_process: int = 0
    faults: list[Fault] = field(default_factory=list)
    # measured (not warm-up, not calibration) batches per variant
    measured: Counter = field(default_factory=Counter)

    def new_process(self) -> int:
        self.next_process += 1
        return self.next_process - 1

    def write(self, record: Record) -> None:
        if isinstance(record, Sample):
            append_samples(self.samples, [record])
            if not record.warmup:
                self.measured[record.variant] += 1
        else:
            self.faults.append(record)
            append_fault(self.samples, record)

    def left(self) -> float:
        return self.deadline - time.monotonic()


def choose_ops(ns_per_op: Sequence[float], batch_ms: float) -> int:
    """Operations per batch, the same for every arm."""
    mean_log = sum(math.log(x) for x in ns_per_op) / len(ns_per_op)
    ops = batch_ms * 1e6 / math.exp(mean_log)
    ops = max(min(ops, MAX_BATCH_NS / max(ns_per_op)), MIN_OPS)
    digits = max(0, int(math.log10(ops)) - 1)   # two significant figures
    return int(round(ops, -digits))


def settle_ops(ops: int) -> int:
    return max(1, ops // SETTLE_FRACTION)


def shuffled_rounds(arms: int, rounds: int, warmup: int, ops: int,
                    rng: random.Random) -> tuple[Batch, ...]:
    """Every arm once per round, in a fresh random order each round."""
    batches = []
    for number in range(warmup + rounds):
        order = list(range(arms))
        rng.shuffle(order)
        batches += [Batch(arm, number < warmup, ops, number)
                    for arm in order]
    return tuple(batches)


def process_timeout(watchdog_s: float, estimate_s: float, arms: int) -> float:
    """Kill a process after this long: generous, the watchdog acts first."""
    return 3 * estimate_s + watchdog_s * (2 * arms + 2) + 10


def _plan(run: RunState, process: int, scenario: str, arms: Sequence[Arm],
          batches: tuple[Batch, ...], ops: int, estimate_s: float,
          note: str = "") -> ProcessPlan:
    return ProcessPlan(process, scenario,
                       tuple(a.name for a in arms),
                       tuple(a.library for a in arms), batches,
                       settle_ops(ops), run.cpus, run.config.watchdog_s,
                       process_timeout(run.config.watchdog_s, estimate_s,
                                       len(arms)), note)


def _calibration_process(run: RunState, scenario: str, arms: Sequence[Arm],
                         seen: dict[str, list[tuple[bool, float]]]):
    """One calibration process over `arms`; timed batches go to `seen`.
    Returns (outcome, wall seconds, process number)."""
    ops = scenarios.info(scenario).calibration_ops
    timed = (False,) * CALIBRATION_BATCHES
    batches = tuple(Batch(i, warm, ops) for i in range(len(arms))
                    for warm in (True, *timed))

    def collect(record: Record) -> None:
        if isinstance(record, Fault):
            run.write(record)
        elif not record.warmup:
            seen.setdefault(record.variant, []).append(
                (bool(record.preempted), record.ns_per_op))

    process = run.new_process()
    plan = _plan(run, process, scenario, arms, batches, ops, 5.0,
                 "calibration: ")
    started = time.monotonic()
    outcome = run_process(run.binary, plan, collect)
    return outcome, time.monotonic() - started, process


def _calibrated(batches: Sequence[tuple[bool, float]]) -> float:
    """Median ns/op of the batches that kept their CPU (cells.py leaves
    the others out too), or of all when none did."""
    clean = [ns for preempted, ns in batches if not preempted]
    return statistics.median(clean or [ns for _, ns in batches])


def calibrate(run: RunState, scenario: str, arms: Sequence[Arm]
              ) -> Calibration | None:
    """None if every arm faulted (the faults are written).  A process that
    dies on one arm never reaches the arms after it: those are calibrated
    again in a new process, so one crash cannot silently drop them."""
    ops = scenarios.info(scenario).calibration_ops
    seen: dict[str, list[tuple[bool, float]]] = {}
    dead: set[str] = set()
    wall = 0.0
    pending = list(arms)
    while pending:
        outcome, spent, process = _calibration_process(run, scenario,
                                                       pending, seen)
        wall += spent
        dead |= set(outcome.dead)
        left = [a for a in pending if a.name not in seen
                and a.name not in dead]
        if len(left) == len(pending):       # no progress: give up on them
            for arm in left:
                run.write(Fault(process, arm.name, scenario, "crashed",
                                f"{scenario}: calibration process ended "
                                "before reaching it"))
            break
        pending = left
    alive = tuple(a for a in arms if a.name in seen and a.name not in dead)
    if not alive:
        return None
    ns = {a.name: _calibrated(seen[a.name]) for a in alive}
    timed_s = sum(sum(x for _, x in v) * ops for v in seen.values()) / 1e9
    return Calibration(scenario, alive,
                       choose_ops(list(ns.values()), run.config.batch_ms),
                       ns, max(0.0, wall - timed_s))


def rounds_per_process(config: BenchConfig, cal: Calibration,
                       share_s: float) -> int:
    """Measured rounds per process: with --processes N, what fits N in the
    share; else config.rounds, fewer if MIN_PROCESSES would not fit, more
    if MAX_PROCESSES would not fill the share."""
    per_round = cal.round_s * (1 + 1 / SETTLE_FRACTION)

    def fit(processes: int) -> int:
        room = share_s / processes - cal.overhead_s
        return int(room / per_round) - config.warmup if per_round > 0 else 1

    if config.processes:
        return min(MAX_ROUNDS, max(1, fit(config.processes)))
    rounds = max(config.rounds, fit(MAX_PROCESSES))
    return max(1, min(rounds, fit(MIN_PROCESSES), MAX_ROUNDS))


@dataclass
class _Scenario:
    cal: Calibration
    rounds: int
    weight: float = 1.0         # its share of the budget, relative
    used_s: float = 0.0
    walls: list[float] = field(default_factory=list)
    dead: set[str] = field(default_factory=set)
    done: bool = False

    def arms(self) -> list[Arm]:
        return [a for a in self.cal.arms if a.name not in self.dead]

    def estimate(self, warmup: int) -> float:
        if self.walls:
            return statistics.median(self.walls)
        share = len(self.arms()) / len(self.cal.arms)
        return self.cal.overhead_s + ((warmup + self.rounds)
                                      * self.cal.round_s * share)


def budget_shares(names: Sequence[str], seconds: float) -> dict[str, float]:
    """Seconds per scenario, in proportion to the registry's weights."""
    weights = {n: scenarios.info(n).budget_weight for n in names}
    total = sum(weights.values())
    return {n: seconds * w / total for n, w in weights.items()}


def load_order(arms: Sequence[Arm], seed: int, process: int) -> list[Arm]:
    """The arms in the order this process loads them, shuffled per
    process.  The harness dlopens its libraries and allocates their
    state one after the other, so in a fixed order each arm would keep
    the same place relative to the others in every process (virtual
    addresses as branch predictors and caches index them): a layout bias
    fresh copies do not remove.  An A/A control came out 3.4% slower
    than the baseline it copies (pingpong, Holm p 0.004) with the
    baseline always loaded first."""
    order = list(arms)
    random.Random(f"{seed}/{process}/load").shuffle(order)
    return order


def _run_one(run: RunState, s: _Scenario, estimate: float) -> None:
    process = run.new_process()
    arms = load_order(s.arms(), run.seed, process)
    rng = random.Random(f"{run.seed}/{process}")
    batches = shuffled_rounds(len(arms), s.rounds, run.config.warmup,
                              s.cal.ops, rng)
    plan = _plan(run, process, s.cal.scenario, arms, batches, s.cal.ops,
                 estimate)
    started = time.monotonic()
    outcome = run_process(run.binary, plan, run.write)
    wall = time.monotonic() - started
    s.used_s += wall
    s.walls.append(wall)
    s.dead |= outcome.dead


def measure_all(run: RunState, cals: Sequence[Calibration],
                say: Progress) -> None:
    if not cals:
        return
    shares = budget_shares([cal.scenario for cal in cals],
                           max(0.0, run.left()))
    states = [_Scenario(cal, rounds_per_process(run.config, cal,
                                                shares[cal.scenario]),
                        scenarios.info(cal.scenario).budget_weight)
              for cal in cals]
    wanted = run.config.processes
    limit = wanted or MAX_PROCESSES
    while True:
        active = [s for s in states if not s.done]
        if not active:
            return
        s = min(active, key=lambda x: x.used_s / x.weight)
        estimate = s.estimate(run.config.warmup)
        # 10%: estimates are rough.  A scenario's first process runs even
        # when late (a small overrun of the budget): without it the
        # scenario, and the baseline in it, would have no samples at all.
        late = bool(s.walls) and run.left() < 1.1 * estimate
        if late or not s.arms() or len(s.walls) >= limit:
            s.done = True
            continue
        say(f"{s.cal.scenario}: process {len(s.walls) + 1}"
            + (f"/{wanted}" if wanted else "")
            + f", {s.cal.ops} ops/batch x {s.rounds + run.config.warmup}"
            f" rounds, {max(0.0, run.left()):.0f} s left")
        _run_one(run, s, estimate)
