"""Operands of one AArch64 instruction, in either spelling we read.

herd7 litmus tests write `LDR W0,[X10]`, `MOV W20,#1`, `B.NE LC00`;
`objdump -d` writes `ldr\tw0, [x19, #8]`, `mov\tw0, #0x1   // #1`,
`cbnz\tw0, 28 <aio_notify+0x28>`.  Both come here as a mnemonic and an
operand string and leave as a mnemonic (upper case) and a tuple of
operand objects, so the instruction table (semantics.py) is written
once for the litmus reader and the lifter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...errors import CheckerError

CONDITIONS = ("EQ", "NE", "CS", "HS", "CC", "LO", "MI", "PL", "VS", "VC",
              "HI", "LS", "GE", "LT", "GT", "LE", "AL", "NV")


@dataclass(frozen=True)
class Reg:
    """A general-purpose register: index 0..30, 31 = the zero register
    (WZR/XZR), 32 = SP; bits = 32 (W) or 64 (X)."""

    index: int
    bits: int

    ZR = 31
    SP = 32

    @property
    def is_zero(self) -> bool:
        return self.index == Reg.ZR

    def __str__(self) -> str:
        if self.index == Reg.SP:
            return "SP" if self.bits == 64 else "WSP"
        prefix = "W" if self.bits == 32 else "X"
        return prefix + ("ZR" if self.is_zero else str(self.index))


@dataclass(frozen=True)
class Imm:
    value: int


@dataclass(frozen=True)
class Shift:
    """`LSL #n` (and LSR/ASR/ROR) after a register operand, or an
    extension `SXTW`/`UXTW` (+ optional amount) in an address."""

    kind: str
    amount: int


@dataclass(frozen=True)
class Mem:
    """[base], [base,#imm], [base,index{,ext}], with pre-index (`!`) or
    post-index (`[base], #imm`) write-back."""

    base: Reg
    offset: int = 0
    index: Reg | None = None
    extend: Shift | None = None
    writeback: str = ""             # "" | "pre" | "post"


@dataclass(frozen=True)
class Label:
    """A branch target: a litmus label, or objdump's `28 <fn+0x28>`
    (address and symbol)."""

    name: str
    address: int | None = None
    symbol: str | None = None


@dataclass(frozen=True)
class Word:
    """A bare word: a condition (EQ), a barrier option (ISH), ..."""

    text: str


Operand = Reg | Imm | Shift | Mem | Label | Word


class SyntaxProblem(CheckerError):
    """Raised with the offending token; callers add file and line."""


_REG_RE = re.compile(r"^(?:(?P<wx>[WX])(?P<n>\d+|ZR)|(?P<sp>W?SP))$")
_IMM_RE = re.compile(r"^#?(?P<v>[-+]?(?:0X[0-9A-F]+|\d+))$")
_OBJDUMP_TARGET_RE = re.compile(
    r"^(?P<addr>[0-9A-F]+)\s*<(?P<sym>[^>+]+)(?:\+0X(?P<off>[0-9A-F]+))?>$")
_SHIFT_RE = re.compile(r"^(?P<k>LSL|LSR|ASR|ROR|SXTW|UXTW|SXTX|UXTX|SXTB|"
                       r"SXTH|UXTB|UXTH)(?:\s*#?(?P<n>\d+))?$")


def split_operands(text: str) -> list[str]:
    """Split on commas outside brackets; drop objdump's `// ...` notes."""
    text = text.split("//")[0].strip()
    parts, depth, current = [], 0, []
    for ch in text:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    tail = "".join(current).strip()
    if tail or parts:
        parts.append(tail)
    return parts


def parse_register(token: str) -> Reg | None:
    match = _REG_RE.match(token.upper())
    if not match:
        return None
    if match.group("sp"):
        return Reg(Reg.SP, 32 if match.group("sp") == "WSP" else 64)
    n = match.group("n")
    index = Reg.ZR if n == "ZR" else int(n)
    if index > 30 and n != "ZR":
        return None
    return Reg(index, 32 if match.group("wx") == "W" else 64)


def parse_immediate(token: str) -> int | None:
    match = _IMM_RE.match(token.upper().replace(" ", ""))
    return number(match.group("v")) if match else None


def number(text: str) -> int:
    """A decimal or 0x-hexadecimal integer (leading zeros are decimal)."""
    body = text.lstrip("+-")
    sign = -1 if text.startswith("-") else 1
    return sign * (int(body, 16) if body[:2].upper() == "0X" else
                   int(body, 10))


def parse_memory(token: str, post: str | None) -> Mem:
    body = token.strip()
    pre = body.endswith("!")
    if pre:
        body = body[:-1].rstrip()
    if not (body.startswith("[") and body.endswith("]")):
        raise SyntaxProblem(f"bad memory operand {token!r}",
                            hint="write [X10], [X10,#8] or [X10,W1,SXTW]")
    items = [p.strip() for p in body[1:-1].split(",")]
    base = parse_register(items[0])
    if base is None or base.bits != 64:
        raise SyntaxProblem(f"bad base register in {token!r}",
                            hint="the base of an address is an X register "
                                 "or SP")
    offset, index, extend = 0, None, None
    for item in items[1:]:
        imm = parse_immediate(item)
        reg = parse_register(item)
        shift = _SHIFT_RE.match(item.upper())
        if imm is not None and index is None:
            offset = imm
        elif reg is not None and index is None:
            index = reg
        elif shift is not None and index is not None:
            extend = Shift(shift.group("k"), int(shift.group("n") or 0))
        else:
            raise SyntaxProblem(f"cannot read {item!r} in {token!r}",
                                hint="[Xn], [Xn,#imm], [Xn,Xm], "
                                     "[Xn,Wm,SXTW]")
    writeback = "pre" if pre else ""
    if post is not None:
        amount = parse_immediate(post)
        if amount is None:
            raise SyntaxProblem(f"bad post-index {post!r}",
                                hint="[Xn], #imm")
        offset, writeback = amount, "post"
    return Mem(base, offset, index, extend, writeback)


def parse_operand(token: str) -> Operand:
    upper = token.strip().upper()
    reg = parse_register(upper)
    if reg is not None:
        return reg
    imm = parse_immediate(upper)
    if imm is not None:
        return Imm(imm)
    shift = _SHIFT_RE.match(upper)
    if shift is not None:
        return Shift(shift.group("k"), int(shift.group("n") or 0))
    target = _OBJDUMP_TARGET_RE.match(upper)
    if target is not None:
        symbol = re.search(r"<([^>+]+)", token).group(1)
        return Label(token.strip(), int(target.group("addr"), 16), symbol)
    if re.fullmatch(r"[A-Z_.$][\w.$]*", upper):
        return Word(upper)
    raise SyntaxProblem(f"cannot read operand {token!r}")


def parse_operands(text: str) -> tuple[Operand, ...]:
    parts = split_operands(text)
    out: list[Operand] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        if part.startswith("["):
            post = None
            if part.endswith("]") and i + 1 < len(parts) and \
                    parts[i + 1].startswith("#"):
                post = parts[i + 1]
                i += 1
            out.append(parse_memory(part, post))
        elif not part:
            raise SyntaxProblem(f"empty operand in {text!r}")
        else:
            out.append(parse_operand(part))
        i += 1
    return tuple(out)
