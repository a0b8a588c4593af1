"""Specs name only what differs (based_on, chains, cycles), and every bad
order is refused when the spec is loaded: spec:line, the parameter, the
operation and the valid orders, by render, check and bench alike."""

from __future__ import annotations

import pytest

from evaluator.cli import main
from evaluator.errors import SpecError
from evaluator.variants import load_variants, select

from derive import spec


def write(scratch, name, text):
    path = scratch.variants / f"{name}.toml"
    path.write_text(text)
    return path


def load_error(scratch) -> str:
    with pytest.raises(SpecError) as err:
        load_variants(scratch.variants)
    return str(err.value)


# ---- based_on -------------------------------------------------------------

def test_a_derived_spec_inherits_everything_but_what_it_sets(variants):
    relaxed, base = variants["relaxed"], variants["original-05e514b1"]
    assert relaxed.based_on == "original-05e514b1"
    assert dict(relaxed.changes) == {"notified_store": "relaxed",
                                     "accept_order": "relaxed"}
    differing = {k for k in base.params
                 if base.params[k] != relaxed.params[k]}
    assert differing == {"notified_store", "accept_order"}
    assert relaxed.template == base.template == "notify"


def test_chains_resolve_through_every_base(scratch):
    write(scratch, "one", spec("one", "relaxed", {"accept_order": "acquire"}))
    write(scratch, "two", spec("two", "one", {"notify_fence": "seq_cst"}))
    two = load_variants(scratch.variants)["two"]
    assert two.params["notified_store"] == "relaxed"        # from relaxed
    assert two.params["accept_order"] == "acquire"          # from one
    assert two.params["notify_fence"] == "seq_cst"          # its own
    assert dict(two.changes) == {"notify_fence": "seq_cst"}


def test_a_cycle_is_refused_with_the_chain_named(scratch):
    write(scratch, "aa", spec("aa", "bb", {}))
    write(scratch, "bb", spec("bb", "cc", {}))
    write(scratch, "cc", spec("cc", "aa", {}))
    message = load_error(scratch)
    assert "based_on cycle: aa -> bb -> cc -> aa" in message
    assert "aa.toml:4:" in message or "cc.toml:4:" in message


def test_an_unknown_base_is_named_with_the_closest(scratch):
    write(scratch, "mine", spec("mine", "relaxd", {}))
    message = load_error(scratch)
    assert "mine.toml:4: based_on 'relaxd': no such variant" in message
    assert "did you mean 'relaxed'" in message


def test_based_on_and_template_together_are_refused(scratch):
    write(scratch, "mine", spec("mine", "relaxed", {},
                                extra='template = "notify"'))
    message = load_error(scratch)
    assert "exactly one of template, source, based_on" in message


def test_unknown_parameter_suggests_the_closest(scratch):
    write(scratch, "mine", spec("mine", "relaxed", {"acept_order": "relaxed"}))
    message = load_error(scratch)
    assert "mine.toml:7: unknown parameter 'acept_order'" in message
    assert "did you mean 'accept_order'" in message


def test_a_parameter_without_effect_is_refused(scratch):
    write(scratch, "mine", spec("mine", "full-removal",
                                {"accept_order": "relaxed"}))
    message = load_error(scratch)
    assert "mine.toml:7: accept_order has no effect here" in message
    assert "notified = false" in message


def test_an_inconsistent_pair_is_refused(scratch):
    write(scratch, "mine", spec("mine", "qemu-5.2", {"notified": False}))
    message = load_error(scratch)
    assert "recheck = \"notified\" needs the notified flag" in message


def test_in_all_false_leaves_a_variant_out_of_all(variants):
    assert not variants["bug-drain-after-bhs"].in_all
    names = [v.name for v in select(variants, "all")]
    assert "bug-drain-after-bhs" not in names and "relaxed" in names
    assert select(variants, "bug-drain-after-bhs")[0].name == \
        "bug-drain-after-bhs"


# ---- orders, at load time -------------------------------------------------

