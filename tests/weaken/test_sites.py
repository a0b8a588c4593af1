"""Sites of a compiled program: one per written atomic operation or
fence (three for a __sync RMW or atomic_mb_set), named by function and
call, found in every inlined copy, and an assignment changes exactly
the events of the sites it names."""

from __future__ import annotations

from evaluator.checker.frontend import parse_c
from evaluator.checker.ir import MEM
from evaluator.checker.scenario import Scenario, build_program
from evaluator.weaken import lattice
from evaluator.weaken.sites import apply, find_sites, line_reader
from evaluator.orders import Order
from evaluator.paths import find_project
from evaluator.render import render_variant
from evaluator.variants import load_variants


def _program(name: str):
    paths = find_project()
    rendered = render_variant(load_variants(paths.variants)[name], paths)
    unit = parse_c(rendered.text, rendered.filename, paths.csrc)
    program = build_program(unit, Scenario())
    return program, line_reader(rendered.text, paths.root, paths.csrc)


def test_original_has_its_15_sites_with_qemu_names():
    program, read = _program("original-05e514b1")
    sites = {s.name: s for s in find_sites(program, read)}
    assert len(sites) == 15
    mb_set = [sites[f"aio_notify:atomic_mb_set.{role}"]
              for role in ("fence-before", "store", "fence-after")]
    assert [(s.kind, s.level) for s in mb_set] == [
        (lattice.FENCE, Order.RELEASE), (lattice.STORE, Order.RELAXED),
        (lattice.FENCE, Order.SEQ_CST)]
    assert sites["aio_notify:smp_mb"].kind == lattice.FENCE
    rmw = [n for n in sites if n.startswith("aio_poll_wait:")
           and n.endswith(".rmw")]
    assert len(rmw) == 2            # the notify_me raise and lower
    # qemu_bh_schedule runs in the notifier, aio_bh_poll in the poller
    assert sites["qemu_bh_schedule:qatomic_xchg"].kind == lattice.RMW
    assert sites["aio_bh_poll:qatomic_xchg"].level == Order.SEQ_CST


def test_no_event_notifier_syscall_or_plain_access_is_a_site():
    program, read = _program("original-05e514b1")
    sites = find_sites(program, read)
    covered = {pos for s in sites for pos in s.positions}
    for t, thread in enumerate(program.threads):
        for pc, ins in enumerate(thread.code):
            if ins.kind != MEM:
                continue
            is_site = (t, pc) in covered
            syscall = ins.label.startswith("event_notifier")
            assert is_site != (syscall or ins.access.plain), ins.label


def test_apply_changes_exactly_the_named_site():
    program, read = _program("qemu-5.2")
    sites = find_sites(program, read)
    target = next(s for s in sites if s.name == "aio_notify:smp_mb")
    changed = apply(program, sites, {target.name: Order.RELEASE})
    for t, (old, new) in enumerate(zip(program.threads, changed.threads)):
        for pc, (a, b) in enumerate(zip(old.code, new.code)):
            if (t, pc) in target.positions:
                assert b.access.order == Order.RELEASE
                assert a.access.order == Order.SEQ_CST
            else:
                assert a is b
    assert program.threads[0].code is not changed.threads[0].code


def test_a_statement_over_two_lines_names_its_inner_call():
    program, read = _program("qemu-5.2")
    names = {s.name for s in find_sites(program, read)}
    assert "aio_poll_wait:qatomic_store_release" in names
    assert any(n.startswith("aio_poll_wait:qatomic_read@") for n in names)
    assert len(names) == len(find_sites(program, read))     # unique
