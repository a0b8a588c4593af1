"""The parameters of the protocol: the one registry of its ordering points.

Every fence, every atomic access's order, the notify_me update form, the
drain position, the eventfd write condition and the notified flag is one
Param here, with its values, its default, what it means in QEMU's terms
and which C functions it changes.  Spec validation, `evaluate new --set`,
`evaluate list`, the README table and the tests read this table; the
templates (templates/notify.c.j2 for the hooks, templates/aio_protocol.c.j2
for the shared code) render it.

The defaults are 05e514b1 (QEMU 2.4/2.5), so a spec names only what
differs from it, or from the spec it is `based_on`.  Values are C11
orders (relaxed, acquire, release, acq_rel, seq_cst; __ATOMIC_* and
memory_order_* spellings are read too), QEMU's fence macros (smp_mb,
smp_wmb, smp_rmb, smp_mb_release, smp_mb_acquire), QEMU's composite
stores (atomic_mb_set, qatomic_set_mb), or the words listed per
parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Callable, Mapping

from .orders import Op, order_problem, parse_order
from .spelling import FENCE_MACROS, STORE_FORMS

# The template every parameter of kind hook belongs to.
TEMPLATE = "notify"
# The hooks a variant defines (csrc/aio_protocol.h) and the shared code.
HOOKS = ("aio_notify", "aio_notify_accept", "aio_poll_wait",
         "aio_notifier_cb")
SHARED = ("aio_compute_timeout", "qemu_bh_schedule", "aio_bh_poll",
          "aio_poll")
FENCE_VALUES = ("none", *FENCE_MACROS, "acquire", "release", "acq_rel",
                "seq_cst")

Config = Mapping[str, object]


@dataclass(frozen=True)
class Site:
    """The operation an order parameter orders, under a configuration."""

    op: str                  # orders.Op
    what: str                # "the exchange that clears notified"
    success: str = ""        # CAS failure: the parameter with the success


def _always(config: Config) -> str | None:
    return None


@dataclass(frozen=True)
class Param:
    name: str
    kind: str                 # "flag" | "choice" | "order" | "fence"
    default: object
    doc: str                  # what it means, in QEMU's terms
    changes: tuple[str, ...]  # the C functions it changes
    label: str                # in one-line change summaries
    values: tuple[str, ...] = ()   # choice: the words; order: forms too
    site: Callable[[Config], Site] | None = None     # order: which op
    # None when the parameter has an effect under config, else why not.
    applies: Callable[[Config], str | None] = _always
    # None when the value fits the rest of config, else the conflict.
    conflict: Callable[[Config], str | None] = _always
    note: str = ""            # order: when the operation, hence the
                              # valid orders, depends on another value

    @property
    def shared(self) -> bool:
        """Changes only the shared code (settable for plain-C variants)."""
        return all(fn in SHARED for fn in self.changes)

    def parse(self, raw: object) -> object:
        """The canonical value, or ValueError naming the valid ones."""
        if self.kind == "flag":
            if isinstance(raw, bool):
                return raw
            if isinstance(raw, str) and raw.strip().lower() in ("true",
                                                                "false"):
                # TOML: "false" in quotes is a string, not the boolean.
                raise ValueError(f"{raw!r} is a string: write "
                                 f"{raw.strip().lower()} without quotes")
            raise ValueError(f"{raw!r} is not true or false")
        text = str(raw).strip() if isinstance(raw, str) else None
        if text is None:
            raise ValueError(f"{raw!r} is not a string")
        if self.kind == "choice":
            if text in self.values:
                return text
            raise ValueError(f"{text!r} is not one of its values")
        if self.kind == "fence":
            return _parse_fence(text)
        if text in self.values:           # a composite store form
            return text
        order = parse_order(text)
        if order is None:
            raise ValueError(f"{text!r} is not a memory order")
        return order.short

    def from_text(self, text: str) -> object:
        """A value typed on the command line (`--set name=value`)."""
        if self.kind == "flag":
            words = {"true": True, "false": False}
            if text.strip().lower() not in words:
                raise ValueError(f"{text!r} is not true or false")
            return words[text.strip().lower()]
        return self.parse(text)

    def valid_hint(self) -> str:
        """An error's hint: what the parameter accepts."""
        kind = {"fence": "valid for a fence", "order": "valid"}.get(
            self.kind, "valid")
        return f"{kind}: {self.choices()}"

    def choices(self) -> str:
        """The values, for tables and hints."""
        if self.kind == "flag":
            return "true, false"
        if self.kind == "fence":
            return ", ".join(FENCE_VALUES)
        if self.kind == "order":
            from .orders import spec_orders
            op = self.site(DEFAULTS).op
            names = [o.short for o in spec_orders(op)] + list(self.values)
            return ", ".join(names) + (f" ({self.note})" if self.note
                                       else "")
        return ", ".join(self.values)


