from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from mupaka.loans.domain import Frequency, add_months, due_dates
from mupaka.loans.domain.dates import actual_actual, days_30, whole_months_between

from .support import D


def test_month_end_is_kept_from_the_anchor_not_chained() -> None:
    dates = due_dates(
        disbursement_date=date(2023, 1, 31), installments=4, frequency=Frequency.MONTHS
    )
    assert dates == (date(2023, 2, 28), date(2023, 3, 31), date(2023, 4, 30), date(2023, 5, 31))


@pytest.mark.parametrize(
    ("anchor", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2023, 1, 30), 1, date(2023, 2, 28)),
        (date(2023, 12, 15), 1, date(2024, 1, 15)),  # across the year
        (date(2023, 11, 30), 3, date(2024, 2, 29)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2023, 5, 31), 0, date(2023, 5, 31)),
    ],
)
def test_add_months_clamps_to_the_end_of_month(anchor: date, months: int, expected: date) -> None:
    assert add_months(anchor, months) == expected


def test_weekly_and_daily_dates_every_n() -> None:
    assert due_dates(
        disbursement_date=date(2024, 12, 25), installments=3, frequency=Frequency.WEEKS, every=2
    ) == (
        date(2025, 1, 8),
        date(2025, 1, 22),
        date(2025, 2, 5),
    )
    assert due_dates(
        disbursement_date=date(2024, 2, 27), installments=3, frequency=Frequency.DAYS, every=1
    ) == (
        date(2024, 2, 28),
        date(2024, 2, 29),
        date(2024, 3, 1),
    )


def test_first_due_date_becomes_the_anchor() -> None:
    dates = due_dates(
        disbursement_date=date(2024, 1, 10),
        installments=3,
        frequency=Frequency.MONTHS,
        first_due_date=date(2024, 2, 29),
    )
    assert dates == (date(2024, 2, 29), date(2024, 3, 29), date(2024, 4, 29))


def test_whole_months_and_30_day_count() -> None:
    assert whole_months_between(date(2024, 1, 31), date(2024, 2, 29)) == 1
    assert whole_months_between(date(2024, 1, 31), date(2024, 2, 28)) == 0
    assert days_30(date(2024, 1, 31), date(2024, 2, 29)) == D(30)
    assert days_30(date(2024, 1, 15), date(2024, 3, 15)) == D(60)
    # one whole month, then 15 of the 29 days from 15 Feb to 15 Mar (2024): 30 + 15 x 30/29
    assert _close(days_30(date(2024, 1, 15), date(2024, 3, 1)), D(30) + D(15) * 30 / D(29))


def test_actual_actual_splits_leap_and_common_years() -> None:
    assert actual_actual(date(2024, 1, 1), date(2025, 1, 1)) == D(1)
    assert _close(actual_actual(date(2023, 7, 1), date(2024, 7, 1)), D(184) / 365 + D(182) / 366)


def _close(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) < Decimal("1e-20")
