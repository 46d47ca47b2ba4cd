"""Sums over the database are exact with amounts near 10^12 (integers in minor units,
never REAL): on SQLite a DecimalField would be summed in floating point."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Sum

from mupaka.core.money import Money
from mupaka.ledger.models import AccountDayTotal, JournalLine
from mupaka.ledger.selectors import account_balance, account_get, trial_balance
from mupaka.ledger.verify import LEDGER_CHECKS, run_checks

pytestmark = pytest.mark.django_db

# 999,999,999,999.99 USD and neighbours: float64 cannot hold their sum to the cent.
AMOUNTS = ["999999999999.99", "999999999999.97", "0.01", "987654321098.76"]


def test_sums_near_ten_to_the_twelve_are_exact(post):
    for i in range(150):
        amount = AMOUNTS[i % len(AMOUNTS)]
        post([("5700-USD", amount, None), ("1000-USD", None, amount)])
    expected = sum(Money.of(AMOUNTS[i % len(AMOUNTS)], "USD").minor for i in range(150))
    assert expected > 2**53  # beyond what a double represents exactly
    db_sum = JournalLine.objects.filter(account__number="5700-USD").aggregate(s=Sum("debit_minor"))[
        "s"
    ]
    assert db_sum == expected
    assert account_balance(account_get("5700-USD")).debit_minor == expected
    assert AccountDayTotal.objects.get(account__number="5700-USD").debit_minor == expected
    tb = trial_balance(as_of=dt.date(2030, 1, 1), currency="USD")
    assert tb.total_debit_minor == tb.total_credit_minor == expected
    assert str(account_balance(account_get("5700-USD")).amount.amount) == str(
        Money.from_minor(expected, "USD").amount
    )
    assert all(r.ok for r in run_checks(LEDGER_CHECKS))
