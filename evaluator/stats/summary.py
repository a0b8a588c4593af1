"""The quick look `evaluate bench` prints after a run: per scenario and
variant the ns/op and eventfd calls per op, the paired ratio to the
baseline and the faults.  The numbers are the report's own
(stats.estimates: geometric mean of per-process medians; ratio from the
per-process paired log-ratios), so `evaluate bench` and `evaluate
report` never print two different figures for one run.  The intervals,
tests and tiers are rank.py's.  Entry point: summarize().
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from ..bench import scenarios as scenario_registry
from ..samples import SampleSet
from .cells import collect_cells
from .estimates import estimate, paired_ratio

SCHEMA = "evaluate.bench-summary/1"


@dataclass(frozen=True)
class Row:
    scenario: str
    variant: str
    processes: int                  # with non-warm-up samples, no fault
    ns_per_op: float | None
    ratio: float | None             # to the baseline, same scenario
    writes_per_op: float | None
    reads_per_op: float | None
    faults: Mapping[str, int]       # kind -> processes
    fault_detail: str = ""          # the first fault's detail

    @property
    def syscalls_per_op(self) -> float | None:
        if self.writes_per_op is None or self.reads_per_op is None:
            return None
        return self.writes_per_op + self.reads_per_op

    def to_json(self) -> dict:
        return {"scenario": self.scenario, "variant": self.variant,
                "processes": self.processes, "ns_per_op": self.ns_per_op,
                "ratio": self.ratio, "writes_per_op": self.writes_per_op,
                "reads_per_op": self.reads_per_op,
                "syscalls_per_op": self.syscalls_per_op,
                "faults": dict(self.faults)}


def _order(sample_set: SampleSet) -> list[str]:
    """The bench's own arm order, then anything else the samples name."""
    bench = sample_set.environment.get("bench", {})
    names = list(bench.get("variants", []))
    for record in (*sample_set.samples, *sample_set.faults):
        if record.variant not in names:
            names.append(record.variant)
    return names


def _scenarios(sample_set: SampleSet) -> list[str]:
    bench = sample_set.environment.get("bench", {})
    return list(bench.get("scenarios", [])) or sorted(
        {s.scenario for s in sample_set.samples},
        key=lambda s: (scenario_registry.rank_of(s), s))


def summarize(sample_set: SampleSet, baseline: str) -> list[Row]:
    rows = []
    for scenario in _scenarios(sample_set):
        cells = collect_cells(sample_set, scenario)
        details: dict[str, str] = defaultdict(str)
        for f in sample_set.faults:
            if f.scenario == scenario and not details[f.variant]:
                details[f.variant] = f.detail
        for variant in _order(sample_set):
            if variant not in cells.batches and variant not in cells.faults:
                continue
            e = estimate(cells, scenario, variant)
            rows.append(Row(
                scenario, variant, e.processes, e.median_ns,
                paired_ratio(cells, variant, baseline),
                cells.writes.get(variant), cells.reads.get(variant),
                dict(e.faults), details[variant]))
    return rows


def summary_json(rows: list[Row], census: Mapping[str, Mapping],
                 run_dir: str, baseline: str) -> dict:
    return {"schema": SCHEMA, "run_dir": run_dir, "baseline": baseline,
            "rows": [r.to_json() for r in rows],
            "census": {name: dict(rec.get("arches", {}))
                       for name, rec in census.items()}}
