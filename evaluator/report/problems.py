"""Results that contradict a declared expectation: what makes a run exit
with status 1.  Pure functions over a report document, checker results
and samples."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .. import memory_models
from ..checker.check import CheckResult
from ..controls import base_name
from ..samples import SampleSet
from ..variants import Variant
from .document import ReportDoc


def expectation_problems(doc: ReportDoc,
                         checks: Sequence[CheckResult]) -> list[str]:
    """Failed self-validation, and checker verdicts against [expect]."""
    found = []
    for report in doc.machines:
        for check in report.machine.ranking.self_checks:
            if check.ok is False:
                found.append(f"self-validation: {check.variant} expected "
                             f"{check.expected}, got "
                             + ", ".join(f"{k} {v}" for k, v in
                                         check.verdicts.items()))
    readings = {m.machine.reading for m in doc.machines}
    for result in checks:
        if result.contradicts:
            found.append(f"{result.variant} under {result.model}: expected "
                         f"{result.expected}, checker says {result.verdict}")
        elif result.unknown and result.cc in readings:
            found.append(f"{result.variant} under {result.model}: unknown "
                         f"({result.reason}); it was not ranked")
    return sorted(set(found))


def hardware_contradictions(sample_set: SampleSet,
                            variants: Iterable[Variant]) -> list[str]:
    """Hangs and crashes of variants declared safe under a model of the
    hardware the run was on (x86-TSO on x86-64): the hardware
    contradicts the declaration, or the harness is wrong.  One message
    per fault."""
    machine = str(sample_set.environment.get("machine", ""))
    models = [m for m in memory_models.REGISTRY if machine in m.hardware]
    expect = {v.name: v.expect for v in variants}
    return [f"{f.variant} is declared safe under {m.label} but {f.kind} in "
            f"process {f.process}: {f.detail}"
            for f in sample_set.faults for m in models
            if expect.get(base_name(f.variant), {}).get(m.name) == "safe"]