def _parse_fence(text: str) -> str:
    if text in ("none", *FENCE_MACROS):
        return text
    order = parse_order(text)
    if order is None:
        raise ValueError(f"{text!r} is not a fence")
    problem = order_problem(Op.FENCE, order)
    if problem:
        raise ValueError(problem)
    return order.short


# ---- predicates over a configuration ---------------------------------------

def _needs_flag(config: Config) -> str | None:
    return None if config["notified"] else "notified = false (no flag)"


def _flag_and(test: Callable[[Config], bool], why: str):
    def applies(config: Config) -> str | None:
        return _needs_flag(config) or (None if test(config) else why)
    return applies


def _when(test: Callable[[Config], bool], why: str):
    return lambda config: None if test(config) else why


def _notify_me_site(direction: str):
    def site(config: Config) -> Site:
        where = "raises" if direction == "raise" else "lowers"
        if config["notify_me_update"] == "load-store":
            return Site(Op.STORE, f"the store that {where} notify_me in "
                                  "aio_poll_wait (single writer)")
        return Site(Op.RMW, f"the read-modify-write that {where} "
                            "notify_me in aio_poll_wait")
    return site


def _accept_site(config: Config) -> Site:
    form = config["accept"]
    if form == "store":
        return Site(Op.STORE, "the store that clears notified in "
                              "aio_notify_accept")
    if form == "cmpxchg":
        return Site(Op.RMW, "the compare-exchange of notified (success) "
                            "in aio_notify_accept")
    return Site(Op.RMW, "the exchange that clears notified in "
                        "aio_notify_accept")


def _recheck_conflict(config: Config) -> str | None:
    if config["notify_me_when"] == "before-sleep" \
            and config["recheck"] == "notified" and not config["notified"]:
        return ("recheck = \"notified\" needs the notified flag "
                "(notified = true), or recheck = \"bh\" or \"none\"")
    return None


def _site(op: str, what: str) -> Callable[[Config], Site]:
    return lambda config: Site(op, what)


_WRITE_IF = "eventfd_write = \"always\" (notify_me is not read)"

# ---- the registry ----------------------------------------------------------

# The orders of notify_me's raise and lower mean nothing for a __sync
# RMW, which is a full barrier whatever it is given.
_UNLESS_SYNC = _when(lambda c: c["notify_me_update"] != "sync",
                     "notify_me_update = \"sync\" (a __sync RMW is a "
                     "full barrier)")


