"""Issue 10, done when: for every ordering point (every registry
parameter), a variant that changes only that point renders C that differs
from its base exactly in the functions the parameter declares, and
compiles for x86-64 and AArch64."""

from __future__ import annotations

import difflib
import re
import shutil
import subprocess

import pytest

from evaluator import params as registry
from evaluator.diff import protocol_lines
from evaluator.orders import parse_order, spec_orders
from evaluator.render import render_variant
from evaluator.paths import ProjectPaths
from evaluator.spelling import STORE_FORMS
from evaluator.variants import load_variants

from derive import derive, fits, spec

# Where each parameter is tried: every base on which it has an effect.
# "cmpxchg" is the baseline with a compare-exchange in accept (no shipped
# variant has one, and accept_fail_order needs it).
BASES = ("original-05e514b1", "qemu-5.2", "test-then-xchg", "bug-skip-set",
         "qemu-4.2-c11-rmw", "full-removal", "cmpxchg")
WARNINGS = ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror"]
TARGETS = {"x86-64": ["gcc"],
           "aarch64": ["aarch64-linux-gnu-gcc", "-march=armv8-a",
                       "-mno-outline-atomics"]}
_DEFINITION = re.compile(r"^(?:static\s+)?\w+\s+\**(\w+)\(")


@pytest.fixture(scope="module")
def project(tmp_path_factory, paths):
    """A copy of the project with the extra base written as a spec."""
    root = tmp_path_factory.mktemp("points")
    shutil.copytree(paths.variants, root / "variants")
    shutil.copytree(paths.templates, root / "templates")
    (root / "csrc").symlink_to(paths.csrc)
    (root / "variants" / "cmpxchg.toml").write_text(spec(
        "cmpxchg", "original-05e514b1", {"accept": "cmpxchg"}))
    project = ProjectPaths(root)
    return project, load_variants(project.variants)


@pytest.fixture(scope="module")
def bases(project):
    _, variants = project
    return {name: variants[name] for name in BASES}


def candidate_values(param, config) -> list:
    """Every value the parameter could take under config, but its own."""
    if param.kind == "flag":
        values = [True, False]
    elif param.kind == "choice":
        values = list(param.values)
    elif param.kind == "fence":
        values = list(registry.FENCE_VALUES)
    else:
        site = param.site(config)
        success = parse_order(config[site.success]) if site.success else None
        values = [o.short for o in spec_orders(site.op, success)]
        if site.op == "store":
            values += [v for v in param.values if v in STORE_FORMS]
    return [v for v in values if v != config[param.name]]


def points(bases):
    """(param, base name, value) for every change that fits its base."""
    found = []
    for param in registry.PARAMS:
        for name, base in bases.items():
            config = dict(base.params)
            if param.applies(config) is not None:
                continue
            found += [(param, name, value)
                      for value in candidate_values(param, config)
                      if fits(config, param.name, value)]
    return found


def function_of_lines(lines: list[str]) -> list[str | None]:
    """For each protocol line, the function whose definition holds it."""
    out, current = [], None
    for line in lines:
        match = _DEFINITION.match(line)
        if match:
            current = match.group(1)
        out.append(current)
        if line == "}":
            current = None
    return out


def changed_functions(base_text: str, text: str) -> set[str | None]:
    old, new = protocol_lines(base_text), protocol_lines(text)
    old_fn, new_fn = function_of_lines(old), function_of_lines(new)
    touched = set()
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        touched |= set(old_fn[i1:i2]) | set(new_fn[j1:j2])
    return touched


def test_every_parameter_has_a_change_to_test(bases):
    tried = {param.name for param, _, _ in points(bases)}
    assert tried == {p.name for p in registry.PARAMS}


def test_each_change_differs_exactly_where_the_parameter_says(
        project, bases):
    paths, variants = project
    rendered_bases = {n: render_variant(b, paths).text
                      for n, b in bases.items()}
    checked = 0
    for param, name, value in points(bases):
        variant = derive(paths, variants, name, {param.name: value})
        text = render_variant(variant, paths).text
        where = changed_functions(rendered_bases[name], text)
        assert where, (param.name, name, value, "renders the same C")
        assert where <= set(param.changes), (param.name, name, value, where)
        checked += 1
    assert checked > 100


def _compile_all(sources: dict[str, str], command: list[str], paths,
                 tmp_path) -> None:
    if shutil.which(command[0]) is None:
        pytest.fail(f"{command[0]} missing: .ci/run installs it")
    tmp_path.mkdir(exist_ok=True)
    for stem, text in sources.items():
        (tmp_path / f"{stem}.c").write_text(text)
    done = subprocess.run(
        command + WARNINGS + ["-I", str(paths.csrc), "-c",
                              *sorted(f"{stem}.c" for stem in sources)],
        capture_output=True, text=True, cwd=tmp_path, check=False)
    assert done.returncode == 0, done.stderr[:3000]
    assert len(list(tmp_path.glob("*.o"))) == len(sources)


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_every_change_compiles(project, bases, tmp_path, target):
    """One variant per (parameter, value), on the first base it fits."""
    paths, variants = project
    sources, seen = {}, set()
    for param, name, value in points(bases):
        if (param.name, value) in seen:
            continue
        seen.add((param.name, value))
        variant = derive(paths, variants, name, {param.name: value})
        sources[f"v{len(sources):03d}"] = render_variant(variant, paths).text
    _compile_all(sources, TARGETS[target], paths, tmp_path / target)
