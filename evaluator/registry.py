"""The lookup every registry shares (memory models, scenarios, build
targets, compiler readings): an entry by its name, or the registry's
own error naming the valid ones."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from .errors import EvaluateError

Entry = TypeVar("Entry")


def find(entries: Sequence[Entry], name: str, what: str,
         error: type[EvaluateError]) -> Entry:
    """The entry called `name` (entries have a .name); else error
    "unknown {what} 'name'" with the valid names as its hint."""
    for entry in entries:
        if entry.name == name:
            return entry
    raise error(f"unknown {what} {name!r}",
                hint="valid: " + ", ".join(e.name for e in entries))
