"""Rendering: deterministic, #line markers into the template, parameter
checking against the template's declarations, Jinja errors with lines."""

from __future__ import annotations

import re

import pytest

from evaluator.errors import TemplateError
from evaluator.render import render_variant
from evaluator.variants import load_variants


def write(path, text):
    path.write_text(text, encoding="utf-8")


def test_rendering_is_deterministic(paths, variants):
    for variant in variants.values():
        first = render_variant(variant, paths).text
        again = render_variant(load_variants(paths.variants)[variant.name],
                               paths).text
        assert first == again, variant.name


def test_line_markers_point_at_the_template_line(paths, variants):
    text = render_variant(variants["original-05e514b1"], paths).text
    template = (paths.templates / "notify-2015.c.j2").read_text().split("\n")
    current = None
    checked = 0
    for line in text.split("\n"):
        marker = re.match(r'#line (\d+) "templates/notify-2015.c.j2"', line)
        if marker:
            current = int(marker.group(1))
            continue
        if current is None:
            continue
        if line.startswith("#line"):
            break  # back in the rendered file itself
        source = template[current - 1]
        if "{{" not in source and "{%" not in source:
            assert line == source, (current, line, source)
            checked += 1
        current += 1
    assert checked > 30


def test_variants_differ_where_their_parameters_do(paths, variants):
    relaxed = render_variant(variants["relaxed"], paths).text
    acq_rel = render_variant(variants["acq-rel"], paths).text
    assert "__atomic_store_n(&ctx->notified, 1, __ATOMIC_RELAXED);" in relaxed
    assert "__atomic_store_n(&ctx->notified, 1, __ATOMIC_RELEASE);" in acq_rel
    assert ("__atomic_exchange_n(&ctx->notified, 0, __ATOMIC_ACQUIRE)"
            in acq_rel)
    original = render_variant(variants["original-05e514b1"], paths).text
    assert original.index("event_notifier_set") < original.index(
        "atomic_mb_set(&ctx->notified, 1)")
    first = render_variant(variants["bug-notified-first"], paths).text
    assert first.index("atomic_mb_set(&ctx->notified, 1)") < first.index(
        "event_notifier_set(&ctx->notifier)")
    c11 = render_variant(variants["qemu-4.2-c11-rmw"], paths).text
    assert "qatomic_add((p), (n))" in c11 and "atomic_add((p), (n))" not in \
        c11.replace("qatomic_add", "")


def _spec(scratch, name="relaxed"):
    return scratch.variants / f"{name}.toml"


def _render_error(scratch, old: str, new: str) -> str:
    """Edit relaxed.toml (old -> new), render it, return the error."""
    spec = _spec(scratch)
    assert old in spec.read_text()
    spec.write_text(spec.read_text().replace(old, new))
    with pytest.raises(TemplateError) as err:
        render_variant(load_variants(scratch.variants)["relaxed"], scratch)
    return str(err.value)


def test_unknown_parameter_names_parameter_and_template(scratch):
    message = _render_error(scratch, "[params]\n",
                            "[params]\nfence_kind = \"full\"\n")
    assert "'fence_kind'" in message and "notify-2015" in message
    assert "relaxed.toml" in message


def test_missing_parameter_names_parameter_and_template(scratch):
    message = _render_error(scratch, 'accept = "xchg"\n', "")
    assert "missing parameter 'accept'" in message
    assert "notify-2015" in message


def test_unknown_memory_order_lists_valid_ones(scratch):
    message = _render_error(scratch, 'accept_order = "relaxed"',
                            'accept_order = "sequential"')
    assert "unknown memory order 'sequential'" in message
    assert "relaxed, consume, acquire, release, acq_rel, seq_cst" in message


def test_unknown_template_lists_known_ones(scratch):
    message = _render_error(scratch, 'template = "notify-2015"',
                            'template = "notify-2016"')
    assert "unknown template 'notify-2016'" in message
    assert "notify-2015" in message and "notify-5.2" in message


def test_jinja_syntax_error_names_template_line(scratch):
    template = scratch.templates / "notify-5.2.c.j2"
    lines = template.read_text().split("\n")
    number = next(i for i, line in enumerate(lines, 1)
                  if "smp_wmb();" in line)
    lines[number - 1] += " {% if %}"
    write(template, "\n".join(lines))
    with pytest.raises(TemplateError) as err:
        render_variant(load_variants(scratch.variants)["qemu-5.2"], scratch)
    assert f"notify-5.2.c.j2:{number}:" in str(err.value)
    assert "Jinja syntax error" in str(err.value)


def test_undefined_variable_names_template_line(scratch):
    template = scratch.templates / "notify-5.2.c.j2"
    lines = template.read_text().split("\n")
    number = next(i for i, line in enumerate(lines, 1)
                  if "smp_mb();" in line)
    lines[number - 1] += " /* {{ fence_flavour }} */"
    write(template, "\n".join(lines))
    with pytest.raises(TemplateError) as err:
        render_variant(load_variants(scratch.variants)["qemu-5.2"], scratch)
    message = str(err.value)
    assert f"notify-5.2.c.j2:{number}:" in message
    assert "fence_flavour" in message
