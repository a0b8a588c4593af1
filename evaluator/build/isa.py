"""The one table from C11/GCC atomic operations to the instructions the
compiler emits for them, per census architecture (build/census.py's
ARCHES; the categories an instruction falls in are census.classify's).

The dynamic census (bench/dynamic.py) reads the checker's IR, whose
memory events are C-level operations (a seq_cst exchange, a release
store, a seq_cst fence, a GCC __sync RMW); this table says what each
costs on each architecture.  The entries are what GCC 12 emits at -O2
(CLANG lists where clang 14 differs); tests/bench/test_dynamic.py
compiles every PROBES entry and checks the table against objdump.

Forms (the first element of a key; the second is the memory order):

  load, store   __atomic_load_n / __atomic_store_n (and C11 atomic_*)
  rmw           __atomic_exchange_n, __atomic_fetch_<op>, ...
  cas, cas-fail __atomic_compare_exchange_n (strong), by its outcome
  fence         __atomic_thread_fence (signal fences emit nothing)
  sync-rmw      GCC's __sync_fetch_and_<op> family: a full barrier.  The
                checker's IR spells it fence + seq_cst RMW + fence; here
                it is one unit, charged at the RMW (the fences emit no
                instruction of their own)
  plain         a non-atomic load or store

In an instruction "{op}" is the RMW's own mnemonic (RMW_MNEMONICS):
xchg/add/... on x86-64, swp/ldadd/... for LSE.  Consume is compiled as
acquire by GCC and clang.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..checker.memory import Access, Kind, RmwOp
from ..errors import BuildError
from ..orders import Order
from .census import ARCHES, Insn, parse_insn

_RELAXED, _ACQ, _REL, _AR, _SC = ("relaxed", "acquire", "release",
                                  "acq_rel", "seq_cst")
_X86_LOCKED = "lock {op}l %eax,(%rdi)"
_X86_XCHG = "xchg %eax,(%rdi)"
_X86_FENCE = "lock orq $0x0,(%rsp)"


def _lse(order_suffix: str) -> str:
    return "{op}" + order_suffix + " w1, w0, [x0]"


# (form, order) -> arch -> instructions, in program order.
TABLE: Mapping[tuple[str, str], Mapping[str, tuple[str, ...]]] = {
    ("plain", _RELAXED): {"x86-64": ("mov (%rdi),%eax",),
                          "aarch64": ("ldr w0, [x0]",),
                          "aarch64-lse": ("ldr w0, [x0]",)},
    ("load", _RELAXED): {"x86-64": ("mov (%rdi),%eax",),
                         "aarch64": ("ldr w0, [x0]",),
                         "aarch64-lse": ("ldr w0, [x0]",)},
    ("load", _ACQ): {"x86-64": ("mov (%rdi),%eax",),
                     "aarch64": ("ldar w0, [x0]",),
                     "aarch64-lse": ("ldar w0, [x0]",)},
    ("load", _SC): {"x86-64": ("mov (%rdi),%eax",),
                    "aarch64": ("ldar w0, [x0]",),
                    "aarch64-lse": ("ldar w0, [x0]",)},
    ("store", _RELAXED): {"x86-64": ("movl $0x1,(%rdi)",),
                          "aarch64": ("str w1, [x0]",),
                          "aarch64-lse": ("str w1, [x0]",)},
    ("store", _REL): {"x86-64": ("movl $0x1,(%rdi)",),
                      "aarch64": ("stlr w1, [x0]",),
                      "aarch64-lse": ("stlr w1, [x0]",)},
    ("store", _SC): {"x86-64": (_X86_XCHG,),
                     "aarch64": ("stlr w1, [x0]",),
                     "aarch64-lse": ("stlr w1, [x0]",)},
    ("rmw", _RELAXED): {"x86-64": (_X86_LOCKED,),
                        "aarch64": ("ldxr w0, [x1]", "stxr w2, w0, [x1]"),
                        "aarch64-lse": (_lse(""),)},
    ("rmw", _ACQ): {"x86-64": (_X86_LOCKED,),
                    "aarch64": ("ldaxr w0, [x1]", "stxr w2, w0, [x1]"),
                    "aarch64-lse": (_lse("a"),)},
    ("rmw", _REL): {"x86-64": (_X86_LOCKED,),
                    "aarch64": ("ldxr w0, [x1]", "stlxr w2, w0, [x1]"),
                    "aarch64-lse": (_lse("l"),)},
    ("rmw", _AR): {"x86-64": (_X86_LOCKED,),
                   "aarch64": ("ldaxr w0, [x1]", "stlxr w2, w0, [x1]"),
                   "aarch64-lse": (_lse("al"),)},
    ("rmw", _SC): {"x86-64": (_X86_LOCKED,),
                   "aarch64": ("ldaxr w0, [x1]", "stlxr w2, w0, [x1]"),
                   "aarch64-lse": (_lse("al"),)},
    ("cas", _SC): {"x86-64": ("lock cmpxchg %ecx,(%rdx)",),
                   "aarch64": ("ldaxr w2, [x0]", "stlxr w3, w1, [x0]"),
                   "aarch64-lse": ("casal w1, w2, [x0]",)},
    ("cas-fail", _SC): {"x86-64": ("lock cmpxchg %ecx,(%rdx)",),
                        "aarch64": ("ldaxr w2, [x0]",),
                        "aarch64-lse": ("casal w1, w2, [x0]",)},
    ("fence", _ACQ): {"x86-64": (), "aarch64": ("dmb ishld",),
                      "aarch64-lse": ("dmb ishld",)},
    ("fence", _REL): {"x86-64": (), "aarch64": ("dmb ish",),
                      "aarch64-lse": ("dmb ish",)},
    ("fence", _AR): {"x86-64": (), "aarch64": ("dmb ish",),
                     "aarch64-lse": ("dmb ish",)},
    ("fence", _SC): {"x86-64": (_X86_FENCE,), "aarch64": ("dmb ish",),
                     "aarch64-lse": ("dmb ish",)},
    ("sync-rmw", _SC): {"x86-64": (_X86_LOCKED,),
                        "aarch64": ("ldxr w2, [x0]", "stlxr w1, w2, [x0]",
                                    "dmb ish"),
                        "aarch64-lse": (_lse("al"),)},
}

# clang 14 where it differs from GCC 12 (same keys and architectures).
CLANG: Mapping[tuple[str, str], Mapping[str, tuple[str, ...]]] = {
    ("fence", _SC): {"x86-64": ("mfence",)},
    # clang reads __sync RMWs as bare seq_cst RMWs: no trailing dmb.
    ("sync-rmw", _SC): {"aarch64": ("ldaxr w2, [x0]", "stlxr w1, w2, [x0]")},
}

# The RMW's mnemonic for "{op}" (x86-64 and LSE; LL/SC loops use ldxr/stxr
# around an ALU instruction that the census does not count).
RMW_MNEMONICS = {
    "x86-64": {RmwOp.XCHG: "xchg", RmwOp.ADD: "add", RmwOp.SUB: "sub",
               RmwOp.OR: "or", RmwOp.AND: "and"},
    "aarch64-lse": {RmwOp.XCHG: "swp", RmwOp.ADD: "ldadd",
                    RmwOp.SUB: "ldadd", RmwOp.OR: "ldset",
                    RmwOp.AND: "ldclr"},
}

# One C function per key whose compiled body is that entry (the tests
# compile them; "x" is a global int).
PROBES: Mapping[tuple[str, str], str] = {
    ("plain", _RELAXED): "return x;",
    ("load", _RELAXED): "return __atomic_load_n(&x, __ATOMIC_RELAXED);",
    ("load", _ACQ): "return __atomic_load_n(&x, __ATOMIC_ACQUIRE);",
    ("load", _SC): "return __atomic_load_n(&x, __ATOMIC_SEQ_CST);",
    ("store", _RELAXED): "__atomic_store_n(&x, 1, __ATOMIC_RELAXED);",
    ("store", _REL): "__atomic_store_n(&x, 1, __ATOMIC_RELEASE);",
    ("store", _SC): "__atomic_store_n(&x, 1, __ATOMIC_SEQ_CST);",
    ("rmw", _RELAXED): "return __atomic_exchange_n(&x, 0, __ATOMIC_RELAXED);",
    ("rmw", _ACQ): "return __atomic_exchange_n(&x, 0, __ATOMIC_ACQUIRE);",
    ("rmw", _REL): "return __atomic_exchange_n(&x, 0, __ATOMIC_RELEASE);",
    ("rmw", _AR): "return __atomic_exchange_n(&x, 0, __ATOMIC_ACQ_REL);",
    ("rmw", _SC): "return __atomic_exchange_n(&x, 0, __ATOMIC_SEQ_CST);",
    ("cas", _SC): "int e = 0; return __atomic_compare_exchange_n(&x, &e, 1, "
                  "0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);",
    ("fence", _ACQ): "__atomic_thread_fence(__ATOMIC_ACQUIRE);",
    ("fence", _REL): "__atomic_thread_fence(__ATOMIC_RELEASE);",
    ("fence", _AR): "__atomic_thread_fence(__ATOMIC_ACQ_REL);",
    ("fence", _SC): "__atomic_thread_fence(__ATOMIC_SEQ_CST);",
    ("sync-rmw", _SC): "__sync_fetch_and_add(&x, 2);",
}

SYNC_UNIT = "sync-rmw"
_STORE_ORDER = {Order.RELAXED: _RELAXED, Order.RELEASE: _REL,
                Order.SEQ_CST: _SC}


def _order(order: Order, form: str) -> str:
    if form == "store":
        return _STORE_ORDER[order]
    if order == Order.CONSUME:
        return _ACQ
    if form == "load" and order in (Order.RELEASE, Order.ACQ_REL):
        return _SC          # not valid C11 for a load; never seen
    return order.short


def key_of(access: Access, *, sync: bool = False,
           wrote: bool = True) -> tuple[str, str]:
    """The TABLE key of one executed memory event."""
    if access.plain:
        return ("plain", _RELAXED)
    if access.kind == Kind.FENCE:
        return ("fence", _order(access.order, "fence"))
    if access.kind == Kind.LOAD:
        return ("load", _order(access.order, "load"))
    if access.kind == Kind.STORE:
        return ("store", _order(access.order, "store"))
    if sync:
        return (SYNC_UNIT, _SC)
    if access.op == RmwOp.CAS:
        form = "cas" if wrote else "cas-fail"
        return (form, _order(access.order, form))
    return ("rmw", _order(access.order, "rmw"))


def instructions(key: tuple[str, str], arch: str, compiler: str = "gcc",
                 op: RmwOp | None = None) -> tuple[Insn, ...]:
    """What `key` compiles to on `arch` with `compiler`."""
    if arch not in ARCHES:
        raise BuildError(f"unknown census architecture {arch!r}",
                         hint="valid: " + ", ".join(ARCHES))
    entry = TABLE.get(key)
    if entry is None:
        raise BuildError(f"no instruction mapping for {key[0]} "
                         f"{key[1]} in build/isa.py",
                         hint="add the row to TABLE (and a probe)")
    texts = entry[arch]
    if compiler == "clang":
        texts = CLANG.get(key, {}).get(arch, texts)
    mnemonic = RMW_MNEMONICS.get(arch, {}).get(op or RmwOp.XCHG, "xchg")
    if arch == "x86-64" and op in (None, RmwOp.XCHG) and key[0] == "rmw":
        texts = (_X86_XCHG,)    # an exchange: xchg, implicitly locked
    return tuple(parse_insn(t.replace("{op}", mnemonic)) for t in texts)
