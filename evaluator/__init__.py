"""evaluate: evidence-based review of memory-ordering patches to QEMU's
aio_notify "notified" fast path.

Pipeline, one module or package per stage, each with a pure entry
function, every import pointing to an earlier stage:

    variants.load_variants -> render.render_variant -> checker (verdicts)
    -> build (shared objects, census) -> bench.run_bench (samples)
    -> stats.rank (ranking) -> report (document, three renderings)

Shared below them: errors, fsutil, paths, orders, samples (the samples
format between bench and stats), controls (self-validation arm names),
memory_models (the registry of memory models).  cli.py and commands/
are the command line.
"""

__version__ = "0.1.0"
