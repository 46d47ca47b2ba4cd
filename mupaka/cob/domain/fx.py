"""The exchange position at a month end, valued in the base currency (pure arithmetic).

The exchange desk posts every exchange through the ``exchange_position`` accounts
(4800-USD, 4800-CDF ...), one per currency, so that each currency's books balance by
themselves; the two legs of an exchange are worth the same at the day's reference rate
(the margin is income at once). Per currency C, the position account's balance is the
desk's net purchase of C (long: credit balance) or net sale (short: debit balance); in the
base currency its balance is the counter-value paid or received for them. At the rates of
the days they were made the legs cancel out; at a later rate they do not, and the
difference is the **unrealised** exchange result of the open position:

    unrealised (base) = Σ over C ≠ base of long(C) ÷ rate(C) at the month end + counter-value (base)

positive a gain, negative a loss. End of day posts it at the month end, in the base
currency, on the base currency's position account (see ``mupaka.cob.services.fx``), and
reverses it on the first day of the next month, so each month end values the position
afresh from the rates of the operations.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal


@dataclass(frozen=True)
class ClosingRate:
    """A pair's rate at the month end: ``quote`` units for one ``base`` (USD/CDF 2,900 =
    2,900 CDF for 1 USD): the reference rate of the day when one was set, else the mid."""

    base: str
    quote: str
    rate: Decimal
    rate_date: dt.date
    source: str  # "reference" or "mid"

    @property
    def pair(self) -> str:
        return f"{self.base}/{self.quote}"


def to_base(amount: Decimal, currency: str, base: str, rate: ClosingRate) -> Decimal:
    """``amount`` (major units of ``currency``) in the base currency, unrounded."""
    if currency == base:
        return amount
    if rate.base == base and rate.quote == currency:
        return amount / rate.rate
    if rate.base == currency and rate.quote == base:
        return amount * rate.rate
    raise ValueError(f"{rate.pair} does not convert {currency} into {base}")


def round_minor(amount: Decimal, places: int) -> Decimal:
    """To the base currency's minor unit, half even (the ledger's default rounding)."""
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class PositionValue:
    currency: str
    long: Decimal  # major units of the currency: + bought (long), − sold (short)
    rate: ClosingRate | None
    in_base: Decimal | None  # None: no rate


def unrealised(values: list[PositionValue], *, counter_value: Decimal) -> Decimal | None:
    """Σ long(C) in base + the base currency's counter-value; None when a currency holding
    a position has no rate (the result cannot be known)."""
    total = counter_value
    for v in values:
        if v.long == 0:
            continue
        if v.in_base is None:
            return None
        total += v.in_base
    return total
