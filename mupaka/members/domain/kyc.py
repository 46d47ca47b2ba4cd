"""Know-your-customer tier, derived from the identity document.

Tier 0: no usable identity document (none recorded, no number, or expired on
the date asked about). Tier 1: a document with a number that has not expired.
A document recorded without an expiry date (many voter cards and national IDs
in the region carry none) counts as valid. Later issues attach limits to the
tiers (tier 0: small savings balance, no loan).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

NO_DOCUMENT = "none"


@dataclass(frozen=True)
class IdDocument:
    type: str
    number: str = ""
    expiry_date: dt.date | None = None


def id_document_valid(doc: IdDocument, *, on_date: dt.date) -> bool:
    if doc.type in ("", NO_DOCUMENT) or not doc.number.strip():
        return False
    return doc.expiry_date is None or doc.expiry_date >= on_date


def kyc_tier(doc: IdDocument, *, on_date: dt.date) -> int:
    """0 without a valid identity document on ``on_date``, 1 with one."""
    return 1 if id_document_valid(doc, on_date=on_date) else 0
