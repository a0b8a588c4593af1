"""Options and helpers shared by several subcommands: declared once here,
so `evaluate` (the pipeline) and `evaluate bench` cannot drift apart."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, replace
from pathlib import Path

from .. import memory_models
from ..bench import BenchConfig, scenarios
from ..build import targets
from ..build.compile import COMPILERS
from ..errors import EvaluateError, UnknownVariantError
from ..paths import ProjectPaths, find_project
from ..variants import (BASELINE, Variant, load_variants, parse_variant,
                        select)
from .progress import warn


def add_root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root", type=Path, default=None, metavar="DIR",
        help="project directory holding variants/, templates/, csrc/ "
             "(default: $EVALUATE_ROOT, else this checkout)")


def add_variants(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--variants", default="all", metavar="all|A,B",
        help="which variants: 'all' or comma-separated names "
             "(see 'evaluate list'); default: all")


def add_models(parser: argparse.ArgumentParser) -> None:
    instructions = [m for m in memory_models.names(None)
                    if not memory_models.reads(m, "c11")]
    parser.add_argument(
        "--models", default=None, metavar="A,B",
        help="memory models (default: those of C: "
             + ",".join(memory_models.names()) + "; "
             + ",".join(instructions) + " checks the instructions each "
             "of --builds emitted, one column per build)")


def add_builds(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument(
        "--builds", default=None, metavar="all|none|A,B",
        help="AArch64 builds whose emitted code armv8 checks: "
             + ", ".join(f"{t.name} ({t.summary})" for t in targets.TARGETS)
             + f"; 'all' is those whose compiler is installed (default "
             f"{default})")


def parse_builds(text: str) -> tuple[tuple[targets.BuildTarget, ...],
                                     tuple[str, ...]]:
    """--builds: the chosen builds and notes on those left out ('all'
    leaves out a build whose compiler is not installed; naming it is an
    error)."""
    if text == "none":
        return (), ()
    if text == "all":
        return targets.installed()
    chosen = tuple(targets.get(name) for name in
                   split_list(text, targets.names(), "build"))
    for target in chosen:
        missing = targets.missing_tools(target)
        if missing:
            raise EvaluateError(
                f"--builds {target.name}: {', '.join(missing)} not found",
                hint="install gcc-aarch64-linux-gnu and "
                     "binutils-aarch64-linux-gnu (and clang for the clang "
                     "builds), or leave it out")
    return chosen, ()


def add_bench_options(parser: argparse.ArgumentParser,
                      budget_help: str) -> None:
    """What the pipeline and `evaluate bench` both pass to the bench."""
    parser.add_argument("--scenarios", default=",".join(scenarios.names()),
                        metavar="A,B",
                        help="benchmark scenarios (default: all: "
                             + ",".join(scenarios.names()) + ")")
    parser.add_argument("--budget", type=float, default=None,
                        metavar="SECONDS", help=budget_help)
    parser.add_argument("--processes", type=int, default=None, metavar="N",
                        help="processes per scenario (default: as many as "
                             "the budget allows, 10 measured batches each)")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed of the batch order and the bootstrap "
                             "(default: random, recorded)")
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="run directory (default: reports/<run-id>/)")
    parser.add_argument("--cc", choices=COMPILERS, default="gcc",
                        help="compiler of the benchmark (default gcc)")
    parser.add_argument("--cpus", default=None, metavar="A,B",
                        help="CPU pair: producer on A, poller on B "
                             "(default: the first two allowed CPUs)")
    parser.add_argument("--baseline", default=BASELINE, metavar="NAME",
                        help=f"ratios and controls use it (default "
                             f"{BASELINE})")
    parser.add_argument("--watchdog", type=float, default=2.0,
                        metavar="SECONDS",
                        help="a batch without progress this long is hung "
                             "(default 2)")


def given(value, default):
    """An option's value, or its default when it was not given: never
    `value or default`, which would let --budget 0 mean the default
    instead of being refused."""
    return default if value is None else value


def project(args: argparse.Namespace) -> ProjectPaths:
    return find_project(getattr(args, "root", None))


@dataclass(frozen=True)
class Selection:
    """The variants a command works on, loaded once."""

    paths: ProjectPaths
    catalog: dict[str, Variant]     # every spec of the project
    chosen: list[Variant]           # --variants, in the order given

    def with_baseline(self, baseline: str) -> Selection:
        """The baseline first if it was not chosen: every ratio and
        control is against it."""
        base = one_variant(self.catalog, baseline, "--baseline")
        if base in self.chosen:
            return self
        return replace(self, chosen=[base, *self.chosen])


def one_variant(catalog: dict[str, Variant], name: str,
                what: str) -> Variant:
    """A single variant by name (not 'all', not a list)."""
    chosen = select(catalog, name)
    if len(chosen) != 1 or name.strip() == "all":
        raise UnknownVariantError(
            f"{what} takes one variant name, not {name!r}",
            hint="known: " + ", ".join(catalog))
    return chosen[0]


def variant_or_spec(catalog: dict[str, Variant], name: str,
                    what: str) -> Variant:
    """A variant by name, or a spec file given by its path (a variant
    that evaluate weaken wrote into a run directory).  Anything that
    looks like a path is read as one, so a missing or unreadable file is
    named as such, not taken for a bad variant name."""
    path = Path(name)
    if name.endswith(".toml") or "/" in name:
        return parse_variant(path, {n: v.path for n, v in catalog.items()
                                    if n != path.stem})
    return one_variant(catalog, name, what)


def chosen_variants(args: argparse.Namespace) -> Selection:
    paths = project(args)
    catalog = load_variants(paths.variants)
    return Selection(paths, catalog, select(catalog, args.variants))


def bench_config(args: argparse.Namespace, selection: Selection, *,
                 aa: bool, positive_control: bool,
                 budget: float) -> BenchConfig:
    """The BenchConfig of the options add_bench_options declared."""
    return BenchConfig(
        paths=selection.paths, variants=tuple(selection.chosen),
        scenarios=parse_scenarios(args.scenarios), budget=budget,
        processes=args.processes, seed=args.seed, out=args.out, cc=args.cc,
        aa=aa, positive_control=positive_control,
        positive_lock=positive_control, baseline=args.baseline,
        cpus=parse_cpus(args.cpus), command_line=tuple(args.argv),
        watchdog_s=args.watchdog)


def chosen_builds(models: list[str], text: str | None
                  ) -> tuple[targets.BuildTarget, ...]:
    """The builds a model of instructions (armv8) checks; none when no
    such model was asked for."""
    wanted = [m for m in models if not memory_models.reads(m, "c11")]
    if not wanted:
        if text not in (None, "none"):
            others = [m for m in memory_models.names(None)
                      if not memory_models.reads(m, "c11")]
            raise EvaluateError(f"--builds {text} without a model that "
                                "reads instructions",
                                hint="--models " + ",".join(models + others))
        return ()
    builds, notes = parse_builds(text or "all")
    for note in notes:
        warn(f"AArch64 build left out: {note}")
    if not builds:
        why = "--builds none" if text == "none" else "; ".join(notes)
        raise EvaluateError(
            f"--models {','.join(wanted)} checks AArch64 builds, and none "
            f"is left ({why})",
            hint="install gcc-aarch64-linux-gnu and "
                 "binutils-aarch64-linux-gnu, or leave "
                 + ",".join(wanted) + " out of --models")
    return builds


def parse_models(text: str | None) -> list[str]:
    """--models: any registered models; by default those of C."""
    if not text:
        return list(memory_models.names())
    return split_list(text, memory_models.names(None), "memory model")


def parse_scenarios(text: str) -> tuple[str, ...]:
    return tuple(split_list(text, scenarios.names(), "scenario"))


def parse_cpus(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    parts = text.split(",")
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        raise EvaluateError(f"--cpus {text!r} is not two CPU numbers",
                            hint="e.g. --cpus 0,1")
    return int(parts[0]), int(parts[1])


def split_list(text: str, allowed: tuple[str, ...], what: str) -> list[str]:
    """Parse 'a,b' against a closed list of names."""
    items = [part.strip() for part in text.split(",") if part.strip()]
    for item in items:
        if item not in allowed:
            raise EvaluateError(f"unknown {what} {item!r}",
                                hint="valid: " + ", ".join(allowed))
    if not items:
        raise EvaluateError(f"no {what} given",
                            hint="valid: " + ", ".join(allowed))
    return items


def parse_delta(text: str) -> float:
    """'1%' or '0.01' -> 0.01."""
    raw = text.strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"delta {text!r} is not a number (give 1% or 0.01)") from None
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(
            f"delta {text!r} out of range (give e.g. 1% or 0.01)")
    return value
