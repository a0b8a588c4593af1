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
