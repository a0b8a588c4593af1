"""Build stage: cache by content, errors mapped to template lines."""

from __future__ import annotations

import pytest

from evaluator import cli
from evaluator.build.compile import (build_variant, content_key, copy_build,
                                     find_toolchain)
from evaluator.errors import BuildError
from evaluator.render import render_variant


def _line_of(path, text):
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


def test_compile_error_points_at_template_line(fixture_paths, variants,
                                               toolchain, cache):
    rendered = render_variant(variants["test-compile-error"], fixture_paths)
    with pytest.raises(BuildError) as info:
        build_variant(rendered, fixture_paths, toolchain, cache=cache)
    template = fixture_paths.templates / "broken.c.j2"
    error = info.value
    assert error.path is not None and error.path.endswith("broken.c.j2")
    assert error.line == _line_of(template, "this is not C;")
    assert "error" in error.message        # the compiler's own text


def test_compile_error_exits_2(fixture_paths, capsys):
    status = cli.main(["bench", "--root", str(fixture_paths.root),
                       "--variants", "test-compile-error", "--budget", "5"])
    assert status == 2
    err = capsys.readouterr().err
    assert "broken.c.j2:" in err and "does not compile" in err


def test_cache_reuses_unchanged_builds(fixture_paths, variants, toolchain,
                                       tmp_path):
    rendered = render_variant(variants["relaxed"], fixture_paths)
    first = build_variant(rendered, fixture_paths, toolchain, cache=tmp_path)
    stamp = first.library.stat().st_mtime_ns
    again = build_variant(rendered, fixture_paths, toolchain, cache=tmp_path)
    assert again.library == first.library
    assert again.library.stat().st_mtime_ns == stamp
    slow = build_variant(rendered, fixture_paths, toolchain, cache=tmp_path,
                         defines=["EVALUATE_EXTRA_DELAY=4"])
    assert slow.key != first.key and slow.library != first.library
    other = render_variant(variants["acq-rel"], fixture_paths)
    assert build_variant(other, fixture_paths, toolchain,
                         cache=tmp_path).key != first.key


def test_aa_copy_is_a_separate_file(fixture_paths, variants, toolchain,
                                    tmp_path):
    rendered = render_variant(variants["original-05e514b1"], fixture_paths)
    base = build_variant(rendered, fixture_paths, toolchain, cache=tmp_path)
    copy = copy_build(base, "original-05e514b1~aa", tmp_path)
    assert copy.library != base.library
    assert copy.library.read_bytes() == base.library.read_bytes()


def test_unknown_compiler():
    with pytest.raises(BuildError, match="unknown compiler"):
        find_toolchain("icc")


def test_content_key_separates_parts():
    assert content_key(["ab", "c"]) != content_key(["a", "bc"])


def test_lock_control_owns_its_cache_line(fixture_paths, variants,
                                          toolchain, tmp_path):
    """EVALUATE_EXTRA_LOCK's counter starts a 128-byte line (two lines:
    the adjacent-line prefetcher pairs them) and nothing else of the
    object lies on it, so its RMW is never contended."""
    import subprocess
    rendered = render_variant(variants["original-05e514b1"], fixture_paths)
    build = build_variant(rendered, fixture_paths, toolchain, cache=tmp_path,
                          defines=["EVALUATE_EXTRA_LOCK=1"])
    table = subprocess.run(["nm", "-n", "-S", "--defined-only",
                            str(build.library)], capture_output=True,
                           text=True, check=True).stdout
    symbols = []
    for line in table.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2] in "bBdD":
            symbols.append((int(parts[0], 16), parts[3]))
    [start] = [a for a, name in symbols if name == "evaluate_private_line"]
    assert start % 128 == 0
    neighbours = [name for a, name in symbols
                  if start <= a < start + 128
                  and name != "evaluate_private_line"]
    assert neighbours == []
    plain = build_variant(rendered, fixture_paths, toolchain, cache=tmp_path)
    assert "evaluate_private_line" not in subprocess.run(
        ["nm", str(plain.library)], capture_output=True, text=True,
        check=True).stdout
