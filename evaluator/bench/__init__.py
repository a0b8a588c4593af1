"""Stage: time the variants in contended loops (DESIGN §6).

Takes a BenchConfig (variants, scenarios, budget, controls) and gives a
run directory whose samples.jsonl holds the environment, the census,
every timed batch and every fault (samples.py).  Modules: config
(BenchConfig, Arm), scenarios (the scenario registry, with each
scenario's one-operation path), run (run_bench: build, census,
calibrate, measure), dynamic (what one operation executes, from the
checker's IR), schedule (calibration and the order of processes),
harness (one harness process), environment (machine facts).
"""

from .config import BenchConfig
from .run import run_bench

__all__ = ["BenchConfig", "run_bench"]
