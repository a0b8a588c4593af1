"""Plain-C variants: the checks a variant's C file gets when its spec is
loaded, before anything renders, checks or compiles it.

The file defines the four hooks of csrc/aio_protocol.h (and none of the
shared functions), written with QEMU's macros (csrc/qemu_atomic.h) or
GCC atomic builtins.  Checked on the text: every hook is defined;
every memory order written as a builtin's argument is valid for its
operation, by the same rule as spec parameters (orders.py: no consume,
no acquire store or release load, a compare-exchange failure order no
stronger than its success order, fences that order something); no C11
<stdatomic.h> call or memory_order_* name (the file is compiled and
preprocessed without system headers, so they would check but never
build); no atomic-looking name that neither QEMU's header, the
compiler nor the file's own #defines define.  Errors name the C file
and line.  Entry point: scan().
"""

from __future__ import annotations

import re
from pathlib import Path

from . import fsutil
from .errors import SpecError
from .orders import Op, Order, order_problem, parse_order, valid_text
from .params import HOOKS, SHARED
from .spelling import BY_NAME as MACROS

# Builtins that take orders: (argument index, operation); a
# compare-exchange's failure order comes right after its success order.
_WORDS = ("add", "sub", "or", "and", "xor", "nand")    # GCC's RMW builtins
_FETCH = [f"{a}{w}{b}" for w in _WORDS
          for a, b in (("__atomic_fetch_", ""), ("__atomic_", "_fetch"),
                       ("atomic_fetch_", "_explicit"))]
ORDER_ARGS: dict[str, tuple[tuple[int, str], ...]] = {
    "__atomic_load_n": ((1, Op.LOAD),), "__atomic_load": ((2, Op.LOAD),),
    "atomic_load_explicit": ((1, Op.LOAD),),
    "__atomic_store_n": ((2, Op.STORE),), "__atomic_store": ((2, Op.STORE),),
    "atomic_store_explicit": ((2, Op.STORE),),
    "__atomic_exchange_n": ((2, Op.RMW),), "__atomic_exchange": ((3, Op.RMW),),
    "atomic_exchange_explicit": ((2, Op.RMW),),
    "__atomic_compare_exchange_n": ((4, Op.RMW), (5, Op.CAS_FAIL)),
    "__atomic_compare_exchange": ((4, Op.RMW), (5, Op.CAS_FAIL)),
    "atomic_compare_exchange_strong_explicit": ((3, Op.RMW),
                                                (4, Op.CAS_FAIL)),
    "atomic_compare_exchange_weak_explicit": ((3, Op.RMW), (4, Op.CAS_FAIL)),
    "__atomic_thread_fence": ((0, Op.FENCE),),
    "__atomic_signal_fence": ((0, Op.FENCE),),
    "atomic_thread_fence": ((0, Op.FENCE),),
    "atomic_signal_fence": ((0, Op.FENCE),),
    **{name: ((2, Op.RMW),) for name in _FETCH},
}
# Atomic calls without an order argument (seq_cst, or __sync barriers).
NO_ORDER = frozenset({
    "atomic_load", "atomic_store", "atomic_exchange",
    "atomic_compare_exchange_strong", "atomic_compare_exchange_weak",
    "__sync_synchronize", "__sync_lock_test_and_set", "__sync_lock_release",
    "__sync_val_compare_and_swap", "__sync_bool_compare_and_swap",
    *(f"atomic_fetch_{w}" for w in ("add", "sub", "or", "and")),
    *(f"__sync_fetch_and_{w}" for w in _WORDS),
    *(f"__sync_{w}_and_fetch" for w in _WORDS),
})
# QEMU macros the header leaves out, and what to write for each (with the
# QEMU versions when its meaning changed: include/qemu/atomic.h history).
_MB_READ = ("qatomic_load_acquire(p) (2019-2023), __atomic_load_n(p, "
            "__ATOMIC_SEQ_CST) (2016), or atomic_read(p) then smp_rmb() "
            "(2015)")
_CMPXCHG = ("__sync_val_compare_and_swap(p, old, new) (2015), or "
            "__atomic_compare_exchange_n(p, &expected, new, 0, "
            "__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST) (2016 on; QEMU's returns "
            "the old value)")
