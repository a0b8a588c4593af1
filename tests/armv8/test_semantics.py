"""The instruction table (aarch64/semantics.py): values, flags, sizes and
the register dependencies each access carries (memory.Deps), as herd7's
AArch64 semantics defines them (AArch64Sem.ml, aarch64deps.cat)."""

from __future__ import annotations

import pytest

import oracle
from evaluator.checker.aarch64.expr import condition, nzcv_sub
from evaluator.checker.litmus import parse_litmus, run_litmus
from evaluator.errors import LitmusSyntaxError


def runs(body: str, values=(1,)):
    """Every path of a one-thread test, each read returning `values`."""
    rows = "\n".join(f" {line} ;" for line in body.strip().splitlines())
    text = (f"AArch64 t\n{{ 0:X10=x; 0:X11=y; }}\n P0 ;\n{rows}\n"
            "exists (x=0 \\/ x!=0)\n")
    test = parse_litmus(text, "t.litmus")
    domain = {x: set(values) for x in test.program.init}
    return oracle.thread_runs(test.program.threads[0], 0, domain)


def only(body: str, values=(1,)):
    (run,) = runs(body, values)
    return run.events


def deps(ev):
    return dict(zip(("addr", "data", "ctrl", "pick_addr", "pick_data",
                     "pick_ctrl"), ev.deps))


def test_data_dependency_through_registers():
    evs = only("""
        LDR W0,[X10]
        ADD W1,W0,#1
        MOV W2,W1
        MOV W1,#5
        STR W2,[X11]
        STR W1,[X11]""")
    assert deps(evs[1])["data"] == 1       # W2 came from event 0's read
    assert deps(evs[2])["data"] == 0       # W1 was overwritten by MOV #5
    assert evs[1].value == 2


def test_eor_with_itself_is_still_a_dependency():
    """herd7 keeps `EOR W1,W0,W0` (always 0) a dependency: the classic
    way litmus tests build a fake address or data dependency."""
    evs = only("""
        LDR W0,[X10]
        EOR W1,W0,W0
        LDR W2,[X11,W1,SXTW]
        ADD W1,W1,#7
        STR W1,[X11]""")
    assert deps(evs[1])["addr"] == 1
    assert deps(evs[2])["data"] == 1 and evs[2].value == 7


def test_control_dependency_on_both_paths():
    for run in runs("""
        LDR W0,[X10]
        CBNZ W0,skip
        MOV W3,#1
        skip:
        STR W3,[X11]""", values=(0, 1)):
        store = run.events[-1]
        assert deps(store)["ctrl"] == 1
        assert deps(store)["data"] == 0


def test_flags_carry_dependencies_to_b_cond():
    evs = only("""
        LDR W0,[X10]
        CMP W0,#1
        B.EQ next
        next:
        LDR W1,[X11]""")
    assert deps(evs[1])["ctrl"] == 1       # (ctrl to a read: not in ob)


def test_cset_is_a_pick_dependency_only():
    """CSET reads NZCV as a control input (herd7: iico_ctrl, a pick
    dependency), its source registers are WZR."""
    evs = only("""
        LDR W0,[X10]
        CMP W0,#1
        CSET W1,EQ
        STR W1,[X11]""")
    d = deps(evs[1])
    assert d["data"] == 0 and d["pick_data"] == 1
    assert evs[1].value == 1


def test_csel_data_follows_the_chosen_register():
    evs = only("""
        LDR W0,[X10]
        LDR W1,[X11]
        CMP W0,#1
        CSEL W2,W1,W0,EQ
        STR W2,[X11]""")
    d = deps(evs[2])
    assert d["data"] == 0b10               # W1, the chosen one (W0 = 1)
    assert d["pick_data"] == 0b11          # plus the condition's read


def test_store_exclusive_status_carries_no_dependency():
    (success,) = [r for r in runs("""
        LDXR W0,[X10]
        STXR W9,W0,[X10]
        CBNZ W9,out
        out:
        STR W9,[X11]""") if r.registers.get("X9", 0) == 0
        and len(r.events) == 3]
    stxr, store = success.events[1], success.events[2]
    assert deps(stxr)["data"] == 1
    assert deps(store)["ctrl"] == 0 and deps(store)["data"] == 0


