"""evaluate attach: placement, idempotence, refusals, and a round trip
through a real `git format-patch` / `git am`."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from evaluator.cli import main
from evaluator.commands import attach as attach_command
from evaluator.errors import AttachError
from evaluator.report.attach import FOOTER, HEADER, attach_report, attach_text

REPORT = """evaluate: aio_notify 'notified' fast-path variants, ranked
===========================================================
Recommendation
--------------
Fastest variant safe under C11: test-then-xchg.
"""

needs_git = pytest.mark.skipif(shutil.which("git") is None,
                               reason="git not installed")

GIT_ENV = {"GIT_AUTHOR_NAME": "A U Thor", "GIT_AUTHOR_EMAIL": "a@example.org",
           "GIT_COMMITTER_NAME": "A U Thor",
           "GIT_COMMITTER_EMAIL": "a@example.org",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def git(cwd, *args):
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True,
                          capture_output=True, text=True).stdout


@pytest.fixture
def patch_repo(tmp_path):
    """A repository with two commits and the second as a patch file."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "util-async.c").write_text("int notified;\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "initial")
    (repo / "util-async.c").write_text("int notified;\nint notify_me;\n")
    git(repo, "commit", "-q", "-a", "-m",
        "async: relax notified\n\nUse relaxed atomics for ctx->notified.")
    out = git(repo, "format-patch", "-1", "-o", str(tmp_path / "out"))
    return repo, Path(out.strip())


@needs_git
@pytest.mark.parametrize("report_text", [
    REPORT,
    (Path(__file__).parent / "golden" / "report.txt").read_text("utf-8"),
], ids=["short", "golden-report"])
def test_round_trip_through_git_am(tmp_path, patch_repo, report_text):
    repo, patch = patch_repo
    report = tmp_path / "report.txt"
    report.write_text(report_text, encoding="utf-8")
    attach_report(report, patch)
    text = patch.read_text()
    assert text.index("\n---\n") < text.index(HEADER) < \
        text.index("diff --git")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo), str(clone))
    git(clone, "reset", "-q", "--hard", "HEAD~1")
    git(clone, "am", "-q", str(patch))
    message = git(clone, "log", "-1", "--format=%B")
    assert message.strip() == ("async: relax notified\n\n"
                               "Use relaxed atomics for ctx->notified.")
    assert "evaluate" not in message
    assert report_text.splitlines()[-1] in patch.read_text("utf-8")
    assert (clone / "util-async.c").read_text() == \
        "int notified;\nint notify_me;\n"


@needs_git
def test_reattaching_replaces_the_block(tmp_path, patch_repo):
    _, patch = patch_repo
    report = tmp_path / "report.txt"
    report.write_text(REPORT)
    attach_report(report, patch)
    once = patch.read_text()
    result = attach_report(report, patch)
    assert result.replaced
    assert patch.read_text() == once
    report.write_text("second version of the report\n")
    attach_report(report, patch)
    text = patch.read_text()
    assert text.count(HEADER) == 1 and text.count(FOOTER) == 1
    assert "second version" in text and "test-then-xchg" not in text


@needs_git
def test_cli_attach(tmp_path, patch_repo, capsys):
    _, patch = patch_repo
    report = tmp_path / "report.txt"
    report.write_text(REPORT)
    parser = __import__("argparse").ArgumentParser()
    attach_command.add_arguments(parser)
    assert attach_command.run(parser.parse_args([str(report),
                                                 str(patch)])) == 0
    assert "attached to" in capsys.readouterr().out


PATCH = """From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001
From: A U Thor <a@example.org>
Subject: [PATCH] x

body
---
 a | 1 +
 1 file changed

diff --git a/a b/a
--- a/a
+++ b/a
@@ -0,0 +1 @@
+x
--
2.39.2
"""  # noqa: E501


def test_block_goes_between_dashes_and_diffstat():
    text, replaced = attach_text(PATCH, "hello\n")
    assert not replaced
    assert f"body\n---\n{HEADER}\nhello\n{FOOTER}\n\n a | 1 +\n" in text


def test_crlf_patch_keeps_crlf():
    crlf = PATCH.replace("\n", "\r\n")
    text, _ = attach_text(crlf, "hello\n")
    assert f"{HEADER}\r\nhello\r\n{FOOTER}\r\n" in text
    assert "\n" not in text.replace("\r\n", "")


@pytest.mark.parametrize("bad,message", [
    ("just some text\n---\ndiff --git a b\n", "not a git format-patch"),
    (PATCH.replace("diff --git", "diff -u"), "no 'diff --git'"),
    (PATCH.replace("\n---\n", "\n"), "no '---' line"),
    ("", "not a git format-patch"),
])
def test_refuses_non_patches_and_leaves_them_untouched(tmp_path, bad,
                                                        message):
    patch = tmp_path / "x.patch"
    patch.write_text(bad)
    report = tmp_path / "report.txt"
    report.write_text(REPORT)
    with pytest.raises(AttachError, match=message):
        attach_report(report, patch)
    assert patch.read_text() == bad
    # no temporary file left behind either
    assert {p.name for p in tmp_path.iterdir()} == {"x.patch",
                                                    "report.txt"}


def test_refuses_report_lines_git_would_misread(tmp_path):
    with pytest.raises(AttachError, match="patch or mail syntax"):
        attach_text(PATCH, "fine\n--- a/file\n")
    with pytest.raises(AttachError, match="empty"):
        attach_text(PATCH, "  \n")


def test_missing_files_are_clear_errors(tmp_path):
    with pytest.raises(AttachError, match="no such report"):
        attach_report(tmp_path / "nope.txt", tmp_path / "x.patch")


@pytest.mark.parametrize("fault", ["directory", "dangling", "not-utf8",
                                   "bom", "read-only"])
def test_file_faults_are_one_message(tmp_path, capsys, fault):
    report = tmp_path / "report.txt"
    report.write_text("a report\n")
    patch = tmp_path / "0001-x.patch"
    patch.write_text(PATCH)
    target = {"directory": report, "dangling": report, "not-utf8": patch,
              "bom": patch, "read-only": patch}[fault]
    if fault == "directory":
        report.unlink()
        report.mkdir()
    elif fault == "dangling":
        report.unlink()
        report.symlink_to(tmp_path / "gone.txt")
    elif fault == "not-utf8":
        patch.write_bytes(PATCH.encode() + b"\xff\n")
    elif fault == "bom":
        patch.write_text("\ufeff" + PATCH)
    else:
        patch.chmod(0o444)
    before = patch.read_bytes()
    assert main(["attach", str(report), str(patch)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert str(target) in err
    assert {"directory": "is a directory", "dangling": "dangling",
            "not-utf8": "not UTF-8", "bom": "byte-order mark",
            "read-only": "read-only"}[fault] in err
    assert patch.read_bytes() == before
