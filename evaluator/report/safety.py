"""What the checker says of each variant, for the report.

A run is built with one compiler; its verdicts are the checker's under
that compiler's reading of the builtins (checker/readings.py), so that
what is judged is what was timed.  Results under another reading are
not a verdict on this run's code: they become caveats (compiler_splits)
when a variant's verdict changes with the compiler.

Per (variant, model) the results of several syscall semantics combine
as unsafe over unknown over safe: one counterexample decides, a search
that reached a limit shows nothing, and safe needs every run to agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .. import memory_models
from ..checker.readings import CHECK_DEFAULT
from ..checker.results import MARKS, SAFE, UNKNOWN, UNSAFE, CheckResult
from ..controls import is_control
from ..orders import ORDER_NAMES

VERDICT_RANK = {UNSAFE: 3, UNKNOWN: 2, SAFE: 1, None: 0}


def outranks(verdict: str, held: str | None) -> bool:
    """Does `verdict` decide over `held`: unsafe over unknown over safe
    (one counterexample decides; a limit shows nothing)."""
    return VERDICT_RANK[verdict] > VERDICT_RANK[held]


@dataclass(frozen=True)
class Safety:
    """Checker verdicts of one variant under the run's compiler reading."""

    variant: str
    verdicts: Mapping[str, str | None]     # model -> safe/unsafe/unknown
    broken: Mapping[str, tuple[str, ...]]  # model -> properties found
    semantics: tuple[str, ...]             # syscall semantics checked
    limits: Mapping[str, str] = None       # model -> why it is unknown

    @property
    def unsafe(self) -> bool:
        return UNSAFE in self.verdicts.values()

    @property
    def unknown(self) -> bool:
        """Not unsafe, but some model could not decide: never ranked."""
        return not self.unsafe and UNKNOWN in self.verdicts.values()

    def mark(self, model: str) -> str:
        return MARKS.get(self.verdicts.get(model), "?")

    def reason(self) -> str:
        """One line: where it breaks, with the first property found
        there, and where it holds (or could not be decided)."""
        models = memory_models.names()
        bad = [m for m in models if self.verdicts.get(m) == UNSAFE]
        good = [m for m in models if self.verdicts.get(m) == SAFE]
        open_ = [m for m in models if self.verdicts.get(m) == UNKNOWN]
        props = sorted({p for m in bad for p in self.broken.get(m, ())})
        parts = []
        if bad:
            parts.append(f"unsafe under {', '.join(bad)}"
                         + (f" ({', '.join(props)})" if props else ""))
        if open_:
            parts.append(f"unknown under {', '.join(open_)}")
        if good:
            parts.append(f"safe under {', '.join(good)}")
        return "; ".join(parts)


def run_reading(environment: Mapping[str, object]) -> str:
    """The compiler reading of a run: the compiler it was built with."""
    compiler = environment.get("compiler")
    if isinstance(compiler, Mapping) and compiler.get("cc"):
        return str(compiler["cc"])
    return CHECK_DEFAULT


def safety_of(check_results: Iterable[CheckResult], names: Iterable[str],
              baseline: str, cc: str = CHECK_DEFAULT) -> dict[str, Safety]:
    """Safety per variant under reading `cc`.  The self-validation
    controls run the baseline's code, so they carry its verdicts."""
    models = memory_models.names()
    verdicts: dict[str, dict[str, str | None]] = {}
    broken: dict[str, dict[str, set]] = {}
    limits: dict[str, dict[str, str]] = {}
    semantics: dict[str, set] = {}
    for r in check_results:
        if r.model not in models or r.cc != cc or r.build:
            continue
        per = verdicts.setdefault(r.variant, dict.fromkeys(models))
        if outranks(r.verdict, per[r.model]):
            per[r.model] = r.verdict
        broken.setdefault(r.variant, {}).setdefault(r.model, set()).update(
            v.property for v in r.violations)
        if r.unknown and r.reason:
            limits.setdefault(r.variant, {})[r.model] = r.reason
        semantics.setdefault(r.variant, set()).add(r.syscalls)
    out = {}
    for name in names:
        source = baseline if is_control(name) else name
        out[name] = Safety(
            name, verdicts.get(source, dict.fromkeys(models)),
            {m: tuple(sorted(p))
             for m, p in broken.get(source, {}).items()},
            tuple(sorted(semantics.get(source, ()))),
            dict(limits.get(source, {})))
    return out


