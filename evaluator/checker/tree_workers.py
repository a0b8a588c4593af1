"""The depth-first half of a tree search (tree.py) in several processes:
`evaluate check --jobs N` on a single check.

The canonical tree's subtrees share nothing (no visited set), so the
states of the last breadth-first level are handed out, CHUNK at a
time, to forked workers, each of which searches below its state exactly as
the serial search does.  What they share is the budget (one counter of
states and steps, limits.Budget.share) and, for branch and bound, the
depth of the shallowest finding so far.

The result is the serial one.  The serial search keeps, of each
property (of any property with stop_at_first), the finding first in
(depth, level state, depth-first order).  Here each subtree is searched
with a bound of its own, so it yields its own first shallowest finding
whatever the others found; the shared depth d only cuts paths deeper
than d, which hold no finding the merge could keep; the merge then
takes the least (depth, level state).  So the verdict, the depth and
the trace do not depend on how the subtrees were scheduled.  The count
of explored states does when a property is found (the serial search
cuts more with its bound); without a finding it is the serial count.

Findings do not cross processes (their facts hold the model's objects):
a worker returns the moves from its level state, and this process
replays them to the state and runs the checks there again.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence

from .limits import SearchLimit
from .pools import quiet_worker

POLL_SECONDS = 0.5          # how often the progress line is updated
CHUNK = 8                   # level states per message to a worker

# The forked workers' engine and level (fork copies them; nothing is
# pickled but the level state's index and the result).
_FORKED: tuple | None = None


def descend_all(engine, level: Sequence[tuple], workers: int
                ) -> tuple | None:
    """Search below every state of `level` in `workers` processes and
    merge the findings and counts into `engine`.  Returns the first
    limit a worker hit: (kind, phase, detail, depth), or None."""
    global _FORKED
    context = multiprocessing.get_context("fork")
    budget = engine.ex.budget
    total = context.Value("q", budget.states + budget.steps)
    shallowest = context.Value("i", -1)
    _FORKED = (engine, level, total, shallowest, dict(engine.best))
    pool = context.Pool(workers, quiet_worker)
    try:
        results = _gather(engine, pool, len(level), total)
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
        _FORKED = None
    return _merge(engine, level, results)


def _gather(engine, pool, n: int, total) -> list:
    pending = pool.map_async(_task, range(n), CHUNK)
    while not pending.ready():
        pending.wait(POLL_SECONDS)
        if engine.progress is not None:
            engine.progress(total.value)
    return pending.get()


def _task(index: int) -> tuple:
    """In a worker: the search below level state `index`.  Returns
    (index, explored, cut, steps, findings, limit, error); findings are
    (property, depth, moves from the level state)."""
    engine, level, total, shallowest, shallower = _FORKED
    ex = engine.ex
    if ex.budget.shared is None:
        ex.budget.share(total)
        engine.progress = None
    state, forbid, late_block, path = level[index]
    before = (engine.explored, engine.cut, ex.budget.steps)
    engine.best = dict(shallower)   # the breadth-first levels' findings
    engine.bound = shallowest.value + 1 if shallowest.value >= 0 \
        and engine.stop_at_first else None
    limit = error = None
    try:
        engine.descend(state, forbid, late_block, path)
    except SearchLimit as exc:
        limit = (exc.kind, ex.budget.phase, exc.detail, len(engine.path))
    except Exception as exc:        # the parent reruns it to raise it
        error = repr(exc)
    ex.budget.sync()
    found = [(prop, depth, moves[len(path):])
             for prop, (depth, moves, _) in engine.best.items()
             if prop not in shallower]
    if found and engine.stop_at_first:
        with shallowest.get_lock():
            depth = found[0][1]
            if shallowest.value < 0 or depth < shallowest.value:
                shallowest.value = depth
    return (index, engine.explored - before[0], engine.cut - before[1],
            ex.budget.steps - before[2], found, limit, error)


def _merge(engine, level, results) -> tuple | None:
    for index, *_, error in results:
        if error is not None:       # raised here too, with its own type
            engine.descend(*level[index])
            raise RuntimeError(f"a search worker failed: {error}")
    ex = engine.ex
    limit = None
    # property -> (depth, level index, moves); -1: found before the
    # depth-first half, so shallower than anything found below
    best = {prop: (depth, -1, ()) for prop, (depth, _, _)
            in engine.best.items()}
    for index, explored, cut, steps, found, hit, _ in results:
        engine.explored += explored
        engine.cut += cut
        ex.budget.states += explored
        ex.budget.steps += steps
        limit = limit or hit
        for prop, depth, moves in found:
            if prop not in best or (depth, index) < best[prop][:2]:
                best[prop] = (depth, index, moves)
    if engine.stop_at_first and best:
        first = min(best, key=lambda prop: best[prop][:2])
        best = {first: best[first]}
    for prop, (_, index, moves) in best.items():
        if index >= 0:
            engine.replay(level[index], moves, prop)
    return limit
