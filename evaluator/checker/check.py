"""Check one rendered variant under one memory model.

Entry points: `compile_variant(rendered, options) -> Program` (front end
+ scenario; shared by every model) and `check_variant(rendered, model,
options) -> CheckResult` (pure: same inputs, same verdict and trace,
except that a time limit depends on the machine).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable

from ..errors import CheckerError, ModelBound
from ..paths import find_project
from ..render import RenderedVariant
from . import readings
from .explore import DEFAULT_ENGINE, ENGINES, Explorer
from .frontend import parse_c
from .ir import Program
from .limits import DEFAULT_MAX_STATES, EVENTS_KIND, Budget, LimitHit
from .memory import MemoryModel
from .models import get_model
from .properties import PROPERTIES, standard
from .results import SAFE, UNKNOWN, UNSAFE, CheckResult, Violation
from .scenario import Scenario, build_program
from .trace import Renderer

__all__ = ["CheckOptions", "CheckResult", "Violation", "SAFE", "UNSAFE",
           "UNKNOWN", "check_program", "check_variant", "compile_variant"]


@dataclass(frozen=True)
class CheckOptions:
    scenario: Scenario = field(default_factory=Scenario)
    syscalls: str = "acq_rel"           # or "full-fence" (DESIGN §5)
    max_states: int = DEFAULT_MAX_STATES   # states + continuation steps
    timeout: float | None = None        # seconds per check, every phase
    cc: str = readings.CHECK_DEFAULT    # compiler reading (readings.py)
    all_violations: bool = False        # False: stop at the first one
    csrc: Path | None = None            # default: the project's csrc/
    engine: str = DEFAULT_ENGINE        # explore.ENGINES
    workers: int = 1                    # processes for one tree search

    def __post_init__(self) -> None:
        readings.get(self.cc)           # fail early on a bad reading
        if self.workers < 1:
            raise CheckerError(f"workers = {self.workers}",
                               hint="give at least 1 process")
        if self.engine not in ENGINES:
            raise CheckerError(f"engine = {self.engine!r}",
                               hint="one of: " + ", ".join(ENGINES))

    def csrc_dir(self) -> Path:
        return self.csrc if self.csrc is not None else find_project().csrc

    def budget(self) -> Budget:
        return Budget(self.max_states, self.timeout)


@functools.lru_cache(maxsize=64)
def _compile(text: str, filename: str, csrc: Path, scenario: Scenario,
             syscalls: str, cc: str) -> Program:
    unit = parse_c(text, filename, csrc)
    return build_program(unit, scenario, syscalls, cc)


def compile_variant(rendered: RenderedVariant,
                    options: CheckOptions = CheckOptions()) -> Program:
    """The variant's threads as IR (cached: every model shares it)."""
    return _compile(rendered.text, rendered.filename,
                    options.csrc_dir().resolve(), options.scenario,
                    options.syscalls, options.cc)


def check_program(name: str, program: Program, model: MemoryModel,
                  options: CheckOptions = CheckOptions(),
                  progress: Callable[[int], None] | None = None
                  ) -> CheckResult:
    budget = options.budget()
    searching = False
    try:
        explorer = Explorer(program, model, budget=budget,
                            engine=options.engine,
                            workers=options.workers)
        checks, ghost = standard(model, options.scenario.busy_iterations,
                                 marked=bool(program.marks))
        searching = True
        search = explorer.search(checks, progress, ghost,
                                 stop_at_first=not options.all_violations)
    except ModelBound as exc:
        return _bounded(name, program, model, options, budget,
                        budget.phase if searching else "model set-up", exc)
    renderer = Renderer(explorer)
    violations = tuple(
        Violation(prop, renderer.render(search, search.findings[prop]))
        for prop in PROPERTIES if prop in search.findings)
    if violations:
        verdict = UNSAFE        # shown, whatever stopped the search later
    else:
        verdict = UNKNOWN if search.limit is not None else SAFE
    return CheckResult(
        variant=name, model=model.name, syscalls=program.syscalls,
        verdict=verdict, violations=violations, explored=search.explored,
        cut=search.cut, seconds=search.seconds,
        scenario=options.scenario.describe(), cc=program.reading,
        limit=search.limit, complete=search.complete, steps=search.steps)


def _bounded(name: str, program: Program, model: MemoryModel,
             options: CheckOptions, budget: Budget, phase: str,
             exc: ModelBound) -> CheckResult:
    """A bound of the model or of the checker's local runs (not the
    search budget) stopped the check: nothing was shown either way, so
    the verdict is unknown, as for a search limit, and the other cells
    keep theirs."""
    seconds = budget.elapsed()
    limit = LimitHit(EVENTS_KIND, phase, exc.render(), budget.states,
                     budget.steps, 0, seconds)
    return CheckResult(
        variant=name, model=model.name, syscalls=program.syscalls,
        verdict=UNKNOWN, violations=(), explored=budget.states, cut=0,
        seconds=seconds, scenario=options.scenario.describe(),
        cc=program.reading, limit=limit, complete=False,
        steps=budget.steps)


def check_variant(rendered: RenderedVariant, model: str | MemoryModel,
                  options: CheckOptions = CheckOptions(),
                  progress: Callable[[int], None] | None = None
                  ) -> CheckResult:
    """Model-check one variant: every property, one memory model."""
    if isinstance(model, str):
        model = get_model(model)
    program = compile_variant(rendered, options)
    return check_program(rendered.name, program, model, options, progress)