PARAMS: tuple[Param, ...] = (
    # aio_notify
    Param("notified", "flag", True,
          "the notified flag (05e514b1): aio_notify sets it, "
          "aio_notify_accept clears it; false is 21a03d17, no flag",
          ("aio_notify", "aio_notify_accept"), "notified flag"),
    Param("set_notified", "choice", "after-write",
          "where aio_notify sets notified = 1: after-write (05e514b1: "
          "after the eventfd write, only when notify_me is set), "
          "before-write (SPIN aio_notify_accept.promela BUG1: busy loop), "
          "always (QEMU 5.2: every call, before the fence that precedes "
          "the notify_me read)",
          ("aio_notify",), "set notified",
          values=("after-write", "before-write", "always"),
          applies=_needs_flag),
    Param("notified_store", "order", "atomic_mb_set",
          "the notified = 1 store: atomic_mb_set (2015: smp_wmb, store, "
          "smp_mb), qatomic_set_mb (store-release, smp_mb), or one store "
          "with this order (QEMU 5.2: relaxed)",
          ("aio_notify",), "store", values=STORE_FORMS,
          site=_site(Op.STORE, "the store of notified = 1 in aio_notify"),
          applies=_needs_flag),
    Param("notified_store_fence", "fence", "none",
          "fence right before the notified = 1 store (QEMU 5.2: smp_wmb, "
          "orders the BH write before notified)",
          ("aio_notify",), "fence before store",
          applies=_needs_flag),
    Param("notify_fence", "fence", "smp_mb",
          "aio_notify's fence before it reads notify_me (every version: "
          "smp_mb; pairs with the fence or full-barrier RMW after the "
          "poller raises notify_me)",
          ("aio_notify",), "fence"),
    Param("notify_me_read", "order", "relaxed",
          "aio_notify's read of notify_me (2015: atomic_read; 5710a3e0 and "
          "later: qatomic_read; both relaxed)",
          ("aio_notify",), "notify_me read",
          site=_site(Op.LOAD, "the read of notify_me in aio_notify"),
          applies=_when(lambda c: c["eventfd_write"] == "if-notify-me",
                        _WRITE_IF)),
    Param("eventfd_write", "choice", "if-notify-me",
          "when aio_notify writes the eventfd: if-notify-me (every "
          "version: only when a poller may sleep) or always",
          ("aio_notify",), "eventfd write",
          values=("if-notify-me", "always")),
    Param("skip_write_if_notified", "flag", False,
          "NEGATIVE CONTROL: skip the eventfd write when notified is "
          "already set (SPIN aio_notify_accept.promela BUG2: lost wakeup)",
          ("aio_notify",), "skip write if notified",
          applies=_flag_and(lambda c: c["set_notified"] != "always",
                            "set_notified = \"always\" (aio_notify would "
                            "read its own store)")),
    Param("skip_write_read", "order", "relaxed",
          "the read of notified that skip_write_if_notified tests",
          ("aio_notify",), "notified read",
          site=_site(Op.LOAD, "the read of notified in aio_notify"),
          applies=_flag_and(lambda c: c["skip_write_if_notified"]
                            and c["set_notified"] != "always",
                            "skip_write_if_notified = false")),
    # aio_notify_accept and the drain
    Param("accept", "choice", "xchg",
          "how aio_notify_accept clears notified: xchg (05e514b1: "
          "exchange with 0, drain the eventfd if it was 1), "
          "test-then-xchg (a relaxed read first, exchange only when set), "
          "cmpxchg (compare-exchange 1 -> 0), store (QEMU 5.2: store 0; "
          "the drain is not gated)",
          ("aio_notify_accept",), "form",
          values=("xchg", "test-then-xchg", "cmpxchg", "store"),
          applies=_needs_flag),
    Param("accept_order", "order", "seq_cst",
          "the order of that exchange, compare-exchange (success) or store "
          "(05e514b1: seq_cst xchg; QEMU 5.2: relaxed store)",
          ("aio_notify_accept",), "order", site=_accept_site,
          applies=_needs_flag,
          note="accept = \"store\": relaxed, release, seq_cst"),
    Param("accept_fail_order", "order", "relaxed",
          "the compare-exchange's failure order (accept = \"cmpxchg\"; no "
          "stronger than the success order)",
          ("aio_notify_accept",), "failure order",
          site=lambda c: Site(Op.CAS_FAIL, "the failed compare-exchange "
                              "of notified in aio_notify_accept",
                              success="accept_order"),
          applies=_flag_and(lambda c: c["accept"] == "cmpxchg",
                            "accept is not \"cmpxchg\"")),
    Param("accept_peek", "order", "relaxed",
          "the read of notified that accept = \"test-then-xchg\" does "
          "before the exchange",
          ("aio_notify_accept",), "peek",
          site=_site(Op.LOAD, "the read of notified before the exchange "
                              "in aio_notify_accept"),
          applies=_flag_and(lambda c: c["accept"] == "test-then-xchg",
                            "accept is not \"test-then-xchg\"")),
    Param("accept_fence", "fence", "none",
          "fence at the end of aio_notify_accept, after notified is "
          "cleared (QEMU 5.2: smp_mb, orders the clear before the BH "
          "reads)",
          ("aio_notify_accept",), "fence"),
    Param("drain", "choice", "accept",
          "where the poller drains the eventfd: accept (in "
          "aio_notify_accept right after the wait: 21a03d17; with the "
          "flag only when notified was set: 05e514b1) or fd-handler (the "
          "EventNotifier's handler, when the wait said it is readable: "
          "QEMU 5.2); with dispatch = \"bhs-first\" the handler runs after "
          "the BHs, as before 21a03d17",
          ("aio_notify_accept", "aio_notifier_cb"), "drain",
          values=("accept", "fd-handler")),
    # aio_poll_wait: notify_me
    Param("notify_me_update", "choice", "sync",
          "how aio_poll changes notify_me: sync (2015 atomic_add/atomic_sub"
          ": GCC __sync RMWs, full barriers), rmw (C11 RMWs with the "
          "orders below: qatomic_add/qatomic_sub when seq_cst, QEMU "
          "2.6-4.2, not fences in C11), load-store (5710a3e0: single "
          "writer, a read and a store)",
          ("aio_poll_wait",), "notify_me update",
          values=("sync", "rmw", "load-store")),
    Param("notify_me_raise_order", "order", "seq_cst",
          "the order of the RMW or store that raises notify_me "
          "(QEMU 5.0+: relaxed qatomic_set)",
          ("aio_poll_wait",), "notify_me raise", site=_notify_me_site("raise"),
          applies=_UNLESS_SYNC,
          note="load-store: relaxed, release, seq_cst"),
    Param("notify_me_lower_order", "order", "seq_cst",
          "the order of the RMW or store that lowers notify_me "
          "(QEMU 5.0+: qatomic_store_release)",
          ("aio_poll_wait",), "notify_me lower", site=_notify_me_site("lower"),
          applies=_UNLESS_SYNC,
          note="load-store: relaxed, release, seq_cst"),
    Param("notify_me_fence", "fence", "none",
          "fence right after notify_me is raised, before the poller reads "
          "the BH state (5710a3e0 and later: smp_mb)",
          ("aio_poll_wait",), "fence after raise"),
    Param("notify_me_when", "choice", "blocking",
          "when aio_poll raises notify_me: blocking (2015: around every "
          "blocking aio_poll, before the BH check) or before-sleep (QEMU "
          "5.2: only when the BH check says it will sleep, then re-check)",
          ("aio_poll_wait",), "notify_me raised",
          values=("blocking", "before-sleep")),
    Param("recheck", "choice", "notified",
          "what the poller re-checks after raising notify_me "
          "(notify_me_when = \"before-sleep\"): notified (QEMU 5.2), bh "
          "(the BH state again), none (SPIN aio_notify.promela -DBUG: "
          "lost wakeup)",
          ("aio_poll_wait",), "re-check",
          values=("notified", "bh", "none"),
          applies=_when(lambda c: c["notify_me_when"] == "before-sleep",
                        "notify_me_when = \"blocking\" (the BH check "
                        "already follows the raise)"),
          conflict=_recheck_conflict),
    Param("recheck_read", "order", "relaxed",
          "the re-check's read of notified (QEMU 5.2: qatomic_read)",
          ("aio_poll_wait",), "re-check read",
          site=_site(Op.LOAD, "the re-check's read of notified in "
                              "aio_poll_wait"),
          applies=_when(lambda c: c["notify_me_when"] == "before-sleep"
                        and c["recheck"] == "notified",
                        "there is no re-check of notified")),
    # shared code
    Param("bh_schedule_xchg", "order", "seq_cst",
          "qemu_bh_schedule's exchange that marks the BH scheduled "
          "(QEMU: qatomic_xchg, seq_cst)",
          ("qemu_bh_schedule",), "xchg",
          site=_site(Op.RMW, "the exchange that schedules the BH in "
                             "qemu_bh_schedule")),
    Param("bh_timeout_read", "order", "relaxed",
          "aio_compute_timeout's read of the BH state (2015: plain, "
          "modelled relaxed; 5142397c, 2025: load-acquire)",
          ("aio_compute_timeout",), "read",
          site=_site(Op.LOAD, "the read of the BH state in "
                              "aio_compute_timeout")),
    Param("bh_poll_xchg", "order", "seq_cst",
          "aio_bh_poll's exchange that takes the BH (QEMU: qatomic_xchg)",
          ("aio_bh_poll",), "xchg",
          site=_site(Op.RMW, "the exchange that takes the BH in "
                             "aio_bh_poll")),
    Param("dispatch", "choice", "notifier-first",
          "the order of aio_poll's dispatch: notifier-first (the "
          "EventNotifier's handler, then the BHs) or bhs-first (the BHs, "
          "then the fd handlers, as aio_dispatch did before 21a03d17)",
          ("aio_poll",), "dispatch order",
          values=("notifier-first", "bhs-first")),
)

