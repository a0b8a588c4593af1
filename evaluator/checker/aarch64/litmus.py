r"""herd7 AArch64 litmus tests, read into the same LitmusTest as C ones.

Format (as in ../shared/litmus-aarch64/):

    AArch64 MP                            name line
    (* comments *)
    {                                     init: register bindings and
    0:X10=x; 0:X11=y;                     location values (x=1;
    1:X10=x; 1:X11=y;                     int x=1; also fine)
    }
     P0             | P1             ;    one column per thread
     MOV W20,#1     | LDAR W0,[X11]  ;    labels as `LC00:` cells
     STR W20,[X10]  | LDR W1,[X10]   ;
    locations [0:X8; x;]                  extra observed variables
    exists (1:X0=1 /\ 1:X1=0)             also ~exists

Threads become checker IR through the shared instruction table
(semantics.py), registers are locals (`0:X4` and `0:W4` name the same
register), so run_litmus, outcomes and --json work unchanged.  Every
error is a LitmusSyntaxError naming file:line and the bad token.
"""

from __future__ import annotations

import re

from ...errors import CheckerError, LitmusSyntaxError
from ..ir import MEM, Program, Where
from ..memory import Kind
from ..litmus_syntax import LitmusTest, Reader, parse_final
from .builder import ThreadBuilder, Val
from .expr import Exprs, namespace
from .semantics import Env, decode, execute
from .syntax import Reg, number, parse_register

ARCH = "AArch64"
ADDRESS_STEP = 1 << 32          # location i lives at (i + 1) << 32

_HEADER_RE = re.compile(r"AArch64[ \t]+(\S+)[^\n]*")
_INIT_ITEM_RE = re.compile(
    r"(?:(?P<t>\d+):(?P<reg>[A-Za-z]\w*)|(?:(?:const\s+)?(?:u?int(?:8|16|32|"
    r"64)_t|int|long|atomic_int)\s+)?\[?(?P<loc>[A-Za-z_]\w*)\]?)\s*=\s*"
    r"(?P<value>-?(?:0x[0-9a-fA-F]+|\d+)|[A-Za-z_]\w*)$")
_FINAL_RE = re.compile(r"(locations\b|exists\b|~\s*exists\b|forall\b|\(\*)")
_LABEL_RE = re.compile(r"^([A-Za-z_.$][\w.$]*):\s*(.*)$")


def parse_aarch64_litmus(text: str, file: str) -> LitmusTest:
    reader = Reader(text, file)
    pos = reader.skip_space(0)
    header = _HEADER_RE.match(text, pos)
    if not header:
        raise reader.error("an AArch64 litmus test starts with "
                           "'AArch64 <name>'", pos)
    name = header.group(1)
    pos = reader.skip_space(header.end())
    if text.startswith('"', pos):                       # doc string
        end = text.find('"', pos + 1)
        if end < 0:
            raise reader.error("unterminated doc string", pos)
        pos = reader.skip_space(end + 1)
    if not text.startswith("{", pos):
        raise reader.error("expected the init block '{ 0:X10=x; ... }'",
                           pos)
    close = text.find("}", pos)
    if close < 0:
        raise reader.error("unbalanced '{': no matching '}'", pos)
    registers, memory = _parse_init(reader, pos + 1, close)
    table_start = reader.skip_space(close + 1)
    rows, pos = _table(reader, table_start)
    final = parse_final(reader, reader.skip_space(pos), "0:X0=0 /\\ 1:X0=0",
                        register=str.upper)
    everything = list(dict.fromkeys(final.variables + final.listed))
    asked = list(dict.fromkeys(everything + list(final.filter_variables)))
    observed = _observed(reader, asked, len(rows), pos)
    for var in asked:
        if ":" not in var and var not in memory:
            memory[var] = 0
    memory = _locations(reader, registers, memory, pos)
    program = _compile(reader, rows, registers, memory, observed)
    return LitmusTest(name, file, memory, final.quantifier, final.condition,
                      final.text, tuple(sorted(everything)), program,
                      arch=ARCH, filter=final.filter,
                      filter_variables=final.filter_variables)


# ---- init -------------------------------------------------------------------

def _parse_init(reader: Reader, start: int, end: int):
    """(register bindings {(thread, Reg): value or location name},
    location values {name: int})."""
    registers: dict[tuple[int, Reg], int | str] = {}
    memory: dict[str, int] = {}
    for stripped, where in reader.items(start, end):
        match = _INIT_ITEM_RE.match(stripped)
        if not match:
            raise reader.error(f"cannot read init item {stripped!r}", where,
                               hint="write 0:X10=x; (a register holding "
                                    "the address of x) or x=1;")
        value_text = match.group("value")
        value: int | str = value_text if re.match(r"[A-Za-z_]", value_text) \
            else number(value_text)
        if match.group("t") is not None:
            reg = parse_register(match.group("reg"))
            if reg is None or reg.index == Reg.SP:
                raise reader.error(f"bad register {match.group('reg')!r} "
                                   f"in init item {stripped!r}", where,
                                   hint="registers are X0..X30 or W0..W30")
            registers[(int(match.group("t")), reg)] = value
        else:
            if isinstance(value, str):
                raise reader.error(f"location {match.group('loc')} is "
                                   f"initialised to {value!r}", where,
                                   hint="locations hold integers; put "
                                        "addresses in registers")
            memory[match.group("loc")] = value
    return registers, memory


def _locations(reader, registers, memory, pos) -> dict[str, int]:
    for (_t, _reg), value in registers.items():
        if isinstance(value, str):
            memory.setdefault(value, 0)
    return memory


