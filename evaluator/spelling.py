"""QEMU's atomic vocabulary: the macros of csrc/qemu_atomic.h, what each
stands for, and how a rendered access is spelled.

Parameters name orders ("acquire") and the template says how QEMU would
spell the access at that place: `qemu` uses today's qatomic_* macros
where one exists for the order (qatomic_read, qatomic_load_acquire,
qatomic_store_release, qatomic_xchg, ...), `qemu-2015` the 2015 names
(atomic_read, atomic_set, atomic_xchg), `builtin` always the GCC
__atomic builtin with the order spelled out.  Any order QEMU has no macro
for is spelled as the builtin, so a spec that changes an order renders
the way the patch would be written.
"""

from __future__ import annotations

from dataclasses import dataclass

from .orders import Op, Order

FAMILIES = ("qemu", "qemu-2015", "builtin")


@dataclass(frozen=True)
class Macro:
    name: str
    builtin: str            # the builtin it expands to ("" for composites)
    order: Order | None     # None: a __sync full barrier or a composite
    op: str                 # orders.Op of the access
    family: str             # "qemu" (2016+) or "qemu-2015"
    statement: bool = False  # a (void) form whose value cannot be used


def _rmw_macros() -> list[Macro]:
    out = [Macro("qatomic_xchg", "__atomic_exchange_n", Order.SEQ_CST,
                 Op.RMW, "qemu"),
           Macro("atomic_xchg", "__atomic_exchange_n", Order.SEQ_CST,
                 Op.RMW, "qemu-2015")]
    for word in ("add", "sub", "or", "and"):
        fetch = f"__atomic_fetch_{word}"
        out += [Macro(f"qatomic_fetch_{word}", fetch, Order.SEQ_CST, Op.RMW,
                      "qemu"),
                Macro(f"qatomic_{word}", fetch, Order.SEQ_CST, Op.RMW,
                      "qemu", statement=True),
                # 2015: GCC __sync builtins, full barriers on both sides.
                Macro(f"atomic_{word}", f"__sync_fetch_and_{word}", None,
                      Op.RMW, "qemu-2015", statement=True)]
    return out


# Every macro csrc/qemu_atomic.h defines (a test keeps the two in step).
MACROS: tuple[Macro, ...] = (
    Macro("barrier", "__atomic_signal_fence", Order.SEQ_CST, Op.FENCE,
          "qemu"),
    Macro("smp_mb", "__atomic_thread_fence", Order.SEQ_CST, Op.FENCE, "qemu"),
    Macro("smp_wmb", "__atomic_thread_fence", Order.RELEASE, Op.FENCE,
          "qemu"),
    Macro("smp_rmb", "__atomic_thread_fence", Order.ACQUIRE, Op.FENCE,
          "qemu"),
    Macro("smp_mb_release", "__atomic_thread_fence", Order.RELEASE, Op.FENCE,
          "qemu"),
    Macro("smp_mb_acquire", "__atomic_thread_fence", Order.ACQUIRE, Op.FENCE,
          "qemu"),
    Macro("qatomic_read", "__atomic_load_n", Order.RELAXED, Op.LOAD, "qemu"),
    Macro("qatomic_load_acquire", "__atomic_load_n", Order.ACQUIRE, Op.LOAD,
          "qemu"),
    Macro("qatomic_set", "__atomic_store_n", Order.RELAXED, Op.STORE, "qemu",
          statement=True),
    Macro("qatomic_store_release", "__atomic_store_n", Order.RELEASE,
          Op.STORE, "qemu", statement=True),
    # QEMU 2019-2023 on non-x86 hosts: store-release, then smp_mb.
    Macro("qatomic_set_mb", "", None, Op.STORE, "qemu", statement=True),
    Macro("atomic_read", "__atomic_load_n", Order.RELAXED, Op.LOAD,
          "qemu-2015"),
    Macro("atomic_set", "__atomic_store_n", Order.RELAXED, Op.STORE,
          "qemu-2015", statement=True),
    # 2015 on every GCC >= 4.7 host: smp_wmb, relaxed store, smp_mb.
    Macro("atomic_mb_set", "", None, Op.STORE, "qemu-2015", statement=True),
    *_rmw_macros(),
)
BY_NAME = {m.name: m for m in MACROS}
FENCE_MACROS = tuple(m.name for m in MACROS
                     if m.op == Op.FENCE and m.name != "barrier")
# Composite stores a parameter may name instead of an order.
STORE_FORMS = ("atomic_mb_set", "qatomic_set_mb")


def _macro(builtin: str, order: Order, family: str,
           statement: bool) -> str | None:
    """The macro `family` spells (builtin, order) with, if any."""
    if family == "builtin":
        return None
    for m in MACROS:
        if (m.builtin, m.order, m.family) == (builtin, order, family) \
                and m.statement == statement:
            return m.name
    if family == "qemu-2015":       # 2015 lacked it: today's name
        return _macro(builtin, order, "qemu", statement)
    return None


def load(ptr: str, order: Order, family: str = "qemu") -> str:
    macro = _macro("__atomic_load_n", order, family, False)
    return (f"{macro}({ptr})" if macro
            else f"__atomic_load_n({ptr}, {order.gcc_name})")


def store(ptr: str, value: str, order: Order | str,
          family: str = "qemu") -> str:
    """A store statement (without ';'); order may be a STORE_FORMS name."""
    if isinstance(order, str):
        return f"{order}({ptr}, {value})"
    macro = _macro("__atomic_store_n", order, family, True)
    return (f"{macro}({ptr}, {value})" if macro
            else f"__atomic_store_n({ptr}, {value}, {order.gcc_name})")


def xchg(ptr: str, value: str, order: Order, family: str = "qemu") -> str:
    macro = _macro("__atomic_exchange_n", order, family, False)
    return (f"{macro}({ptr}, {value})" if macro
            else f"__atomic_exchange_n({ptr}, {value}, {order.gcc_name})")


def rmw_statement(word: str, ptr: str, value: str, order: Order | None,
                  family: str = "qemu") -> str:
    """`word` (add, sub, or, and) as a statement; order None is the 2015
    __sync form (atomic_add: a full barrier)."""
    if order is None:
        return f"atomic_{word}({ptr}, {value})"
    macro = _macro(f"__atomic_fetch_{word}", order, family, True)
    return (f"{macro}({ptr}, {value})" if macro
            else f"__atomic_fetch_{word}({ptr}, {value}, {order.gcc_name})")


def cas(ptr: str, expected: str, desired: str, success: Order,
        failure: Order) -> str:
    """A strong compare-exchange (QEMU has no macro that takes orders)."""
    return (f"__atomic_compare_exchange_n({ptr}, {expected}, {desired}, 0, "
            f"{success.gcc_name}, {failure.gcc_name})")


def fence(value: str | Order) -> str:
    """A fence statement: a QEMU fence macro name, or a C11 order."""
    if isinstance(value, Order):
        return f"__atomic_thread_fence({value.gcc_name})"
    if value not in FENCE_MACROS:
        raise ValueError(f"not a fence: {value!r}")
    return f"{value}()"