def test_cas_result_dependencies():
    """Success: the compare register keeps its own dependencies (herd's
    DataFromRRs) plus the comparison as a pick input; failure: the value
    read."""
    body = """
        MOV W8,#1
        CAS W8,W20,[X10]
        STR W8,[X11]"""
    (ok,) = runs(body, values=(1,))
    (fail,) = runs(body, values=(0,))
    assert [e.kind for e in ok.events] == ["R", "W", "W"]
    assert deps(ok.events[2])["data"] == 0
    assert deps(ok.events[2])["pick_data"] == 1
    assert [e.kind for e in fail.events] == ["R", "W"]
    assert deps(fail.events[1])["data"] == 1


def test_lse_flags_and_noret():
    evs = only("""
        MOV W20,#1
        LDADDAL W20,W0,[X10]
        SWPA W20,WZR,[X11]
        STADDL W20,[X10]""")
    r0, w0, r1, w1, r2, w2 = evs
    assert (r0.acq, w0.rel, r0.noret) == ("A", True, False)
    assert (r1.acq, r1.noret) == ("", True)      # WZR result: NoRet, not A
    assert (r2.noret, w2.rel) == (True, True)
    assert w0.value == 2


def test_sizes_wrap():
    evs = only("""
        MOV W1,#0x1FF
        STRB W1,[X10]
        MOV W2,#-1
        STR W2,[X11]
        MOV X3,#-1
        ADD W3,W3,#2
        STR W3,[X11]""")
    assert [e.value for e in evs] == [0xFF, 0xFFFFFFFF, 1]


@pytest.mark.parametrize("a, b, holds", [
    (1, 2, {"LT", "LE", "NE", "CC", "LO", "LS", "MI"}),
    (2, 1, {"GT", "GE", "NE", "CS", "HS", "HI", "PL"}),
    (3, 3, {"EQ", "GE", "LE", "CS", "HS", "LS", "PL"}),
    (0, 0xFFFFFFFF, {"GT", "GE", "NE", "CC", "LO", "LS", "PL"}),
])
def test_conditions_after_cmp(a, b, holds):
    flags = nzcv_sub(a, b, 32)
    for code in ("EQ", "NE", "CS", "HS", "CC", "LO", "MI", "PL", "HI", "LS",
                 "GE", "LT", "GT", "LE"):
        assert bool(condition(flags, code)) == (code in holds), code


def test_unknown_instruction_names_it_with_file_and_line():
    with pytest.raises(LitmusSyntaxError) as err:
        runs("""
            LDR W0,[X10]
            FMADD D0,D1,D2,D3""")
    assert err.value.line == 5
    assert "unknown instruction FMADD" in err.value.message


def test_sc_reads_aarch64_exclusives():
    """Under sc a store-exclusive succeeds only if no other thread wrote
    the location since the load-exclusive (and may always fail)."""
    text = """AArch64 atom
{ 0:X10=x; 1:X10=x; }
 P0               | P1            ;
 LDXR W0,[X10]    | MOV W1,#2     ;
 ADD W0,W0,#1     | STR W1,[X10]  ;
 STXR W9,W0,[X10] |               ;
exists (0:X9=0 /\\ x=1)
"""
    test = parse_litmus(text, "atom.litmus")
    sc = run_litmus(test, "sc")
    # the pair then P1 (x=2), P1 then the pair (x=3), P1 in between
    # (the store-exclusive fails: x=2); x=1 would need P1's write
    # between the two and the pair still succeeding: atomicity.
    assert set(sc.outcomes) == {(("0:X9", 0), ("x", 2)),
                                (("0:X9", 0), ("x", 3)),
                                (("0:X9", 1), ("x", 2))}
    assert sc.verdict == "forbidden"
    assert set(sc.outcomes) == set(run_litmus(test, "armv8").outcomes)
