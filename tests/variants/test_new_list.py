"""`evaluate new --set` writes a based_on spec, validated before it is
written; `evaluate list` shows what each derived spec changes."""

from __future__ import annotations

import json
import tomllib

from evaluator.cli import main
from evaluator.variants import load_variants


def _new(scratch, *args) -> int:
    return main(["new", "mine", "--root", str(scratch.root), *args])


def test_new_set_writes_only_what_differs(scratch, capsys):
    assert _new(scratch, "--from", "relaxed", "--set", "notify_fence=smp_wmb",
                "--set", "notified=true", "--set",
                "bh_timeout_read=__ATOMIC_ACQUIRE") == 0
    data = tomllib.loads((scratch.variants / "mine.toml").read_text())
    assert data["based_on"] == "relaxed"
    assert data["params"] == {"notify_fence": "smp_wmb", "notified": True,
                              "bh_timeout_read": "acquire"}
    assert "expect" not in data          # verdicts are not inherited
    mine = load_variants(scratch.variants)["mine"]
    assert mine.params["accept_order"] == "relaxed"     # from relaxed
    assert "evaluate diff relaxed mine" in capsys.readouterr().out


def test_new_validates_before_writing(scratch, capsys):
    assert _new(scratch, "--from", "original-05e514b1", "--set",
                "accept=store", "--set", "accept_order=acquire") == 2
    err = capsys.readouterr().err
    assert "mine.toml:10: accept_order = \"acquire\"" in err
    assert "nothing was written" in err
    assert "valid for a store: relaxed, release, seq_cst" in err
    assert not (scratch.variants / "mine.toml").exists()


def test_new_refuses_unknown_keys_and_bad_words(scratch, capsys):
    assert _new(scratch, "--from", "relaxed", "--set", "fence=smp_mb") == 2
    assert "relaxed has no parameter 'fence'" in capsys.readouterr().err
    assert _new(scratch, "--from", "relaxed", "--set",
                "notify_fenc=smp_mb") == 2
    assert "(did you mean 'notify_fence'? its parameters:" in \
        capsys.readouterr().err
    assert _new(scratch, "--from", "relaxed", "--set", "notified=maybe") == 2
    assert "'maybe' is not true or false" in capsys.readouterr().err
    assert _new(scratch, "--from", "relaxed", "--set", "drain") == 2
    assert "is not KEY=VALUE" in capsys.readouterr().err
    assert not (scratch.variants / "mine.toml").exists()


def test_new_from_plain_c_offers_only_shared_parameters(scratch, capsys):
    assert _new(scratch, "--from", "qemu-2.5", "--set",
                "notify_fence=smp_wmb") == 2
    # As the spec loader says it: the C defines that hook.
    assert "--set notify_fence: notify_fence changes aio_notify, which " \
           "variants/qemu-2.5.c defines (edit the C" in \
        capsys.readouterr().err
    assert _new(scratch, "--from", "qemu-2.5", "--set",
                "dispatch=bhs-first") == 0
    mine = load_variants(scratch.variants)["mine"]
    assert mine.source == "variants/qemu-2.5.c"


def test_list_shows_what_each_derived_spec_changes(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "changes original-05e514b1: notified = false" in out
    assert "hooks: variants/qemu-2.5.c (plain C, 2015 atomic.h)" in out
    assert "; not in --variants all" in " ".join(out.split())
    assert max(map(len, out.splitlines())) <= 72


def test_list_json_has_the_chain(capsys):
    assert main(["list", "--json"]) == 0
    records = {v["name"]: v for v in json.loads(
        capsys.readouterr().out)["variants"]}
    five = records["qemu-5.2"]
    assert five["based_on"] == "qemu-5.0" and five["template"] == "notify"
    assert five["changes"]["recheck"] == "notified"
    assert five["params"]["notify_me_fence"] == "smp_mb"   # inherited
    assert records["qemu-2.5"]["source"] == "variants/qemu-2.5.c"
    assert records["qemu-2.5"]["template"] is None