BAD_ORDERS = {
    # case: (base, changes, line of the bad parameter, words in the error)
    "store acquire": ("original-05e514b1", {"notified_store": "acquire"}, 7,
                      ["notified_store = \"acquire\"",
                       "acquire is not an order for a store",
                       "the store of notified = 1 in aio_notify",
                       "valid for a store: relaxed, release, seq_cst, "
                       "or atomic_mb_set, qatomic_set_mb"]),
    "load release": ("original-05e514b1", {"notify_me_read": "release"}, 7,
                     ["notify_me_read = \"release\"",
                      "release is not an order for a load",
                      "the read of notify_me in aio_notify",
                      "valid for a load: relaxed, acquire, seq_cst"]),
    "load consume": ("original-05e514b1", {"bh_timeout_read": "consume"}, 7,
                     ["bh_timeout_read = \"consume\"",
                      "consume is not accepted", "write acquire",
                      "the read of the BH state in aio_compute_timeout",
                      "valid for a load: relaxed, acquire, seq_cst"]),
    "rmw consume": ("original-05e514b1", {"bh_schedule_xchg": "consume"}, 7,
                    ["bh_schedule_xchg", "consume is not accepted",
                     "the exchange that schedules the BH",
                     "valid for a read-modify-write: relaxed, acquire, "
                     "release, acq_rel, seq_cst"]),
    "rmw unknown": ("original-05e514b1", {"accept_order": "sequential"}, 7,
                    ["accept_order = \"sequential\"",
                     "'sequential' is not a memory order"]),
    "store made by another change": (
        "original-05e514b1", {"accept": "store", "accept_order": "acq_rel"},
        8, ["accept_order = \"acq_rel\"", "acq_rel is not an order for a "
            "store", "the store that clears notified in aio_notify_accept",
            "valid for a store: relaxed, release, seq_cst"]),
    "cas failure stronger": (
        "original-05e514b1", {"accept": "cmpxchg", "accept_order": "acquire",
                              "accept_fail_order": "seq_cst"}, 9,
        ["accept_fail_order = \"seq_cst\"", "no stronger than its success "
         "order (acquire)", "the failed compare-exchange of notified",
         "valid for a compare-exchange failure: relaxed, acquire"]),
    "cas failure release": (
        "original-05e514b1", {"accept": "cmpxchg",
                              "accept_fail_order": "release"}, 8,
        ["accept_fail_order = \"release\"", "release is not an order for a "
         "compare-exchange failure", "valid for a compare-exchange failure: "
         "relaxed, acquire, seq_cst"]),
    "cas failure after release success": (
        "original-05e514b1", {"accept": "cmpxchg", "accept_order": "release",
                              "accept_fail_order": "acquire"}, 9,
        ["no stronger than its success order (release)",
         "valid for a compare-exchange failure: relaxed"]),
    "fence relaxed": ("original-05e514b1", {"notify_fence": "relaxed"}, 7,
                      ["notify_fence = \"relaxed\"",
                       "a relaxed fence orders nothing",
                       "none, smp_mb, smp_wmb"]),
    "fence consume": ("qemu-5.2", {"accept_fence": "consume"}, 7,
                      ["accept_fence = \"consume\"",
                       "consume is not accepted"]),
    "fence unknown": ("original-05e514b1", {"notify_me_fence": "smp_full"},
                      7, ["notify_me_fence = \"smp_full\"", "is not a fence",
                          "smp_mb, smp_wmb, smp_rmb"]),
}


@pytest.mark.parametrize("case", sorted(BAD_ORDERS))
def test_bad_orders_are_refused_at_load_with_spec_line(scratch, case):
    base, changes, line, words = BAD_ORDERS[case]
    write(scratch, "bad", spec("bad", base, changes))
    message = load_error(scratch)
    assert f"bad.toml:{line}:" in message, message
    for word in words:
        assert word in message, (word, message)


def test_an_order_made_invalid_by_a_later_change_names_both(scratch):
    write(scratch, "mid", spec("mid", "original-05e514b1",
                               {"accept_order": "acq_rel"}))
    write(scratch, "bad", spec("bad", "mid", {"accept": "store"}))
    message = load_error(scratch)
    assert "bad.toml:7:" in message
    assert "accept_order = \"acq_rel\"" in message
    assert "inherited from mid.toml" in message
    assert "set accept_order here too" in message


@pytest.mark.parametrize("command", [
    ["render", "relaxed"], ["check", "--variants", "relaxed", "--models",
                            "sc"],
    ["bench", "--variants", "relaxed", "--budget", "1"],
    ["diff", "original-05e514b1", "relaxed"], ["list"]])
def test_render_check_and_bench_alike_refuse_a_bad_order(scratch, capsys,
                                                         command):
    write(scratch, "bad", spec("bad", "original-05e514b1",
                               {"notified_store": "acquire"}))
    assert main([command[0], "--root", str(scratch.root),
                 *command[1:]]) == 2
    err = capsys.readouterr().err
    assert "bad.toml:7: notified_store = \"acquire\"" in err
    assert "valid for a store: relaxed, release, seq_cst" in err
    assert "Traceback" not in err


def test_a_quoted_boolean_says_to_drop_the_quotes(scratch):
    # `notified = "false"` is a TOML string; the message must not read
    # "'false' is not true or false".
    (scratch.variants / "mine.toml").write_text(
        'name = "mine"\nsummary = "t"\nprovenance = "t"\n'
        'based_on = "original-05e514b1"\n[params]\nnotified = "false"\n')
    with pytest.raises(SpecError) as err:
        load_variants(scratch.variants)
    assert "mine.toml:6: notified = \"false\": 'false' is a string: write " \
           "false without quotes" in str(err.value)


def test_a_misspelt_template_is_named_at_the_spec_line(scratch):
    (scratch.variants / "mine.toml").write_text(
        'name = "mine"\nsummary = "t"\nprovenance = "t"\ntemplate = "notfy"\n')
    with pytest.raises(SpecError) as err:
        load_variants(scratch.variants)
    assert str(err.value).endswith(
        "mine.toml:4: template 'notfy': no such template (did you mean "
        "'notify'? known: notify)")
