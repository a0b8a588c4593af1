"""Memory model implementations behind checker.memory.MemoryModel.

Which models exist, and in which module each lives, is the registry's
business (evaluator/memory_models.py); this package holds the modules
and loads them by name.
"""

from __future__ import annotations

from ... import memory_models
from ..memory import MemoryModel


def available() -> tuple[str, ...]:
    """Every registered model, weakest last."""
    return memory_models.names()


def get_model(name: str) -> MemoryModel:
    return memory_models.info(name).load()
