"""Interest on savings: nominal annual rate on the daily balance or on the average
daily balance, a minimum balance below which nothing is earned, optional
withholding tax. Worked examples are in ``mupaka/savings/tests/domain``.

The two methods differ only in **where the minimum balance applies**:

* ``daily_balance``: each day whose end-of-day balance is below the minimum earns
  nothing; the other days earn ``balance × rate / days_in_year``.
* ``average_daily_balance``: the average of the end-of-day balances over the period
  (ADB = Σ balances / days) must reach the minimum; then the period earns
  ``ADB × rate × days / days_in_year`` = ``Σ balances × rate / days_in_year``, else nothing.

So a period is summed up exactly by three integers (the :class:`Accumulator`):
the sum of the end-of-day balances, the same sum over the days at or above the
minimum, and the number of days. End of day adds one day to it (set-based, no
rounding); the interest is computed and rounded once, when it is posted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from mupaka.core.money import Money, Rounding


class InterestMethod(StrEnum):
    DAILY_BALANCE = "daily_balance"
    AVERAGE_DAILY_BALANCE = "average_daily_balance"


@dataclass(frozen=True, slots=True)
class Accumulator:
    """What a period's end-of-day balances add up to (all in minor units × days)."""

    balance_days: int = 0
    eligible_balance_days: int = 0
    days: int = 0

    @property
    def average_minor(self) -> Decimal:
        """The average daily balance in minor units (0 for an empty period)."""
        return Decimal(self.balance_days) / self.days if self.days else Decimal(0)


def accumulate(
    acc: Accumulator, *, balance_minor: int, days: int, min_balance_minor: int
) -> Accumulator:
    """Add ``days`` days at the end-of-day balance ``balance_minor``."""
    if days < 0:
        raise ValueError("days cannot be negative")
    weighted = balance_minor * days
    return Accumulator(
        balance_days=acc.balance_days + weighted,
        eligible_balance_days=acc.eligible_balance_days
        + (weighted if balance_minor >= min_balance_minor else 0),
        days=acc.days + days,
    )


def accumulate_balances(
    balances: Iterable[int], *, min_balance_minor: int, start: Accumulator | None = None
) -> Accumulator:
    """The accumulator of a sequence of end-of-day balances (one per day)."""
    acc = start or Accumulator()
    for balance in balances:
        acc = accumulate(acc, balance_minor=balance, days=1, min_balance_minor=min_balance_minor)
    return acc


@dataclass(frozen=True, slots=True)
class InterestResult:
    gross: Money
    tax: Money
    net: Money

    @property
    def is_zero(self) -> bool:
        return self.gross.is_zero


def interest_from_accumulator(
    acc: Accumulator,
    *,
    currency: str,
    annual_rate: Decimal,
    method: InterestMethod | str,
    min_balance_minor: int = 0,
    days_in_year: int = 365,
    withholding_rate: Decimal = Decimal(0),
    rounding: Rounding | str = Rounding.HALF_EVEN,
) -> InterestResult:
    """The interest of a period, rounded to the currency's minor unit with ``rounding``;
    the withholding tax is rounded HALF_EVEN and taken from the gross interest.

    Nothing is earned when the rate is zero, when (average daily balance method)
    the average is below ``min_balance_minor``, or when the rounded amount is zero.
    """
    method = InterestMethod(method)
    if annual_rate < 0:
        raise ValueError("the rate cannot be negative")
    if not Decimal(0) <= withholding_rate <= Decimal(1):
        raise ValueError("the withholding rate is a fraction between 0 and 1")
    if days_in_year not in (360, 365, 366):
        raise ValueError("days_in_year is 360, 365 or 366")
    zero = Money.zero(currency)
    if method == InterestMethod.DAILY_BALANCE:
        base = acc.eligible_balance_days
    elif acc.days and acc.average_minor >= min_balance_minor:
        base = acc.balance_days
    else:
        base = 0
    if base <= 0 or annual_rate == 0:
        return InterestResult(zero, zero, zero)
    exact_minor = Decimal(base) * annual_rate / days_in_year
    gross = (Money.from_minor(1, currency) * exact_minor).round(rounding)
    if gross.amount <= 0:
        return InterestResult(zero, zero, zero)
    tax = (gross * withholding_rate).round(Rounding.HALF_EVEN)
    return InterestResult(gross, tax, gross - tax)


def interest_for_balances(
    balances: Iterable[int],
    *,
    currency: str,
    annual_rate: Decimal,
    method: InterestMethod | str,
    min_balance_minor: int = 0,
    days_in_year: int = 365,
    withholding_rate: Decimal = Decimal(0),
    rounding: Rounding | str = Rounding.HALF_EVEN,
) -> InterestResult:
    """Interest of a period given its end-of-day balances (one per day): the
    direct definition, which :func:`interest_from_accumulator` must equal."""
    acc = accumulate_balances(balances, min_balance_minor=min_balance_minor)
    return interest_from_accumulator(
        acc,
        currency=currency,
        annual_rate=annual_rate,
        method=method,
        min_balance_minor=min_balance_minor,
        days_in_year=days_in_year,
        withholding_rate=withholding_rate,
        rounding=rounding,
    )


def gross_minor_from_accumulator(
    acc: Accumulator,
    *,
    rate_ppm: int,
    method: InterestMethod | str,
    min_balance_minor: int = 0,
    days_in_year: int = 365,
    rounding: Rounding | str = Rounding.HALF_EVEN,
) -> int:
    """The gross interest of :func:`interest_from_accumulator` in minor units, worked out
    in integers (the rate in millionths): what end of day sums over every open account
    each evening to accrue the interest payable in the general ledger, so it must be, and
    is tested to be, the amount that will be posted to the account if the period ended
    today. Rounding modes: half even, half up, down (the products' choices)."""
    method = InterestMethod(method)
    if method == InterestMethod.DAILY_BALANCE:
        base = acc.eligible_balance_days
    elif acc.days and acc.balance_days >= min_balance_minor * acc.days:
        base = acc.balance_days
    else:
        base = 0
    if base <= 0 or rate_ppm <= 0:
        return 0
    den = days_in_year * 1_000_000
    q, r = divmod(base * rate_ppm, den)
    mode = Rounding(rounding)
    if mode == Rounding.HALF_EVEN:
        q += 1 if 2 * r > den or (2 * r == den and q % 2) else 0
    elif mode == Rounding.HALF_UP:
        q += 1 if 2 * r >= den else 0
    elif mode != Rounding.DOWN:
        raise ValueError(f"rounding {mode} is not offered for savings interest")
    return q
