"""Term deposits: maturity date and the penalty for breaking one early."""

from __future__ import annotations

import datetime as dt
from calendar import monthrange
from decimal import ROUND_HALF_EVEN, Decimal


def add_months(anchor: dt.date, months: int) -> dt.date:
    """``anchor`` plus ``months`` calendar months, the day clamped to the month's end
    (31 Jan + 1 month → 28 or 29 Feb)."""
    index = anchor.month - 1 + months
    year, month = anchor.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(anchor.day, monthrange(year, month)[1]))


def maturity_date(opened: dt.date, term_months: int) -> dt.date:
    if term_months < 1:
        raise ValueError("a term deposit lasts at least one month")
    return add_months(opened, term_months)


def early_break_penalty_minor(principal_minor: int, penalty_rate: Decimal) -> int:
    """The penalty for breaking a term deposit before maturity: ``penalty_rate`` of the
    principal, rounded half-even to the minor unit (the interest not yet posted is
    forfeited as well; see services)."""
    if principal_minor < 0 or penalty_rate < 0:
        raise ValueError("principal and penalty rate cannot be negative")
    return int((Decimal(principal_minor) * penalty_rate).to_integral_value(ROUND_HALF_EVEN))
