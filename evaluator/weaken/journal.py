"""The check journal of a weaken run: every finished check of one point
under one model, a JSON line each in RUN/checks.jsonl, written as it
arrives, so that an interrupted search (Ctrl-C, SIGTERM, a lost
machine) resumes where it stopped: `evaluate weaken BASE --resume RUN`.

A search that takes an hour (qemu-5.2 under C11) must not lose that
hour to one interruption, and a resumed search must not trust a result
that was computed for something else.  So the first line is a header
with a fingerprint of everything a verdict depends on: the rendered C,
the shared C it is checked with (csrc/), the sites and their levels,
the models, the check options (scenario, syscalls, limits, compiler
reading, engine) and the checker's own source.  A journal whose
fingerprint differs is refused, naming what to do.  The search itself
is deterministic given the verdicts, so a resumed search asks for the
same points in the same order and finds them in the journal.

A record is {"point": [level names], "model", "result":
CheckResult.to_json()}: the whole result, traces included, so the
reasons of a resumed search are the checks' own counterexamples.  A
last line cut short by a kill is ignored (its check runs again).

Entry point: open_journal(run_dir, subject, request, resume).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from .. import __version__, fsutil
from ..checker.results import CheckResult
from ..errors import EvaluateError
from ..orders import Order
from .frontier import Point

SCHEMA = "evaluate.weaken-journal/1"
FILE = "checks.jsonl"
_CHECKER = Path(__file__).resolve().parents[1] / "checker"


def fingerprint(subject, request) -> str:
    """A digest of everything a check's verdict depends on."""
    digest = hashlib.sha256()
    options = request.options
    facts = {
        "version": __version__, "variant": subject.name,
        "sites": [[s.name, s.kind, s.level.name] for s in subject.sites],
        "models": list(request.models), "scenario": repr(options.scenario),
        "syscalls": options.syscalls, "max_states": options.max_states,
        "timeout": options.timeout, "cc": options.cc,
        "engine": options.engine,
        "all_violations": options.all_violations,
    }
    digest.update(json.dumps(facts, sort_keys=True).encode())
    digest.update(subject.rendered.text.encode())
    csrc = options.csrc_dir()
    sources = sorted(csrc.rglob("*.[ch]")) + sorted(_CHECKER.rglob("*.py"))
    for path in sources:
        digest.update(str(path.relative_to(path.parents[1])).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass
class Journal:
    """The journal of one run: what it holds, and the file it grows."""

    path: Path
    known: dict[tuple[Point, str], CheckResult] = field(default_factory=dict)
    resumed: int = 0                    # checks answered from the journal
    stream: IO[str] | None = None

    def get(self, point: Point, model: str) -> CheckResult | None:
        result = self.known.get((point, model))
        if result is not None:
            self.resumed += 1
        return result

    def record(self, point: Point, model: str, result: CheckResult) -> None:
        if self.stream is None:
            return
        line = {"point": [o.name for o in point], "model": model,
                "result": result.to_json()}
        self.stream.write(json.dumps(line, ensure_ascii=False) + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None


def _header(subject, request) -> dict:
    return {"schema": SCHEMA, "variant": subject.name,
            "models": list(request.models),
            "fingerprint": fingerprint(subject, request)}


def _records(path: Path, lines: Sequence[str]):
    for number, line in enumerate(lines[1:], start=2):
        try:
            data = json.loads(line)
            point = tuple(Order[name] for name in data["point"])
            yield (point, str(data["model"])), \
                CheckResult.from_json(data["result"])
        except (ValueError, KeyError, TypeError) as exc:
            if number == len(lines):
                return          # the last line, cut short by a kill
            raise EvaluateError(
                f"record {number} is damaged ({exc})", path=path,
                line=number, hint="start a new run (without --resume)"
            ) from None


def _read(path: Path, header: dict) -> dict:
    lines = fsutil.read_text(path, "the weaken journal").splitlines()
    try:
        first = json.loads(lines[0]) if lines else {}
    except ValueError:
        first = {}
    if not isinstance(first, dict) or first.get("schema") != SCHEMA:
        raise EvaluateError(f"not a weaken journal (first line should be "
                            f"a {SCHEMA} header)", path=path, line=1,
                            hint="give the run directory of an earlier "
                                 "evaluate weaken")
    if first != header:
        raise EvaluateError(
            f"this journal is of {first.get('variant')} under "
            f"{','.join(first.get('models', []))} with other inputs (the C, "
            "the sites, the options or the checker changed)", path=path,
            line=1, hint="resume with the options of the interrupted run, "
                         "or start a new run (without --resume)")
    return dict(_records(path, lines))


def _drop_cut_line(path: Path) -> None:
    """A last line cut short by a kill goes, so that the next record
    starts a line of its own."""
    data = path.read_bytes()
    keep = data.rfind(b"\n") + 1
    if keep < len(data):
        with path.open("r+b") as stream:
            stream.truncate(keep)


def open_journal(run_dir: Path, subject, request,
                 resume: bool) -> Journal:
    """The run's journal: an earlier one read back (resume), or a new
    one.  A new run never overwrites an earlier journal."""
    path = run_dir / FILE
    header = _header(subject, request)
    known: dict = {}
    if resume:
        if not path.is_file():
            raise EvaluateError("no weaken journal to resume", path=path,
                                hint="give the run directory an earlier "
                                     "evaluate weaken printed")
        known = _read(path, header)
        _drop_cut_line(path)
    elif path.exists():
        raise EvaluateError("already holds the journal of an earlier "
                            "weaken run", path=path,
                            hint=f"continue it with --resume {run_dir}, or "
                                 "choose a new --out directory")
    try:
        stream = path.open("a" if resume else "w", encoding="utf-8")
        if not resume:
            stream.write(json.dumps(header) + "\n")
            stream.flush()
    except OSError as exc:
        raise EvaluateError(f"cannot write: {fsutil.os_error_text(exc)}",
                            path=path) from None
    return Journal(path, known, 0, stream)
