"""Check one rendered variant under one memory model.

Entry points: `compile_variant(rendered, options) -> Program` (front end
+ scenario; shared by every model) and `check_variant(rendered, model,
options) -> CheckResult` (pure: same inputs, same verdict and trace).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..paths import find_project
from ..render import RenderedVariant
from .explore import Explorer
from .frontend import parse_c
from .ir import Program
from .memory import MemoryModel
from .models import get_model
from .properties import PROPERTIES, BusyLoop, LostWakeup
from .scenario import Scenario, build_program
from .trace import Renderer

SAFE, UNSAFE = "safe", "unsafe"


@dataclass(frozen=True)
class CheckOptions:
    scenario: Scenario = field(default_factory=Scenario)
    syscalls: str = "acq_rel"           # or "full-fence" (DESIGN §5)
    max_states: int = 2_000_000         # ~5 GB for C11 graphs
    csrc: Path | None = None            # default: the project's csrc/

    def csrc_dir(self) -> Path:
        return self.csrc if self.csrc is not None else find_project().csrc


@dataclass(frozen=True)
class Violation:
    property: str                       # one of properties.PROPERTIES
    trace: tuple[str, ...]


@dataclass(frozen=True)
class CheckResult:
    variant: str
    model: str
    syscalls: str
    verdict: str                        # "safe" | "unsafe"
    violations: tuple[Violation, ...]
    explored: int                       # distinct states
    cut: int                            # states where the poller hit its bound
    seconds: float
    scenario: str
    expected: str | None = None

    @property
    def contradicts(self) -> bool:
        """The verdict differs from the variant's declared expectation."""
        return self.expected is not None and self.expected != self.verdict

    def to_json(self) -> dict:
        return {
            "variant": self.variant, "model": self.model,
            "syscalls": self.syscalls, "verdict": self.verdict,
            "expected": self.expected,
            "violations": [{"property": v.property, "trace": list(v.trace)}
                           for v in self.violations],
            "explored": self.explored, "seconds": round(self.seconds, 3),
            "cut": self.cut, "scenario": self.scenario,
        }

    @classmethod
    def from_json(cls, data: dict) -> CheckResult:
        """The inverse of to_json (KeyError/TypeError/ValueError on a
        malformed record: results.read_results turns them into errors
        naming the file)."""
        violations = tuple(Violation(str(v["property"]),
                                     tuple(map(str, v["trace"])))
                           for v in data["violations"])
        return cls(variant=str(data["variant"]), model=str(data["model"]),
                   syscalls=str(data["syscalls"]),
                   verdict=str(data["verdict"]), violations=violations,
                   explored=int(data["explored"]), cut=int(data["cut"]),
                   seconds=float(data["seconds"]),
                   scenario=str(data["scenario"]),
                   expected=data.get("expected"))


@functools.lru_cache(maxsize=64)
def _compile(text: str, filename: str, csrc: Path, scenario: Scenario,
             syscalls: str) -> Program:
    unit = parse_c(text, filename, csrc)
    return build_program(unit, scenario, syscalls)


def compile_variant(rendered: RenderedVariant,
                    options: CheckOptions = CheckOptions()) -> Program:
    """The variant's threads as IR (cached: every model shares it)."""
    return _compile(rendered.text, rendered.filename,
                    options.csrc_dir().resolve(), options.scenario,
                    options.syscalls)


def check_program(name: str, program: Program, model: MemoryModel,
                  options: CheckOptions = CheckOptions(),
                  progress: Callable[[int], None] | None = None
                  ) -> CheckResult:
    explorer = Explorer(program, model, options.max_states)
    checks = (LostWakeup(), BusyLoop(options.scenario.busy_iterations))
    search = explorer.search(checks, progress)
    renderer = Renderer(explorer)
    violations = tuple(
        Violation(prop, renderer.render(search, search.findings[prop]))
        for prop in PROPERTIES if prop in search.findings)
    return CheckResult(
        variant=name, model=model.name, syscalls=program.syscalls,
        verdict=UNSAFE if violations else SAFE, violations=violations,
        explored=search.explored, cut=search.cut, seconds=search.seconds,
        scenario=options.scenario.describe())


def check_variant(rendered: RenderedVariant, model: str | MemoryModel,
                  options: CheckOptions = CheckOptions(),
                  progress: Callable[[int], None] | None = None
                  ) -> CheckResult:
    """Model-check one variant: every property, one memory model."""
    if isinstance(model, str):
        model = get_model(model)
    program = compile_variant(rendered, options)
    return check_program(rendered.name, program, model, options, progress)
