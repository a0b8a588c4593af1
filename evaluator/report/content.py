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
from ..bench import scenarios as scenario_registry
from ..build.census import (ARCHES, CATEGORIES, CATEGORY_LETTERS,
                            CATEGORY_MEANING, SYSCALL_LETTERS,
                            SYSCALL_MEANING)
from ..checker.check import CheckResult
from ..controls import LOCK, arm_name, is_control
from .safety import Safety
from ..samples import SampleSet
from ..stats import Ranking, ScenarioRanking
from ..stats.barriers import UNRESOLVED

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


# ------------------------------------------------------ dynamic census


@dataclass(frozen=True)
class DynamicRow:
    """What one operation of a scenario executes, next to its ns/op."""

    variant: str
    arches: Mapping[str, Mapping[str, int]] | None  # arch -> category -> n
    syscalls: Mapping[str, int] | None              # S/P letter -> n
    ns: float | None
    note: str = ""                  # why there is no census
    sites: tuple[Mapping, ...] = ()  # the same per source line


def dynamic_rows(dynamic: Mapping[str, Mapping], scenario: ScenarioRanking,
                 names: Iterable[str]) -> list[DynamicRow]:
    rows = []
    for name in names:
        estimate = scenario.estimates.get(name)
        ns = estimate.median_ns if estimate else None
        record = dynamic.get(name) or {}
        entry = (record.get("scenarios") or {}).get(scenario.scenario)
        if entry is None:
            rows.append(DynamicRow(name, None, None, ns,
                                   record.get("error", "not taken")))
            continue
        calls = entry.get("syscalls", {})
        rows.append(DynamicRow(
            name, entry.get("arches"),
            {letter: sum(calls.get(k, 0) for k in kinds)
             for letter, kinds in SYSCALL_LETTERS.items()}, ns,
            sites=tuple(entry.get("sites", ()))))
    return rows


def dynamic_legend() -> str:
    return (census_legend() + ", " + ", ".join(
        f"{k} = {v}" for k, v in SYSCALL_MEANING.items()))


def dynamic_path(scenario: str) -> str:
    if scenario not in scenario_registry.names():
        return "(not a registered scenario)"
    return scenario_registry.info(scenario).path.meaning


# ------------------------------------------------- single-barrier gate


def lock_ratio(ranking: Ranking, scenario: str) -> float | None:
    name = arm_name(ranking.baseline, LOCK)
    for s in ranking.scenarios:
        if s.scenario == scenario and name in s.vs_baseline:
            return s.vs_baseline[name].ratio
    return None


def barrier_lines(ranking: Ranking) -> list[str]:
    """Per scenario: did this run resolve one locked instruction per
    operation?  Then what that means for the verdicts (stats/barriers)."""
    check = next((c for c in ranking.self_checks if c.kind == LOCK.kind),
                 None)
    if check is None:
        return ["This run has no one-lock control (an older run, or "
                "--no-controls): whether it resolves one locked "
                "instruction per operation, and so whether it can speak "
                "about single-barrier differences, is not known."]
    lines = []
    for scenario, got in check.verdicts.items():
        seen = "resolved" if got == "slower" else "NOT resolved"
        ratio = fmt_ratio(lock_ratio(ranking, scenario))
        lines.append(f"{scenario}: one locked instruction per operation "
                     f"{seen} (ratio {ratio}, {got}).")
    gates = ", ".join(scenario_registry.barrier_gates())
    if ranking.barrier_resolved is False:
        lines.append(
            f"The one-lock control is not slower in {gates}, so this run "
            "cannot speak about single-barrier differences: every "
            "comparison between arms that make the same system calls per "
            f"operation is '{UNRESOLVED}', and the recommendation makes "
            "no claim that rests on one.")
    elif ranking.barrier_resolved:
        lines.append(f"The one-lock control is slower in {gates}: this run "
                     "can resolve one barrier on the fast path; where it is "
                     "not resolved, an 'equivalent' means within the "
                     "threshold, not free of barrier costs.")
    return lines


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
    """'1.2%'; beyond 999% (an MDE from two processes) just '>999%'."""
    if fraction is None:
        return "n/a"
    return ">999%" if fraction > 9.99 else f"{100 * fraction:.1f}%"


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


def _gate_text(ranking: Ranking) -> str:
    gates = scenario_registry.barrier_gates()
    where = ", ".join(f"{g} ratio {fmt_ratio(lock_ratio(ranking, g))}"
                      for g in gates)
    return (f"This run did not resolve one locked instruction per "
            f"operation (the one-lock control was not slower: {where}), so "
            "it cannot speak about single-barrier differences.")


