"""RC11 rules one at a time (Lahav et al., PLDI 2017, section 3), each
as the smallest program whose outcome set changes with the rule."""

from rc11_harness import CAS, FAA, NR, NW, RMW, XCHG, F, R, W, run

from evaluator.checker.memory import RmwOp

XY0 = {"x": 0, "y": 0}


def sb(first, second):
    """Store buffering: `first` ops then load y / `second` then load x."""
    return [first + [R("r0", "y")], second + [R("r0", "x")]]


def both_zero(threads, init=XY0, names=("0:r0", "1:r0")):
    return (0,) * len(names) in run(init, threads).project(*names)


# --- seq_cst: psc --------------------------------------------------------

def test_sc_fences_forbid_store_buffering():
    assert not both_zero(sb([W("x", 1), F("sc")], [W("y", 1), F("sc")]))


def test_sc_rmw_is_not_a_fence():
    assert both_zero(sb([XCHG("u", "x", 1, "sc")], [XCHG("u", "y", 1, "sc")]))
    assert both_zero(sb([XCHG("u", "x", 1, "sc")], [W("y", 1), F("sc")]))


def test_sc_rmw_between_sc_fences_is_a_barrier():
    sync = [F("sc"), XCHG("u", "x", 1, "sc"), F("sc")]
    assert not both_zero(sb(sync, [W("y", 1), F("sc")]))


def test_acq_rel_fence_is_not_an_sc_fence():
    assert both_zero(sb([W("x", 1), F("ar")], [W("y", 1), F("ar")]))
    assert both_zero(sb([W("x", 1), F("sc")], [W("y", 1), F("ar")]))


def test_sc_stores_do_not_order_later_relaxed_loads():
    assert both_zero(sb([W("x", 1, "sc")], [W("y", 1, "sc")]))


def test_rwc_with_acquire_is_allowed_by_the_repaired_model():
    """hb from the store to the seq_cst load starts with sw, which is
    not in scb: RC11 allows what C11 as published forbade."""
    threads = [[W("x", 1, "sc")],
               [R("r0", "x", "acq"), R("r1", "y", "sc")],
               [W("y", 1, "sc"), R("r0", "x", "sc")]]
    outcomes = run(XY0, threads).project("1:r0", "1:r1", "2:r0")
    assert (1, 0, 0) in outcomes


def test_sb_loc_hb_sb_loc_is_in_scb():
    threads = [[W("x", 1, "sc"), W("z", 1, "rel")],
               [R("r0", "z", "acq"), R("r1", "y", "sc")],
               [W("y", 1, "sc"), R("r0", "x", "sc")]]
    outcomes = run({"x": 0, "y": 0, "z": 0}, threads).project(
        "1:r0", "1:r1", "2:r0")
    assert (1, 0, 0) not in outcomes
    assert len(outcomes) == 7


def test_sc_fences_order_iriw_readers():
    def reader(a, b):
        return [R("r0", a), F("sc"), R("r1", b)]
    threads = [[W("x", 1)], [W("y", 1)], reader("x", "y"), reader("y", "x")]
    outcomes = run(XY0, threads).project("2:r0", "2:r1", "3:r0", "3:r1")
    assert (1, 0, 1, 0) not in outcomes
    assert len(outcomes) == 15


# --- synchronisation ------------------------------------------------------

MP_READER = [R("r0", "y", "acq"), R("r1", "x")]


def mp_stale(writer, reader=MP_READER, init=XY0):
    """Can the reader see the flag (y) but not the data (x)?"""
    return (1, 0) in run(init, [writer, reader]).project("1:r0", "1:r1")


def test_release_acquire_and_fences_synchronise():
    assert not mp_stale([W("x", 1), W("y", 1, "rel")])
    assert not mp_stale([W("x", 1), F("rel"), W("y", 1)])
    assert not mp_stale([W("x", 1), W("y", 1, "rel")],
                        [R("r0", "y"), F("acq"), R("r1", "x")])
    assert mp_stale([W("x", 1), W("y", 1, "rel")],
                    [R("r0", "y"), R("r1", "x")])
    assert mp_stale([W("x", 1), W("y", 1)])


def test_consume_read_is_relaxed_in_rc11():
    """RC11 models no dependencies, so ISO C11's consume orders nothing
    by itself (the compiler readings promote it to acquire before the
    model sees it: checker/readings.py)."""
    assert mp_stale([W("x", 1), W("y", 1, "rel")],
                    [R("r0", "y", "consume"), R("r1", "x")])


