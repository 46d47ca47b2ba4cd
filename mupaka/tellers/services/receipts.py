"""Receipts: the numbered paper any cash operation hands to the member.

``receipt_issue`` takes the next number of the branch for the year (``BKV-2026-000123``)
under a row lock, so numbers are unique and without gaps within a committed day's work
(a rolled-back operation gives its number back).

A receipt is a document handed to the member: it is written in the institution's document
language, French (``RECEIPT_LANGUAGE``), whoever served her and whatever language her
screens are in, like the savings statement and the amounts in words. The operations build
the lines, balances and notes they store inside ``receipt_language()``; the print and PDF
views render inside it too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _

from mupaka.core.exceptions import ValidationFailed
from mupaka.core.money import Money
from mupaka.core.selectors import institution_get
from mupaka.tellers.models import Receipt, ReceiptCounter, Till

__all__ = ["RECEIPT_LANGUAGE", "ReceiptLine", "receipt_issue", "receipt_language"]

RECEIPT_LANGUAGE = "fr"  # the language receipts are written in (amounts in words: French)


def receipt_language() -> translation.override:
    """``with receipt_language():`` — the receipt's labels, notes and numbers in French,
    whatever the language of the teller's screens (her messages stay in hers)."""
    return translation.override(RECEIPT_LANGUAGE)


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    """One line of a receipt: a label and an amount (``Dépôt sur épargne``, USD 20)."""

    label: str
    amount: Money

    def as_json(self) -> dict:
        return {
            "label": str(self.label)[:120],
            "currency": self.amount.currency,
            "amount_minor": self.amount.round().minor,
        }


def _next_number(branch, year: int) -> str:
    counter = ReceiptCounter.objects.select_for_update().filter(branch=branch, year=year).first()
    if counter is None:
        counter = ReceiptCounter.objects.create(branch=branch, year=year, last_value=0)
        counter = ReceiptCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return f"{branch.code}-{year}-{counter.last_value:06d}"


def receipt_issue(
    *,
    actor,
    kind: str,
    title: str,
    lines: Iterable[ReceiptLine],
    balances: Iterable[ReceiptLine] = (),
    notes: Iterable[str] = (),
    member_id: int | None = None,
    party_name: str = "",
    entry_number: int | None = None,
    till: Till | None = None,
) -> Receipt:
    """A numbered receipt, written in the caller's transaction (no permission of its
    own: the operation that issues it has checked hers). ``kind`` is the operation
    (``"savings.deposit"``, ``"loans.repayment"``...), ``title`` the heading printed,
    ``lines`` the amounts moved (printed with the amount in words), ``balances`` the
    balances after the operation, ``notes`` extra printed lines.

    A journal entry has one receipt: when ``entry_number`` already has one (the operation
    was replayed), that receipt is returned and no number is taken."""
    if not connection.in_atomic_block:
        raise RuntimeError("receipt_issue must run inside the transaction of the operation")
    if entry_number is not None:
        # One receipt per journal entry: an operation replayed under its idempotency key
        # (a double press, a retried request) gets its first receipt back, never a second.
        first = Receipt.objects.filter(entry_number=entry_number).first()
        if first is not None:
            return first
    lines = [ln.as_json() for ln in lines]
    if not lines:
        raise ValidationFailed(_("A receipt needs at least one amount."), field="lines")
    if till is None:
        from mupaka.tellers.selectors import till_open_for

        till = till_open_for(user=actor)
    branch = till.branch if till is not None else getattr(actor, "branch", None)
    if branch is None:
        raise ValidationFailed(_("A receipt is issued by a branch: the user has none."))
    bdate = till.business_date if till is not None else institution_get().business_date
    return Receipt.objects.create(
        number=_next_number(branch, bdate.year),
        branch=branch,
        till=till,
        kind=kind[:40],
        title=str(title)[:120],
        member_id=member_id,
        party_name=party_name[:160],
        entry_number=entry_number,
        business_date=bdate,
        lines=lines,
        balances=[b.as_json() for b in balances],
        notes=[str(n)[:200] for n in notes],
        issued_by=actor,
    )
