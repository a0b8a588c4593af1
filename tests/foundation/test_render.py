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
    checked = 0
    for name in ("notify.c.j2", "aio_protocol.c.j2"):
        template = (paths.templates / name).read_text().split("\n")
        current = None
        for line in text.split("\n"):
            marker = re.match(r'#line (\d+) "(.*)"', line)
            if marker:
                current = (int(marker.group(1))
                           if marker.group(2) == f"templates/{name}"
                           else None)
                continue
            if current is None:
                continue
            source = template[current - 1]
            if "{{" not in source and "{%" not in source:
                assert line == source, (name, current, line, source)
                checked += 1
            current += 1
    assert checked > 60


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
    assert "qatomic_add(&ctx->notify_me, 2);" in c11
    assert " atomic_add(" in original and " atomic_add(" not in c11


def test_shared_code_is_rendered_into_every_variant(paths, variants):
    for variant in variants.values():
        text = render_variant(variant, paths).text
        assert '#include "aio_protocol.c"' not in text
        assert "void qemu_bh_schedule(AioContext *ctx)" in text, variant.name
        assert '#line 8 "templates/aio_protocol.c.j2"' in text


def _jinja_error(scratch, template: str, needle: str, extra: str,
                 variant: str) -> tuple[int, str]:
    """Append `extra` to the first line of a template holding `needle`,
    render `variant`, return (line, error)."""
    path = scratch.templates / template
    lines = path.read_text().split("\n")
    number = next(i for i, line in enumerate(lines, 1) if needle in line)
    lines[number - 1] += extra
    write(path, "\n".join(lines))
    with pytest.raises(TemplateError) as err:
        render_variant(load_variants(scratch.variants)[variant], scratch)
    return number, str(err.value)


def test_jinja_syntax_error_names_template_line(scratch):
    number, message = _jinja_error(scratch, "notify.c.j2", "Write BH state",
                                   " {% if %}", "qemu-5.2")
    assert f"notify.c.j2:{number}:" in message
    assert "Jinja syntax error" in message


def test_undefined_variable_names_template_line(scratch):
    number, message = _jinja_error(scratch, "aio_protocol.c.j2",
                                   "aio_notify(ctx);",
                                   " /* {{ fence_flavour }} */", "relaxed")
    assert f"aio_protocol.c.j2:{number}:" in message
    assert "fence_flavour" in message


def _break_template(scratch, text):
    path = scratch.templates / "notify.c.j2"
    lines = path.read_text().split("\n")
    at = next(i for i, line in enumerate(lines)
              if "void aio_notify(AioContext *ctx)" in line) + 2
    lines.insert(at, text)
    path.write_text("\n".join(lines))
    return at + 1


@pytest.mark.parametrize("text,message", [
    ("    {{ x @ y }}", "Jinja syntax error: unexpected char '@'"),
    ("    {% if notified %} never closed",
     "Jinja syntax error: 'if' opened here is never closed")])
def test_jinja_syntax_errors_name_the_line_without_internals(scratch,
                                                             text, message):
    line = _break_template(scratch, text)
    variant = load_variants(scratch.variants)["original-05e514b1"]
    with pytest.raises(TemplateError) as error:
        render_variant(variant, scratch)
    shown = str(error.value)
    assert f"notify.c.j2:{line}: {message}" in shown
    assert "@@" not in shown and not re.search(r" at \d+", shown)