def test_consume_read_synchronises_through_an_acquire_fence():
    """C11 7.17.4p4: a release store synchronises with an acquire fence
    sequenced after *any* atomic read of it (herd7's rc11.cat omits
    consume reads there)."""
    assert not mp_stale([W("x", 1), W("y", 1, "rel")],
                        [R("r0", "y", "consume"), F("acq"), R("r1", "x")])


def test_consume_fence_is_an_acquire_fence():
    """C11 7.17.4.1p2."""
    assert not mp_stale([W("x", 1), W("y", 1, "rel")],
                        [R("r0", "y"), F("consume"), R("r1", "x")])


def test_release_sequence_continues_through_rmws_only():
    def stale(middle):
        threads = [[W("x", 1), W("y", 1, "rel")], middle,
                   [R("r0", "y", "acq"), R("r1", "x")]]
        outcomes = run(XY0, threads).project("1:r0", "2:r0", "2:r1")
        return (1, 2, 0) in outcomes
    assert not stale([FAA("r0", "y", 1)])
    assert stale([R("r0", "y"), W("y", 2)])


def test_same_thread_store_continues_release_sequence():
    """rs = [W];sb|loc?;[W]: a later relaxed store to the flag by the
    releasing thread still carries the release."""
    assert not mp_stale([W("x", 1), W("y", 2, "rel"), W("y", 1)])


def test_acq_rel_rmws_on_one_location_order_their_threads():
    """The eventfd: add 1 / exchange 0, both acq_rel."""
    threads = [[W("x", 1), FAA("u", "e", 1, "ar"), R("r0", "y")],
               [W("y", 1), XCHG("u", "e", 0, "ar"), R("r0", "x")]]
    init = {"x": 0, "y": 0, "e": 0}
    assert not both_zero(threads, init)
    relaxed = [[W("x", 1), FAA("u", "e", 1), R("r0", "y")],
               [W("y", 1), XCHG("u", "e", 0), R("r0", "x")]]
    assert both_zero(relaxed, init)


# --- compare-exchange ------------------------------------------------------

def cas_mp(order, fail):
    """The reader's CAS(y, 0 -> 2) fails on seeing the flag 1."""
    reader = [CAS("r0", "y", 0, 2, order, fail), R("r1", "x")]
    return run(XY0, [[W("x", 1), W("y", 1, "rel")], reader]).project(
        "1:r0", "1:r1")


def test_failed_cas_reads_with_the_failure_order():
    assert (1, 0) not in cas_mp("acq", "acq")
    assert (1, 0) in cas_mp("acq", "rlx")       # RELAXED is 0: not "unset"
    assert (1, 0) in cas_mp("rlx", "rlx")


def test_cas_default_failure_order_drops_release():
    assert (1, 0) not in cas_mp("ar", None)     # acq_rel -> acquire
    assert (1, 0) in cas_mp("rel", None)        # release -> relaxed


def test_successful_cas_is_an_rmw():
    threads = [[CAS("r0", "x", 0, 1, "rlx", "rlx")],
               [RMW("r0", "x", RmwOp.ADD, 10, "rlx")]]
    outcomes = run({"x": 0}, threads).project("0:r0", "1:r0", "x")
    assert outcomes == {(0, 1, 11), (10, 0, 10)}


# --- data races ----------------------------------------------------------

def test_race_needs_a_plain_access_and_no_hb():
    assert run(XY0, [[NW("x", 1)], [NR("r0", "x")]]).race_locations() \
        == {"x"}
    assert run(XY0, [[W("x", 1)], [NR("r0", "x")]]).race_locations() \
        == {"x"}
    assert not run(XY0, [[W("x", 1)], [R("r0", "x")]]).races


def test_race_is_per_execution():
    """Message passing of plain data: only the executions where the
    reader misses the flag race (hb orders the others through sw)."""
    threads = [[NW("x", 1), W("y", 1, "rel")],
               [R("r0", "y", "acq"), NR("r1", "x")]]
    result = run(XY0, threads)
    assert result.project("1:r0", "1:r1") == {(0, 0), (0, 1), (1, 1)}
    assert result.project_racy("1:r0", "1:r1") == {(0, 0), (0, 1)}
    race = next(iter(result.races))
    assert (race.loc, race.first, race.second) in {("x", (0, 0), (1, 1)),
                                                   ("x", (1, 1), (0, 0))}
