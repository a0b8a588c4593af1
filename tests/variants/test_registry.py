"""The parameter registry is the one declaration of every ordering
point: the templates use exactly its names, its defaults are valid and
render the baseline, the README table is generated from it, and the
QEMU macro table matches csrc/qemu_atomic.h."""

from __future__ import annotations

import re

from jinja2 import meta

from evaluator import params as registry
from evaluator.cli import main
from evaluator.render import GLOBALS, _environment
from evaluator.spelling import MACROS


def _template_names(paths, name: str) -> set[str]:
    source = (paths.templates / name).read_text()
    names = meta.find_undeclared_variables(
        _environment(paths.templates).parse(source))
    local = set(re.findall(r"\{%-?\s*set\s+(\w+)", source))
    return names - set(GLOBALS) - local


def test_every_parameter_is_declared_once_and_completely():
    names = [p.name for p in registry.PARAMS]
    assert len(names) == len(set(names))
    for p in registry.PARAMS:
        assert p.kind in ("flag", "choice", "order", "fence"), p.name
        assert p.doc and p.label and p.changes, p.name
        assert set(p.changes) <= set(registry.HOOKS + registry.SHARED), p.name
        assert p.parse(p.default) == p.default, p.name
        assert p.applies(registry.DEFAULTS) is None or p.name in {
            "skip_write_read", "accept_fail_order", "accept_peek",
            "notify_me_raise_order", "notify_me_lower_order", "recheck",
            "recheck_read"}, p.name
        if p.kind == "order":
            assert p.site(registry.DEFAULTS).what, p.name


def test_the_defaults_are_a_valid_configuration():
    assert registry.problems(registry.DEFAULTS, set()) == []


def test_the_baseline_sets_nothing(variants):
    base = variants["original-05e514b1"]
    assert dict(base.changes) == {}
    assert dict(base.params) == dict(registry.DEFAULTS)


def test_the_templates_use_exactly_the_registry(paths):
    hooks = _template_names(paths, "notify.c.j2")
    shared = _template_names(paths, "aio_protocol.c.j2")
    assert hooks == {p.name for p in registry.PARAMS if not p.shared}
    assert shared == {p.name for p in registry.shared_params()}


def test_the_macro_table_is_the_header(paths):
    header = (paths.csrc / "qemu_atomic.h").read_text()
    defined = set(re.findall(r"^#define\s+(\w+)\(", header, re.M))
    assert {m.name for m in MACROS} == defined


def test_the_readme_table_is_generated_from_the_registry(repo):
    readme = (repo / "README.md").read_text()
    assert registry.markdown_table() in readme, (
        "regenerate README's parameter table: python -c 'from "
        "evaluator.params import markdown_table; print(markdown_table())'")


def test_list_params_prints_every_parameter(capsys):
    assert main(["list", "--params"]) == 0
    out = capsys.readouterr().out
    for p in registry.PARAMS:
        assert re.search(rf"^{p.name} = ", out, re.M), p.name
    assert max(map(len, out.splitlines())) <= 72
