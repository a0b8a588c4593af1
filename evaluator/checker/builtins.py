"""GCC __atomic/__sync builtins, C11 atomic_* calls, __builtin_expect and
the event-notifier intrinsics, lowered to memory events.

Each handler receives the lowerer (lower.Lowerer), the call node, the
builtin's name and its argument nodes, and returns the call's value.
Where a builtin means different things to different compilers (__sync
RMWs, __sync_lock_test_and_set, memory_order_consume), the lowerer's
compiler reading decides (readings.py says what each reads and why).
"""

from __future__ import annotations

from ..orders import FAIL_ORDERS, LOAD_ORDERS, STORE_ORDERS, Order
from .csubset import (LocalPtr, as_bool, combine, negate, source,
                      unsupported)
from .ir import Pure
from .memory import Access, Kind, RmwOp
from .readings import SYNC_FULL_BARRIER

INTRINSICS = ("event_notifier_set", "event_notifier_test_and_clear",
              "event_notifier_wait")
_RMW_NAMES = {"add": RmwOp.ADD, "sub": RmwOp.SUB, "or": RmwOp.OR,
              "and": RmwOp.AND, "xor": RmwOp.XOR}


def _b_load(lw, node, name, args):
    explicit = name != "atomic_load"
    lw.expect_args(node, name, args, 2 if explicit else 1)
    loc = lw.location_of(args[0], name)
    order = lw.access_order(args[1], LOAD_ORDERS, name) if explicit \
        else Order.SEQ_CST
    return lw.mem(Access(Kind.LOAD, loc, order), {}, "", want=True)


def _b_store(lw, node, name, args):
    explicit = name != "atomic_store"
    lw.expect_args(node, name, args, 3 if explicit else 2)
    loc = lw.location_of(args[0], name)
    value = lw.hold(lw.value(args[1]))
    order = lw.order_of(args[2], STORE_ORDERS, name) if explicit \
        else Order.SEQ_CST
    lw.mem(Access(Kind.STORE, loc, order), {"value": value}, "")
    return Pure.constant(0)


def _rmw_op(name: str) -> tuple[RmwOp, bool]:
    """(operation, returns the new value) from a builtin's name."""
    if "exchange" in name or "lock_test_and_set" in name:
        return RmwOp.XCHG, False
    for word, op in _RMW_NAMES.items():
        if f"fetch_and_{word}" in name or f"fetch_{word}" in name:
            return op, False
        if f"{word}_and_fetch" in name or f"{word}_fetch" in name:
            return op, True
    raise KeyError(name)


def _new_value(op: RmwOp, old: Pure, operand: Pure) -> Pure:
    symbol = {RmwOp.ADD: "+", RmwOp.SUB: "-", RmwOp.OR: "|",
              RmwOp.AND: "&", RmwOp.XOR: "^"}[op]
    return combine(f"(({old.src}) {symbol} ({operand.src}))", old, operand)


def _b_rmw(lw, node, name, args):
    """__atomic_exchange_n/fetch_op/op_fetch and C11 atomic_exchange/
    atomic_fetch_op (explicit or not)."""
    op, new = _rmw_op(name)
    explicit = name.startswith("__atomic") or name.endswith("_explicit")
    lw.expect_args(node, name, args, 3 if explicit else 2)
    loc = lw.location_of(args[0], name)
    operand = lw.hold(lw.value(args[1]))
    order = lw.access_order(args[2], tuple(Order), name) if explicit \
        else Order.SEQ_CST
    old = lw.mem(Access(Kind.RMW, loc, order, op=op), {"operand": operand},
                 "", want=True)
    return _new_value(op, old, operand) if new else old


def _sync_barrier(lw, name: str) -> None:
    """The fence a full-barrier reading puts on each side of a __sync
    RMW; nothing under a reading where it is a bare seq_cst RMW."""
    if lw.reading.sync_rmw == SYNC_FULL_BARRIER:
        lw.fence(Order.SEQ_CST, name)


def _b_sync_rmw(lw, node, name, args):
    """__sync RMWs: under gcc a full barrier (seq_cst fence, seq_cst RMW,
    seq_cst fence: GCC documents it and emits a trailing dmb ish on
    AArch64); under clang a bare seq_cst RMW (readings.py)."""
    op, new = _rmw_op(name)
    lw.expect_args(node, name, args, 2)
    loc = lw.location_of(args[0], name)
    operand = lw.hold(lw.value(args[1]))
    if name == "__sync_lock_test_and_set":   # not a full barrier anywhere
        order = lw.reading.lock_test_and_set
        return lw.mem(Access(Kind.RMW, loc, order, op=op),
                      {"operand": operand}, name, want=True)
    _sync_barrier(lw, name)
    old = lw.mem(Access(Kind.RMW, loc, Order.SEQ_CST, op=op),
                 {"operand": operand}, name, want=True)
    _sync_barrier(lw, name)
    return _new_value(op, old, operand) if new else old


