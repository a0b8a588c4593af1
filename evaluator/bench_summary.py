"""The quick look `evaluate bench` prints after a run: per scenario and
variant the median ns/op and syscalls/op, the ratio to the baseline, the
faults, and the instruction census totals.  The statistics that hold up
in review (intervals, tests, tiers) are evaluator/stats.py's job.

ns/op: per process the median of its non-warm-up batches, then the median
over processes.  ratio: the median over processes of the per-process
ratio to the baseline (paired, as the blocked design intends).
syscalls/op: eventfd reads+writes over operations, pooled per process,
median over processes.
"""

from __future__ import annotations

import math
import textwrap
import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import Mapping, Sequence

from .controls import base_name
from .samples import SampleSet

SCHEMA = "evaluate.bench-summary/1"
ARCH_COLUMNS = ("x86-64", "aarch64", "aarch64-lse")


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


def _cells(sample_set: SampleSet, scenario: str):
    """variant -> process -> (ns/op list, writes, reads, ops)."""
    faulted = {(f.variant, f.process) for f in sample_set.faults
               if f.scenario == scenario}
    cells: dict[str, dict[int, list]] = defaultdict(dict)
    for s in sample_set.samples:
        if s.scenario != scenario or s.warmup or s.ops <= 0 \
                or (s.variant, s.process) in faulted:
            continue
        cell = cells[s.variant].setdefault(s.process, [[], 0, 0, 0])
        cell[0].append(s.ns_per_op)
        cell[1] += s.eventfd_writes
        cell[2] += s.eventfd_reads
        cell[3] += s.ops
    return cells


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def _ratio(mine: Mapping[int, float], base: Mapping[int, float]
           ) -> float | None:
    logs = [math.log(mine[p] / base[p]) for p in mine if p in base]
    return math.exp(statistics.median(logs)) if logs else None


def _order(sample_set: SampleSet) -> list[str]:
    bench = sample_set.environment.get("bench", {})
    names = list(bench.get("variants", []))
    for s in sample_set.samples:
        if s.variant not in names:
            names.append(s.variant)
    for f in sample_set.faults:
        if f.variant not in names:
            names.append(f.variant)
    return names


def summarize(sample_set: SampleSet, baseline: str) -> list[Row]:
    bench = sample_set.environment.get("bench", {})
    scenarios = list(bench.get("scenarios", [])) or sorted(
        {s.scenario for s in sample_set.samples})
    rows = []
    for scenario in scenarios:
        cells = _cells(sample_set, scenario)
        medians = {v: {p: statistics.median(c[0]) for p, c in procs.items()}
                   for v, procs in cells.items()}
        faults: dict[str, dict[str, set]] = defaultdict(
            lambda: defaultdict(set))
        details: dict[str, str] = {}
        for f in sample_set.faults:
            if f.scenario == scenario:
                faults[f.variant][f.kind].add(f.process)
                details.setdefault(f.variant, f.detail)
        for variant in _order(sample_set):
            procs = cells.get(variant, {})
            if not procs and variant not in faults:
                continue
            rows.append(Row(
                scenario, variant, len(procs),
                _median(list(medians.get(variant, {}).values())),
                _ratio(medians.get(variant, {}), medians.get(baseline, {})),
                _median([c[1] / c[3] for c in procs.values()]),
                _median([c[2] / c[3] for c in procs.values()]),
                {k: len(v) for k, v in faults[variant].items()},
                details.get(variant, "")))
    return rows


def _num(value: float | None, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


def _ns(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.1f}" if value < 10000 else f"{value:.0f}"


def _fault_lines(rows: Sequence[Row]) -> list[str]:
    out = []
    for row in rows:
        for kind, n in sorted(row.faults.items()):
            out.append(f"  {row.variant}: {kind} in {n} process"
                       + ("es" if n > 1 else ""))
        if row.fault_detail:
            out += textwrap.wrap(row.fault_detail, 72,
                                 initial_indent="    first: ",
                                 subsequent_indent="      ")
    return out


def format_rows(rows: Sequence[Row], baseline: str) -> str:
    """Plain text, at most 72 columns."""
    head = (f"{'variant':<22} {'ns/op':>9} {'ratio':>6} {'sys/op':>6} "
            f"{'wr/op':>6} {'rd/op':>6} {'procs':>5}")
    out = [f"median over processes; ratio: paired, to {baseline};",
           "sys/op = wr/op + rd/op: eventfd write(2)/read(2) calls per op"]
    for scenario in dict.fromkeys(r.scenario for r in rows):
        mine = [r for r in rows if r.scenario == scenario]
        out += ["", scenario, head]
        for row in mine:
            out.append(f"{row.variant[:22]:<22} {_ns(row.ns_per_op):>9} "
                       f"{_num(row.ratio, '.3f'):>6} "
                       f"{_num(row.syscalls_per_op, '.2f'):>6} "
                       f"{_num(row.writes_per_op, '.2f'):>6} "
                       f"{_num(row.reads_per_op, '.2f'):>6} "
                       f"{row.processes:>5}")
        faults = _fault_lines(mine)
        if faults:
            out += ["faults (those processes are left out):", *faults]
    return "\n".join(line[:72] for line in out)


def format_census(census: Mapping[str, Mapping]) -> str:
    """Totals per variant: fences/RMWs/acquire-release per arch."""
    out = ["census: full fences / atomic RMWs / acquire+release insns",
           "in all protocol functions (static counts)",
           f"{'variant':<24}" + "".join(f" {a:>14}" for a in ARCH_COLUMNS)]
    for name, record in census.items():
        cells = []
        for arch in ARCH_COLUMNS:
            total = record.get("arches", {}).get(arch, {}).get("total")
            cells.append("-" if total is None else
                         f"{total['full_fences']}/{total['atomic_rmw']}/"
                         f"{total['acq_rel']}")
        out.append(f"{name[:24]:<24}" + "".join(f" {c:>14}" for c in cells))
    return "\n".join(out)


def summary_json(rows: Sequence[Row], census: Mapping[str, Mapping],
                 run_dir: str, baseline: str) -> dict:
    return {
        "schema": SCHEMA,
        "run_dir": run_dir,
        "baseline": baseline,
        "rows": [{"scenario": r.scenario, "variant": r.variant,
                  "processes": r.processes, "ns_per_op": r.ns_per_op,
                  "ratio": r.ratio, "writes_per_op": r.writes_per_op,
                  "reads_per_op": r.reads_per_op,
                  "syscalls_per_op": r.syscalls_per_op,
                  "faults": dict(r.faults)} for r in rows],
        "census": {name: dict(rec.get("arches", {}))
                   for name, rec in census.items()},
    }


def contradicting_faults(sample_set: SampleSet, variants) -> list[str]:
    """Hangs and crashes of variants declared safe under x86-TSO, when the
    run was on an x86-64 machine: the hardware contradicts the
    declaration (or the harness is wrong).  One message per fault."""
    machine = str(sample_set.environment.get("machine", ""))
    if machine not in ("x86_64", "amd64"):
        return []
    expect = {v.name: v.expect for v in variants}
    return [f"{f.variant} is declared safe under TSO but {f.kind} in "
            f"process {f.process}: {f.detail}"
            for f in sample_set.faults
            if expect.get(base_name(f.variant), {}).get("tso") == "safe"]
