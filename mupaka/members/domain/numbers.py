"""Member numbers: the branch code, a dash and a sequence of at least six
digits (``BKV-000123``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_FULL = re.compile(r"^\s*([A-Za-z0-9]{2,6}?)[\s\-/]?0*(\d{1,12})\s*$")
_DIGITS = re.compile(r"^\s*0*(\d{1,12})\s*$")


def member_number_format(branch_code: str, sequence: int) -> str:
    return f"{branch_code.upper()}-{sequence:06d}"


@dataclass(frozen=True)
class NumberQuery:
    branch_code: str | None
    sequence: int


def member_number_parse(query: str) -> NumberQuery | None:
    """Read ``BKV-000123``, ``bkv123``, ``000123`` or ``123`` as a number query."""
    text = query or ""
    m = _DIGITS.match(text)
    if m:
        return NumberQuery(None, int(m.group(1)))
    m = _FULL.match(text)
    if m and re.search(r"[A-Za-z]", m.group(1)):
        return NumberQuery(m.group(1).upper(), int(m.group(2)))
    return None
