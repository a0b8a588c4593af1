"""What the report says, independent of its layout (text, Markdown, JSON).

Pure functions from checker results, rankings and the run environment to
sentences and rows: safety per variant, the census table, faults, the
recommendation paragraph and the environment block.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .. import memory_models
from ..build.census import (ARCHES, CATEGORIES, CATEGORY_LETTERS,
                            CATEGORY_MEANING)
from ..checker.check import CheckResult
from ..controls import is_control
from ..samples import SampleSet
from ..stats import Ranking, ScenarioRanking

MARKS = {"safe": "✓", "unsafe": "✗", None: "?"}


@dataclass(frozen=True)
class Safety:
    """Checker verdicts of one variant, over every syscall semantics run."""

    variant: str
    verdicts: Mapping[str, str | None]          # model -> safe/unsafe/None
    broken: Mapping[str, tuple[str, ...]]       # model -> properties
    semantics: tuple[str, ...]                  # syscall semantics checked

    @property
    def unsafe(self) -> bool:
        return "unsafe" in self.verdicts.values()

    def mark(self, model: str) -> str:
        return MARKS.get(self.verdicts.get(model), "?")

    def reason(self) -> str:
        """One line: where it breaks and how, where it holds."""
        models = memory_models.names()
        bad = [m for m in models if self.verdicts.get(m) == "unsafe"]
        good = [m for m in models if self.verdicts.get(m) == "safe"]
        props = sorted({p for m in bad for p in self.broken.get(m, ())})
        text = f"unsafe under {', '.join(bad)}"
        if props:
            text += f" ({', '.join(props)})"
        if good:
            text += f"; safe under {', '.join(good)}"
        return text


def safety_of(check_results: Iterable[CheckResult], names: Iterable[str],
              baseline: str) -> dict[str, Safety]:
    """Safety per variant.  A variant is unsafe under a model if any
    result (any syscall semantics) says so.  The self-validation controls
    run the baseline's code, so they carry the baseline's verdicts."""
    models = memory_models.names()
    verdicts: dict[str, dict[str, str | None]] = {}
    broken: dict[str, dict[str, set]] = {}
    semantics: dict[str, set] = {}
    for result in check_results:
        if result.model not in models:
            continue
        per = verdicts.setdefault(result.variant, dict.fromkeys(models))
        if result.verdict == "unsafe" or per[result.model] is None:
            per[result.model] = result.verdict
        props = broken.setdefault(result.variant,
                                  {m: set() for m in models})[result.model]
        props.update(v.property for v in result.violations)
        semantics.setdefault(result.variant, set()).add(result.syscalls)
    out = {}
    for name in names:
        source = baseline if is_control(name) else name
        out[name] = Safety(
            name, verdicts.get(source, dict.fromkeys(models)),
            {m: tuple(sorted(p)) for m, p in broken.get(
                source, {m: set() for m in models}).items()},
            tuple(sorted(semantics.get(source, ()))))
    return out


NO_CHECKS = "none (no checker results)"


def semantics_assumed(check_results: Sequence[CheckResult]) -> str:
    """The syscall semantics the checker results were produced under."""
    if not check_results:
        return NO_CHECKS
    return ", ".join(sorted({r.syscalls for r in check_results}))


# ---------------------------------------------------------------- census


@dataclass(frozen=True)
class CensusRow:
    variant: str
    totals: Mapping[str, Mapping[str, int] | None]  # arch -> category -> n


def census_rows(census: Mapping[str, Mapping],
                names: Iterable[str]) -> list[CensusRow]:
    """Per variant and architecture the census totals (build/census.py
    defines the architectures and categories); None where not taken."""
    rows = []
    for name in names:
        arches = (census.get(name) or {}).get("arches", {})
        rows.append(CensusRow(name, {
            arch: (arches.get(arch) or {}).get("total") for arch in ARCHES}))
    return rows


def census_legend() -> str:
    """'F = full fences, R = ...': what each census letter counts."""
    return ", ".join(f"{CATEGORY_LETTERS[k]} = {CATEGORY_MEANING[k]}"
                     for k in CATEGORIES)


def census_counts(total: Mapping[str, int] | None) -> list[str]:
    """One architecture's counts in CATEGORIES order ('-' if missing)."""
    total = total or {}
    return [str(total.get(k, "-")) for k in CATEGORIES]


# ------------------------------------------------------------- numbers


def fmt_ns(value: float | None) -> str:
    if value is None:
        return "n/a"
    if value >= 1000:
        return f"{value:.0f}"
    if value >= 100:
        return f"{value:.1f}"
    return f"{value:.2f}"


def fmt_ratio(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.2f}" if value >= 10 else f"{value:.3f}"


def fmt_interval(interval, fmt=fmt_ratio) -> str:
    if interval is None:
        return "n/a"
    return f"[{fmt(interval[0])},{fmt(interval[1])}]"


def fmt_p(p: float | None) -> str:
    if p is None:
        return "n/a"
    return "<.001" if p < 0.001 else f"{p:.3f}"


