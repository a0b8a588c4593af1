"""Stage: benchmark the variants in contended loops (DESIGN §6).

Blocked design: every harness process runs every selected variant of one
scenario, in batches whose order is shuffled per round with a seeded RNG;
the first rounds are warm-up.  The batch size is calibrated once per run
and scenario (one extra process) so a batch lasts a few ms, the same
number of operations for every variant.  The process is the statistical
unit, so the budget buys many short processes rather than long ones.

A variant that hangs or fails the harness's correctness check in a
process is reported as a fault and left out of the later processes of
that scenario; the run goes on.  Before any timing, each arm's static
census (build/census.py) and dynamic census (dynamic.py) are recorded.
Every sample is appended to <run>/samples.jsonl as soon as it arrives.
Entry point: run_bench().
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from ..build.census import census_flags, census_variant
from ..build.compile import (HARNESS_FLAGS, HARNESS_LIBS, SHARED_FLAGS, Build,
                             Toolchain, build_harness, build_variant,
                             copy_build, default_cache, find_toolchain,
                             profile, variant_flags)
from .. import paths
from ..controls import AA, DELAY, LOCK, arm_name
from ..errors import BenchError, EvaluateError, RunInterrupted, Terminated
from ..render import RenderedVariant, render_variant
from ..samples import RUNNING_FILE, Ending, append_end, append_records
from . import scenarios
from .config import Arm, BenchConfig
from .dynamic import dynamic_census
from .environment import choose_cpus, default_march, machine_facts, run_facts
from .harness import remove_stale_copies
from .schedule import SETTLE_FRACTION, RunState, calibrate, measure_all

# csrc/aio_protocol.c: one more locked RMW per qemu_bh_schedule.
LOCK_DEFINE = "EVALUATE_EXTRA_LOCK"
SYSCALL_COUNT_METHOD = (
    "every write(2) and read(2) call on the eventfd by the producer and "
    "poller threads inside the timed window, whether or not it moved data "
    "(one read drains an eventfd; EINTR retries count); ppoll not counted")
Progress = Callable[[str], None]


# ---- preparation --------------------------------------------------------

def prepare(config: BenchConfig, toolchain: Toolchain, cache: Path
            ) -> tuple[list[Arm], list[dict], list[dict]]:
    """Build every arm's shared object and take its static and dynamic
    census."""
    arms, census, dynamic = [], [], []
    for variant in config.variants:
        rendered = render_variant(variant, config.paths)
        build = build_variant(rendered, config.paths, toolchain, cache=cache,
                              build_profile=config.build_profile)
        arms.append(Arm(variant.name, build.library))
        census.append(census_variant(rendered, config.paths, toolchain,
                                     cache=cache,
                                     build_profile=config.build_profile))
        dynamic.append(dynamic_record(config, rendered, toolchain))
        if variant.name == config.baseline:
            arms_c, census_c, dynamic_c = _controls(
                config, rendered, build, toolchain, cache, census[-1],
                dynamic[-1])
            arms += arms_c
            census += census_c
            dynamic += dynamic_c
    return arms, census, dynamic


def dynamic_record(config: BenchConfig, rendered: RenderedVariant,
                   toolchain: Toolchain, name: str | None = None,
                   defines: Sequence[str] = ()) -> dict:
    """The dynamic census of one arm; a variant the checker's front end
    cannot read (a test fixture that crashes on purpose) gets the reason
    instead, and the run goes on."""
    try:
        return dynamic_census(rendered, config.paths.csrc, name=name,
                              defines=defines, compiler=toolchain.cc,
                              scenario_names=config.scenarios)
    except EvaluateError as exc:
        return {"variant": name or rendered.name, "error": str(exc)}


def _controls(config: BenchConfig, rendered: RenderedVariant, build: Build,
              toolchain: Toolchain, cache: Path, base_census: dict,
              base_dynamic: dict
              ) -> tuple[list[Arm], list[dict], list[dict]]:
    """<baseline>~aa (the same object, another file), <baseline>~slow (the
    baseline with EVALUATE_EXTRA_DELAY) and <baseline>~lock (with
    EVALUATE_EXTRA_LOCK: one more locked RMW per schedule)."""
    arms, census, dynamic = [], [], []
    if config.aa:
        name = arm_name(rendered.name, AA)
        arms.append(Arm(name, copy_build(build, name, cache).library))
        census.append({**base_census, "variant": name})
        dynamic.append({**base_dynamic, "variant": name})
    built = ((config.positive_control, DELAY,
              [f"EVALUATE_EXTRA_DELAY={config.extra_delay}"]),
             (config.positive_lock, LOCK, [f"{LOCK_DEFINE}=1"]))
    for wanted, control, defines in built:
        if not wanted:
            continue
        name = arm_name(rendered.name, control)
        arm = build_variant(rendered, config.paths, toolchain, name=name,
                            defines=defines, cache=cache,
                            build_profile=config.build_profile)
        arms.append(Arm(name, arm.library))
        census.append(census_variant(rendered, config.paths, toolchain,
                                     name=name, defines=defines, cache=cache,
                                     build_profile=config.build_profile))
        dynamic.append(dynamic_record(config, rendered, toolchain, name,
                                      defines))
    return arms, census, dynamic


def environment_record(config: BenchConfig, toolchain: Toolchain,
                       cpus: tuple[int, int], seed: int,
                       arms: Sequence[Arm]) -> dict:
    flags = [*variant_flags(toolchain.cc,
                            build_profile=config.build_profile),
             *SHARED_FLAGS]
    positive = ({"variant": arm_name(config.baseline, DELAY),
                 "extra_delay_iterations": config.extra_delay}
                if config.positive_control else None)
    lock = ({"variant": arm_name(config.baseline, LOCK),
             "define": LOCK_DEFINE,
             "what": "one extra __atomic_fetch_add(seq_cst) per "
                     "qemu_bh_schedule on a private 128-byte-aligned line "
                     "(x86-64: one lock add)"}
            if config.positive_lock else None)
    chosen = profile(config.build_profile)
    return {
        **machine_facts(cpus),
        **run_facts(config.paths.root, seed, config.command_line),
        "compiler": {"cc": toolchain.cc, "path": toolchain.path,
                     "version": toolchain.version, "flags": flags,
                     "build_profile": chosen.name,
                     "build_meaning": chosen.meaning,
                     "default_march": (default_march(toolchain.path)
                                       if toolchain.cc == "gcc" else None),
                     "harness_flags": [*HARNESS_FLAGS, *HARNESS_LIBS]},
        "census_compilers": census_flags(toolchain, config.build_profile),
        "bench": {
            "scenarios": list(config.scenarios),
            "cores_used": {s: list(cpus[:scenarios.info(s).threads])
                           for s in config.scenarios},
            "threads": "producer/timer on cpu_pair[0], poller on "
                       "cpu_pair[1]; self-resched: one thread",
            "variants": [arm.name for arm in arms],
            "baseline": config.baseline,
            "aa": config.aa,
            "positive_control": positive,
            "positive_lock": lock,
            "budget_s": config.budget,
            "processes": config.processes,
            "rounds": config.rounds,
            "warmup_batches": config.warmup,
            "batch_target_ms": config.batch_ms,
            "settle_ops": f"ops/{SETTLE_FRACTION} untimed before each batch",
            "watchdog_s": config.watchdog_s,
            "self_resched_blocking": False,
            "syscall_count_method": SYSCALL_COUNT_METHOD,
            "layout": "each process dlopens fresh copies of the shared "
                      "objects (new page-cache pages), so a physical-layout "
                      "accident of one file is not a fixed variant effect",
        },
    }


# ---- entry point --------------------------------------------------------

def run_bench(config: BenchConfig, progress: Progress | None = None) -> Path:
    """Build, calibrate and run the benchmark; returns the run directory
    (its samples.jsonl holds environment, census, samples and faults)."""
    say = progress or (lambda text: None)
    started = time.monotonic()
    remove_stale_copies()
    toolchain = find_toolchain(config.cc)
    cache = config.cache or default_cache(config.paths)
    cpus = choose_cpus(config.cpus)
    seed = config.seed if config.seed is not None else secrets.randbelow(2**31)
    say("building variants and the harness")
    arms, census, dynamic = prepare(config, toolchain, cache)
    binary = build_harness(config.paths, toolchain, cache)
    run_dir = paths.run_dir(config.paths.reports, config.out)
    run = RunState(config, binary, cpus, seed, run_dir / "samples.jsonl",
                   started + config.budget)
    append_records(run.samples, "environment",
                   [environment_record(config, toolchain, cpus, seed, arms)])
    append_records(run.samples, "census", census)
    append_records(run.samples, "dynamic", dynamic)
    say(f"writing {run.samples}")
    running = run_dir / RUNNING_FILE
    running.write_text(f"{os.getpid()}\n")
    try:
        _measure(run, arms, say)
    except KeyboardInterrupt as stop:    # Ctrl-C, or SIGTERM (Terminated)
        reason = "SIGTERM" if isinstance(stop, Terminated) else "Ctrl-C"
        seconds = time.monotonic() - started
        append_end(run.samples, Ending("interrupted", reason, seconds))
        raise RunInterrupted(
            f"interrupted ({reason}) after {seconds:.0f} s; every finished "
            f"batch is kept in {run.samples}; rebuild the report with: "
            f"evaluate report {run_dir}") from None
    finally:
        running.unlink(missing_ok=True)
    append_end(run.samples, Ending("complete", "",
                                   time.monotonic() - started))
    _require_baseline(run)
    return run_dir


def _require_baseline(run: RunState) -> None:
    """Every ratio is against the baseline: a run without a batch of it
    cannot be ranked, so say why here rather than fail in the report."""
    base = run.config.baseline
    if run.measured[base]:
        return
    hung = [f"{f.scenario}: {f.kind}" for f in run.faults
            if f.variant == base]
    why = ("it faulted: " + "; ".join(dict.fromkeys(hung)) if hung else
           f"the {run.config.budget:.0f} s budget ran out before any of "
           "its measured batches")
    raise BenchError(f"the baseline {base} has no measured batch: {why}",
                     path=run.samples,
                     hint="the samples are kept; give a larger --budget or "
                          "another --baseline")


def _measure(run: RunState, arms: Sequence[Arm], say: Progress) -> None:
    cals = []
    for scenario in run.config.scenarios:
        say(f"calibrating {scenario}")
        cal = calibrate(run, scenario, arms)
        if cal is not None:
            cals.append(cal)
    measure_all(run, cals, say)
