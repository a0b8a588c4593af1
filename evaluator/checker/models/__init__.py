"""Memory models behind the one interface of ../memory.py, by name.

`sc` and `tso` always exist; `c11` (RC11, models/rc11.py) is imported
lazily so the rest of the checker works while it is being written;
`armv8` (models/armv8.py) reads AArch64 programs only, so `available()`
lists it only when asked for them.
"""

from __future__ import annotations

import importlib

from ...errors import CheckerError
from ..memory import MemoryModel

# name -> module (relative to this package) defining MODEL
MODULES = {"sc": ".sc", "tso": ".tso", "c11": ".rc11", "armv8": ".armv8"}
ORDER = ("sc", "tso", "c11", "armv8")   # C: weakest last; armv8: AArch64


def _import(name: str):
    module = MODULES[name]
    try:
        return importlib.import_module(module, __package__)
    except ModuleNotFoundError as exc:
        if exc.name == __package__ + module:
            return None
        raise


def available(isa: str | None = "c11") -> tuple[str, ...]:
    """Names of the installed models, in ORDER, that read `isa`
    programs ("c11": C variants and C litmus tests, "aarch64":
    instructions; None: every model)."""
    out = []
    for name in ORDER:
        module = _import(name)
        if module is not None and (isa is None or isa in getattr(
                module.MODEL, "isas", ("c11",))):
            out.append(name)
    return tuple(out)


def get_model(name: str) -> MemoryModel:
    if name not in MODULES:
        raise CheckerError(f"unknown memory model {name!r}",
                           hint="valid: " + ", ".join(ORDER))
    module = _import(name)
    if module is None:
        raise CheckerError(f"memory model {name!r} is not available yet",
                           hint="available: " + ", ".join(available()))
    return module.MODEL
