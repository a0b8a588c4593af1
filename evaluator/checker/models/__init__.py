"""Memory models behind the one interface of ../memory.py, by name.

`sc` and `tso` always exist; `c11` (RC11, models/rc11.py) is imported
lazily so the rest of the checker works while it is being written.
"""

from __future__ import annotations

import importlib

from ...errors import CheckerError
from ..memory import MemoryModel

# name -> module (relative to this package) defining MODEL
MODULES = {"sc": ".sc", "tso": ".tso", "c11": ".rc11", "armv8": ".armv8"}
ORDER = ("sc", "tso", "c11", "armv8")  # C models weakest last; armv8 reads AArch64


def _import(name: str):
    module = MODULES[name]
    try:
        return importlib.import_module(module, __package__)
    except ModuleNotFoundError as exc:
        if exc.name == __package__ + module:
            return None
        raise


def available() -> tuple[str, ...]:
    """Names of the models that are installed, in ORDER."""
    return tuple(name for name in ORDER if _import(name) is not None)


def get_model(name: str) -> MemoryModel:
    if name not in MODULES:
        raise CheckerError(f"unknown memory model {name!r}",
                           hint="valid: " + ", ".join(ORDER))
    module = _import(name)
    if module is None:
        raise CheckerError(f"memory model {name!r} is not available yet",
                           hint="available: " + ", ".join(available()))
    return module.MODEL
