"""One small test per clause of the armv8 model (see the clause list in
models/armv8.py), each a litmus file in clauses/ whose comment names
the aarch64.cat clause it exercises.  The expected verdict and the
expected set of final states are herd7's (7.58, aarch64.cat md5
d0bc3bae..., the version ../shared/litmus-aarch64 was made with), from
a run recorded in clauses/herd.json:

    herd7 -set-libdir <herdtools7 7.58>/herd/libdir -model aarch64.cat FILE

Several come in pairs, one forbidden by the clause and one where the
clause does not apply (e.g. STADD's NoRet read is not ordered by
DMB ISHLD, LDAPR may pass an earlier STLR).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluator.checker import read_litmus, run_litmus

CLAUSES = Path(__file__).parent / "clauses"
HERD = json.loads((CLAUSES / "herd.json").read_text())["tests"]

# the pairs, and what tells them apart
PAIRS = [("MP+dmb.st+ldadd-dmb.ld.litmus", "MP+dmb.st+stadd-dmb.ld.litmus"),
         ("SB+rel+acq.litmus", "SB+rel+acqpc.litmus"),
         ("SB+swpal+dmb.litmus", "SB+swpl+dmb.litmus"),
         ("MP+dmb+ctrlisb.litmus", "MP+dmb+ctrl.litmus"),
         ("MP+dmb+data-lrs-addr.litmus", "MP+dmb+const-lrs-addr.litmus"),
         ("MP+dmb+swp-lrs-acqpc.litmus", "MP+dmb+swp-lrs-rlx.litmus"),
         ("forwarding-dmb.litmus", "forwarding-outside-ob.litmus"),
         ("LB+datas.litmus", "LB.litmus")]


def _files():
    return sorted(CLAUSES.glob("*.litmus"))


@pytest.mark.parametrize("path", [pytest.param(p, id=p.stem)
                                  for p in _files()])
def test_clause_matches_herd(path):
    expected = HERD[path.name]
    test = read_litmus(path)
    assert "(*" in path.read_text()            # it names its clause
    result = run_litmus(test, "armv8")
    assert result.verdict == expected["verdict"]
    assert set(result.outcomes) == {tuple(sorted(o.items()))
                                    for o in expected["outcomes"]}
    assert set(run_litmus(test, "sc").outcomes) <= set(result.outcomes)


@pytest.mark.parametrize("forbidden, allowed", PAIRS)
def test_pairs_differ_as_the_clause_says(forbidden, allowed):
    assert HERD[forbidden]["verdict"] == "forbidden"
    assert HERD[allowed]["verdict"] == "allowed"


def test_every_file_has_herd_data():
    assert {p.name for p in _files()} == set(HERD)
    assert len(HERD) >= 35
