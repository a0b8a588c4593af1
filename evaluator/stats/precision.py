"""How precise a run is, and why (issue 15).

Per scenario:

* the noise floor: the A/A control (the baseline loaded twice, so any
  difference is noise) gives the SD over processes of the per-process
  log-ratio; with the run's processes and Holm family that SD allows a
  minimum detectable effect no real comparison can beat by much, and
  says how many processes TARGET_MDE would need at that SD;
* where the floor comes from: the share of its variance that batch
  noise inside processes explains (each process's batches resampled,
  the spread of its median log-ratio measured).  Near 1: longer or more
  batches per process help; near 0: the variance is between processes
  (placement, frequency, the host) and only more processes help;
* how often the machine took the CPU away: the share of analysed
  batches during which a measuring thread was switched out
  involuntarily (the harness counts it per batch; cells.py leaves those
  batches out), the usual reason for a high floor on a shared machine;
* regimes, where the scenario registry says a scenario has them
  (flood: how often the poller goes to sleep): the processes grouped by
  the baseline's per-process ns/op, a new group wherever consecutive
  processes (sorted) differ by more than REGIME_GAP, with each group's
  eventfd calls per op as the mechanism's fingerprint.

The process stays the statistical unit everywhere: batches are only
resampled inside their own process.  Entry point: precision().
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..bench import scenarios as scenario_registry
from ..controls import AA, arm_name
from ..samples import SampleSet
from .bootstrap import rng_for
from .cells import (Cells, collect_cells, log_medians, log_ratios,
                    round_diffs)
from .inference import mde_log

TARGET_MDE = 0.03           # issue 15: pingpong and flood within 3%
REGIME_GAP = 1.25           # 25% between neighbours: another regime
MAX_PROCESSES = 100_000     # "needed" beyond this is reported as None
BATCH_DRAWS = 400


@dataclass(frozen=True)
class NoiseFloor:
    processes: int
    sd_log: float               # SD of the A/A per-process log-ratios
    mde: float | None           # what that SD allows with this n, family
    batch_share: float | None   # of its variance, batch noise in-process
    needed: int | None          # processes for TARGET_MDE at this SD


@dataclass(frozen=True)
class Regime:
    label: str                          # "A", "B", ... fastest first
    processes: tuple[int, ...]
    median_ns: float                    # baseline, median over processes
    syscalls_per_op: float | None       # baseline, median over processes


@dataclass(frozen=True)
class ScenarioPrecision:
    scenario: str
    mde: float | None                   # the scenario's (rank.py)
    floor: NoiseFloor | None            # None: no A/A control data
    regimes: tuple[Regime, ...]         # empty unless the registry asks
    # processes whose baseline batches fall in more than one regime (the
    # regime changes within the process; pairing by rounds cancels it)
    switching: int = 0
    # analysed batches a measuring thread lost the CPU in (None: the run
    # did not count it)
    preempted_share: float | None = None


def processes_needed(sd_log: float, family: int, target: float = TARGET_MDE,
                     alpha: float = 0.05) -> int | None:
    """Smallest n whose MDE at this SD and Holm family is <= target."""
    goal = math.log1p(target)
    if sd_log == 0:
        return 2
    low, high = 2, 2
    while (mde_log(sd_log, high, family, alpha) or math.inf) > goal:
        if high >= MAX_PROCESSES:
            return None
        low, high = high, min(2 * high, MAX_PROCESSES)
    while low < high:                   # mde_log falls as n grows
        mid = (low + high) // 2
        if mde_log(sd_log, mid, family, alpha) <= goal:
            high = mid
        else:
            low = mid + 1
    return high


def batch_variance(cells: Cells, a: str, b: str, rng: np.random.Generator,
                   draws: int = BATCH_DRAWS) -> float | None:
    """Mean over processes of the variance of the process's log-ratio of
    a to b when its rounds (or, without rounds, each arm's batches) are
    resampled within that process, the way cells.py computes it."""
    mine, theirs = cells.batches.get(a, {}), cells.batches.get(b, {})
    both = sorted(set(mine) & set(theirs))
    if not both:
        return None
    spreads = []
    for p in both:
        diffs = round_diffs(cells, a, b, p)
        if diffs is not None:
            pick = rng.integers(0, len(diffs), size=(draws, len(diffs)))
            d = np.median(diffs[pick], axis=1)
        else:
            x, y = mine[p], theirs[p]
            ix = rng.integers(0, len(x), size=(draws, len(x)))
            iy = rng.integers(0, len(y), size=(draws, len(y)))
            d = (np.log(np.median(x[ix], axis=1))
                 - np.log(np.median(y[iy], axis=1)))
        spreads.append(float(np.var(d, ddof=1)))
    return float(np.mean(spreads))


def noise_floor(cells: Cells, scenario: str, baseline: str, family: int,
                alpha: float, seed: int) -> NoiseFloor | None:
    twin = arm_name(baseline, AA)
    diffs = np.asarray(log_ratios(cells, twin, baseline))
    if len(diffs) < 2:
        return None
    sd = float(np.std(diffs, ddof=1))
    mde = mde_log(sd, len(diffs), max(family, 1), alpha)
    within = batch_variance(cells, twin, baseline,
                            rng_for(seed, "precision", scenario))
    share = None
    if within is not None and sd > 0:
        share = min(1.0, within / sd ** 2)
    return NoiseFloor(len(diffs), sd,
                      math.expm1(mde) if mde is not None else None, share,
                      processes_needed(sd, max(family, 1), alpha=alpha))


def regimes(cells: Cells, sample_set: SampleSet, scenario: str,
            baseline: str) -> tuple[Regime, ...]:
    """The baseline's processes grouped by their ns/op (see above)."""
    logs = log_medians(cells.batches.get(baseline, {}))
    if not logs:
        return ()
    order = sorted(logs, key=lambda p: (logs[p], p))
    groups, gap = [[order[0]]], math.log(REGIME_GAP)
    for before, after in zip(order, order[1:]):
        if logs[after] - logs[before] > gap:
            groups.append([])
        groups[-1].append(after)
    calls = _syscalls_per_process(sample_set, scenario, baseline)
    out = []
    for label, members in zip(_labels(len(groups)), groups):
        per_call = [calls[p] for p in members if p in calls]
        out.append(Regime(
            label, tuple(sorted(members)),
            float(np.exp(np.median([logs[p] for p in members]))),
            float(np.median(per_call)) if per_call else None))
    return tuple(out)


def switching(cells: Cells, found: tuple[Regime, ...],
              baseline: str) -> int:
    """Processes with baseline batches in more than one regime, the
    regimes cut halfway (in log) between neighbouring groups."""
    if len(found) < 2:
        return 0
    logs = log_medians(cells.batches.get(baseline, {}))
    highs = [max(logs[p] for p in r.processes) for r in found[:-1]]
    lows = [min(logs[p] for p in r.processes) for r in found[1:]]
    cuts = [(h + lo) / 2 for h, lo in zip(highs, lows)]
    count = 0
    for batches in cells.batches.get(baseline, {}).values():
        seen = {int(np.searchsorted(cuts, math.log(x))) for x in batches}
        count += len(seen) > 1
    return count


def _labels(n: int) -> list[str]:
    letters = string.ascii_uppercase
    return [letters[i] if i < len(letters) else f"R{i + 1}"
            for i in range(n)]


def _syscalls_per_process(sample_set: SampleSet, scenario: str,
                          variant: str) -> dict[int, float]:
    calls: dict[int, list[float]] = {}
    for s in sample_set.samples:
        if s.scenario == scenario and s.variant == variant and not s.warmup:
            calls.setdefault(s.process, []).append(s.syscalls_per_op)
    return {p: float(np.median(v)) for p, v in calls.items()}


def precision(sample_set: SampleSet, scenario: str, baseline: str,
              mde: float | None, family: int, alpha: float = 0.05,
              seed: int = 0) -> ScenarioPrecision:
    cells = collect_cells(sample_set, scenario)
    wanted = scenario in scenario_registry.names() and \
        scenario_registry.info(scenario).regimes
    found = regimes(cells, sample_set, scenario, baseline) if wanted else ()
    return ScenarioPrecision(
        scenario, mde, noise_floor(cells, scenario, baseline, family, alpha,
                                   seed), found,
        switching(cells, found, baseline), preempted_share(cells))


def preempted_share(cells: Cells) -> float | None:
    """Share of the analysed batches left out as preempted (cells.py)."""
    return cells.preempted / cells.counted if cells.counted else None


def precision_json(p: ScenarioPrecision) -> Mapping[str, object]:
    floor = p.floor
    return {
        "mde": p.mde, "target_mde": TARGET_MDE,
        "noise_floor": None if floor is None else {
            "aa_processes": floor.processes, "aa_sd_log": floor.sd_log,
            "aa_mde": floor.mde, "batch_noise_share": floor.batch_share,
            "processes_for_target": floor.needed},
        "regimes": [{"label": r.label, "processes": list(r.processes),
                     "baseline_median_ns": r.median_ns,
                     "baseline_syscalls_per_op": r.syscalls_per_op}
                    for r in p.regimes],
        "processes_switching_regime": p.switching,
        "batches_preempted_share": p.preempted_share,
    }
