"""What one bench run is asked to do (BenchConfig) and what it measures
(Arm: a variant or a self-validation control, as one shared object)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from ..build.compile import DEFAULT_PROFILE
from ..errors import BenchError
from ..paths import ProjectPaths
from ..variants import BASELINE, Variant
from . import scenarios

# Wall time of `evaluate bench` when --budget is not given.
DEFAULT_BUDGET_S = 60.0
# Beyond these a value is a typo, not a plan (a day of benchmarking; an
# hour without progress before a batch counts as hung).
MAX_BUDGET_S = 86_400.0
MAX_WATCHDOG_S = 3_600.0
# Steps of the dependent volatile chain in qemu_bh_schedule for the delay
# control (templates/aio_protocol.c.j2): ~4-5 cycles each, which out-of-
# order execution partly overlaps; measured +6% (1.7 ns) in self-resched
# on a 2-vCPU Xeon KVM guest, where the old 16 compiler barriers gave 0.
EXTRA_DELAY = 16


@dataclass(frozen=True)
class BenchConfig:
    paths: ProjectPaths
    # Every variant to bench, the baseline included when controls or
    # ratios need it (variants.with_baseline).
    variants: tuple[Variant, ...]
    scenarios: tuple[str, ...] = scenarios.names()
    budget: float = DEFAULT_BUDGET_S    # seconds for the whole stage
    processes: int | None = None    # None: as many as the budget allows
    seed: int | None = None         # None: drawn and recorded
    out: Path | None = None         # None: reports/<run-id>/
    cc: str = "gcc"
    aa: bool = False
    positive_control: bool = False  # <baseline>~slow (a delay loop)
    positive_lock: bool = False     # <baseline>~lock (one locked RMW)
    baseline: str = BASELINE
    cpus: tuple[int, int] | None = None
    command_line: tuple[str, ...] = ()
    rounds: int = 10                # measured batches per variant/process
    warmup: int = 2                 # warm-up batches per variant/process
    batch_ms: float = 2.0           # target batch length (geometric mean)
    watchdog_s: float = 2.0
    extra_delay: int = EXTRA_DELAY
    cache: Path | None = None
    build_profile: str = DEFAULT_PROFILE    # build.compile.PROFILES

    def __post_init__(self) -> None:
        """Refuse a config no run can honour, before any work starts."""
        _seconds("--budget", self.budget, MAX_BUDGET_S)
        _seconds("--watchdog", self.watchdog_s, MAX_WATCHDOG_S)
        if not self.scenarios:
            raise BenchError("no scenario to run",
                             hint="valid: " + ", ".join(scenarios.names()))
        for name in self.scenarios:
            scenarios.info(name)            # names the unknown one
        if self.processes is not None and self.processes < 1:
            raise BenchError(f"--processes {self.processes} is below 1",
                             hint="give at least 1, or leave it out")
        if self.seed is not None and not 0 <= self.seed < 2**63:
            raise BenchError(f"--seed {self.seed} is out of range",
                             hint="give an integer from 0 to 2**63 - 1")
        if not self.variants:
            raise BenchError("no variants to benchmark")
        if self.baseline not in {v.name for v in self.variants}:
            raise BenchError(f"the baseline {self.baseline} is not among "
                             "the variants to bench",
                             hint="every ratio and control is against it: "
                                  "add it to --variants")


def _seconds(option: str, value: float, limit: float) -> None:
    if not (math.isfinite(value) and 0 < value <= limit):
        raise BenchError(f"{option} {value!r} is not a number of seconds "
                         f"in (0, {limit:.0f}]",
                         hint=f"give {option} SECONDS, e.g. 60")


@dataclass(frozen=True)
class Arm:
    """One benchmarked name: a variant or a self-validation control."""

    name: str
    library: Path
