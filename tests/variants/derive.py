"""Build variants in memory, the way a spec based on another would be:
nothing is written to variants/."""

from __future__ import annotations

import json
import re

from evaluator import params as registry
from evaluator.variants import parse_variant


def toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


def spec(name: str, base: str, changes: dict, extra: str = "") -> str:
    lines = [f'name = "{name}"', 'summary = "test"',
             'provenance = "test"', f'based_on = "{base}"', extra,
             "[params]"]
    lines += [f"{key} = {toml(value)}" for key, value in changes.items()]
    return "\n".join(lines) + "\n"


def derive(paths, variants, base: str, changes: dict, name: str = ""):
    """A variant based on `base` with `changes`, validated like a spec."""
    name = name or "t-" + re.sub(r"[^A-Za-z0-9]+", "-", "-".join(
        f"{k}-{v}" for k, v in changes.items()))
    path = paths.variants / f"{name}.toml"
    others = {v.name: v.path for v in variants.values()}
    return parse_variant(path, others, spec(name, base, changes))


def fits(base_params: dict, name: str, value: object) -> bool:
    """Would setting name = value on base give a valid configuration?"""
    config = {**base_params, name: value}
    return (registry.BY_NAME[name].applies(config) is None
            and not registry.problems(config, {name}))
