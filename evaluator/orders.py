"""C11 memory orders: the one list of valid names, and which orders each
kind of atomic operation takes.  Shared by the checker front end, the
litmus reader, the variant specs and the plain-C variant scan."""

from __future__ import annotations

from enum import IntEnum


class Order(IntEnum):
    """Values are GCC's __ATOMIC_* constants (what cpp leaves behind)."""

    RELAXED = 0
    CONSUME = 1
    ACQUIRE = 2
    RELEASE = 3
    ACQ_REL = 4
    SEQ_CST = 5

    @property
    def c11_name(self) -> str:
        return "memory_order_" + self.name.lower()

    @property
    def gcc_name(self) -> str:
        return "__ATOMIC_" + self.name

    @property
    def short(self) -> str:
        return self.name.lower()


ORDER_NAMES = tuple(o.short for o in Order)

# What the checker accepts per operation (C11 7.17.7: a load may not be
# release or acq_rel, a store not consume, acquire or acq_rel).
LOAD_ORDERS = (Order.RELAXED, Order.CONSUME, Order.ACQUIRE, Order.SEQ_CST)
STORE_ORDERS = (Order.RELAXED, Order.RELEASE, Order.SEQ_CST)
RMW_ORDERS = tuple(Order)
FENCE_ORDERS = tuple(Order)
FAIL_ORDERS = LOAD_ORDERS


def parse_order(text: str) -> Order | None:
    """Accept 'relaxed', 'memory_order_relaxed' or '__ATOMIC_RELAXED'."""
    key = text.strip()
    for prefix in ("memory_order_", "__ATOMIC_"):
        if key.startswith(prefix):
            key = key[len(prefix):]
    try:
        return Order[key.upper()]
    except KeyError:
        return None


# ---- what variant specs and plain-C variants may write ---------------------


class Op:
    """The kinds of atomic operation an order belongs to."""

    LOAD = "load"
    STORE = "store"
    RMW = "read-modify-write"
    CAS_FAIL = "compare-exchange failure"
    FENCE = "fence"


_CHECKER_TABLE = {Op.LOAD: LOAD_ORDERS, Op.STORE: STORE_ORDERS,
                  Op.RMW: RMW_ORDERS, Op.CAS_FAIL: FAIL_ORDERS,
                  Op.FENCE: FENCE_ORDERS}
# A compare-exchange's failure is a load: its order may be no stronger
# than the load part of the success order (C17 7.17.7.4p2).
_LOAD_PART = {Order.RELAXED: Order.RELAXED, Order.ACQUIRE: Order.ACQUIRE,
              Order.RELEASE: Order.RELAXED, Order.ACQ_REL: Order.ACQUIRE,
              Order.SEQ_CST: Order.SEQ_CST}
CONSUME_NOTE = ("consume is not accepted in variants: compilers implement "
                "it as acquire, and how the checker reads it under C11 is "
                "being changed; write acquire")


def spec_orders(op: str, success: Order | None = None) -> tuple[Order, ...]:
    """The orders a variant may write for op: the checker's table without
    consume (CONSUME_NOTE) and, for a fence, without relaxed (a fence that
    orders nothing: leave the fence out).  A compare-exchange failure
    order also needs the success order (no stronger than its load)."""
    orders = [o for o in _CHECKER_TABLE[op] if o is not Order.CONSUME]
    if op == Op.FENCE:
        orders.remove(Order.RELAXED)
    if op == Op.CAS_FAIL and success is not None:
        limit = _LOAD_PART.get(success, Order.SEQ_CST)
        orders = [o for o in orders if o <= limit]
    return tuple(orders)


def order_problem(op: str, order: Order,
                  success: Order | None = None) -> str | None:
    """Why `order` is not valid for op in a variant, or None."""
    if order is Order.CONSUME:
        return CONSUME_NOTE
    if order in spec_orders(op, success):
        return None
    if op == Op.CAS_FAIL and order in spec_orders(op):
        return (f"a compare-exchange failure order may be no stronger than "
                f"its success order ({success.short}) (C17 7.17.7.4)")
    if op == Op.FENCE and order is Order.RELAXED:
        return "a relaxed fence orders nothing (leave the fence out)"
    return f"{order.short} is not an order for a {op}"


def valid_text(op: str, success: Order | None = None) -> str:
    """The hint of an order error: the valid orders for op."""
    return (f"valid for a {op}: "
            + ", ".join(o.short for o in spec_orders(op, success)))
