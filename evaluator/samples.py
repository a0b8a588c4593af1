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
  end          last: how the run ended (see Ending); a run without one
               was killed or is still being written
"""

from __future__ import annotations

import contextlib
import gzip
import json
import math
import os
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import fsutil
from .errors import BenchError, ReportError

SCHEMA = "evaluate.samples/1"
# Fault.kind of a harness killed from outside (OOM killer, an operator):
# recorded, but neither the variant's fault nor a reason to drop its
# batches of that process.
EXTERNAL = "external"
# Beside samples.jsonl while a bench writes it: the writer's pid.
RUNNING_FILE = ".running"


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
    kind: str               # "hung" | "crashed" | "check-failed" | "external"
    detail: str = ""        # what was pending, the signal, the failed check


@dataclass(frozen=True)
class Ending:
    """How a run ended: "complete", or "interrupted" with the reason."""

    status: str             # "complete" | "interrupted"
    reason: str = ""        # "Ctrl-C", "SIGTERM", ...
    seconds: float = 0.0    # since the run started


@dataclass(frozen=True)
class SampleSet:
    environment: Mapping[str, object]
    census: Mapping[str, object] = field(default_factory=dict)
    samples: tuple[Sample, ...] = ()
    faults: tuple[Fault, ...] = ()
    dynamic: Mapping[str, object] = field(default_factory=dict)
    ending: Ending | None = None    # None: no end record (see module doc)

    @property
    def complete(self) -> bool:
        return self.ending is not None and self.ending.status == "complete"


def _line(kind: str, payload: Mapping[str, object]) -> str:
    return json.dumps({"schema": SCHEMA, "kind": kind, **payload},
                      sort_keys=True) + "\n"


def _append_line(fd: int, data: bytes, path: Path) -> None:
    """One write(2); if the disk refuses part of it, cut the file back to
    where the line began, so it never ends in half a record."""
    start = os.lseek(fd, 0, os.SEEK_END)
    try:
        written = os.write(fd, data)
        reason = None if written == len(data) else "the disk is full"
    except OSError as exc:
        reason = fsutil.os_error_text(exc)
    if reason is not None:
        with contextlib.suppress(OSError):  # not a regular file: no cut
            os.ftruncate(fd, start)
        raise BenchError(f"cannot append to the samples: {reason}",
                         path=path,
                         hint="every record written before this one is "
                              "kept whole; 'evaluate report "
                              f"{path.parent}' works on them")


def append_records(path: Path, kind: str,
                   payloads: Iterable[Mapping[str, object]]) -> None:
    """Append lines with one write(2) each on an O_APPEND descriptor, so a
    reader never sees half a line and Ctrl-C loses nothing written."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as exc:
        raise BenchError(f"cannot write the samples: "
                         f"{fsutil.os_error_text(exc)}", path=path) from None
    try:
        for payload in payloads:
            _append_line(fd, _line(kind, payload).encode(), path)
    finally:
        os.close(fd)


def append_samples(path: Path, samples: Iterable[Sample]) -> None:
    append_records(path, "sample", (asdict(s) for s in samples))


def append_fault(path: Path, fault: Fault) -> None:
    # The line's "kind" is "fault"; Fault.kind travels as "fault".
    payload = asdict(fault)
    payload["fault"] = payload.pop("kind")
    append_records(path, "fault", [payload])


def writer_alive(run_dir: Path) -> int | None:
    """The pid of a live bench still writing this run, else None."""
    try:
        pid = int((Path(run_dir) / RUNNING_FILE).read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def append_end(path: Path, ending: Ending) -> None:
    append_records(path, "end", [asdict(ending)])


def _open(path: Path):
    """samples.jsonl, or its gzip'ed copy (how committed examples are kept)."""
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def _records(path: Path) -> Iterator[tuple[int, dict]]:
    """The file's records; a file that cannot be read, a gzip file that
    is not one or was cut short, a non-UTF-8 line: one ReportError."""
    try:
        yield from _parsed(path)
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise ReportError(f"damaged gzip file ({exc})", path=path,
                          hint="restore it, or gunzip what can be read "
                               "into samples.jsonl") from None
    except UnicodeDecodeError as exc:
        raise ReportError(f"not UTF-8 text ({exc.reason})",
                          path=path) from None
    except OSError as exc:
        raise ReportError(f"cannot read it: {fsutil.os_error_text(exc)}",
                          path=path) from None


def _parsed(path: Path) -> Iterator[tuple[int, dict]]:
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
            if not isinstance(record, dict):
                raise ReportError("a record that is not a JSON object",
                                  path=path, line=number)
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
    found = _Found()
    for number, record in _records(path):
        kind = record.pop("kind", None)
        record.pop("schema")
        take = _READERS.get(kind)
        if take is None:
            raise ReportError(f"unknown record kind {kind!r}", path=path,
                              line=number)
        try:
            take(found, record, path, number)
        except (TypeError, KeyError) as exc:
            raise ReportError(f"bad {kind} record: {exc}", path=path,
                              line=number) from None
    return SampleSet(found.environment, found.census, tuple(found.samples),
                     tuple(found.faults), found.dynamic, found.ending)


@dataclass
class _Found:
    """What read_samples has gathered so far."""

    environment: dict = field(default_factory=dict)
    census: dict = field(default_factory=dict)
    dynamic: dict = field(default_factory=dict)
    samples: list = field(default_factory=list)
    faults: list = field(default_factory=list)
    ending: Ending | None = None


def _fault(found: _Found, record: dict, path: Path, line: int) -> None:
    record["kind"] = record.pop("fault", None)
    found.faults.append(Fault(**record))


def _set(name: str):
    return lambda found, record, path, line: setattr(found, name, record)


def _keyed(name: str):
    return lambda found, record, path, line: getattr(found, name).__setitem__(
        record["variant"], record)


# One reader per record kind (the module docstring lists them).
_READERS = {
    "environment": _set("environment"),
    "census": _keyed("census"),
    "dynamic": _keyed("dynamic"),
    "sample": lambda found, record, path, line: found.samples.append(
        _valid(Sample(**record), path, line)),
    "fault": _fault,
    "end": lambda found, record, path, line: setattr(
        found, "ending", Ending(**record)),
}