def fmt_pct(fraction: float | None) -> str:
    return "n/a" if fraction is None else f"{100 * fraction:.1f}%"


def change(ratio: float) -> str:
    """'18.8% faster' / '3.1% slower' from a time ratio."""
    if ratio < 1:
        return f"{100 * (1 - ratio):.1f}% less time"
    return f"{100 * (ratio - 1):.1f}% more time"


# ---------------------------------------------------------- environment

def _first(env: Mapping[str, object], *keys: str):
    for key in keys:
        if env.get(key) not in (None, ""):
            return key, env[key]
    return None, None


def _compiler(env):
    key, value = _first(env, "compiler", "cc", "compiler_version")
    if isinstance(value, Mapping):
        text = str(value.get("version") or value.get("cc") or "?")
        if value.get("path"):
            text += f" ({value['path']})"
        return [key], text
    return [key], value


def _flags(env):
    compiler = env.get("compiler")
    if isinstance(compiler, Mapping) and compiler.get("flags"):
        text = _show(compiler["flags"])
        if compiler.get("default_march"):
            text += f" (default -march={compiler['default_march']})"
        return [], text
    key, value = _first(env, "flags", "cflags")
    return [key], value


def _git(env):
    git = env.get("git")
    if isinstance(git, Mapping) and git.get("commit"):
        dirty = " plus uncommitted changes" if git.get("dirty") else ""
        return ["git"], f"{git['commit']}{dirty}"
    key, value = _first(env, "git_commit", "commit")
    return [key], value


def _cores(env):
    key, value = _first(env, "cores_used", "cpu_pair", "cpus", "cores")
    if isinstance(value, list):
        value = ",".join(map(str, value))
        if env.get("cpus_online"):
            value += f" (of {env['cpus_online']} online)"
            return [key, "cpus_online"], value
    return [key], value


def _plain(*keys):
    def extract(env):
        key, value = _first(env, *keys)
        return [key], value
    return extract


# (label, extractor -> (keys used, value)), in reading order.
ENVIRONMENT_FIELDS = (
    ("host", _plain("hostname", "host")),
    ("CPU", _plain("cpu_model", "cpu")),
    ("cores used", _cores),
    ("hypervisor", _plain("hypervisor", "virtualization")),
    ("kernel", _plain("kernel")),
    ("compiler", _compiler),
    ("flags", _flags),
    ("tool version", _plain("tool_version", "evaluate_version", "version")),
    ("git commit", _git),
    ("bench command", _plain("command_line", "command", "argv")),
    ("seed", _plain("seed")),
    ("date", _plain("date", "started")),
)


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(v, str)
                                                 for v in value):
        return shlex.join(value)
    return json.dumps(value, sort_keys=True)


def _flatten(key: str, value: object) -> list[tuple[str, str]]:
    if isinstance(value, Mapping) and value:
        return [item for sub, inner in value.items()
                for item in _flatten(f"{key}.{sub}", inner)]
    return [(key, _show(value))]


def environment_items(environment: Mapping[str, object]) -> list[tuple[str,
                                                                     str]]:
    """Labelled facts: the ones a reviewer asks for first (or "not
    recorded"), then every other recorded fact, nested ones flattened."""
    items, used = [], set()
    for label, extract in ENVIRONMENT_FIELDS:
        keys, value = extract(environment)
        used.update(k for k in keys if k)
        items.append((label, "not recorded" if value is None
                      else _show(value)))
    for key in sorted(set(environment) - used):
        items += _flatten(key, environment[key])
    return items


def machine_label(environment: Mapping[str, object]) -> str:
    host = environment.get("hostname") or environment.get("host")
    cpu = environment.get("cpu_model") or environment.get("cpu")
    parts = [str(p) for p in (cpu, host) if p]
    return " on ".join(parts) if parts else "unrecorded machine"


def is_quick(sample_set: SampleSet, quick: bool) -> bool:
    return bool(quick or sample_set.environment.get("quick"))


# ------------------------------------------------------- recommendation


def _decisive_label() -> str:
    return " and ".join(m.label for m in memory_models.decisive())


def _eligible(ranking: Ranking, safety: Mapping[str, Safety]) -> list[str]:
    """Ranked, unsafe under no model, and shown safe under every
    decisive model of the registry."""
    names = {v for s in ranking.scenarios for v in s.order}
    decisive = [m.name for m in memory_models.decisive()]
    return sorted(v for v in names if not is_control(v)
                  and v in safety and not safety[v].unsafe
                  and all(safety[v].verdicts.get(m) == "safe"
                          for m in decisive))


def _best(scenario: ScenarioRanking, eligible: Sequence[str]) -> str | None:
    for name in scenario.order:
        if name in eligible:
            return name
    return None


