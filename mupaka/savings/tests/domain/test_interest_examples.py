"""Interest worked by hand over November 2026 (30 days), USD, 6 % a year, 365 days.

Opening balance USD 100.00 at the end of 31 October; deposit USD 50 on 10 Nov;
withdrawal USD 120 on 20 Nov; deposit USD 200 on 25 Nov. End-of-day balances:

    1–9 Nov    USD 100.00   9 days   →   900.00 balance-days
    10–19 Nov  USD 150.00  10 days   → 1,500.00
    20–24 Nov  USD  30.00   5 days   →   150.00
    25–30 Nov  USD 230.00   6 days   → 1,380.00
                           30 days     3,930.00 balance-days; ADB = 131.00

Daily balance, minimum USD 50 (the 5 days at USD 30 earn nothing):
    (900 + 1,500 + 1,380) × 0.06 / 365 = 3,780 × 0.06 / 365 = 0.62136… → USD 0.62
Average daily balance, minimum USD 50 (ADB 131.00 ≥ 50, every day counts):
    3,930 × 0.06 / 365 = 0.64602… → USD 0.65
Minimum USD 150: daily → (1,500 + 1,380) × 0.06 / 365 = 0.47342… → USD 0.47;
ADB 131.00 < 150 → nothing.
Withholding tax 10 % on USD 0.65: 0.065 → 0.06 (half-even), net USD 0.59.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from mupaka.core.money import Money
from mupaka.savings.domain import (
    Accumulator,
    InterestMethod,
    Movement,
    accumulate,
    daily_balances,
    interest_for_balances,
    interest_from_accumulator,
)

NOV = [
    Movement(dt.date(2026, 11, 10), 5_000),
    Movement(dt.date(2026, 11, 20), -12_000),
    Movement(dt.date(2026, 11, 25), 20_000),
]
RATE = Decimal("0.06")


def usd(text: str) -> Money:
    return Money.of(text, "USD")


@pytest.fixture
def november() -> list[int]:
    days = daily_balances(
        opening_minor=10_000,
        movements=NOV,
        start=dt.date(2026, 11, 1),
        end=dt.date(2026, 11, 30),
    )
    assert len(days) == 30
    return [b for _, b in days]


def test_end_of_day_balances_by_hand(november):
    assert november[:9] == [10_000] * 9
    assert november[9:19] == [15_000] * 10
    assert november[19:24] == [3_000] * 5
    assert november[24:] == [23_000] * 6
    assert sum(november) == 393_000


def test_daily_balance_with_minimum_50(november):
    r = interest_for_balances(
        november, currency="USD", annual_rate=RATE, method="daily_balance", min_balance_minor=5_000
    )
    assert r.gross == usd("0.62")
    assert r.tax == usd("0") and r.net == usd("0.62")


def test_average_daily_balance_with_minimum_50(november):
    r = interest_for_balances(
        november,
        currency="USD",
        annual_rate=RATE,
        method="average_daily_balance",
        min_balance_minor=5_000,
    )
    assert r.gross == usd("0.65")


def test_minimum_150_daily_balance_counts_only_days_above(november):
    r = interest_for_balances(
        november, currency="USD", annual_rate=RATE, method="daily_balance", min_balance_minor=15_000
    )
    assert r.gross == usd("0.47")


def test_minimum_150_average_daily_balance_earns_nothing(november):
    r = interest_for_balances(
        november,
        currency="USD",
        annual_rate=RATE,
        method="average_daily_balance",
        min_balance_minor=15_000,
    )
    assert r.is_zero and r.net == usd("0")


def test_withholding_tax_ten_percent(november):
    r = interest_for_balances(
        november,
        currency="USD",
        annual_rate=RATE,
        method="average_daily_balance",
        min_balance_minor=5_000,
        withholding_rate=Decimal("0.10"),
    )
    assert (r.gross, r.tax, r.net) == (usd("0.65"), usd("0.06"), usd("0.59"))


def test_accumulator_by_runs_of_days_equals_day_by_day(november):
    acc = Accumulator()
    for balance, days in ((10_000, 9), (15_000, 10), (3_000, 5), (23_000, 6)):
        acc = accumulate(acc, balance_minor=balance, days=days, min_balance_minor=5_000)
    assert acc == Accumulator(balance_days=393_000, eligible_balance_days=378_000, days=30)
    assert acc.average_minor == 13_100
    r = interest_from_accumulator(
        acc,
        currency="USD",
        annual_rate=RATE,
        method=InterestMethod.DAILY_BALANCE,
        min_balance_minor=5_000,
    )
    assert r.gross == usd("0.62")


def test_rwf_has_no_minor_unit_and_360_day_year():
    # RWF 12,000 for 31 days at 5 % on a 360-day year: 12,000 × 31 × 0.05 / 360 = 51.66… → 52
    r = interest_for_balances(
        [12_000] * 31,
        currency="RWF",
        annual_rate=Decimal("0.05"),
        method="daily_balance",
        days_in_year=360,
    )
    assert r.gross == Money.of("52", "RWF")


def test_cdf_rounding_down_when_the_product_says_so():
    # FC 50,000 for 30 days at 4 % / 365: 5,000,000 minor × 30 × 0.04 / 365 = 16,438.36 minor
    r = interest_for_balances(
        [5_000_000] * 30,
        currency="CDF",
        annual_rate=Decimal("0.04"),
        method="daily_balance",
        rounding="down",
    )
    assert r.gross == Money.of("164.38", "CDF")


def test_nothing_below_one_minor_unit():
    r = interest_for_balances([1] * 3, currency="USD", annual_rate=RATE, method="daily_balance")
    assert r.is_zero


def test_zero_rate_and_empty_period():
    assert interest_for_balances(
        [10_000], currency="USD", annual_rate=Decimal(0), method="daily_balance"
    ).is_zero
    assert interest_from_accumulator(
        Accumulator(), currency="USD", annual_rate=RATE, method="average_daily_balance"
    ).is_zero


def test_bad_parameters_are_refused():
    with pytest.raises(ValueError):
        interest_for_balances(
            [1], currency="USD", annual_rate=Decimal("-0.01"), method="daily_balance"
        )
    with pytest.raises(ValueError):
        interest_for_balances(
            [1], currency="USD", annual_rate=RATE, method="daily_balance", days_in_year=364
        )
    with pytest.raises(ValueError):
        interest_for_balances(
            [1],
            currency="USD",
            annual_rate=RATE,
            method="daily_balance",
            withholding_rate=Decimal("1.5"),
        )
    with pytest.raises(ValueError):
        daily_balances(
            opening_minor=0,
            movements=[Movement(dt.date(2026, 10, 31), 1)],
            start=dt.date(2026, 11, 1),
            end=dt.date(2026, 11, 30),
        )
