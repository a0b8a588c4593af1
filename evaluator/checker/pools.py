"""What every worker process of the checker does first (the check
matrix's pool, a tree search's workers, weakening's workers)."""

from __future__ import annotations

import signal


def quiet_worker() -> None:
    """Ctrl-C goes to the whole process group: the parent handles it.
    SIGTERM (how the parent stops a worker) kills it outright, whatever
    handler the parent installed (the CLI turns SIGTERM into an
    exception, which a worker must not print)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
