"""evaluate: evidence-based review of memory-ordering patches to QEMU's
aio_notify "notified" fast path.

Pipeline (one module per stage, each with a pure entry function):
variants -> render -> checker -> build -> bench -> stats -> report.
"""

__version__ = "0.1.0"
