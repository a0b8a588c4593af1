"""Facts about the machine, the compiler and the checkout that a reviewer
needs to reproduce a benchmark run.  Everything here only reads."""

from __future__ import annotations

import os
import platform
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from .. import __version__
from ..errors import BenchError


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def cpu_model() -> str:
    info = _read("/proc/cpuinfo")
    for key in ("model name", "Model", "Hardware", "CPU part"):
        match = re.search(rf"^{key}\s*:\s*(.+)$", info, re.M)
        if match:
            return match.group(1).strip()
    return platform.processor() or platform.machine()


def cpu_flags() -> set[str]:
    match = re.search(r"^(?:flags|Features)\s*:\s*(.+)$",
                      _read("/proc/cpuinfo"), re.M)
    return set(match.group(1).split()) if match else set()


def governor(cpu: int) -> str | None:
    text = _read(f"/sys/devices/system/cpu/cpu{cpu}/cpufreq/scaling_governor")
    return text.strip() or None


def choose_cpus(requested: tuple[int, int] | None) -> tuple[int, int]:
    """The CPU pair: producer/timer on the first, poller on the second."""
    allowed = sorted(os.sched_getaffinity(0))
    if requested is not None:
        bad = [c for c in requested if c not in allowed]
        if bad or requested[0] == requested[1]:
            raise BenchError(f"CPU pair {requested[0]},{requested[1]} is not "
                             "two distinct CPUs this process may use",
                             hint="allowed CPUs: "
                                  + ",".join(map(str, allowed)))
        return requested
    if len(allowed) < 2:
        raise BenchError("the benchmark needs two CPUs; this process may "
                         f"use only {allowed}",
                         hint="run outside taskset/cgroup limits")
    return allowed[0], allowed[1]


def git_state(root: Path) -> dict[str, object] | None:
    """HEAD and whether the tree differs from it (read-only git calls)."""
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "--no-optional-locks", "-C",
                                   str(root), *args], capture_output=True,
                                  text=True, check=False, timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout if done.returncode == 0 else None

    head = git("rev-parse", "HEAD")
    if head is None:
        return None
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": head.strip(), "dirty": bool(status and status.strip())}


def default_march(cc_path: str) -> str | None:
    """GCC's default -march (what "distribution default" means here)."""
    try:
        done = subprocess.run([cc_path, "-Q", "--help=target"],
                              capture_output=True, text=True, check=False,
                              timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r"^\s*-march=\s+(\S+)", done.stdout, re.M)
    return match.group(1) if match else None


def machine_facts(cpus: tuple[int, int]) -> dict[str, object]:
    uname = os.uname()
    return {
        "hostname": uname.nodename,
        "cpu_model": cpu_model(),
        "machine": uname.machine,
        "cpus_online": os.cpu_count(),
        "cpu_pair": list(cpus),
        "hypervisor": "hypervisor" in cpu_flags(),
        "governor": governor(cpus[0]),
        "kernel": f"{uname.sysname} {uname.release} {uname.version}",
        "loadavg": list(os.getloadavg()),
        "python": platform.python_version(),
    }


def run_facts(root: Path, seed: int, command_line: tuple[str, ...]
              ) -> dict[str, object]:
    return {
        "tool": "evaluate",
        "tool_version": __version__,
        "git": git_state(root),
        "seed": seed,
        "command_line": list(command_line),
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
