"""How the checker reads the builtins whose meaning depends on who
compiles them: the one list of compiler readings.

Every verdict is for one reading, recorded in each CheckResult (`cc`).
What differs, and where it comes from:

  __sync_fetch_and_<op>, __sync_<op>_and_fetch, __sync_val/bool_compare_
  and_swap
    gcc       a full barrier: seq_cst fence, seq_cst RMW, seq_cst fence.
              GCC manual, "Legacy __sync Built-in Functions for Atomic
              Memory Access": "In most cases, these built-in functions
              are considered a full barrier.  That is, no memory operand
              is moved across the operation, either forward or
              backward."  GCC 12.2 -O2 -mno-outline-atomics for AArch64
              emits ldxr / stlxr then dmb ish (the trailing barrier);
              x86-64 a lock-prefixed instruction.
    clang     a bare seq_cst RMW, which in C11 is not a fence.  Clang
              lowers them to `atomicrmw <op> ... seq_cst` and `cmpxchg
              ... seq_cst seq_cst` (clang 14.0.6 -O2 -emit-llvm;
              CGBuiltin.cpp); AArch64 code is ldaxr / stlxr with no dmb.
              On x86-64 both compilers emit the same lock xadd.
  __sync_lock_test_and_set
    gcc       an acquire exchange (GCC manual: "an acquire barrier, not a
              full barrier"; GCC 12 happens to add a dmb ish on AArch64,
              which the manual does not promise).
    clang     a seq_cst exchange (`atomicrmw xchg ... seq_cst`;
              AArch64 ldaxr / stlxr).
  memory_order_consume (loads, RMWs, compare-exchange failure orders)
    gcc       promoted to acquire (GCC PR 59448: "a request for
              __ATOMIC_CONSUME is always promoted to __ATOMIC_ACQUIRE";
              AArch64 ldar).
    clang     promoted to acquire (`load atomic ... acquire`; AArch64
              ldar).
    language  ISO C11 as written: a consume load orders only through
              carried dependencies (5.1.2.4), which RC11 does not model,
              so it acts as a relaxed atomic read -- still an atomic
              read, so it synchronises through a later acquire fence
              (C11 7.17.4p4).  herd7's rc11.cat leaves consume reads out
              of sw altogether; the checker follows the standard there.
              A consume fence is an acquire fence in every reading (C11
              7.17.4.1p2).
  Everything else (__atomic_*, C11 atomic_*, __sync_synchronize,
  __sync_lock_release) means the same for both compilers: seq_cst
  fence, release store of 0 (checked with the same -S runs).

`language` reads __sync as the GCC manual defines it (the builtins have
no ISO meaning; GCC's documentation is their definition) and consume as
ISO C11 does; it is the default of `evaluate litmus`, whose tests are
questions about the language.  `evaluate check` defaults to gcc, the
compiler `evaluate bench` builds with: what is checked is what is timed.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import registry
from ..errors import CheckerError
from ..orders import Order

SYNC_FULL_BARRIER, SYNC_SEQ_CST_RMW = "full-barrier", "seq_cst-rmw"


@dataclass(frozen=True)
class Reading:
    name: str                   # CLI / JSON key
    label: str                  # in prose
    sync_rmw: str               # how __sync RMWs and CASes are read
    lock_test_and_set: Order    # order of __sync_lock_test_and_set
    consume_as_acquire: bool    # consume promoted to acquire
    summary: str

    def consume(self, order: Order) -> Order:
        """The order a consume *access* (not fence) is checked with."""
        if order is Order.CONSUME and self.consume_as_acquire:
            return Order.ACQUIRE
        return order


READINGS: tuple[Reading, ...] = (
    Reading("gcc", "GCC", SYNC_FULL_BARRIER, Order.ACQUIRE, True,
            "__sync RMWs are full barriers; consume is acquire"),
    Reading("clang", "clang", SYNC_SEQ_CST_RMW, Order.SEQ_CST, True,
            "__sync RMWs are bare seq_cst RMWs (no fence); consume is "
            "acquire"),
    Reading("language", "ISO C11", SYNC_FULL_BARRIER, Order.ACQUIRE, False,
            "__sync as the GCC manual defines it; consume as C11 "
            "defines it (a relaxed read in RC11)"),
)
COMPILERS = ("gcc", "clang")            # what --cc accepts
CHECK_DEFAULT = "gcc"                   # evaluate check: as benchmarked
LITMUS_DEFAULT = "language"             # evaluate litmus: the language
# Variant specs declare their [expect] verdicts for this reading.
EXPECT_READING = "gcc"


def names() -> tuple[str, ...]:
    return tuple(r.name for r in READINGS)


def get(name: str) -> Reading:
    return registry.find(READINGS, name, "compiler reading", CheckerError)
