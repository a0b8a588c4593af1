"""Self-validation arms: the one place that knows how they are named.

The bench adds the baseline a second time as `<baseline>~aa` (A/A: the
same code loaded twice, must not come out different) and with a known
extra delay as `<baseline>~slow` (positive control, must come out
slower).  "~" cannot occur in a variant name (variants.check_name).
"""

from __future__ import annotations

AA_SUFFIX, SLOW_SUFFIX = "~aa", "~slow"


def is_control(name: str) -> bool:
    return "~" in name


def base_name(name: str) -> str:
    """The variant a control arm was made from (a variant: itself)."""
    return name.split("~", 1)[0]
