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

import json
from typing import Literal

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from mupaka.core.exceptions import ValidationFailed
from mupaka.core.money import Money
from mupaka.core.rawsql import fetchone
from mupaka.ledger.selectors import account_for, cash_multiple
from mupaka.ledger.services import LineSpec
from mupaka.tellers.models import TILL_SUBLEDGER, Till, TillStatus
from mupaka.tellers.selectors import money_text, pending_out_minor

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
        _refuse_till(None if till is None else till.status)
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


# The actor's till on the business date and the institution's ``till_cash`` account in
# the operation's currency, in one statement (the counter's hot path: a deposit used to
# spend three ORM queries here). ``FOR UPDATE OF t`` is added for a payout on PostgreSQL.
_TILL_SQL = (
    "SELECT t.id, t.status, t.currencies, g.id, g.number "
    "FROM tellers_till t "
    "LEFT JOIN ledger_accountmapping m ON m.role = %s AND m.currency = %s "
    "AND m.scope_type = '' AND m.scope_id = 0 "
    "LEFT JOIN ledger_account g ON g.id = m.account_id "
    "WHERE t.teller_id = %s AND t.business_date = "
    "(SELECT i.business_date FROM core_institution i ORDER BY i.id LIMIT 1)"
)

# What a locked till can pay out in a currency: its cash lines on the ``till_cash``
# accounts (every one ever mapped, as ``selectors.till_balance_minor``), read in a
# statement of its own AFTER the lock, so that on PostgreSQL (READ COMMITTED) a payout
# that waited for the lock sees the payout committed before it.
_TILL_CASH_SQL = (
    "SELECT COALESCE(SUM(l.debit_minor), 0) - COALESCE(SUM(l.credit_minor), 0) "
    "FROM ledger_journalline l WHERE l.subledger_type = %s AND l.subledger_id = %s "
    "AND l.currency = %s AND l.account_id IN "
    "(SELECT m.account_id FROM ledger_accountmapping m WHERE m.role = %s)"
)


def till_shut_message(status: str | None) -> str:
    """Why the teller cannot take in or pay out cash (her till counted, closed or not
    opened); the counter page says the same."""
    if status == TillStatus.CLOSING:
        return _(
            "Your till has been counted for closing: no more cash operations today. "
            "Ask the manager to reopen it if the count must be redone."
        )
    if status is not None:
        return _("Your till is closed for today: no more cash operations.")
    return _(
        "You have no open till today: the manager must open one for you before "
        "you can take in or pay out cash."
    )


def _refuse_till(status: str | None) -> None:
    raise ValidationFailed(till_shut_message(status), code="no_open_till", field="till")


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

    Cash taken in costs one statement (till, business date and ledger account read
    together); a payout locks the till row (PostgreSQL ``FOR UPDATE``; SQLite's write
    transaction is exclusive) in that statement, then reads the till's cash.
    """
    # ``connection`` is a proxy resolving the thread's connection on each attribute read
    db = connections[DEFAULT_DB_ALIAS]
    if not db.in_atomic_block:
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
    currency = amount.currency
    lock = " FOR UPDATE OF t" if side == "cr" and db.vendor == "postgresql" else ""
    row = fetchone(_TILL_SQL + lock, ["till_cash", currency, getattr(actor, "pk", None)], db=db)
    if row is None or row[1] != TillStatus.OPEN:
        _refuse_till(None if row is None else row[1])
    till_id, _status, held, account_id, account_number = row
    if isinstance(held, (str, bytes)):
        held = json.loads(held)
    if currency not in (held or []):
        raise ValidationFailed(
            _("Your till does not hold %(currency)s today (it holds %(held)s).")
            % {"currency": currency, "held": ", ".join(held or []) or "—"},
            code="currency_not_held",
            field="currency",
        )
    if side == "cr":
        check_payout_multiple(amount)
        row = fetchone(_TILL_CASH_SQL, [TILL_SUBLEDGER, str(till_id), currency, "till_cash"], db=db)
        held_minor = int(row[0] or 0)
        available = held_minor - pending_out_minor(till_id, currency)
        if amount.minor > available:
            raise ValidationFailed(
                _("Not enough cash in your till: %(amount)s asked, %(available)s available.")
                % {
                    "amount": money_text(amount),
                    "available": money_text(Money.from_minor(available, currency)),
                },
                code="insufficient_cash",
                field="amount",
            )
    if account_id is None:
        account_for("till_cash", currency)  # raises no_account_mapping, translated
    # the account by its number (journal_post looks the lines' accounts up in one query)
    account = account_number
    extra = {
        "member_id": member_id,
        "subledger_type": TILL_SUBLEDGER,
        "subledger_id": str(till_id),
        "memo": memo,
    }
    return (
        LineSpec.dr(account, amount, **extra)
        if side == "dr"
        else LineSpec.cr(account, amount, **extra)
    )