def _pick(ranking: Ranking, eligible: Sequence[str]) -> str | None:
    """Best in the most scenarios; ties by the mean log-ratio."""
    wins: dict[str, int] = {}
    for scenario in ranking.scenarios:
        best = _best(scenario, eligible)
        if best is not None:
            wins[best] = wins.get(best, 0) + 1
    if not wins:
        return None

    def mean_ratio(name: str) -> float:
        ratios = [1.0 if name == ranking.baseline
                  else s.vs_baseline[name].ratio
                  for s in ranking.scenarios if name in s.order]
        product = 1.0
        for r in ratios:
            product *= r
        return product ** (1 / len(ratios))
    return min(wins, key=lambda n: (-wins[n], mean_ratio(n), n))


def _scenario_clause(scenario: ScenarioRanking, name: str,
                     baseline: str) -> str:
    tier = scenario.tiers[name]
    mates = sorted(v for v, t in scenario.tiers.items()
                   if t == tier and v != name)
    where = f"tier {tier}" + (f" with {', '.join(mates)}" if mates
                              else " alone")
    if name == baseline:
        return f"{scenario.scenario}: {where}"
    c = scenario.vs_baseline[name]
    return (f"{scenario.scenario}: ratio {fmt_ratio(c.ratio)} "
            f"(95% CI {fmt_ratio(c.ci95[0])}-{fmt_ratio(c.ci95[1])}, "
            f"{change(c.ratio)}, Holm p {fmt_p(c.p_adj)}, {c.verdict}; "
            f"{where})")


def recommendation(ranking: Ranking, safety: Mapping[str, Safety],
                   environment: Mapping[str, object], semantics: str,
                   quick: bool) -> str:
    """The generated "Recommendation" paragraph."""
    base = ranking.baseline
    eligible = _eligible(ranking, safety)
    pick = _pick(ranking, eligible)
    under = _decisive_label()
    decisive = ",".join(m.name for m in memory_models.decisive())
    if pick is None:
        text = (f"No measured variant has a {under} verdict of safe (is "
                f"check.json missing, or was {decisive} not checked?), so "
                "this report recommends nothing.")
    elif pick == base:
        text = (f"Keep the baseline {base}: no variant that is safe under "
                f"{under} ranks ahead of it. " + "; ".join(
                    _scenario_clause(s, base, base)
                    for s in ranking.scenarios if base in s.order) + ".")
    else:
        faster = [s.scenario for s in ranking.scenarios
                  if pick in s.vs_baseline
                  and s.vs_baseline[pick].verdict == "faster"]
        clauses = "; ".join(_scenario_clause(s, pick, base)
                            for s in ranking.scenarios if pick in s.order)
        if faster:
            text = (f"Fastest variant safe under {under}: {pick}, measurably "
                    f"faster than {base} in {', '.join(faster)}. Against "
                    f"the baseline (time ratio, lower is faster): "
                    f"{clauses}.")
        else:
            text = (f"No variant safe under {under} is measurably faster than "
                    f"{base} (beyond ±{fmt_pct(ranking.delta)}) in any "
                    f"scenario, so these numbers give no speed reason to "
                    f"change the code. Best point estimate: {pick}; "
                    f"against the baseline (time ratio, lower is faster): "
                    f"{clauses}.")
    return text + " " + caveats(ranking, environment, semantics, quick)


def caveats(ranking: Ranking, environment: Mapping[str, object],
            semantics: str, quick: bool) -> str:
    parts = [f"Caveats: measured on one machine ({machine_label(environment)}"
             "); other CPUs, aarch64 in particular, may rank differently "
             "(see the instruction census).",
             "No checker results: safety is unknown." if semantics ==
             NO_CHECKS else "Safety verdicts assume eventfd syscalls "
             f"behave as {semantics} (README: What the checker assumes).",
             "Differences below the minimum detectable effect could not be "
             "resolved."]
    failed = [c.variant for c in ranking.self_checks if c.ok is False]
    if failed:
        parts.append("SELF-VALIDATION FAILED (" + ", ".join(failed)
                     + "): treat every verdict here with suspicion.")
    if quick:
        parts.append("SMOKE RUN (--quick): too little data to conclude.")
    return " ".join(parts)


def fault_lines(sample_set: SampleSet, ranking: Ranking,
                names: Iterable[str]) -> list[str]:
    """'X: hung in 3 of 10 processes (pingpong): <first detail>'."""
    wanted = set(names)
    groups: dict[tuple[str, str, str], list] = {}
    for fault in sample_set.faults:
        if fault.variant in wanted:
            key = (fault.variant, fault.scenario, fault.kind)
            groups.setdefault(key, []).append(fault)
    totals = {s.scenario: s.processes for s in ranking.scenarios}
    lines = []
    for (name, scenario, kind), faults in sorted(groups.items()):
        processes = len({f.process for f in faults})
        line = (f"{name}: {kind} in {processes} of "
                f"{totals.get(scenario, '?')} processes ({scenario})")
        detail = next((f.detail for f in faults if f.detail), "")
        lines.append(line + (f": {detail}" if detail else ""))
    return lines