ELSEWHERE = {
    "atomic_mb_read": _MB_READ, "qatomic_mb_read": _MB_READ,
    "qatomic_mb_set": "qatomic_set_mb(p, v) (the 2023 name; atomic_mb_set "
                      "is the 2015 smp_wmb, store, smp_mb)",
    "atomic_cmpxchg": _CMPXCHG, "qatomic_cmpxchg": _CMPXCHG,
    "atomic_inc": "atomic_add(p, 1) (2015) or qatomic_add(p, 1)",
    "qatomic_inc": "qatomic_add(p, 1)",
    "atomic_dec": "atomic_sub(p, 1) (2015) or qatomic_sub(p, 1)",
    "qatomic_dec": "qatomic_sub(p, 1)",
    "smp_mb__before_rmw": "smp_mb() (non-x86 hosts; nothing on x86)",
    "smp_mb__after_rmw": "smp_mb() (non-x86 hosts; nothing on x86)",
    "atomic_load_acquire": "qatomic_load_acquire(p)",
    "atomic_store_release": "qatomic_store_release(p, v)",
    "atomic_rcu_read": "qatomic_load_acquire(p) (a consume load, which "
                       "compilers promote to acquire)",
    "qatomic_rcu_read": "qatomic_read(p) (today: a relaxed load and a "
                        "dependency barrier)",
    "atomic_rcu_set": "qatomic_store_release(p, v)",
    "qatomic_rcu_set": "qatomic_store_release(p, v)",
}
_ATOMIC_LOOKING = re.compile(r"^(q?atomic_|smp_|__atomic_|__sync_)")
_CALL = re.compile(r"\b([A-Za-z_]\w*)\s*\(")
_DEFINE = re.compile(r"^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)", re.M)
# <stdatomic.h>'s calls: a variant is compiled (and preprocessed for the
# checker) without system headers, so these never build.
C11_CALLS = frozenset(name for name in (*ORDER_ARGS, *NO_ORDER)
                      if name.startswith("atomic_"))
_KEYWORDS = frozenset({"if", "while", "for", "switch", "return", "sizeof"})


def scan(path: Path, display: str) -> str:
    """The file's text, once it passes; SpecError at the C line if not."""
    text = fsutil.read_text(path, "plain-C variant", SpecError)
    code = _blank_comments_and_strings(text)
    defined = _defined_functions(code)
    where = _Where(display, code)
    _check_definitions(defined, where)
    macros = set(_DEFINE.findall(code))     # the file's own #defines
    for match in _CALL.finditer(code):
        name = match.group(1)
        if name in defined or name in _KEYWORDS or name in macros:
            continue
        if name in C11_CALLS:
            raise where.error(
                match.start(), f"{name}() is C11 <stdatomic.h>, which a "
                "variant cannot include (it is compiled and checked "
                "without system headers)",
                f"write {_gcc_builtin(name)}() with __ATOMIC_* orders, or "
                "QEMU's macro (csrc/qemu_atomic.h)")
        if name in ORDER_ARGS:
            args = _arguments(code, match.end() - 1)
            _check_orders(name, args, match.start(), where)
        elif _ATOMIC_LOOKING.match(name) and name not in MACROS \
                and name not in NO_ORDER:
            if name in ELSEWHERE:
                raise where.error(
                    match.start(), f"QEMU's {name}() is not in "
                    "csrc/qemu_atomic.h", "write " + ELSEWHERE[name])
            raise where.error(
                match.start(), f"unknown atomic macro or builtin {name}()",
                "QEMU's macros (csrc/qemu_atomic.h): " + ", ".join(
                    sorted(MACROS)))
    return text


def _gcc_builtin(c11: str) -> str:
    """The GCC builtin a C11 <stdatomic.h> call stands for."""
    base = "__" + c11.removesuffix("_explicit")
    if base.startswith("__atomic_compare_exchange"):
        return "__atomic_compare_exchange_n"
    if base in ("__atomic_load", "__atomic_store", "__atomic_exchange"):
        return base + "_n"
    return base


class _Where:
    def __init__(self, display: str, code: str):
        self.display = display
        self.code = code

    def line(self, offset: int) -> int:
        return self.code.count("\n", 0, offset) + 1

    def error(self, offset: int, message: str, hint: str) -> SpecError:
        return SpecError(message, path=self.display, line=self.line(offset),
                         hint=hint)


