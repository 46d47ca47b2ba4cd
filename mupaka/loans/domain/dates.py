"""Due dates and day counts.

Monthly due dates keep the anchor's day and clamp to the month's end, and each one is
computed from the anchor (the disbursement date, or the first due date when one is given),
never from the previous due date: 31 Jan -> 28 Feb -> 31 Mar -> 30 Apr. Fineract's
``DefaultScheduledDateGenerator`` (mifosng era) chains ``startDate.plusMonths(every)`` from
the previous due date, which drifts to 28 Mar after February; we do not copy that.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date, timedelta
from decimal import Decimal

from .rounding import CALC_CONTEXT
from .terms import DaysInMonth, DaysInYear, Frequency


def add_months(anchor: date, months: int) -> date:
    """``anchor`` plus ``months`` calendar months, the day clamped to the month's end."""
    month_index = anchor.month - 1 + months
    year = anchor.year + month_index // 12
    month = month_index % 12 + 1
    day = anchor.day
    if day > 28:
        day = min(day, monthrange(year, month)[1])
    return date(year, month, day)


def add_periods(anchor: date, frequency: Frequency, every: int, count: int) -> date:
    """The date ``count`` repayment periods of ``every`` units after ``anchor``."""
    if frequency == Frequency.MONTHS:
        return add_months(anchor, every * count)
    if frequency == Frequency.WEEKS:
        return anchor + timedelta(days=7 * every * count)
    return anchor + timedelta(days=every * count)


def due_dates(
    *,
    disbursement_date: date,
    installments: int,
    frequency: Frequency,
    every: int = 1,
    first_due_date: date | None = None,
) -> tuple[date, ...]:
    """The due dates of ``installments`` instalments, strictly increasing."""
    anchor = disbursement_date if first_due_date is None else first_due_date
    first = 1 if first_due_date is None else 0
    counts = range(first, installments + first)
    if frequency != Frequency.MONTHS:
        step = every * (7 if frequency == Frequency.WEEKS else 1)
        return tuple(anchor + timedelta(days=step * k) for k in counts)
    # add_months inlined: this runs for every schedule generated
    year, month0, day = anchor.year, anchor.month - 1, anchor.day
    dates = []
    for k in counts:
        index = month0 + every * k
        y, m = year + index // 12, index % 12 + 1
        dates.append(date(y, m, min(day, monthrange(y, m)[1]) if day > 28 else day))
    return tuple(dates)


def whole_months_between(start: date, end: date) -> int:
    """The largest n with ``add_months(start, n) <= end`` (``start <= end``)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if months > 0 and add_months(start, months) > end:
        months -= 1
    return max(months, 0)


def days_30(start: date, end: date) -> Decimal:
    """Days from ``start`` to ``end`` counting every whole month as 30 days.

    Whole months are counted as Fineract's ``calculatePeriodsBetweenDates`` does (by adding
    months to the start, clamped), so 31 Jan -> 28 Feb is one month, 30 days; the days left
    over count as a fraction of the following month, times 30.
    """
    months = whole_months_between(start, end)
    after = add_months(start, months)
    if after == end:
        return Decimal(30 * months)
    next_month = add_months(start, months + 1)
    left = (end - after).days
    span = (next_month - after).days
    return CALC_CONTEXT.add(
        Decimal(30 * months), CALC_CONTEXT.divide(Decimal(left * 30), Decimal(span))
    )


def year_fraction(
    start: date, end: date, days_in_year: DaysInYear, days_in_month: DaysInMonth
) -> Decimal:
    """The fraction of a year from ``start`` to ``end`` for daily interest.

    Days are actual days, or 30 per whole month when ``days_in_month`` is 30. The year has
    360, 364 or 365 days, or with ``actual`` each day counts as 1/365 or 1/366 of its own
    calendar year (actual/actual). With 30-day months an ``actual`` year is taken as 365 days,
    as Fineract does for every ``actual`` year.
    """
    if days_in_month == DaysInMonth.D30:
        days = days_30(start, end)
        basis = 365 if days_in_year == DaysInYear.ACTUAL else int(days_in_year)
        return CALC_CONTEXT.divide(days, Decimal(basis))
    if days_in_year != DaysInYear.ACTUAL:
        return CALC_CONTEXT.divide(Decimal((end - start).days), Decimal(int(days_in_year)))
    return actual_actual(start, end)


def actual_actual(start: date, end: date) -> Decimal:
    """Actual/actual year fraction: each day weighted by its calendar year's length."""
    if start.year == end.year:
        return CALC_CONTEXT.divide(Decimal((end - start).days), Decimal(_year_length(start.year)))
    total = Decimal(0)
    cursor = start
    while cursor.year < end.year:
        next_year = date(cursor.year + 1, 1, 1)
        total = CALC_CONTEXT.add(
            total,
            CALC_CONTEXT.divide(
                Decimal((next_year - cursor).days), Decimal(_year_length(cursor.year))
            ),
        )
        cursor = next_year
    return CALC_CONTEXT.add(
        total,
        CALC_CONTEXT.divide(Decimal((end - cursor).days), Decimal(_year_length(end.year))),
    )


def _year_length(year: int) -> int:
    return 366 if monthrange(year, 2)[1] == 29 else 365
