"""Variant specs: the nine shipped variants and their declared verdicts."""

from __future__ import annotations

import json

import pytest

from evaluator.cli import main
from evaluator.errors import SpecError, UnknownVariantError
from evaluator.variants import load_variants, select

SHIPPED = {
    # name: (sc, tso, c11)
    "original-05e514b1": ("safe", "safe", "safe"),
    "full-removal": ("safe", "safe", "safe"),
    "relaxed": ("safe", "safe", "safe"),
    "acq-rel": ("safe", "safe", "safe"),
    "qemu-5.2": ("safe", "safe", "safe"),
    "qemu-4.2-c11-rmw": ("safe", "safe", "unsafe"),
    "test-then-xchg": ("safe", "safe", "safe"),
    "bug-notified-first": ("unsafe", "unsafe", "unsafe"),
    "bug-skip-set": ("unsafe", "unsafe", "unsafe"),
    # issue 10: plain C, and history the templates could not express
    "qemu-2.5": ("safe", "safe", "safe"),
    "qemu-5.0": ("safe", "safe", "safe"),
    "bug-no-recheck": ("unsafe", "unsafe", "unsafe"),
    "bug-drain-after-bhs": (None, None, None),   # see its spec
}


def test_every_design_variant_ships_with_its_expectations(variants):
    assert set(variants) == set(SHIPPED)
    for name, (sc, tso, c11) in SHIPPED.items():
        assert dict(variants[name].expect) == {"sc": sc, "tso": tso,
                                               "c11": c11}, name


def test_list_json_lists_all_nine_with_expectations(capsys):
    assert main(["list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == "evaluate.variants/2"
    got = {v["name"]: tuple(v["expect"][m] for m in ("sc", "tso", "c11"))
           for v in data["variants"]}
    assert got == SHIPPED
    assert all(v["provenance"] and v["summary"] for v in data["variants"])


def test_list_table_fits_in_72_columns(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "qemu-4.2-c11-rmw" in out
    assert max(map(len, out.splitlines())) <= 72


def test_select_keeps_order_and_suggests_closest(variants):
    chosen = select(variants, "relaxed,acq-rel")
    assert [v.name for v in chosen] == ["relaxed", "acq-rel"]
    with pytest.raises(UnknownVariantError) as err:
        select(variants, "relaxd")
    assert "'relaxd'" in str(err.value)
    assert "did you mean 'relaxed'" in str(err.value)
    assert "original-05e514b1" in str(err.value)  # lists the known ones


@pytest.mark.parametrize("bad", ["../etc", "a/b", ".hidden", "x..y", "a b"])
def test_names_with_path_characters_are_refused(variants, bad):
    with pytest.raises(SpecError) as err:
        select(variants, bad)
    assert repr(bad) in str(err.value)


def test_malformed_toml_names_file_and_line(scratch):
    spec = scratch.variants / "relaxed.toml"
    lines = spec.read_text().splitlines()
    lines[4] = 'template = "notify-2015'          # unterminated string
    spec.write_text("\n".join(lines) + "\n")
    with pytest.raises(SpecError) as err:
        load_variants(scratch.variants)
    assert "relaxed.toml:5:" in str(err.value)
    assert "malformed TOML" in str(err.value)


def test_name_must_match_file(scratch):
    spec = scratch.variants / "relaxed.toml"
    spec.write_text(spec.read_text().replace('name = "relaxed"',
                                             'name = "other"'))
    with pytest.raises(SpecError) as err:
        load_variants(scratch.variants)
    assert "relaxed.toml:1:" in str(err.value) or "relaxed.toml:" in str(
        err.value)
    assert "'other'" in str(err.value)


def test_bad_expected_verdict_is_reported_with_line(scratch):
    spec = scratch.variants / "relaxed.toml"
    spec.write_text(spec.read_text().replace('c11 = "safe"', 'c11 = "fine"'))
    with pytest.raises(SpecError) as err:
        load_variants(scratch.variants)
    message = str(err.value)
    assert "relaxed.toml:" in message and "'fine'" in message
    assert "'safe' or 'unsafe'" in message
