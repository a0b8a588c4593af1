"""P6 non-terminating loop: a thread that spins for ever on values that
can no longer change (properties.py has the definition and its
soundness under each model).

The await-loop criterion: take a state where every thread has finished,
sleeps in a wait nothing can end, or sits in a loop of the checked code
(loops.py).  Run each unfinished thread alone on the latest values
(solo.SoloRun, frozen: it must not change any value, nor start its next
scenario call).  If each one either falls asleep or comes back to a
state it had, and at least one comes back, nobody will ever change a
value again, so the ones that came back repeat that cycle for ever.
Only the latest values count: every model lets a read see the latest
write, and a fair run eventually sees nothing else.

Two more ways to find one: past the poller's scenario bound (its run
alone, once every other thread has finished, cycles), and a loop of
thread-local code that repeats a state (ir.LocalSpin, reported by the
explorer when it runs that code).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from collections.abc import Hashable

from .busyloop import others_finished
from .explore import NON_TERMINATING
from .ir import END, LOOP, MEM, LocalSpin
from .search import Finding
from .solo import CYCLE, SLEEPS, SoloRun, latest_memory

if TYPE_CHECKING:
    from .explore import Explorer

BLOCKED = "blocked"
PHASE = "termination"


class NonTermination:
    """P6."""

    property = NON_TERMINATING

    def __init__(self):
        self.memo: dict = {}

    def __call__(self, explorer: Explorer, node: int, threads: tuple,
                 mem: Hashable, counters: tuple,
                 ghost: Hashable = None) -> Finding | None:
        found = None
        if explorer.has_loops:      # else nobody can spin in the search
            found = self.everyone_stuck(explorer, node, threads, mem,
                                        counters)
        if found is None:
            found = self.past_the_bound(explorer, node, threads, mem,
                                        counters)
        return found

    # -- a state where nothing will ever change a value again
    @staticmethod
    def may_be_stuck(explorer, threads) -> bool:
        """Every unfinished thread waits or sits in a loop, one in a
        loop: the only states where everyone may be stuck for good."""
        spinning = False
        for t, ts in enumerate(threads):
            ins = explorer.instr(t, ts)
            if ins.kind == END:
                continue
            inside = ins.kind == MEM and explorer.in_loop(t, ts)
            if ins.kind != MEM or not (inside or ins.blocking):
                return False
            spinning |= inside
        return spinning

    def everyone_stuck(self, explorer, node, threads, mem,
                       counters) -> Finding | None:
        if not self.may_be_stuck(explorer, threads):
            return None
        explorer.budget.phase = PHASE
        latest = latest_memory(explorer, mem)
        spinners, blocked = [], []
        for t, ts in enumerate(threads):
            if explorer.kind(t, ts) == END:
                continue
            result = self.stuck(explorer, t, ts, latest, counters[t])
            if result is None:
                return None
            if result == BLOCKED:
                blocked.append(t)
            else:
                spinners.append((t, result))
        if not spinners:
            return None
        t, run = spinners[0]
        finished = [u for u, us in enumerate(threads)
                    if explorer.kind(u, us) == END]
        return self.finding(explorer, node, t, run, blocked,
                            [s for s, _ in spinners[1:]], finished,
                            f"from here P{t} goes on reading the latest "
                            "values; no other thread will change them")

    def stuck(self, explorer, t, ts, latest, count):
        """BLOCKED, the SoloRun of a cycle, or None (it may change a
        value, finish, or start its next call)."""
        key = (t, ts, latest.values)
        if key not in self.memo:
            run = SoloRun(explorer, t, ts, latest, count, bounded=True,
                          frozen=True).run()
            self.memo[key] = BLOCKED if run.outcome == SLEEPS else \
                run if run.outcome == CYCLE else None
        return self.memo[key]

    # -- the poller, alone past its bound
    def past_the_bound(self, explorer, node, threads, mem,
                       counters) -> Finding | None:
        for p, ts in enumerate(threads):
            if explorer.kind(p, ts) != LOOP or \
                    not others_finished(explorer, threads, p):
                continue
            explorer.budget.phase = PHASE
            latest = latest_memory(explorer, mem)
            key = ("cut", p, ts, latest.values)
            if key not in self.memo:
                run = SoloRun(explorer, p, ts, latest, counters[p]).run()
                self.memo[key] = run if run.outcome == CYCLE else None
            run = self.memo[key]
            if run is not None:
                finished = [u for u in range(len(threads)) if u != p]
                return self.finding(explorer, node, p, run, [], [], finished,
                                    "every other thread has finished; "
                                    f"from here P{p} runs alone past its "
                                    "bound and reads the latest values")
        return None

    def finding(self, explorer, node, t, run: SoloRun, blocked, others,
                finished, title) -> Finding:
        cycle = run.moves[run.cycle_at:]
        reads = {}
        for move in cycle:
            if move.source is not None:
                reads.setdefault(move.access.loc, move.value)
        where = (cycle[0].before if cycle else run.final)
        ins = explorer.instr(t, where)
        return Finding(NON_TERMINATING, node, tuple(run.moves), facts={
            "thread": t, "title": title, "repeat_from": run.cycle_at,
            "reads": reads, "blocked": tuple(blocked),
            "spinning": tuple(others), "finished": tuple(finished),
            "func": ins.func,
            "where": str(ins.where), "local": run.failed
            if isinstance(run.failed, LocalSpin) else None})


def explain(finding: Finding, explorer: Explorer, name) -> str:
    facts = finding.facts
    t = facts["thread"]
    local = facts.get("local")
    if local is not None and not facts.get("reads"):
        return (f"non-terminating loop: {name(t)} loops for ever in "
                f"{local.func} at {local.where} without touching shared "
                "memory, so its "
                f"{explorer.threads[t].call} never returns")
    reads = ", ".join(f"{loc} = {v}" for loc, v in facts["reads"].items())
    what = f"reads {reads} and " if reads else ""
    others = [f"{name(b)} sleeps in event_notifier_wait"
              for b in facts["blocked"]]
    others += [f"{name(s)} spins too" for s in facts["spinning"]]
    others += [f"{name(f)} has finished" for f in facts["finished"]]
    return (f"non-terminating loop: {name(t)} never leaves the loop in "
            f"{facts['func']} at {facts['where']}: each pass {what}"
            "changes nothing, and no thread will change those values any "
            f"more ({'; '.join(others)}), so its "
            f"{explorer.threads[t].call} never returns")
