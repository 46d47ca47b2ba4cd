"""Month-end revaluation of the exchange position, and its reversal.

At the last business date of a month end of day values the exchange desk's open position
at that date's closing rates (``mupaka.cob.selectors.exchange_position``) and posts the
unrealised result in the base currency, on the base currency's position account:

    gain:  Dr exchange_position (4800-USD)        / Cr exchange_revaluation_gain (7060-USD)
    loss:  Dr exchange_revaluation_loss (6060-USD) / Cr exchange_position (4800-USD)

so that, valued at the month-end rates, the position accounts add up to zero in the base
currency and the month's income statement carries the unrealised result. The entry is
reversed on the first business date of the next month (dated that day: the step that
moves the business date posts it right after the move), so every month end values the
position afresh from the rates of the operations, never from an earlier revaluation.

Idempotent: the entry's key is ``cob:{date}:exchange_revaluation:{base}`` and its amount
is computed with revaluation entries left out (a rerun posts the same entry, which the
ledger replays), the reversal's is ``cob:{date}:exchange_revaluation:reversal``.
When a currency holding a position has no rate at all, nothing is posted and the step
says which rate is missing (the report shows it too).
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from mupaka.cob.selectors import FX_REVALUATION_SOURCE, exchange_position, is_month_end
from mupaka.core.exceptions import ValidationFailed
from mupaka.core.money import Money
from mupaka.ledger.models import JournalEntry
from mupaka.ledger.selectors import account_for
from mupaka.ledger.services import LineSpec, journal_post, journal_reverse

# an older chart without the revaluation roles books them with the realised result
FALLBACK = {
    "exchange_revaluation_gain": "exchange_income",
    "exchange_revaluation_loss": "exchange_loss",
}


def _account(role: str, currency: str):
    try:
        return account_for(role, currency)
    except ValidationFailed as exc:
        if exc.code != "no_account_mapping" or role not in FALLBACK:
            raise
        return account_for(FALLBACK[role], currency)


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def fx_revaluation_post(*, on_date: dt.date) -> dict:
    """Post the month-end revaluation of ``on_date`` (the last business date of a
    month; any other date posts nothing). In the caller's transaction."""
    if not is_month_end(on_date):
        return {"month_end": False}
    position = exchange_position(on_date=on_date)
    result: dict = {
        "month_end": True,
        "base": position.base,
        "rates": {
            c.currency: f"{c.rate.pair} {c.rate.rate}" for c in position.currencies if c.rate
        },
    }
    if position.missing_rates:
        result["not_revalued"] = {"missing_rates": position.missing_rates}
        return result
    amount = position.unrealised_minor or 0
    result["unrealised_minor"] = amount
    if amount == 0:
        return result
    base = position.base
    desk = account_for("exchange_position", base)
    money = Money.from_minor(abs(amount), base)
    memo = _("Revaluation of the exchange position at %(date)s") % {"date": _fmt(on_date)}
    if amount > 0:
        lines = [
            LineSpec.dr(desk, money, memo=memo),
            LineSpec.cr(_account("exchange_revaluation_gain", base), money, memo=memo),
        ]
    else:
        lines = [
            LineSpec.dr(_account("exchange_revaluation_loss", base), money, memo=memo),
            LineSpec.cr(desk, money, memo=memo),
        ]
    rates = ", ".join(result["rates"].values())
    entry = journal_post(
        actor=None,
        business_date=on_date,
        narrative=f"{memo} ({rates})"[:300],
        lines=lines,
        source_type=FX_REVALUATION_SOURCE,
        source_id=on_date.isoformat(),
        idempotency_key=f"cob:{on_date.isoformat()}:exchange_revaluation:{base}",
    )
    result["entry"] = entry.number
    return result


def fx_revaluation_reverse(*, on_date: dt.date) -> list[int]:
    """Reverse, dated ``on_date``, every month-end revaluation of an earlier month not
    reversed yet (normally the one of the month that just ended). Returns the numbers of
    the reversing entries."""
    month_start = on_date.replace(day=1)
    pending = (
        JournalEntry.objects.filter(
            source_type=FX_REVALUATION_SOURCE,
            reversal_of__isnull=True,
            business_date__lt=month_start,
        )
        .exclude(reversed_by__isnull=False)
        .order_by("number")
    )
    numbers = []
    for entry in pending:
        reversal = journal_reverse(
            actor=None,
            entry=entry,
            reason=_("month-end revaluation undone at the start of the next month"),
            idempotency_key=f"cob:{entry.business_date.isoformat()}:exchange_revaluation:reversal",
            business_date=on_date,
        )
        numbers.append(reversal.number)
    return numbers