def _b_sync_cas(lw, node, name, args):
    lw.expect_args(node, name, args, 3)
    loc = lw.location_of(args[0], name)
    expected = lw.hold(lw.value(args[1]))
    desired = lw.hold(lw.value(args[2]))
    _sync_barrier(lw, name)
    old = lw.mem(Access(Kind.RMW, loc, Order.SEQ_CST, op=RmwOp.CAS,
                        fail_order=Order.SEQ_CST),
                 {"operand": desired, "expected": expected}, name, want=True)
    _sync_barrier(lw, name)
    if name == "__sync_val_compare_and_swap":
        return old
    return combine(f"(1 if ({old.src}) == ({expected.src}) else 0)", old,
                    expected)


def _b_lock_release(lw, node, name, args):
    lw.expect_args(node, name, args, 1)
    loc = lw.location_of(args[0], name)
    lw.mem(Access(Kind.STORE, loc, Order.RELEASE, value=0), {}, name)
    return Pure.constant(0)


def _b_cas(lw, node, name, args):
    """__atomic_compare_exchange_n(p, &expected, desired, weak, succ, fail)
    and C11 atomic_compare_exchange_strong[_explicit].  `expected` points
    to a local (&e) or, as herd7's C dialect writes it (it has no `&`),
    to a shared location: then it is read and, on failure, written by
    plain (non-atomic) accesses, as herd7's CSem does."""
    if "weak" in name:
        raise unsupported(node, f"{name} (may fail spuriously)",
                           hint="use the strong form; the checker does not "
                                "model spurious failures")
    gcc = name.startswith("__atomic")
    explicit = gcc or name.endswith("_explicit")
    lw.expect_args(node, name, args, 6 if gcc else 5 if explicit else 3)
    loc = lw.location_of(args[0], name)
    holder = lw.pointer(args[1])
    if name == "__atomic_compare_exchange":     # desired by address too
        desired = lw.hold(Pure.slot(_local(lw, args[2], name,
                                           "`desired`").slot))
    else:
        desired = lw.hold(lw.value(args[2]))
    orders = args[4:6] if gcc else args[3:5]
    if gcc:
        weak = lw.value(args[3])
        if weak.const != 0:
            raise unsupported(args[3], f"{name} with weak = "
                                        f"{source(args[3])}",
                               hint="pass 0 (strong): the checker does not "
                                    "model spurious failures")
    succ = lw.access_order(orders[0], tuple(Order), name) if explicit \
        else Order.SEQ_CST
    fail = lw.access_order(orders[1], FAIL_ORDERS,
                           name + " (failure order)") \
        if explicit else Order.SEQ_CST
    expected = lw.hold(lw.plain_load(holder))
    old = lw.mem(Access(Kind.RMW, loc, succ, op=RmwOp.CAS, fail_order=fail),
                 {"operand": desired, "expected": expected}, "", want=True)
    ok = lw.new_slot()
    lw.assign(ok, combine(f"(1 if ({old.src}) == ({expected.src}) else 0)",
                           old, expected))
    if isinstance(holder, LocalPtr):
        lw.store_local(holder.slot, old)   # on success old == expected
    else:                             # a store only on failure
        skip = lw.branch_placeholder(negate(Pure.slot(ok)))
        lw.mem(Access(Kind.STORE, holder.path, Order.RELAXED, plain=True),
               {"value": old}, "")
        lw.patch([skip], len(lw.code))
    return Pure.slot(ok)


def _local(lw, node, name: str, what: str) -> LocalPtr:
    target = lw.pointer(node)
    if not isinstance(target, LocalPtr):
        raise unsupported(node, f"{name} with {what} not pointing to a "
                                "local variable")
    return target


def _b_generic(lw, node, name, args):
    """GCC's generic forms, which pass values by address (QEMU's macros
    expand to them for non-int types): __atomic_load(p, &ret, order),
    __atomic_store(p, &val, order), __atomic_exchange(p, &val, &ret,
    order).  The same events as their _n forms."""
    lw.expect_args(node, name, args, 4 if name == "__atomic_exchange"
                   else 3)
    loc = lw.location_of(args[0], name)
    if name == "__atomic_load":
        ret = _local(lw, args[1], name, "the result")
        order = lw.access_order(args[2], LOAD_ORDERS, name)
        value = lw.mem(Access(Kind.LOAD, loc, order), {}, "", want=True)
        lw.store_local(ret.slot, value)
        return Pure.constant(0)
    value = lw.hold(Pure.slot(_local(lw, args[1], name, "the value").slot))
    if name == "__atomic_store":
        order = lw.order_of(args[2], STORE_ORDERS, name)
        lw.mem(Access(Kind.STORE, loc, order), {"value": value}, "")
        return Pure.constant(0)
    ret = _local(lw, args[2], name, "the result")
    order = lw.access_order(args[3], tuple(Order), name)
    old = lw.mem(Access(Kind.RMW, loc, order, op=RmwOp.XCHG),
                 {"operand": value}, "", want=True)
    lw.store_local(ret.slot, old)
    return Pure.constant(0)


