"""The command line: errors are one line on stderr with exit status 2 and
no traceback; render and new do what they say."""

from __future__ import annotations

import subprocess
import sys

import pytest

from evaluator.cli import main


def _run(*args, cwd=None, env=None):
    return subprocess.run([sys.executable, "-m", "evaluator.cli", *args],
                          capture_output=True, text=True, cwd=cwd, env=env,
                          check=False)


def test_unknown_variant_exits_2_with_one_line_and_suggestion():
    result = _run("render", "acq_rel")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1
    assert "unknown variant 'acq_rel'" in result.stderr
    assert "did you mean 'acq-rel'" in result.stderr


def test_render_prints_the_variant(capsys):
    assert main(["render", "test-then-xchg"]) == 0
    out = capsys.readouterr().out
    assert "if (atomic_read(&ctx->notified) &&" in out
    assert "int aio_poll(AioContext *ctx, int blocking)" in out


def test_render_expand_runs_the_preprocessor(capsys):
    assert main(["render", "relaxed", "--expand"]) == 0
    out = capsys.readouterr().out
    assert "__sync_fetch_and_add" in out and "#include" not in out


def test_new_writes_a_based_on_spec_and_refuses_to_overwrite(scratch,
                                                            capsys):
    root = str(scratch.root)
    assert main(["new", "my-idea", "--from", "relaxed", "--root", root]) == 0
    created = scratch.variants / "my-idea.toml"
    text = created.read_text()
    assert 'name = "my-idea"' in text and 'based_on = "relaxed"' in text
    # Nothing set: every parameter of the base is listed, commented out.
    assert '# accept_order = "relaxed"' in text
    # The copy renders as is and carries no expectation over.
    assert main(["render", "my-idea", "--root", root]) == 0
    assert main(["list", "--json", "--root", root]) == 0
    assert '"my-idea"' in capsys.readouterr().out
    before = created.read_text()
    assert main(["new", "my-idea", "--from", "acq-rel", "--root", root]) == 2
    assert created.read_text() == before
    assert "already exists" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["../escape", "a/b", "..", "x..y"])
def test_new_refuses_path_characters(scratch, paths, capsys, name):
    assert main(["new", name, "--from", "relaxed",
                 "--root", str(scratch.root)]) == 2
    assert "path or special characters" in capsys.readouterr().err
    # nothing written: the scratch copy still holds what the checkout has
    assert sorted(p.name for p in scratch.variants.iterdir()) == sorted(
        p.name for p in paths.variants.iterdir())


def test_malformed_toml_via_cli(scratch, capsys):
    spec = scratch.variants / "acq-rel.toml"
    spec.write_text(spec.read_text() + "\n[params\n")
    assert main(["list", "--root", str(scratch.root)]) == 2
    err = capsys.readouterr().err
    assert "acq-rel.toml:" in err and "malformed TOML" in err


def test_top_level_root_applies_to_the_subcommand(scratch, capsys, paths):
    """`evaluate --root DIR new X` writes into DIR, not this checkout."""
    root = str(scratch.root)
    assert main(["--root", root, "new", "hoisted", "--from", "relaxed"]) == 0
    assert (scratch.variants / "hoisted.toml").is_file()
    assert not (paths.variants / "hoisted.toml").exists()


def test_top_level_selection_applies_to_check(capsys):
    assert main(["--variants", "relaxed", "--models", "sc", "check",
                 "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["variant", "sc"]
    assert [line.split()[0] for line in out.splitlines()[1:]
            if line.startswith(("relaxed", "acq-rel", "original"))] == \
        ["relaxed"]


def test_top_level_option_the_subcommand_lacks_is_refused(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--models", "sc", "list"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "--models does not apply to 'evaluate list'" in err
    assert "'evaluate check'" in err


def test_option_given_before_and_after_the_subcommand_is_refused(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--variants", "relaxed", "check", "--variants", "acq-rel"])
    assert stop.value.code == 2
    assert "given both before and after 'check'" in capsys.readouterr().err


def test_abbreviated_options_are_refused(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["check", "--var", "relaxed"])
    assert stop.value.code == 2
    assert "unrecognized arguments: --var" in capsys.readouterr().err


def test_full_stdout_is_one_line_and_status_2():
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "evaluator.cli",
                                 "list"], stdout=full, stderr=subprocess.PIPE,
                                text=True, check=False)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "evaluate: error: cannot write the output: No space left on device"]


def test_closed_stdout_pipe_is_not_an_error():
    proc = subprocess.Popen([sys.executable, "-m", "evaluator.cli", "list"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    proc.stdout.close()         # the reader went away before any output
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert "Traceback" not in err and "Exception ignored" not in err


def test_list_keeps_its_columns_for_a_60_character_name(scratch, capsys):
    name = "a-" + "very-long-" * 5 + "name-of-sixty-c"
    name = name[:60]
    root = str(scratch.root)
    assert main(["new", name, "--from", "relaxed", "--root", root]) == 0
    capsys.readouterr()
    assert main(["list", "--root", root]) == 0
    lines = capsys.readouterr().out.splitlines()
    at = lines.index(name)
    header = lines[0]
    marks = lines[at + 1]
    assert marks.startswith(" " * 19)
    assert marks[20:26].strip() == "-"       # its sc column, aligned
    assert header.index("sc") == 20
    assert max(len(line) for line in lines) <= 72


@pytest.mark.parametrize("fault,words", [
    ("directory", "is a directory"), ("dangling", "dangling symbolic link"),
    ("not-utf8", "not UTF-8 text (byte 0xff"), ("bom", "byte-order mark")])
def test_spec_file_faults_are_one_line(scratch, capsys, fault, words):
    spec = scratch.variants / "broken.toml"
    if fault == "directory":
        spec.mkdir()
    elif fault == "dangling":
        spec.symlink_to(scratch.root / "gone.toml")
    elif fault == "not-utf8":
        spec.write_bytes(b'name = "broken"\n# \xff\n')
    else:
        spec.write_text('\ufeffname = "broken"\n')
    assert main(["list", "--root", str(scratch.root)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "broken.toml" in err and words in err


@pytest.mark.parametrize("data,words", [
    (b"C x\n{ x = 0; }\n\xff\n", "not UTF-8 text (byte 0xff"),
    ("\ufeffC x\n{ x = 0; }\n".encode(), "byte-order mark")])
def test_litmus_file_faults_are_one_line(tmp_path, capsys, data, words):
    test = tmp_path / "bad.litmus"
    test.write_bytes(data)
    assert main(["litmus", str(test)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "bad.litmus" in err and words in err
