"""Self-validation arms: the one place that knows how they are named.

The bench adds the baseline three more times, each as its own shared
object named `<baseline><suffix>`:

  ~aa    A/A: the same code loaded twice; must not come out different;
  ~slow  positive control: a known extra delay per schedule (a chain of
         dependent volatile stores and loads); must come out slower;
  ~lock  positive control of ONE locked instruction: exactly one extra
         locked RMW per schedule on a cache line of its own; whether it
         comes out slower says whether the run can resolve a single
         barrier (a fence or locked RMW costs about as much).

"~" cannot occur in a variant name (variants.check_name).  CONTROLS is
the registry every stage reads: the bench (which arms to build), the
statistics (what each must show) and the report (how to name them).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Control:
    kind: str           # report.json's self_validation "kind"
    suffix: str         # appended to the baseline's name
    label: str          # what the report calls it
    expected: str       # what a trustworthy run shows


AA = Control("aa", "~aa", "A/A control (the baseline loaded twice)",
             "equivalent or inconclusive")
DELAY = Control("positive", "~slow",
                "Positive control (baseline + injected delay)", "slower")
LOCK = Control("positive-lock", "~lock",
               "One-lock control (baseline + one locked RMW per op)",
               "slower")
CONTROLS = (AA, DELAY, LOCK)

AA_SUFFIX, SLOW_SUFFIX, LOCK_SUFFIX = AA.suffix, DELAY.suffix, LOCK.suffix


def is_control(name: str) -> bool:
    return "~" in name


def base_name(name: str) -> str:
    """The variant a control arm was made from (a variant: itself)."""
    return name.split("~", 1)[0]


def control_of(name: str) -> Control | None:
    """The registry entry of a control arm's name (None: a variant)."""
    for control in CONTROLS:
        if name.endswith(control.suffix):
            return control
    return None


def arm_name(baseline: str, control: Control) -> str:
    return baseline + control.suffix
