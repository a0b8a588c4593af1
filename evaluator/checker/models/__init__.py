"""Memory model implementations behind checker.memory.MemoryModel.

Which models exist, which programs each reads, and in which module each
lives, is the registry's business (evaluator/memory_models.py); this
package holds the modules and loads them by name.
"""

from __future__ import annotations

from ... import memory_models
from ..memory import MemoryModel


def available(isa: str | None = "c11") -> tuple[str, ...]:
    """Registered models that read `isa` programs ("c11": C variants
    and C litmus tests; "aarch64": instructions; None: every model),
    weakest last."""
    return memory_models.names(isa)


def get_model(name: str) -> MemoryModel:
    return memory_models.info(name).load()