def _blank_comments_and_strings(text: str) -> str:
    """Comments and literals replaced by spaces (newlines kept), so
    offsets and line numbers stay those of the file."""
    pattern = re.compile(r"//[^\n]*|/\*.*?\*/|\"(?:\\.|[^\"\\\n])*\"|"
                         r"'(?:\\.|[^'\\\n])*'", re.S)
    return pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def _defined_functions(code: str) -> dict[str, int]:
    """Function definitions: name -> offset (a call is followed by ';' or
    an operator, a definition by its body)."""
    found = {}
    for match in _CALL.finditer(code):
        name = match.group(1)
        if name in _KEYWORDS:
            continue
        end = _matching_paren(code, match.end() - 1)
        if end is not None and code[end + 1:].lstrip().startswith("{") \
                and not _in_macro_or_body(code, match.start()):
            found.setdefault(name, match.start())
    return found


def _in_macro_or_body(code: str, offset: int) -> bool:
    depth = code.count("{", 0, offset) - code.count("}", 0, offset)
    line_start = code.rfind("\n", 0, offset) + 1
    return depth > 0 or code[line_start:offset].lstrip().startswith("#")


def _check_definitions(defined: dict[str, int], where: _Where) -> None:
    for name in SHARED:
        if name in defined:
            raise where.error(
                defined[name], f"{where.display} defines {name}(), which is "
                "the shared protocol code", "define only the hooks ("
                + ", ".join(HOOKS) + "); the shared code's parameters go "
                "in the spec's [params]")
    missing = [name for name in HOOKS if name not in defined]
    if missing:
        # A '{' never closed makes every later definition look like code
        # inside a body: say that, not that the hooks are missing.
        _check_braces(where)
        raise SpecError(
            f"{where.display} does not define "
            + ", ".join(f"{m}()" for m in missing), path=where.display,
            line=1, hint="a plain-C variant defines the hooks declared in "
                         "csrc/aio_protocol.h: " + ", ".join(HOOKS))


def _check_braces(where: _Where) -> None:
    """SpecError at a '}' that closes nothing or a '{' never closed."""
    opened: list[int] = []
    for index, char in enumerate(where.code):
        if char == "{":
            opened.append(index)
        elif char == "}":
            if not opened:
                raise where.error(index, "a '}' that closes no '{'",
                                  "unbalanced braces: remove it or add "
                                  "the '{' it closes")
            opened.pop()
    if opened:
        raise where.error(opened[0], "this '{' is never closed",
                          "unbalanced braces: a '}' is missing after it, "
                          "or it is one too many")


def _matching_paren(code: str, start: int) -> int | None:
    depth = 0
    for index in range(start, len(code)):
        if code[index] == "(":
            depth += 1
        elif code[index] == ")":
            depth -= 1
            if depth == 0:
                return index
    return None


def _arguments(code: str, start: int) -> list[tuple[str, int]]:
    """Top-level arguments of the call whose '(' is at start, with the
    offset of each."""
    args, depth, begin = [], 0, start + 1
    for index in range(start, len(code)):
        char = code[index]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                args.append((code[begin:index], begin))
                return args
        elif char == "," and depth == 1:
            args.append((code[begin:index], begin))
            begin = index + 1
    return args


def _check_orders(name: str, args: list[tuple[str, int]], offset: int,
                  where: _Where) -> None:
    success: Order | None = None
    for index, op in ORDER_ARGS[name]:
        if index >= len(args):
            raise where.error(offset, f"{name}() with {len(args)} "
                              "arguments", "give the memory order too")
        text, at = args[index]
        order = parse_order(text.strip()) if text.strip().startswith(
            ("__ATOMIC_", "memory_order_")) else None
        if order is None:
            raise where.error(
                at, f"memory order {text.strip()!r} of {name}() is not an "
                "order constant", "write __ATOMIC_RELAXED, __ATOMIC_ACQUIRE"
                ", ... (the checker needs a constant order)")
        problem = order_problem(op, order, success if op == Op.CAS_FAIL
                                else None)
        if problem is not None:
            raise where.error(
                at, f"memory order {text.strip()} of {name}() (a {op}): "
                f"{problem}",
                valid_text(op, success if op == Op.CAS_FAIL else None))
        if text.strip().startswith("memory_order_"):
            raise where.error(
                at, f"memory order {text.strip()} of {name}() is C11 "
                "<stdatomic.h>'s name, which a variant cannot include",
                f"write {order.gcc_name}")
        success = order