def _b_fence(lw, node, name, args):
    lw.expect_args(node, name, args, 1)
    order = lw.order_of(args[0], tuple(Order), name)
    if "signal" in name or order == Order.RELAXED:
        return Pure.constant(0)      # compiler-only / no effect
    if order == Order.CONSUME:       # C11 7.17.4.1p2: an acquire fence
        order = Order.ACQUIRE
    lw.fence(order, "")
    return Pure.constant(0)


def _b_sync_synchronize(lw, node, name, args):
    lw.expect_args(node, name, args, 0)
    lw.fence(Order.SEQ_CST, name)
    return Pure.constant(0)


def _b_expect(lw, node, name, args):
    """__builtin_expect(value, expected) (QEMU's likely/unlikely): a
    branch-layout hint, whose value is its first argument's."""
    lw.expect_args(node, name, args, 2)
    value = lw.value(args[0])
    lw.value(args[1])
    return value


def _b_notifier(lw, node, name, args):
    """The eventfd intrinsics (DESIGN §5): RMWs on the notifier's counter,
    whose kernel lock makes them acq_rel; a wait that returns is an
    acquire read of a non-zero value (else the thread is blocked)."""
    lw.expect_args(node, name, args, 1)
    loc = lw.location_of(args[0], name)
    full = lw.syscalls == "full-fence"
    if full:
        lw.fence(Order.SEQ_CST, name)
    if name == "event_notifier_set":
        lw.mem(Access(Kind.RMW, loc, Order.ACQ_REL, op=RmwOp.ADD, operand=1),
               {}, name)
        result = Pure.constant(0)
    elif name == "event_notifier_test_and_clear":
        old = lw.mem(Access(Kind.RMW, loc, Order.ACQ_REL, op=RmwOp.XCHG,
                            operand=0), {}, name, want=True)
        result = as_bool(old)
    else:
        lw.mem(Access(Kind.RMW, loc, Order.ACQUIRE, op=RmwOp.ADD, operand=0),
               {}, name, blocking=True)
        result = Pure.constant(0)
    if full:
        lw.fence(Order.SEQ_CST, name)
    return result


def _builtins() -> dict:
    table = {
        "__atomic_load_n": _b_load, "atomic_load_explicit": _b_load,
        "atomic_load": _b_load,
        "__atomic_store_n": _b_store, "atomic_store_explicit": _b_store,
        "atomic_store": _b_store,
        "__atomic_exchange_n": _b_rmw, "atomic_exchange_explicit": _b_rmw,
        "atomic_exchange": _b_rmw,
        "__atomic_compare_exchange_n": _b_cas,
        "__atomic_compare_exchange": _b_cas,
        "__atomic_load": _b_generic, "__atomic_store": _b_generic,
        "__atomic_exchange": _b_generic,
        "atomic_compare_exchange_strong_explicit": _b_cas,
        "atomic_compare_exchange_strong": _b_cas,
        "atomic_compare_exchange_weak_explicit": _b_cas,
        "atomic_compare_exchange_weak": _b_cas,
        "__atomic_thread_fence": _b_fence, "atomic_thread_fence": _b_fence,
        "__atomic_signal_fence": _b_fence, "atomic_signal_fence": _b_fence,
        "__sync_synchronize": _b_sync_synchronize,
        "__sync_lock_test_and_set": _b_sync_rmw,
        "__sync_lock_release": _b_lock_release,
        "__sync_val_compare_and_swap": _b_sync_cas,
        "__sync_bool_compare_and_swap": _b_sync_cas,
        "__builtin_expect": _b_expect,
    }
    for word in _RMW_NAMES:
        table[f"__atomic_fetch_{word}"] = _b_rmw
        table[f"__atomic_{word}_fetch"] = _b_rmw
        table[f"atomic_fetch_{word}_explicit"] = _b_rmw
        table[f"atomic_fetch_{word}"] = _b_rmw
        table[f"__sync_fetch_and_{word}"] = _b_sync_rmw
        table[f"__sync_{word}_and_fetch"] = _b_sync_rmw
    for name in INTRINSICS:
        table[name] = _b_notifier
    return table


BUILTINS = _builtins()
