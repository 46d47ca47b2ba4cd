"""Properties of the interest arithmetic over whatever hypothesis draws."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from mupaka.core.money import Money
from mupaka.savings.domain import (
    Accumulator,
    Movement,
    accumulate,
    daily_balances,
    interest_for_balances,
    interest_from_accumulator,
)

SETTINGS = settings(max_examples=300, deadline=None)
balances = st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=92)
rates = st.decimals(min_value=0, max_value=Decimal("0.5"), places=4)
minimums = st.integers(min_value=0, max_value=10**7)
currencies = st.sampled_from(["USD", "CDF", "RWF", "BIF"])
methods = st.sampled_from(["daily_balance", "average_daily_balance"])
taxes = st.decimals(min_value=0, max_value=Decimal("0.3"), places=3)


def runs(values: list[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for v in values:
        if out and out[-1][0] == v:
            out[-1] = (v, out[-1][1] + 1)
        else:
            out.append((v, 1))
    return out


@SETTINGS
@given(balances, rates, minimums, currencies, methods, taxes)
def test_accumulating_runs_equals_the_day_by_day_definition(
    values, rate, minimum, cur, method, tax
):
    acc = Accumulator()
    for balance, days in runs(values):
        acc = accumulate(acc, balance_minor=balance, days=days, min_balance_minor=minimum)
    kwargs = dict(
        currency=cur,
        annual_rate=rate,
        method=method,
        min_balance_minor=minimum,
        withholding_rate=tax,
    )
    assert interest_from_accumulator(acc, **kwargs) == interest_for_balances(values, **kwargs)


@SETTINGS
@given(balances, rates, minimums, currencies, methods, taxes)
def test_interest_is_never_negative_and_tax_plus_net_is_gross(
    values, rate, minimum, cur, method, tax
):
    r = interest_for_balances(
        values,
        currency=cur,
        annual_rate=rate,
        method=method,
        min_balance_minor=minimum,
        withholding_rate=tax,
    )
    assert r.gross.amount >= 0 and r.tax.amount >= 0 and r.net.amount >= 0
    assert r.tax + r.net == r.gross
    assert r.gross.is_exact and r.tax.is_exact


@SETTINGS
@given(balances, rates, currencies)
def test_without_a_minimum_both_methods_agree(values, rate, cur):
    daily = interest_for_balances(values, currency=cur, annual_rate=rate, method="daily_balance")
    adb = interest_for_balances(
        values, currency=cur, annual_rate=rate, method="average_daily_balance"
    )
    assert daily == adb


@SETTINGS
@given(balances, rates, minimums, currencies, methods)
def test_nothing_below_the_minimum(values, rate, minimum, cur, method):
    below = [min(v, max(minimum - 1, 0)) for v in values]
    if minimum == 0:
        below = [0] * len(values)
    r = interest_for_balances(
        below, currency=cur, annual_rate=rate, method=method, min_balance_minor=minimum
    )
    assert r.is_zero


@SETTINGS
@given(balances, rates, rates, minimums, currencies, methods)
def test_a_higher_rate_never_earns_less(values, r1, r2, minimum, cur, method):
    low, high = sorted([r1, r2])
    kw = dict(currency=cur, method=method, min_balance_minor=minimum)
    assert (
        interest_for_balances(values, annual_rate=low, **kw).gross
        <= interest_for_balances(values, annual_rate=high, **kw).gross
    )


@SETTINGS
@given(balances, rates, currencies, methods)
def test_interest_is_within_one_minor_unit_of_the_exact_value(values, rate, cur, method):
    r = interest_for_balances(values, currency=cur, annual_rate=rate, method=method)
    exact = Money.from_minor(1, cur) * (Decimal(sum(values)) * rate / 365)
    assert abs((r.gross - exact).amount) <= Money.from_minor(1, cur).amount / 2


@SETTINGS
@given(
    st.integers(min_value=0, max_value=10**8),
    st.lists(st.tuples(st.integers(0, 29), st.integers(-(10**6), 10**6)), max_size=20),
)
def test_daily_balances_end_at_opening_plus_movements(opening, moves):
    start = dt.date(2026, 11, 1)
    movements = [Movement(start + dt.timedelta(days=d), delta) for d, delta in moves]
    days = daily_balances(
        opening_minor=opening, movements=movements, start=start, end=dt.date(2026, 11, 30)
    )
    assert len(days) == 30
    assert days[-1][1] == opening + sum(delta for _, delta in moves)
    assert [d for d, _ in days] == [start + dt.timedelta(days=i) for i in range(30)]
