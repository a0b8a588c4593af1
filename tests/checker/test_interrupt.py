"""Ctrl-C of a parallel check stops every worker within 2 s, and no
worker prints a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path


def _tagged(tag: str, python_only: bool = False) -> list[int]:
    """Pids of our processes whose environment carries the tag;
    python_only: only Python processes (the parent and its workers, not
    a short-lived preprocessor it runs, which once made the count of
    started workers flicker)."""
    pids = []
    needle = f"EVALUATE_TEST_TAG={tag}".encode()
    python = os.path.realpath(sys.executable)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            if python_only and os.path.realpath(entry / "exe") != python:
                continue
            pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def test_ctrl_c_stops_every_worker_quickly_and_quietly():
    tag = uuid.uuid4().hex
    env = dict(os.environ, EVALUATE_TEST_TAG=tag)
    child = subprocess.Popen(
        [sys.executable, "-m", "evaluator.cli", "check", "--models", "c11",
         "--jobs", "2", "--variants",
         "qemu-5.2,test-then-xchg,original-05e514b1,acq-rel,relaxed"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while len(_tagged(tag, True)) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)          # the parent and its two workers
        assert len(_tagged(tag, True)) >= 3, "the workers never started"
        time.sleep(1.0)              # let them get into their searches
        # what a terminal does on Ctrl-C: SIGINT to the process group
        os.killpg(child.pid, signal.SIGINT)
        sent = time.monotonic()
        out, err = child.communicate(timeout=10)
        while _tagged(tag) and time.monotonic() - sent < 5:
            time.sleep(0.05)
        stopped = time.monotonic() - sent
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
    assert not _tagged(tag), "a worker survived Ctrl-C"
    assert stopped < 2.0
    assert child.returncode == 130
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert "evaluate: interrupted" in err
