"""The registry of memory models: the one place that lists them.

Everything that needs to know which models exist reads REGISTRY: the
variant specs ([expect] keys), the checker (models/ loads the
implementation named here), the CLI choices, the verdict matrix (cost:
slow checks start first), the litmus runner (expected.csv columns) and
every report renderer (one column per model, in registry order).

Adding a model is one entry here plus its module, which defines MODEL
(an object implementing checker.memory.MemoryModel).  Registry order is
weakest last: for the same program, SC outcomes are a subset of x86-TSO
outcomes, which are a subset of C11 (RC11) ones.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from . import registry
from .errors import CheckerError


@dataclass(frozen=True)
class ModelInfo:
    name: str           # CLI, JSON and table key: "sc"
    label: str          # in prose: "x86-TSO"
    column: str         # column of a litmus directory's expected.csv
    summary: str        # what it models, one line
    module: str         # implementation (defines MODEL), loaded on use
    cost: float         # relative time of one check, to start slow first
    # A variant is recommended only when every decisive model calls it
    # safe: C11 is the language, so its verdict implies the compiled
    # x86-64 (TSO) and SC ones (the standard mappings are sound).
    decisive: bool = False
    # Machines (uname -m) whose hardware runs the code as this model says:
    # a variant declared safe under it that hangs there contradicts it.
    hardware: tuple[str, ...] = ()
    # Peak RSS growth per explored state, measured on the largest shipped
    # checks (c11 with --engine compact, explore.ENGINES:
    # 710 bytes for qemu-5.2's 209095 states in the default scenario,
    # 950 for its 3 million with --pollers 2, whose breadth-first
    # frontier of whole states is wider; sc and tso with --pollers 2,
    # 88k and 481k states; armv8: 7,800 bytes for qemu-5.2's 389,534
    # states as gcc-v8.1 builds it (3.08 GB peak); Python 3.11, x86-64):
    # for the memory estimate of --max-states in --help.
    bytes_per_state: int = 1000
    # Programs it reads: "c11" (C with C11 atomics: variants, C litmus
    # tests) and/or "aarch64" (instructions: AArch64 litmus tests, the
    # compiled protocol lifted by checker/aarch64/lifter.py).
    isas: tuple[str, ...] = ("c11",)

    def load(self):
        return importlib.import_module(self.module).MODEL


REGISTRY: tuple[ModelInfo, ...] = (
    ModelInfo("sc", "SC", "SC",
              "sequential consistency: every interleaving, one memory",
              "evaluator.checker.models.sc", cost=1, bytes_per_state=600,
              isas=("c11", "aarch64")),
    ModelInfo("tso", "x86-TSO", "TSO",
              "the C as compiled for x86-64: FIFO store buffers, locked "
              "RMWs and MFENCE drain them",
              "evaluator.checker.models.tso", cost=2,
              hardware=("x86_64", "amd64"), bytes_per_state=650),
    ModelInfo("c11", "C11", "C11",
              "C11 as RC11 (Lahav et al., PLDI 2017): a seq_cst RMW is not "
              "a fence", "evaluator.checker.models.rc11", cost=100,
              decisive=True, bytes_per_state=1000),
    ModelInfo("armv8", "ARMv8", "ARMv8",
              "AArch64 instructions as herd7's aarch64.cat: the compiled "
              "build, not the C", "evaluator.checker.models.armv8",
              cost=300, hardware=("aarch64", "arm64"),
              bytes_per_state=8000, isas=("aarch64",)),
)


def names(isa: str | None = "c11") -> tuple[str, ...]:
    """Models that read `isa` programs, in registry order: by default
    those of C (variant specs, verdict tables); None for every model."""
    return tuple(entry.name for entry in REGISTRY
                 if isa is None or isa in entry.isas)


def reads(name: str, isa: str) -> bool:
    """Does model `name` read `isa` programs?  An unregistered model
    (a test's stand-in) reads C."""
    known = {entry.name: entry.isas for entry in REGISTRY}
    return isa in known.get(name, ("c11",))


def info(name: str) -> ModelInfo:
    return registry.find(REGISTRY, name, "memory model", CheckerError)


def decisive() -> tuple[ModelInfo, ...]:
    return tuple(entry for entry in REGISTRY if entry.decisive)