# ---- the thread table -------------------------------------------------------

def _table(reader: Reader, pos: int):
    """Rows of cells [(text, line)] per thread; returns (rows, end)."""
    text = reader.text
    end_of_line = text.find("\n", pos)
    end_of_line = len(text) if end_of_line < 0 else end_of_line
    header = text[pos:end_of_line].strip().rstrip(";")
    names = [cell.strip() for cell in header.split("|")]
    for i, name in enumerate(names):
        if name != f"P{i}":
            raise reader.error(f"thread header {name!r} where P{i} was "
                               "expected", pos,
                               hint="the table starts with 'P0 | P1 ;'")
    columns: list[list[tuple[str, int]]] = [[] for _ in names]
    line_no = text.count("\n", 0, pos) + 1
    pos = end_of_line + 1
    while pos < len(text):
        end_of_line = text.find("\n", pos)
        end_of_line = len(text) if end_of_line < 0 else end_of_line
        line = text[pos:end_of_line]
        line_no += 1
        stripped = line.strip()
        if not stripped:
            pos = end_of_line + 1
            continue
        if _FINAL_RE.match(stripped) and "|" not in stripped:
            break
        if not stripped.endswith(";"):
            raise reader.error(f"table row {stripped!r} does not end with "
                               "';'", pos)
        cells = stripped[:-1].split("|")
        if len(cells) != len(names):
            raise reader.error(f"row has {len(cells)} cells, the table "
                               f"{len(names)} threads", pos,
                               hint="one '|' between thread columns")
        for column, cell in zip(columns, cells):
            column.append((cell.strip(), line_no))
        pos = end_of_line + 1
    return columns, pos


def _observed(reader, variables, threads: int, pos) -> dict[int, list[Reg]]:
    observed: dict[int, list[Reg]] = {}
    for var in variables:
        if ":" not in var:
            continue
        index, name = var.split(":")
        t = int(index)
        reg = parse_register(name)
        if t >= threads:
            raise reader.error(f"the condition names {var} but there is no "
                               f"thread P{t}", pos)
        if reg is None or reg.index >= Reg.ZR:
            raise reader.error(f"the condition names {var}, which is not a "
                               "register", pos,
                               hint="registers are X0..X30 or W0..W30")
        observed.setdefault(t, []).append((name.upper(), reg))
    return observed


def _compile(reader, columns, registers, memory, observed) -> Program:
    names = sorted(memory)
    address = {name: (i + 1) * ADDRESS_STEP for i, name in enumerate(names)}
    by_address = {a: n for n, a in address.items()}

    def locate(addr: int) -> str:
        try:
            return by_address[addr]
        except KeyError:
            raise ValueError(f"address {addr:#x} is not a location of the "
                             "test (an address register must hold a "
                             "location from the init block, offset 0)"
                             ) from None

    exprs = Exprs(namespace(locate))
    env = Env()
    threads = []
    for t, column in enumerate(columns):
        b = ThreadBuilder(f"P{t}", "litmus", exprs)
        b.at(Where(reader.file, column[0][1] if column else 1))
        zero = exprs.const(0)
        for (owner, reg), value in sorted(registers.items(),
                                          key=lambda kv: kv[0][1].index):
            if owner != t:
                continue
            number = address[value] if isinstance(value, str) else value
            b.write(Reg(reg.index, 64), Val(exprs.const(number), zero, zero))
        for cell, line in column:
            where = Where(reader.file, line)
            b.at(where)
            _cell(b, env, cell, where)
        slots = []
        for name, reg in observed.get(t, []):
            slot = b.slots(reg).value
            b.registers[name] = slot
            slots.append(slot)
        try:
            threads.append(b.finish(frozenset(slots)))
        except CheckerError as exc:
            raise LitmusSyntaxError(exc.message, path=exc.path,
                                    line=exc.line, hint=exc.hint) from None
    _one_size_per_location(reader, threads)
    return Program(tuple(threads), dict(memory), isa="aarch64")


def _one_size_per_location(reader, threads) -> None:
    """herd7 refuses mixed-size tests (without -variant mixed) and so do
    we: the model has no single-copy-atomicity classes."""
    sizes: dict[str, tuple[int, object]] = {}
    for thread in threads:
        for ins in thread.code:
            if ins.kind != MEM or ins.access.kind is Kind.FENCE or \
                    "loc" in ins.parts or ins.access.arm is None:
                continue
            bits = ins.access.arm.bits
            loc = ins.access.loc
            first = sizes.setdefault(loc, (bits, ins.where))
            if first[0] != bits:
                raise LitmusSyntaxError(
                    f"{loc} is accessed with {first[0]} bits at line "
                    f"{first[1].line} and with {bits} bits here",
                    path=reader.file, line=ins.where.line,
                    hint="use one access size per location (mixed-size "
                         "tests are not modelled)")


def _cell(b: ThreadBuilder, env: Env, cell: str, where: Where) -> None:
    text = cell.strip()
    while True:
        label = _LABEL_RE.match(text)
        if not label:
            break
        b.place(label.group(1).upper())
        text = label.group(2).strip()
    if not text:
        return
    parts = text.split(None, 1)
    try:
        ins = decode(parts[0], parts[1] if len(parts) > 1 else "", where)
        execute(b, ins, env)
    except CheckerError as exc:
        if isinstance(exc, LitmusSyntaxError):
            raise
        raise LitmusSyntaxError(exc.message, path=where.file,
                                line=where.line, hint=exc.hint) from None