BY_NAME: Mapping[str, Param] = {p.name: p for p in PARAMS}
DEFAULTS: Mapping[str, object] = {p.name: p.default for p in PARAMS}


def shared_params() -> tuple[Param, ...]:
    return tuple(p for p in PARAMS if p.shared)


@dataclass(frozen=True)
class Problem:
    """A parameter whose value does not fit its configuration."""

    param: str
    message: str
    hint: str


def problems(config: Config, explicit: set[str]) -> list[Problem]:
    """Order, effect and consistency problems of a full configuration;
    `explicit` are the parameters the spec sets itself (only those are
    refused for having no effect: inherited ones may be moot)."""
    found = []
    for param in PARAMS:
        if param.name not in config:
            continue
        moot = param.applies(config)
        if moot is not None:
            if param.name in explicit:
                found.append(Problem(
                    param.name, f"{param.name} has no effect here: {moot}",
                    "remove it, or change what makes it moot"))
            continue
        found += _order_problems(param, config)
        conflict = param.conflict(config)
        if conflict:
            found.append(Problem(param.name, conflict,
                                 "change one of the two"))
    return found


def _order_problems(param: Param, config: Config) -> list[Problem]:
    from .orders import valid_text
    if param.kind != "order":
        return []
    value = config[param.name]
    if value in param.values:            # a composite store form
        return []
    site = param.site(config)
    success = (parse_order(str(config[site.success])) if site.success
               else None)
    order = parse_order(str(value))
    problem = order_problem(site.op, order, success)
    if problem is None:
        return []
    forms = (", or " + ", ".join(param.values)) if param.values else ""
    return [Problem(param.name,
                    f"{param.name} = \"{value}\": {problem}, for "
                    f"{site.what}",
                    valid_text(site.op, success) + forms)]


def _cell(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def markdown_table() -> str:
    """The README's parameter table (a test keeps README.md in step)."""
    rows = ["| parameter | values | default | changes | meaning |",
            "|---|---|---|---|---|"]
    for p in PARAMS:
        rows.append(f"| `{p.name}` | {p.choices()} | `{_cell(p.default)}` "
                    f"| {', '.join(p.changes)} | {p.doc} |")
    return "\n".join(rows)


def text_table(width: int = 72) -> str:
    """`evaluate list --params`: every parameter, default and meaning."""
    import textwrap
    out = []
    for p in PARAMS:
        out.append(f"{p.name} = {_cell(p.default)}   "
                   f"[{', '.join(p.changes)}]")
        out += textwrap.wrap(f"{p.doc}.  Values: {p.choices()}.", width,
                             initial_indent="    ", subsequent_indent="    ",
                             break_on_hyphens=False)
    return "\n".join(out)