def _barrier_blind(ranking: Ranking, pick: str, under: str) -> str:
    """The recommendation when the gate failed and the pick has no
    verdict left that does not rest on a single barrier."""
    unresolved = sorted({s.scenario for s in ranking.scenarios
                         for c in s.vs_baseline.values()
                         if c.verdict == UNRESOLVED})
    return (_gate_text(ranking) + f" It cannot say whether any variant safe"
            f" under {under} is faster or slower than {ranking.baseline} by"
            " fences, locked RMWs or memory orders (those comparisons are "
            f"'{UNRESOLVED}' in {', '.join(unresolved) or 'no scenario'}), "
            "so it recommends nothing on speed; repeat it on a quieter "
            "machine.")


def recommendation(ranking: Ranking, safety: Mapping[str, Safety],
                   environment: Mapping[str, object], semantics: str,
                   quick: bool, compilers: str = "", builds: str = "") -> str:
    """The generated "Recommendation" paragraph."""
    base = ranking.baseline
    eligible = _eligible(ranking, safety)
    pick = _pick(ranking, eligible)
    under = _decisive_label()
    decisive = ",".join(m.name for m in memory_models.decisive())
    faster = [] if pick is None or pick == base else [
        s.scenario for s in ranking.scenarios if pick in s.vs_baseline
        and s.vs_baseline[pick].verdict == "faster"]
    if pick is None:
        text = (f"No measured variant has a {under} verdict of safe (is "
                f"check.json missing, or was {decisive} not checked?), so "
                "this report recommends nothing.")
    elif ranking.barrier_resolved is False and not faster:
        text = _barrier_blind(ranking, pick, under)
    elif pick == base:
        text = (f"Keep the baseline {base}: no variant that is safe under "
                f"{under} ranks ahead of it. " + "; ".join(
                    _scenario_clause(s, base, base)
                    for s in ranking.scenarios if base in s.order) + ".")
    else:
        clauses = "; ".join(_scenario_clause(s, pick, base)
                            for s in ranking.scenarios if pick in s.order)
        if faster:
            text = (f"Fastest variant safe under {under}: {pick}, measurably "
                    f"faster than {base} in {', '.join(faster)}. Against "
                    f"the baseline (time ratio, lower is faster): "
                    f"{clauses}.")
            if ranking.barrier_resolved is False:
                text = (_gate_text(ranking) + " Only differences in system "
                        "calls per operation are claimed. " + text)
        else:
            text = (f"No variant safe under {under} is measurably faster than "
                    f"{base} (beyond ±{fmt_pct(ranking.delta)}) in any "
                    f"scenario, so these numbers give no speed reason to "
                    f"change the code. Best point estimate: {pick}; "
                    f"against the baseline (time ratio, lower is faster): "
                    f"{clauses}.")
    return text + " " + caveats(ranking, environment, semantics, quick,
                                compilers, builds)


def caveats(ranking: Ranking, environment: Mapping[str, object],
            semantics: str, quick: bool, compilers: str = "",
            builds: str = "") -> str:
    parts = [f"Caveats: measured on one machine ({machine_label(environment)}"
             "); other CPUs, aarch64 in particular, may rank differently "
             "(see the instruction census).",
             "No checker results: safety is unknown." if semantics ==
             NO_CHECKS else "Safety verdicts assume eventfd syscalls "
             f"behave as {semantics} (README: What the checker assumes).",
             "Differences below the minimum detectable effect could not be "
             "resolved."]
    if compilers:
        parts.append("The verdict depends on the compiler: " + compilers)
    if builds:
        parts.append("On AArch64 (armv8, the emitted code): " + builds)
    if ranking.barrier_resolved is None:
        parts.append("No one-lock control: whether this run resolves one "
                     "barrier per operation is not known.")
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


# ------------------------------------------------------------- weakest


def weakest_sentence(entry, baseline: str) -> str:
    """One weakest safe ordering: where it ranks, its time against the
    baseline and its census, per scenario and architecture."""
    places = "; ".join(
        f"{sc}: #{entry.rank[sc]} of {entry.of}"
        + (f", {change(entry.ratio[sc])} than {baseline}"
           if entry.ratio.get(sc) is not None else "")
        for sc in entry.rank)
    base = entry.baseline_census or {}
    census = ", ".join(
        f"{arch} " + "/".join(census_counts(total))
        + (f" ({baseline} " + "/".join(census_counts(base[arch])) + ")"
           if base.get(arch) else "")
        for arch, total in entry.census.items() if total)
    return (f"{entry.name}: a weakest safe ordering of {entry.base} (no "
            "site can be weakened one step and stay safe under every "
            f"model checked).  {places or 'not timed'}."
            + (f"  Census F/R/A: {census}." if census else ""))
