"""Stage: rank benchmark samples with statistics that hold up in review.

Entry points: rank(sample_set, baseline, delta) -> Ranking, and
rank_runs(sample_sets, ...) for several machines (one Holm family over
all of them, never pooled).  Method (DESIGN §7, benchmark-method §4):

* the process is the statistical unit: per process and variant, the
  median ns/op of its non-warm-up batches;
* per variant, the geometric mean of those medians with a t-interval;
* each variant against the baseline, and every pair of ranked variants,
  by the per-process paired log-ratio: t-interval and paired t on logs,
  Wilcoxon signed-rank beside it, a hierarchical bootstrap CI as a
  cross-check (baseline comparisons only; seeded);
* Holm over every comparison of the report; Friedman per scenario;
* verdicts against a practical threshold delta, tiers, and the minimum
  detectable effect.

A (process, variant) cell with a fault (hung, crashed, check-failed) is
dropped: its batches are suspect.  A comparison uses only processes where
both variants have data, and says how many.  Names containing "~" are the
self-validation controls (controls.py: <baseline>~aa, ~slow, ~lock):
compared with the baseline only, never ranked.  When the one-lock
control is not slower where it must be, comparisons of arms that differ
only in barriers become "unresolved" (barriers.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from ..bench import scenarios as scenario_registry
from ..controls import AA, CONTROLS, LOCK, arm_name, is_control
from ..errors import ReportError
from ..samples import SampleSet
from .barriers import (UNRESOLVED, barrier_resolved, lock_verdicts,
                       same_syscalls)
from .bootstrap import bootstrap_ci, rng_for
from .cells import (Cells, collect_cells, log_medians, log_ratios,
                    round_diffs)
from .estimates import Estimate, Interval, estimate
from .inference import friedman_p, holm, mde_log, paired_test, verdict
from .tiers import assign_tiers


@dataclass(frozen=True)
class Comparison:
    """`variant` against `reference` in one scenario (ratio = v / r)."""

    scenario: str
    variant: str
    reference: str
    processes: int                  # with data for both
    unpaired: int                   # processes with only one of the two
    ratio: float | None
    ci95: Interval | None           # t-interval
    ci90: Interval | None           # for TOST
    boot_ci95: Interval | None      # hierarchical bootstrap
    sd_log: float | None            # SD of per-process log-ratios
    p_t: float | None
    p_wilcoxon: float | None
    p_adj: float | None = None      # Holm over the whole report
    p_wilcoxon_adj: float | None = None
    mde: float | None = None        # relative, e.g. 0.012 = 1.2%
    # faster|slower|equivalent|inconclusive, or unresolved (barriers.py)
    verdict: str = "n/a"


@dataclass(frozen=True)
class ScenarioRanking:
    scenario: str
    processes: int
    estimates: Mapping[str, Estimate]
    order: tuple[str, ...]              # ranked variants, best first
    tiers: Mapping[str, int]
    vs_baseline: Mapping[str, Comparison]   # ranked variants and controls
    pairs: tuple[Comparison, ...]       # every pair of ranked variants
    friedman_p: float | None
    friedman_blocks: int
    mde: float | None                   # typical for this scenario
    unranked: Mapping[str, str]         # variant -> why it has no rank


@dataclass(frozen=True)
class SelfCheck:
    """The A/A or positive-control outcome across scenarios."""

    variant: str
    kind: str                           # controls.Control.kind
    expected: str
    verdicts: Mapping[str, str]         # scenario -> verdict
    ok: bool | None                     # None: nothing could be tested


@dataclass(frozen=True)
class Ranking:
    baseline: str
    delta: float
    alpha: float
    family: int                         # comparisons Holm corrects over
    seed: int
    scenarios: tuple[ScenarioRanking, ...]
    self_checks: tuple[SelfCheck, ...]
    # The one-lock control slower in every barrier-gate scenario (None:
    # no such control in the run): barriers.py.
    barrier_resolved: bool | None = None

    def scenario(self, name: str) -> ScenarioRanking:
        for item in self.scenarios:
            if item.scenario == name:
                return item
        raise KeyError(name)


# ----------------------------------------------------------- estimates


def _log(interval: Interval | None) -> Interval | None:
    return (math.log(interval[0]), math.log(interval[1])) if interval else None


def _exp(interval: Interval | None) -> Interval | None:
    return (math.exp(interval[0]), math.exp(interval[1])) if interval else None


def _pair(cells: Cells, variant: str, reference: str, process: int):
    """What the bootstrap resamples inside one process (bootstrap.py)."""
    diffs = round_diffs(cells, variant, reference, process)
    if diffs is not None:
        return diffs
    return (cells.batches[variant][process], cells.batches[reference][process])


def _compare(cells: Cells, scenario: str, variant: str, reference: str,
             *, seed: int, resamples: int) -> Comparison:
    mine = cells.batches.get(variant, {})
    theirs = cells.batches.get(reference, {})
    both = sorted(set(mine) & set(theirs))
    test = paired_test(log_ratios(cells, variant, reference))
    boot = None
    if resamples:
        boot = bootstrap_ci([_pair(cells, variant, reference, p)
                             for p in both],
                            rng_for(seed, scenario, variant, reference),
                            resamples)
    return Comparison(
        scenario=scenario, variant=variant, reference=reference,
        processes=test.n, unpaired=len(set(mine) ^ set(theirs)),
        ratio=math.exp(test.mean_log) if test.n else None,
        ci95=_exp(test.ci95_log), ci90=_exp(test.ci90_log),
        boot_ci95=_exp(boot), sd_log=test.sd_log,
        p_t=test.p_t, p_wilcoxon=test.p_wilcoxon)


# ------------------------------------------------------------ drafting


@dataclass(frozen=True)
class _Draft:
    """One scenario of one run before the report-wide Holm correction."""

    scenario: str
    cells: Cells
    names: tuple[str, ...]              # every variant asked for
    ranked: tuple[str, ...]             # candidates with data, baseline 1st
    controls: tuple[str, ...]
    comparisons: tuple[Comparison, ...]  # baseline ones first, then pairs
    unranked: Mapping[str, str]


def _scenarios(sample_set: SampleSet, wanted: Iterable[str] | None):
    present = {s.scenario for s in sample_set.samples}
    present |= {f.scenario for f in sample_set.faults}
    names = list(wanted) if wanted is not None else sorted(
        present, key=lambda s: (scenario_registry.rank_of(s), s))
    return [s for s in names if s in present]


def _draft(sample_set: SampleSet, scenario: str, baseline: str,
           names: Sequence[str], seed: int, resamples: int) -> _Draft:
    cells = collect_cells(sample_set, scenario)
    unranked: dict[str, str] = {}
    if baseline not in cells.batches:
        unranked = {v: f"the baseline {baseline} has no data here"
                    for v in names if v != baseline}
        unranked[baseline] = "no usable batches"
        return _Draft(scenario, cells, tuple(names), (), (), (), unranked)
    candidates, controls = [baseline], []
    for name in names:
        if name == baseline:
            continue
        if name not in cells.batches:
            unranked[name] = "no usable batches"
        elif is_control(name):
            controls.append(name)
        else:
            candidates.append(name)
    compare = dict(cells=cells, scenario=scenario, seed=seed)
    to_base = [_compare(variant=v, reference=baseline, resamples=resamples,
                        **compare) for v in candidates[1:] + controls]
    ranked = [baseline]
    for comparison in to_base:
        if comparison.variant in controls:
            continue
        if comparison.processes < 2:
            unranked[comparison.variant] = (
                f"only {comparison.processes} process(es) with both it "
                f"and {baseline}")
        else:
            ranked.append(comparison.variant)
    pairs = [_compare(variant=ranked[j], reference=ranked[i], resamples=0,
                      **compare)
             for i in range(1, len(ranked)) for j in range(i + 1, len(ranked))]
    return _Draft(scenario, cells, tuple(names), tuple(ranked),
                  tuple(controls),
                  tuple(to_base) + tuple(pairs), unranked)


# ----------------------------------------------------------- finishing


def _finish_comparison(c: Comparison, p_adj, pw_adj, family: int,
                       delta: float, alpha: float) -> Comparison:
    mde = mde_log(c.sd_log, c.processes, family, alpha)
    return replace(c, p_adj=p_adj, p_wilcoxon_adj=pw_adj,
                   mde=math.expm1(mde) if mde is not None else None,
                   verdict=verdict(p_adj, _log(c.ci95), _log(c.ci90),
                                   delta, alpha))


def _scenario_mde(comparisons: Sequence[Comparison]) -> float | None:
    """One figure per scenario: the median of the baseline comparisons'
    MDEs (robust to one very noisy variant; each is in the JSON)."""
    values = [c.mde for c in comparisons if c.mde is not None]
    return float(np.median(values)) if values else None


def _friedman(cells: Cells, ranked: Sequence[str]) -> tuple[float | None,
                                                             int]:
    logs = [log_medians(cells.batches[v]) for v in ranked]
    blocks = sorted(set.intersection(*(set(x) for x in logs))) if logs else []
    matrix = np.array([[x[p] for x in logs] for p in blocks])
    return friedman_p(matrix.reshape(len(blocks), len(ranked))), len(blocks)


def _slower(pairs: Mapping[tuple[str, str], Comparison]):
    def ordered_below(a: str, b: str) -> bool:
        if (a, b) in pairs:
            return pairs[a, b].verdict == "slower"
        if (b, a) in pairs:
            return pairs[b, a].verdict == "faster"
        return False
    return ordered_below


def _scenario_ranking(draft: _Draft, done: Sequence[Comparison],
                      baseline: str) -> ScenarioRanking:
    by_pair = {(c.variant, c.reference): c for c in done}
    vs_base = {c.variant: c for c in done if c.reference == baseline}
    ranked = list(draft.ranked)     # each with >= 2 paired processes
    log_ratio = {v: 0.0 if v == baseline else math.log(vs_base[v].ratio)
                 for v in ranked}
    best_first = sorted(ranked, key=lambda v: (log_ratio[v], v))
    tiers = assign_tiers(best_first, _slower(by_pair))
    order = tuple(sorted(best_first, key=lambda v: (tiers[v], log_ratio[v],
                                                    v)))
    names = set(draft.cells.batches) & set(draft.names)
    names |= set(draft.unranked)
    friedman, blocks = _friedman(draft.cells, ranked)
    return ScenarioRanking(
        scenario=draft.scenario, processes=draft.cells.processes,
        estimates={v: estimate(draft.cells, draft.scenario, v)
                   for v in sorted(names)},
        order=order, tiers=tiers,
        vs_baseline={v: c for v, c in vs_base.items()},
        pairs=tuple(c for c in done if c.variant in ranked
                    and c.reference in ranked),
        friedman_p=friedman, friedman_blocks=blocks,
        mde=_scenario_mde([c for c in vs_base.values()
                           if not is_control(c.variant)]),
        unranked=dict(draft.unranked))


def _self_checks(scenarios: Sequence[ScenarioRanking],
                 baseline: str) -> tuple[SelfCheck, ...]:
    checks = []
    for control in CONTROLS:
        name = arm_name(baseline, control)
        verdicts = {s.scenario: s.vs_baseline[name].verdict
                    for s in scenarios if name in s.vs_baseline}
        if not verdicts:
            continue
        tested = [v for v in verdicts.values() if v != "n/a"]
        if not tested:
            ok = None
        elif control is AA:
            # A/A: never a difference, in any scenario.
            ok = all(v in ("equivalent", "inconclusive") for v in tested)
        elif control is LOCK:
            # One locked instruction must be seen where the op is the
            # fast path alone; elsewhere it is reported, not required.
            ok = barrier_resolved(verdicts)
        else:
            # The injected delay is a few ns: beyond delta where an op is
            # short (self-resched), lost in the noise of a syscall-bound op.
            # So: slower somewhere, faster nowhere.
            ok = "slower" in tested and "faster" not in tested
        checks.append(SelfCheck(name, control.kind, control.expected,
                                verdicts, ok))
    return tuple(checks)


def _unresolve(c: Comparison, dynamic: Mapping) -> Comparison:
    """A comparison this run cannot speak about (barriers.py)."""
    if is_control(c.variant) or is_control(c.reference):
        return c
    if same_syscalls(dynamic, c.scenario, c.variant, c.reference):
        return replace(c, verdict=UNRESOLVED)
    return c


def _names(sample_set: SampleSet, baseline: str,
           variants: Iterable[str] | None) -> list[str]:
    present = sorted({s.variant for s in sample_set.samples}
                     | {f.variant for f in sample_set.faults})
    wanted = list(variants) if variants is not None else present
    if baseline not in wanted:
        wanted = [baseline] + wanted
    return [v for v in wanted if v in present or v == baseline]


def _baseline_hint(sample_set: SampleSet, baseline: str) -> str:
    measured = sorted({s.variant for s in sample_set.samples} - {baseline})
    if measured:
        return "choose --baseline among: " + ", ".join(measured)
    hung = sorted({f.variant for f in sample_set.faults})
    if hung:
        return ("no variant has samples: every one faulted (" +
                ", ".join(hung) + "); see the faults in samples.jsonl")
    return "the run holds no samples at all: it was stopped before " \
           "the first batch finished; run the bench again"


def rank_runs(sample_sets: Sequence[SampleSet], baseline: str,
              delta: float = 0.01, scenarios: Iterable[str] | None = None,
              *, variants: Iterable[str] | None = None, alpha: float = 0.05,
              seed: int = 0, resamples: int = 2000) -> tuple[Ranking, ...]:
    """Rank several runs (one per machine) with one Holm family."""
    if not 0 <= delta < 1:
        raise ReportError(f"delta {delta!r} out of range",
                          hint="give a fraction such as 0.01 for 1%")
    wanted = list(scenarios) if scenarios is not None else None
    variants = list(variants) if variants is not None else None
    drafts = []
    for sample_set in sample_sets:
        names = _names(sample_set, baseline, variants)
        if not any(s.variant == baseline for s in sample_set.samples):
            raise ReportError(f"baseline {baseline!r} has no samples",
                              hint=_baseline_hint(sample_set, baseline))
        drafts.append([_draft(sample_set, sc, baseline, names, seed,
                              resamples)
                       for sc in _scenarios(sample_set, wanted)])
    flat = [c for run in drafts for d in run for c in d.comparisons]
    p_adj = holm([c.p_t for c in flat])
    pw_adj = holm([c.p_wilcoxon for c in flat])
    family = sum(p is not None for p in p_adj)
    finished = [_finish_comparison(c, pa, pw, family, delta, alpha)
                for c, pa, pw in zip(flat, p_adj, pw_adj)]
    rankings, start = [], 0
    for sample_set, run in zip(sample_sets, drafts):
        count = sum(len(d.comparisons) for d in run)
        mine = finished[start:start + count]
        start += count
        resolved = barrier_resolved(lock_verdicts(mine, baseline))
        if resolved is False:
            mine = [_unresolve(c, sample_set.dynamic) for c in mine]
        done = iter(mine)
        scen = [_scenario_ranking(d, [next(done) for _ in d.comparisons],
                                  baseline) for d in run]
        rankings.append(Ranking(baseline, delta, alpha, family, seed,
                                tuple(scen), _self_checks(scen, baseline),
                                resolved))
    return tuple(rankings)


def rank(sample_set: SampleSet, baseline: str, delta: float = 0.01,
         scenarios: Iterable[str] | None = None, **options) -> Ranking:
    """Rank one run.  Options: variants (names to include; default all in
    the samples), alpha (0.05), seed (bootstrap), resamples (2000)."""
    return rank_runs([sample_set], baseline, delta, scenarios,
                     **options)[0]

