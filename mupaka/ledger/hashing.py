"""Tamper evidence: the hash of an entry covers its content and the previous entry's hash.

Pure functions (no Django): ``mupaka verify`` recomputes every hash from the stored
rows and walks the chain; altering any stored line, amount, account, date or
narrative breaks it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

GENESIS_HASH = "0" * 64
HASH_VERSION = "v1"


@dataclass(frozen=True, slots=True)
class HashLine:
    line_no: int
    account_id: int
    currency: str
    debit_minor: int
    credit_minor: int
    member_id: int | None
    subledger_type: str
    subledger_id: str
    memo: str


def _ts(value: dt.datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("posted_at must be timezone-aware")
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def entry_hash(
    *,
    number: int,
    business_date: dt.date,
    posted_at: dt.datetime,
    actor_id: int | None,
    approved_by_id: int | None,
    branch_id: int | None,
    narrative: str,
    source_type: str,
    source_id: str,
    reversal_of_id: int | None,
    idempotency_key: str,
    prev_hash: str,
    lines: Sequence[HashLine],
) -> str:
    """SHA-256 over a canonical JSON of the entry, its lines (by line number) and ``prev_hash``."""
    body = [
        HASH_VERSION,
        number,
        business_date.isoformat(),
        _ts(posted_at),
        actor_id,
        approved_by_id,
        branch_id,
        narrative,
        source_type,
        source_id,
        reversal_of_id,
        idempotency_key,
        prev_hash,
        [
            [
                ln.line_no,
                ln.account_id,
                ln.currency,
                ln.debit_minor,
                ln.credit_minor,
                ln.member_id,
                ln.subledger_type,
                ln.subledger_id,
                ln.memo,
            ]
            for ln in sorted(lines, key=lambda ln: ln.line_no)
        ],
    ]
    canonical = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
