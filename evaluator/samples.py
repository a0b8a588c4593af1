"""Raw benchmark samples: the versioned JSON-lines format between the
bench stage (writer) and the stats/report stages (readers).

One file per run, `samples.jsonl`, appended atomically one line at a
time so an interrupted run keeps every finished sample.  Each line is an
object with "schema": "evaluate.samples/1" and a "kind":

  environment  once, first: machine, compiler, flags, seed, command line
  census       per variant: instruction counts per arch and function
  dynamic      per variant: what one operation of each scenario executes
               (bench/dynamic.py); absent from runs before issue 15
  sample       one timed batch (see Sample)
  fault        a variant that hung or crashed in one process (see Fault)
"""

from __future__ import annotations

import gzip
import json
import math
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .errors import ReportError

SCHEMA = "evaluate.samples/1"


@dataclass(frozen=True)
class Sample:
    """One timed batch of `ops` operations of one variant in one process."""

    process: int            # the statistical unit
    variant: str
    scenario: str           # self-resched | pingpong | flood
    batch: int              # position of this batch within its process
    warmup: bool            # warm-up batches are kept but not analysed
    ops: int
    ns: float               # wall time of the batch (CLOCK_MONOTONIC)
    eventfd_writes: int = 0
    eventfd_reads: int = 0
    # The round of its process (every arm once per round): the statistics
    # pair the arms' batches of one round.  None in runs before issue 15.
    round: int | None = None
    # Involuntary context switches of the measuring threads during the
    # batch (another task took the CPU).  None in runs before issue 15.
    preempted: int | None = None

    @property
    def ns_per_op(self) -> float:
        return self.ns / self.ops

    @property
    def syscalls_per_op(self) -> float:
        return (self.eventfd_writes + self.eventfd_reads) / self.ops


@dataclass(frozen=True)
class Fault:
    """A variant that hung (watchdog) or crashed in one process."""

    process: int
    variant: str
    scenario: str
    kind: str               # "hung" | "crashed" | "check-failed"
    detail: str = ""        # what was pending, the signal, the failed check


@dataclass(frozen=True)
class SampleSet:
    environment: Mapping[str, object]
    census: Mapping[str, object] = field(default_factory=dict)
    samples: tuple[Sample, ...] = ()
    faults: tuple[Fault, ...] = ()
    dynamic: Mapping[str, object] = field(default_factory=dict)


def _line(kind: str, payload: Mapping[str, object]) -> str:
    return json.dumps({"schema": SCHEMA, "kind": kind, **payload},
                      sort_keys=True) + "\n"


def append_records(path: Path, kind: str,
                   payloads: Iterable[Mapping[str, object]]) -> None:
    """Append lines with one write(2) each on an O_APPEND descriptor, so a
    reader never sees half a line and Ctrl-C loses nothing written."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        for payload in payloads:
            os.write(fd, _line(kind, payload).encode())
    finally:
        os.close(fd)


def append_samples(path: Path, samples: Iterable[Sample]) -> None:
    append_records(path, "sample", (asdict(s) for s in samples))


def append_fault(path: Path, fault: Fault) -> None:
    # The line's "kind" is "fault"; Fault.kind travels as "fault".
    payload = asdict(fault)
    payload["fault"] = payload.pop("kind")
    append_records(path, "fault", [payload])


def _open(path: Path):
    """samples.jsonl, or its gzip'ed copy (how committed examples are kept)."""
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def _records(path: Path) -> Iterator[tuple[int, dict]]:
    with _open(path) as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                record = json.loads(text)
            except json.JSONDecodeError as exc:
                if not text.endswith("\n"):
                    return  # a last line cut by a crash: ignore it
                raise ReportError(f"not JSON: {exc.msg}", path=path,
                                  line=number) from None
            if record.get("schema") != SCHEMA:
                raise ReportError(
                    f"schema {record.get('schema')!r}, expected {SCHEMA!r}",
                    path=path, line=number,
                    hint="this file was written by another evaluate version")
            yield number, record


def _valid(sample: Sample, path: Path, line: int) -> Sample:
    """Refuse values no batch can have (they would break the logs)."""
    if not (isinstance(sample.ops, int) and sample.ops > 0
            and math.isfinite(sample.ns) and sample.ns > 0):
        raise ReportError(f"impossible sample: ops={sample.ops!r}, "
                          f"ns={sample.ns!r}", path=path, line=line,
                          hint="ops must be a positive integer and ns a "
                               "positive number")
    return sample


def read_samples(path: Path) -> SampleSet:
    """Load a samples.jsonl file (or samples.jsonl.gz in its place)."""
    packed = path.with_name(path.name + ".gz")
    if not path.is_file() and packed.is_file():
        path = packed
    if not path.is_file():
        raise ReportError("no samples file", path=path,
                          hint="point at a run directory written by "
                               "'evaluate bench' or 'evaluate'")
    environment: dict = {}
    census: dict = {}
    dynamic: dict = {}
    samples: list[Sample] = []
    faults: list[Fault] = []
    for number, record in _records(path):
        kind = record.pop("kind", None)
        record.pop("schema")
        try:
            if kind == "environment":
                environment = record
            elif kind == "census":
                census[record["variant"]] = record
            elif kind == "dynamic":
                dynamic[record["variant"]] = record
            elif kind == "sample":
                samples.append(_valid(Sample(**record), path, number))
            elif kind == "fault":
                record["kind"] = record.pop("fault", None)
                faults.append(Fault(**record))
            else:
                raise ReportError(f"unknown record kind {kind!r}", path=path,
                                  line=number)
        except TypeError as exc:
            raise ReportError(f"bad {kind} record: {exc}", path=path,
                              line=number) from None
    return SampleSet(environment, census, tuple(samples), tuple(faults),
                     dynamic)
