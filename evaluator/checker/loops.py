"""Which instructions of a thread lie inside a loop of the checked code
(not the scenario's own loop around each call): the only places a
thread can spin forever, so the termination property (termination.py)
and the explorer's spin reduction look nowhere else.

An instruction is in an inner loop when it lies on a cycle of the
thread's control-flow graph that does not pass through the scenario's
loop head (ir.LoopHead): the strongly connected components of the
graph with that node removed.
"""

from __future__ import annotations

from .ir import LOOP, ThreadCode


def inner_loop_pcs(thread: ThreadCode) -> frozenset[int]:
    code = thread.code
    n = len(code)
    edges = [[] if code[pc].kind == LOOP else
             [s for s in code[pc].successors(pc)
              if s < n and code[s].kind != LOOP] for pc in range(n)]
    out: set[int] = set()
    for component in _components(edges):
        if len(component) > 1 or component[0] in edges[component[0]]:
            out.update(component)
    return frozenset(out)


def _components(edges: list[list[int]]) -> list[list[int]]:  # noqa: C901
    """Tarjan's strongly connected components, iteratively (thread code
    can be thousands of instructions long); kept as one function, as the
    algorithm is usually written, so it can be checked against it."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    out: list[list[int]] = []
    counter = 0
    for root in range(len(edges)):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            if child < len(edges[node]):
                work.append((node, child + 1))
                succ = edges[node][child]
                if succ not in index:
                    work.append((succ, 0))
                elif succ in on_stack:
                    low[node] = min(low[node], index[succ])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                out.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return out
