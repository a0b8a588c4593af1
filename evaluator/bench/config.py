"""What one bench run is asked to do (BenchConfig) and what it measures
(Arm: a variant or a self-validation control, as one shared object)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..build.compile import DEFAULT_PROFILE
from ..paths import ProjectPaths
from ..variants import BASELINE, Variant
from . import scenarios

# Wall time of `evaluate bench` when --budget is not given.
DEFAULT_BUDGET_S = 60.0
# Iterations of a compiler-barrier loop in qemu_bh_schedule for the
# positive control: about one cycle each, a few ns per schedule.
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


@dataclass(frozen=True)
class Arm:
    """One benchmarked name: a variant or a self-validation control."""

    name: str
    library: Path
