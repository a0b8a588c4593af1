"""Rebuild a report from saved run directories (samples.jsonl +
check.json), merging several runs: one section per machine, keyed by the
environment's host name and CPU model.  Runs of the same machine are
pooled (their processes renumbered so they stay distinct units); runs of
different machines never are.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..checker.check import CheckResult
from ..checker.results import FILENAME as CHECKS_FILE
from ..checker.results import read_results
from ..errors import ReportError
from ..paths import ProjectPaths, new_run_dir
from ..samples import SampleSet, read_samples, writer_alive
from ..stats import rank_runs
from ..variants import BASELINE, Variant
from .document import MachineRun, ReportDoc, build_report, rankable_variants
from .files import ReportPaths, save
from .problems import expectation_problems


@dataclass(frozen=True)
class SavedRun:
    path: Path
    sample_set: SampleSet
    check_results: tuple[CheckResult, ...]


@dataclass(frozen=True)
class ReportResult:
    paths: ReportPaths
    doc: ReportDoc
    problems: tuple[str, ...]   # results contradicting an expectation
    warnings: tuple[str, ...] = ()


def load_run(run_dir: Path) -> SavedRun:
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise ReportError("not a run directory", path=run_dir,
                          hint="give the directory 'evaluate' or "
                               "'evaluate bench' wrote (reports/<run-id>)")
    checks = run_dir / CHECKS_FILE
    results = read_results(checks) if checks.is_file() else []
    return SavedRun(run_dir, read_samples(run_dir / "samples.jsonl"),
                    tuple(results))


def machine_key(environment: Mapping[str, object]) -> tuple[str, ...]:
    """Host name and CPU model; without a host name, the kernel string
    too, so that two machines are pooled only if nothing tells them
    apart."""
    cpu = str(environment.get("cpu_model") or environment.get("cpu") or "?")
    host = environment.get("hostname") or environment.get("host")
    if host:
        return (str(host), cpu)
    return ("?", cpu, str(environment.get("kernel") or "?"))


def pool(runs: Sequence[SavedRun]) -> SampleSet:
    """Runs of one machine as one sample set; process ids shifted so that
    process p of run i is its own unit."""
    if len(runs) == 1:
        return runs[0].sample_set
    samples, faults, census, dynamic, offset = [], [], {}, {}, 0
    for run in runs:
        ss = run.sample_set
        samples += [replace(s, process=s.process + offset)
                    for s in ss.samples]
        faults += [replace(f, process=f.process + offset)
                   for f in ss.faults]
        census.update(ss.census)
        dynamic.update(ss.dynamic)
        ids = [s.process for s in ss.samples] + [f.process
                                                 for f in ss.faults]
        offset += max(ids, default=-1) + 1
    environment = dict(runs[0].sample_set.environment)
    environment["pooled_runs"] = [str(r.path) for r in runs]
    # Pooled, the runs are complete only if every one of them is.
    ending = next((r.sample_set.ending for r in runs
                   if not r.sample_set.complete),
                  runs[0].sample_set.ending)
    return SampleSet(environment, census, tuple(samples), tuple(faults),
                     dynamic, ending)


def _copy_raw(runs: Sequence[SavedRun], out_dir: Path) -> None:
    """Keep the raw samples next to a report written elsewhere."""
    for number, run in enumerate(runs, start=1):
        if run.path.resolve() == out_dir.resolve():
            continue
        target = out_dir / "runs" / f"{number}-{run.path.name}"
        if target.exists():
            continue
        target.mkdir(parents=True)
        for name in ("samples.jsonl", "samples.jsonl.gz", CHECKS_FILE):
            if (run.path / name).is_file():
                shutil.copyfile(run.path / name, target / name)


def _batches(run: SavedRun) -> set[tuple]:
    """Every timed batch, as recorded: two independent runs never share
    one (the wall times are measured to the nanosecond)."""
    return {(s.process, s.variant, s.scenario, s.batch, s.ops, s.ns)
            for s in run.sample_set.samples}


def _refuse_duplicates(runs: Sequence[SavedRun]) -> None:
    """The same run twice (one directory given twice, a copy of it, or a
    copy taken while it was written) would count its processes twice:
    twice the evidence for nothing."""
    seen: list[tuple[SavedRun, set[tuple]]] = []
    for run in runs:
        mine = _batches(run)
        for other, theirs in seen:
            if mine & theirs or run.path.resolve() == other.path.resolve():
                raise ReportError(
                    f"shares {len(mine & theirs)} samples with "
                    f"{other.path}: the same run given twice",
                    path=run.path,
                    hint="give each run once; pooling a run with itself "
                         "would double its evidence")
        seen.append((run, mine))


def run_baseline(runs: Sequence[SavedRun], given: str | None) -> str:
    """--baseline, else the one the runs were benched against."""
    if given is not None:
        return given
    recorded = {str((r.sample_set.environment.get("bench") or {}).get(
        "baseline") or BASELINE) for r in runs}
    if len(recorded) > 1:
        raise ReportError("the runs were benched against different "
                          "baselines: " + ", ".join(sorted(recorded)),
                          hint="choose one with --baseline")
    return recorded.pop()


def report_runs(run_dirs: Sequence[Path], variants: Mapping[str, Variant],
                command_line: str, *, baseline: str | None, delta: float,
                reports_dir: Path, out_dir: Path | None = None,
                seed: int | None = None, quick: bool = False,
                resamples: int = 2000,
                paths: ProjectPaths | None = None) -> ReportResult:
    runs = [load_run(Path(d)) for d in run_dirs]
    if not runs:
        raise ReportError("no run directory given")
    _refuse_duplicates(runs)
    baseline = run_baseline(runs, baseline)
    machines: dict[tuple[str, str], list[SavedRun]] = {}
    for run in runs:
        machines.setdefault(machine_key(run.sample_set.environment),
                            []).append(run)
    groups = list(machines.values())
    pooled = [pool(group) for group in groups]
    checks = [c for run in runs for c in run.check_results]
    names = sorted({n for ss in pooled for n in rankable_variants(ss,
                                                                  checks)})
    if seed is None:
        env_seed = runs[0].sample_set.environment.get("seed")
        seed = env_seed if isinstance(env_seed, int) else 0
    rankings = rank_runs(pooled, baseline, delta, variants=names, seed=seed,
                         resamples=resamples)
    doc = build_report(
        [MachineRun(ss, checks, r, len(g))
         for ss, r, g in zip(pooled, rankings, groups)],
        variants, command_line, quick=quick, paths=paths)
    if out_dir is None:
        out_dir = runs[0].path if len(runs) == 1 else new_run_dir(
            reports_dir, "-merged")
    out_dir = Path(out_dir)
    paths = save(doc, out_dir)
    _copy_raw(runs, out_dir)
    warnings = [f"{r.path} is still being written (bench pid {pid}): this "
                "report covers what it had so far"
                for r in runs if (pid := writer_alive(r.path)) is not None]
    return ReportResult(paths, doc, tuple(expectation_problems(doc, checks)),
                        tuple(warnings))
