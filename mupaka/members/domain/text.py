"""Accent-free, lower-case forms of names for search and duplicate checks.

"Mwamini M'Bisimwa Nabintu" → search text ``"mwamini m bisimwa mbisimwa nabintu"`` with
the tokens ``{"mwamini", "m", "bisimwa", "mbisimwa", "nabintu"}``: a name with an
apostrophe or a hyphen is findable as its parts and as one word.
"""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = "'’ʼ`´‘"
_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower case, accents removed (é → e, ç → c), other marks kept."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.casefold()


def words(text: str) -> list[str]:
    """The words of ``text`` after folding, split on anything not a letter or digit."""
    return _WORD.findall(fold(text))


def name_tokens(*parts: str) -> list[str]:
    """Every token under which a name can be found by prefix, in order, without repeats."""
    out: list[str] = []
    for part in parts:
        for chunk in fold(part).split():
            pieces = _WORD.findall(chunk)
            joined = "".join(pieces)
            for token in [*pieces, joined] if len(pieces) > 1 else pieces:
                if token and token not in out:
                    out.append(token)
    return out


def search_text(*parts: str) -> str:
    """The normalized name stored on a member: tokens joined by spaces."""
    return " ".join(name_tokens(*parts))


def name_key(first_name: str, last_name: str) -> tuple[str, ...]:
    """First and last name as a sorted tuple of folded words: order-insensitive,
    so "Furaha Mapendo" and "Mapendo Furaha" compare equal."""
    return tuple(sorted(words(f"{first_name} {last_name}")))


def prefix_upper_bound(prefix: str) -> str | None:
    """The smallest string greater than every string starting with ``prefix``,
    for an index range scan (``prefix <= x < bound``) that behaves the same on
    SQLite and PostgreSQL whatever the collation. Tokens hold only [a-z0-9]."""
    chars = list(prefix)
    while chars:
        last = chars.pop()
        if last == "z":
            continue
        if last == "9":
            return "".join(chars) + "a"
        return "".join(chars) + chr(ord(last) + 1)
    return None


def id_number_normalize(value: str) -> str:
    """An ID document number as compared for duplicates: upper case, no spaces,
    dots, slashes or dashes."""
    return re.sub(r"[\s.\-/]", "", (value or "")).upper()
