"""The exchange desk's arithmetic, by hand and by properties. No database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mupaka.core.money import Money
from mupaka.tellers.domain.exchange import (
    ExchangeRefused,
    Rate,
    convert,
    exchange_legs,
    exchange_quote,
    legs_balance,
    rate_problems,
)

D = Decimal
USD_CDF = Rate("USD", "CDF", buy=D("2847.35"), sell=D("2895"), reference=D("2871.20"))


def m(a, c="USD"):
    return Money.of(a, c)


def test_scenario_3_usd_100_to_cdf_at_the_buy_rate():
    q = exchange_quote(
        offered=m("100"), currency_out="CDF", rate=USD_CDF, cash_multiple_in=1, cash_multiple_out=50
    )
    # 100 × 2,847.35 = 284,735 FC; the till pays 284,700 (FC 50 notes), 35 FC remain:
    # worth USD 0.012, less than a dollar note, so nothing goes back: kept and stated.
    assert q.side == "buy" and q.applied_rate == D("2847.35")
    assert q.amount_out == m("284700", "CDF")
    assert q.change == m("0") and q.amount_in == m("100")
    assert q.kept == m("35", "CDF")
    # margin at the reference: 100 × 2,871.20 − 284,700 = 2,420 FC → USD 0.84
    assert q.margin_quote == m("2420", "CDF")
    margin = convert(q.margin_quote, "USD", USD_CDF).round()
    assert margin == m("0.84")
    legs = exchange_legs(q, margin)
    assert [(leg.role, leg.side, leg.amount) for leg in legs] == [
        ("till_cash", "dr", m("100")),
        ("exchange_position", "cr", m("99.16")),
        ("exchange_position", "dr", m("284700", "CDF")),
        ("exchange_income", "cr", m("0.84")),
        ("till_cash", "cr", m("284700", "CDF")),
    ]
    assert all(v == 0 for v in legs_balance(legs).values())


def test_cdf_to_usd_gives_change_back_in_cdf():
    # 300,000 FC at the sell rate 2,895 = USD 103.627; the till pays USD 103; the
    # remainder USD 0.627 × 2,895 = 1,815.6 FC → FC 1,800 back (FC 50 notes).
    q = exchange_quote(
        offered=m("300000", "CDF"),
        currency_out="USD",
        rate=USD_CDF,
        cash_multiple_in=50,
        cash_multiple_out=1,
    )
    assert q.side == "sell"
    assert q.amount_out == m("103")
    assert q.change == m("1800", "CDF")
    assert q.amount_in == m("298200", "CDF")
    # kept: 298,200 / 2,895 − 103 = USD 0.0054 → 0.01 (rounded to the cent, stated)
    assert q.kept == m("0.01")
    # margin: 298,200 − 103 × 2,871.20 = 298,200 − 295,733.60 = 2,466.40 FC → USD 0.86
    assert q.margin_quote == m("2466.40", "CDF")
    margin = convert(q.margin_quote, "USD", USD_CDF).round()
    assert margin == m("0.86")
    legs = exchange_legs(q, margin)
    assert all(v == 0 for v in legs_balance(legs).values())
    assert ("exchange_position", "dr", m("103.86")) in [(g.role, g.side, g.amount) for g in legs]


def test_cross_pair_margin_needs_a_base_rate():
    rwf_cdf = Rate("RWF", "CDF", buy=D("1.95"), sell=D("2.10"))  # reference = mid 2.025
    q = exchange_quote(
        offered=m("10000", "RWF"),
        currency_out="CDF",
        rate=rwf_cdf,
        cash_multiple_in=10,
        cash_multiple_out=50,
    )
    assert q.amount_out == m("19500", "CDF") and q.change == m("0", "RWF")
    assert q.margin_quote == m("750", "CDF")  # 10,000 × 2.025 − 19,500
    margin = convert(q.margin_quote, "USD", USD_CDF).round()  # 750 / 2,871.20
    assert margin == m("0.26")
    legs = exchange_legs(q, margin)
    got = [(g.role, g.side, g.amount) for g in legs]
    assert ("exchange_position", "dr", m("0.26")) in got
    assert ("exchange_income", "cr", m("0.26")) in got
    assert all(v == 0 for v in legs_balance(legs).values())


def test_a_loss_when_the_reference_lies_outside_the_spread():
    odd = Rate("USD", "CDF", buy=D("2900"), sell=D("2950"), reference=D("2850"))
    q = exchange_quote(
        offered=m("10"), currency_out="CDF", rate=odd, cash_multiple_in=1, cash_multiple_out=50
    )
    margin = convert(q.margin_quote, "USD", odd).round()
    assert margin.is_negative
    legs = exchange_legs(q, margin)
    assert ("exchange_loss", "dr", -margin) in [(g.role, g.side, g.amount) for g in legs]
    assert all(v == 0 for v in legs_balance(legs).values())


@pytest.mark.parametrize(
    "offered, out, code",
    [
        (m("0.01"), "CDF", "too_small"),
        (m("100"), "RWF", "not_traded"),
        (m("100"), "USD", "not_traded"),
        (m("-5"), "CDF", "not_positive"),
        (m("10.005"), "CDF", "not_positive"),
    ],
)
def test_refusals(offered, out, code):
    with pytest.raises(ExchangeRefused) as exc:
        exchange_quote(
            offered=offered,
            currency_out=out,
            rate=USD_CDF,
            cash_multiple_in=1,
            cash_multiple_out=50,
        )
    assert exc.value.code == code


def test_rate_problems():
    assert rate_problems("2850", "2900", "2875") == []
    assert rate_problems("2850", "2850") == []  # no spread is allowed
    assert ("sell", "sell_below_buy") in rate_problems("2900", "2850")
    assert ("buy", "not_positive") in rate_problems("0", "2850")
    assert ("reference", "not_positive") in rate_problems("1", "2", "-1")
    assert ("buy", "too_many_decimals") in rate_problems("1.123456789", "2")


def test_mid_rate_is_the_reference_when_none_is_given():
    assert Rate("USD", "CDF", D("2800"), D("2900")).ref == D("2850")


amounts = st.integers(min_value=1, max_value=10**9)
rates = st.decimals(min_value=D("0.01"), max_value=D("5000"), places=4)
spreads = st.decimals(min_value=D("0"), max_value=D("0.1"), places=4)


@given(minor=amounts, buy=rates, spread=spreads, forward=st.booleans())
def test_properties(minor, buy, spread, forward):
    sell = (buy * (1 + spread)).quantize(D("0.0001"))
    rate = Rate("USD", "CDF", buy=buy, sell=sell)
    offered = Money.from_minor(minor, "USD" if forward else "CDF")
    target = "CDF" if forward else "USD"
    try:
        q = exchange_quote(
            offered=offered,
            currency_out=target,
            rate=rate,
            cash_multiple_in=1 if forward else 50,
            cash_multiple_out=50 if forward else 1,
        )
    except ExchangeRefused as exc:
        assert exc.code == "too_small"
        return
    step_out = D(50) if forward else D(1)
    # the payout is a whole number of the smallest note, never more than is due
    assert q.amount_out.amount % step_out == 0
    assert q.amount_out <= q.amount_due.round("up")
    # the change is part of what she handed over, never all of it
    assert D(0) <= q.change.amount < q.offered.amount
    assert q.amount_in + q.change == q.offered
    # what is kept is worth less than one smallest note of the currency paid out
    # (at most one once rounded to the minor unit for the receipt)
    assert q.kept.amount <= step_out
    # at a rate with a spread the institution never loses against the mid-rate
    assert q.margin_quote.amount >= 0
    margin = convert(q.margin_quote, "USD", rate).round()
    legs = exchange_legs(q, margin)
    assert all(v == 0 for v in legs_balance(legs).values())
