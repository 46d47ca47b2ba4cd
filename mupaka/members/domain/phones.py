"""Phone numbers, stored in E.164 (``+243970000001``).

A number written with ``+`` (or ``00``) is read as international; a local number
(``0970000001`` or ``970000001``) is read in the country given, normally the
branch's.
"""

from __future__ import annotations

import re

import phonenumbers


class InvalidPhone(ValueError):
    """Not a phone number that can be reached."""


def phone_normalize(raw: str, *, region: str) -> str:
    """E.164 form of ``raw`` read in ``region`` (ISO 3166 alpha-2, e.g. "CD").

    Raises :class:`InvalidPhone` when it is not a valid number."""
    text = (raw or "").strip()
    if not text:
        raise InvalidPhone("empty")
    if text.startswith("00"):
        text = "+" + text[2:]
    if re.search(r"[^\d\s+().\-/]", text):
        raise InvalidPhone(raw)
    try:
        number = phonenumbers.parse(text, region.upper())
    except phonenumbers.NumberParseException:
        raise InvalidPhone(raw)
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(raw)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(e164: str) -> str:
    """``+243970000001`` → ``+243 970 000 001`` (as people read it)."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def looks_like_phone(query: str) -> bool:
    text = (query or "").strip()
    digits = re.sub(r"\D", "", text)
    return len(digits) >= 6 and not re.search(r"[^\d\s+().\-/]", text)


def phone_search_candidates(query: str, *, regions: list[str]) -> list[str]:
    """The E.164 numbers a search box entry may mean: as written if international,
    else read in each of ``regions`` (the branch's country first), plus the digits
    read as international without their ``+``. Invalid readings are dropped."""
    text = (query or "").strip()
    if not looks_like_phone(text):
        return []
    out: list[str] = []
    digits = re.sub(r"\D", "", text)
    attempts: list[tuple[str, str | None]] = []
    if text.startswith("+") or text.startswith("00"):
        attempts.append(("+" + digits.removeprefix("00") if text.startswith("00") else text, None))
    else:
        attempts.extend((text, r) for r in regions)
        attempts.append(("+" + digits, None))
    for raw, region in attempts:
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            continue
        if not phonenumbers.is_possible_number(number):
            continue
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if e164 not in out:
            out.append(e164)
    return out
