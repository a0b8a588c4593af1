"""Every shipped variant compiles warning-free for x86-64 and AArch64, and
its protocol part goes through cpp and pycparser (what the checker reads)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from pycparser import c_ast, c_parser

from evaluator.render import render_variant

WARNINGS = ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror"]
TARGETS = {
    "x86-64": ["gcc"],
    "aarch64": ["aarch64-linux-gnu-gcc", "-march=armv8-a",
                "-mno-outline-atomics"],
    "aarch64-lse": ["aarch64-linux-gnu-gcc", "-march=armv8.1-a"],
}
HOOKS = {"aio_notify", "aio_notify_accept", "aio_poll_wait",
         "aio_notifier_cb", "aio_poll", "qemu_bh_schedule"}


def _compile(command, source, paths, tmp_path):
    if shutil.which(command[0]) is None:
        pytest.fail(f"{command[0]} missing: .ci/run installs it "
                    "(apt-get install gcc-aarch64-linux-gnu)")
    src = tmp_path / "variant.c"
    src.write_text(source)
    return subprocess.run(command + WARNINGS + ["-I", str(paths.csrc), "-c",
                                                str(src), "-o",
                                                str(tmp_path / "v.o")],
                          capture_output=True, text=True, check=False)


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_every_variant_compiles_with_werror(paths, variants, tmp_path,
                                            target):
    for variant in variants.values():
        text = render_variant(variant, paths).text
        result = _compile(TARGETS[target], text, paths, tmp_path)
        assert result.returncode == 0, (variant.name, result.stderr)


def test_compile_errors_point_at_the_template(paths, variants, tmp_path):
    text = render_variant(variants["qemu-5.2"], paths).text
    broken = text.replace("smp_mb();", "smp_mb()", 1)
    result = _compile(["gcc"], broken, paths, tmp_path)
    assert result.returncode != 0
    assert "templates/notify.c.j2:" in result.stderr


def _parse(text, paths):
    cpp = subprocess.run(["gcc", "-E", "-std=gnu11", "-nostdinc", "-I",
                          str(paths.csrc), "-"], input=text,
                         capture_output=True, text=True, check=True)
    return c_parser.CParser().parse(cpp.stdout, "variant.c")


def test_every_variant_parses_with_pycparser(paths, variants):
    for variant in variants.values():
        ast = _parse(render_variant(variant, paths).text, paths)
        defined = {node.decl.name for node in ast.ext
                   if isinstance(node, c_ast.FuncDef)}
        assert defined >= HOOKS, (variant.name, HOOKS - defined)


def test_protocol_part_uses_no_system_header(paths):
    for path in paths.csrc.glob("*.[ch]"):
        assert "#include <" not in path.read_text(), path.name
