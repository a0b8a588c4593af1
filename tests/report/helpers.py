"""Shared fixtures for the report tests: fixed variant metadata (so the
golden files do not follow edits to variants/*.toml), a ranked synthetic
run, and a writer for run directories."""

from __future__ import annotations

import json
from pathlib import Path
from types import MappingProxyType

from synthetic import BASELINE, EFFECTS, check_results, make_run

from evaluator.checker.check import CheckResult
from evaluator.report.document import (MachineRun, build_report,
                                       rankable_variants)
from evaluator.samples import (SampleSet, append_end, append_fault,
                               append_records, append_samples)
from evaluator.stats import rank
from evaluator.variants import Variant

DATE = "2025-01-02 03:04 UTC"
COMMAND = "evaluate report reports/20250102-030405-abcd"


def variants() -> dict[str, Variant]:
    out = {}
    for name in EFFECTS:
        if "~" in name:
            continue
        out[name] = Variant(
            name=name, summary=f"summary of {name}",
            provenance="new proposal" if name == "test-then-xchg"
            else f"commit of {name}",
            template="t", params=MappingProxyType({}),
            expect=MappingProxyType({"sc": None, "tso": None, "c11": None}),
            path=Path(f"variants/{name}.toml"))
    return out


def as_results(checks) -> list[CheckResult]:
    """check.json records (dicts) as the objects the report takes."""
    return [c if isinstance(c, CheckResult) else CheckResult.from_json(c)
            for c in checks]


def ranked(sample_set: SampleSet | None = None, checks=None, **options):
    sample_set = sample_set or make_run()
    checks = check_results() if checks is None else checks
    checks = as_results(checks)
    names = rankable_variants(sample_set, checks)
    ranking = rank(sample_set, BASELINE, variants=names, seed=42,
                   resamples=500, **options)
    return sample_set, checks, ranking


def doc(sample_set=None, checks=None, quick=False):
    sample_set, checks, ranking = ranked(sample_set, checks)
    return build_report([MachineRun(sample_set, checks, ranking)],
                        variants(), COMMAND, quick=quick, date=DATE)


def save_run(run_dir: Path, sample_set: SampleSet, checks=None) -> Path:
    """Write a run directory as the bench stage does."""
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / "samples.jsonl"
    append_records(path, "environment", [sample_set.environment])
    append_records(path, "census", sample_set.census.values())
    append_records(path, "dynamic", sample_set.dynamic.values())
    append_samples(path, sample_set.samples)
    for fault in sample_set.faults:
        append_fault(path, fault)
    if sample_set.ending is not None:
        append_end(path, sample_set.ending)
    if checks is not None:
        (run_dir / "check.json").write_text(json.dumps(
            {"schema": "evaluate.check/1", "results": checks}))
    return run_dir


__all__ = ["BASELINE", "COMMAND", "DATE", "doc", "ranked",
           "save_run", "variants"]
