"""The cash side of every counter operation: :func:`till_cash_line`.

Other apps (savings, shares, loans) call it inside their own ``transaction.atomic``
to get the till line of the journal entry they are about to post::

    from mupaka.tellers.cash import till_cash_line

    with transaction.atomic():
        cash = till_cash_line(actor=teller, amount=Money.of("20", "USD"), side="dr",
                              member_id=member.pk, memo="Dépôt")
        journal_post(..., lines=[cash, LineSpec.cr(account_for("savings_deposits", "USD"), ...)])

The till is locked (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's write transaction
is exclusive) until the caller's transaction ends, so two payouts from one till cannot
both pass the cash check.
"""

from __future__ import annotations

from typing import Literal

from django.db import connection
from django.utils.translation import gettext as _

from mupaka.core.exceptions import ValidationFailed
from mupaka.core.money import Money
from mupaka.ledger.selectors import account_for, cash_multiple
from mupaka.ledger.services import LineSpec
from mupaka.tellers.models import TILL_SUBLEDGER, Till, TillStatus
from mupaka.tellers.selectors import money_text, till_available_minor

__all__ = ["till_cash_line", "till_for_cash", "check_payout_multiple"]


def till_for_cash(*, actor, lock: bool = False) -> Till:
    """The actor's open till on the business date, or ValidationFailed ``no_open_till``."""
    from mupaka.core.selectors import business_date_get

    qs = Till.objects.filter(
        teller_id=getattr(actor, "pk", None), business_date=business_date_get()
    )
    if lock:
        qs = qs.select_for_update()
    till = qs.first()
    if till is None or till.status != TillStatus.OPEN:
        if till is not None and till.status == TillStatus.CLOSING:
            message = _(
                "Your till has been counted for closing: no more cash operations today. "
                "Ask the manager to reopen it if the count must be redone."
            )
        elif till is not None:
            message = _("Your till is closed for today: no more cash operations.")
        else:
            message = _(
                "You have no open till today: the manager must open one for you before "
                "you can take in or pay out cash."
            )
        raise ValidationFailed(message, code="no_open_till", field="till")
    return till


def check_payout_multiple(amount: Money) -> None:
    step = cash_multiple(amount.currency)
    if amount.quantize_cash(step, "down") != amount:
        raise ValidationFailed(
            _(
                "%(amount)s cannot be paid in cash: the smallest note for %(currency)s is "
                "%(step)s. Pay %(down)s or %(up)s."
            )
            % {
                "amount": money_text(amount),
                "currency": amount.currency,
                "step": money_text(Money(step, amount.currency)),
                "down": money_text(amount.quantize_cash(step, "down")),
                "up": money_text(amount.quantize_cash(step, "up")),
            },
            code="not_cash_multiple",
            field="amount",
        )


def till_cash_line(
    *,
    actor,
    amount: Money,
    side: Literal["dr", "cr"],
    member_id: int | None = None,
    memo: str = "",
) -> LineSpec:
    """The line on ``till_cash`` for the actor's open till: ``side="dr"`` takes cash in,
    ``side="cr"`` pays cash out. Must run inside the caller's transaction.

    Refuses (ValidationFailed, nothing written): ``no_open_till``, ``currency_not_held``,
    ``not_cash_multiple`` (payout not a multiple of the smallest note),
    ``insufficient_cash`` (payout above what the till holds, pending transfers to the
    vault deducted), ``invalid`` (amount not positive or not exact in minor units).
    """
    if not connection.in_atomic_block:
        raise RuntimeError("till_cash_line must run inside the transaction that posts the entry")
    if side not in ("dr", "cr"):
        raise ValueError("side is 'dr' (cash in) or 'cr' (cash out)")
    if not isinstance(amount, Money):
        raise TypeError("amount must be a Money")
    if amount.amount <= 0 or not amount.is_exact:
        raise ValidationFailed(
            _("The cash amount must be greater than zero and exact to the %(currency)s minor unit.")
            % {"currency": amount.currency},
            field="amount",
        )
    till = till_for_cash(actor=actor, lock=side == "cr")
    if amount.currency not in (till.currencies or []):
        raise ValidationFailed(
            _("Your till does not hold %(currency)s today (it holds %(held)s).")
            % {
                "currency": amount.currency,
                "held": ", ".join(till.currencies) or "—",
            },
            code="currency_not_held",
            field="currency",
        )
    if side == "cr":
        check_payout_multiple(amount)
        available = till_available_minor(till, amount.currency)
        if amount.minor > available:
            raise ValidationFailed(
                _("Not enough cash in your till: %(amount)s asked, %(available)s available.")
                % {
                    "amount": money_text(amount),
                    "available": money_text(Money.from_minor(available, amount.currency)),
                },
                code="insufficient_cash",
                field="amount",
            )
    account = account_for("till_cash", amount.currency)
    extra = {
        "member_id": member_id,
        "subledger_type": TILL_SUBLEDGER,
        "subledger_id": str(till.pk),
        "memo": memo,
    }
    return (
        LineSpec.dr(account, amount, **extra)
        if side == "dr"
        else LineSpec.cr(account, amount, **extra)
    )