@dataclass(frozen=True)
class CompilerSplit:
    """A variant whose verdict under one model depends on the compiler."""

    variant: str
    model: str
    verdicts: Mapping[str, str]            # reading -> verdict
    shapes: Mapping[str, str]              # reading -> what goes wrong


def _shape(result: CheckResult) -> str:
    """The counterexample in a few words: its property, and the reads
    that saw a stale value (the weak-memory step behind it)."""
    if not result.violations:
        return result.verdict
    violation = result.violations[0]
    stale = [_operation(line) for line in violation.trace
             if "(stale:" in line and " reads " in line]
    text = violation.property
    if stale:
        text += " after a stale " + ", ".join(dict.fromkeys(stale))
    return text


def _operation(line: str) -> str:
    """'P1#3  f.c:19  load(x) relaxed reads 0 ...' -> 'relaxed load(x)'."""
    words = line.split(" reads ")[0].split()[2:]
    if len(words) > 1 and words[-1] in ORDER_NAMES:
        words = [words[-1], *words[:-1]]
    return " ".join(words)


def compiler_caveat(splits: Iterable[CompilerSplit], names: Iterable[str],
                    reading: str) -> str:
    """One sentence per way a verdict of `names` changes with the
    compiler, naming every variant it changes for ('' when none)."""
    wanted = set(names)
    groups: dict[tuple, list[str]] = {}
    for split in splits:
        if split.variant not in wanted:
            continue
        here = split.verdicts.get(reading)
        for cc, verdict in split.verdicts.items():
            if cc != reading and verdict != here:
                key = (here, split.model, cc, verdict, split.shapes[cc])
                groups.setdefault(key, []).append(split.variant)
    return " ".join(_split_sentence(variants, reading, *key)
                    for key, variants in groups.items())


def _split_sentence(variants: list[str], reading: str, here: str,
                    model: str, cc: str, verdict: str, shape: str) -> str:
    one = len(variants) == 1
    return (f"{and_list(variants)} {'is' if one else 'are'} {here} under "
            f"{model} as built here ({reading}) but {verdict} as {cc} "
            "compiles "
            f"{'it' if one else 'them'} ({shape}).")


def and_list(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else \
        ", ".join(items[:-1]) + " and " + items[-1]


def compiler_splits(check_results: Iterable[CheckResult]
                    ) -> list[CompilerSplit]:
    """Variants and models whose verdict differs between readings (of
    the C: a build's verdict is its own, report/builds.py)."""
    cells: dict[tuple[str, str], dict[str, CheckResult]] = {}
    for r in check_results:
        if r.build:
            continue
        held = cells.setdefault((r.variant, r.model), {}).get(r.cc)
        if held is None or outranks(r.verdict, held.verdict):
            cells[r.variant, r.model][r.cc] = r
    splits = []
    for (variant, model), by_cc in sorted(cells.items()):
        if len({r.verdict for r in by_cc.values()}) > 1:
            splits.append(CompilerSplit(
                variant, model,
                {cc: r.verdict for cc, r in sorted(by_cc.items())},
                {cc: _shape(r) for cc, r in sorted(by_cc.items())}))
    return splits


def reading_first(split: CompilerSplit, reading: str) -> list[tuple]:
    """(reading, verdict, shape), the run's reading first."""
    order = sorted(split.verdicts, key=lambda cc: (cc != reading, cc))
    return [(cc, split.verdicts[cc], split.shapes[cc]) for cc in order]
