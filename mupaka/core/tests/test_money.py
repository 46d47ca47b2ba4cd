"""Money: Decimal only, one currency at a time, named rounding, exact allocation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mupaka.core.money import (
    CurrencyMismatch,
    Money,
    Rounding,
    UnknownCurrency,
    currency_exponent,
)


def test_point_one_plus_point_two_is_exactly_point_three():
    total = Money.of("0.1", "USD") + Money.of("0.2", "USD")
    assert total == Money.of("0.3", "USD")
    assert total.amount == Decimal("0.3")
    assert total.minor == 30


@pytest.mark.parametrize("bad", [0.1, 1.0, float("nan")])
def test_a_float_is_refused_everywhere(bad):
    with pytest.raises(TypeError, match="float"):
        Money.of(bad, "USD")
    with pytest.raises(TypeError):
        Money(bad, "USD")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money.of("1", "USD") * bad
    with pytest.raises(TypeError):
        Money.of("1", "USD").allocate([bad, 1])


def test_bools_nan_and_junk_are_refused():
    with pytest.raises(TypeError):
        Money.of(True, "USD")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Money.of("NaN", "USD")
    with pytest.raises(ValueError):
        Money.of("12,50", "USD")
    with pytest.raises(UnknownCurrency):
        Money.of("1", "XYZ")
    with pytest.raises(UnknownCurrency):
        Money.of("1", "usd")


def test_minor_units_come_from_cldr():
    assert {c: currency_exponent(c) for c in ["USD", "CDF", "RWF", "BIF", "EUR"]} == {
        "USD": 2,
        "CDF": 2,
        "RWF": 0,
        "BIF": 0,
        "EUR": 2,
    }
    assert Money.of("12.50", "USD").minor == 1250
    assert Money.from_minor(1250, "USD") == Money.of("12.5", "USD")
    assert Money.from_minor(1250, "RWF") == Money.of("1250", "RWF")
    assert Money.of("12500", "BIF").minor == 12500
    with pytest.raises(ValueError, match="round it first"):
        _ = Money.of("10.5", "RWF").minor
    with pytest.raises(TypeError):
        Money.from_minor(Decimal("1"), "USD")  # type: ignore[arg-type]


def test_mixing_currencies_is_an_error():
    usd, cdf = Money.of("1", "USD"), Money.of("1", "CDF")
    with pytest.raises(CurrencyMismatch):
        _ = usd + cdf
    with pytest.raises(CurrencyMismatch):
        _ = usd - cdf
    with pytest.raises(CurrencyMismatch):
        _ = usd < cdf
    assert usd != cdf  # equality across currencies is simply False
    with pytest.raises(TypeError):
        _ = usd + 1  # type: ignore[operator]
    with pytest.raises(TypeError):
        _ = usd * usd  # type: ignore[operator]


def test_arithmetic_and_comparisons():
    a, b = Money.of("10.25", "USD"), Money.of("4.75", "USD")
    assert a + b == Money.of("15", "USD")
    assert a - b == Money.of("5.50", "USD")
    assert -a == Money.of("-10.25", "USD") and abs(-a) == a
    assert a * 2 == Money.of("20.50", "USD") and 3 * b == Money.of("14.25", "USD")
    assert a * "0.02" == Money.of("0.2050", "USD")
    assert (a / 4).round() == Money.of("2.56", "USD")
    assert b < a and a >= b and a > b and b <= a
    assert Money.sum([a, b, b], "USD") == Money.of("19.75", "USD")
    assert Money.zero("CDF").is_zero and not Money.zero("CDF")
    assert {Money.of("1.0", "USD"), Money.of("1.00", "USD")} == {Money.of("1", "USD")}
    with pytest.raises(ZeroDivisionError):
        _ = a / 0
    with pytest.raises(AttributeError):
        a.amount = Decimal("1")  # type: ignore[misc]


@pytest.mark.parametrize(
    "amount,mode,expected",
    [
        ("0.125", Rounding.HALF_EVEN, "0.12"),
        ("0.135", Rounding.HALF_EVEN, "0.14"),
        ("0.125", Rounding.HALF_UP, "0.13"),
        ("0.125", Rounding.HALF_DOWN, "0.12"),
        ("0.121", Rounding.UP, "0.13"),
        ("-0.121", Rounding.UP, "-0.13"),
        ("0.129", Rounding.DOWN, "0.12"),
        ("-0.121", Rounding.CEILING, "-0.12"),
        ("-0.121", Rounding.FLOOR, "-0.13"),
    ],
)
def test_named_rounding_modes(amount, mode, expected):
    assert Money.of(amount, "USD").round(mode) == Money.of(expected, "USD")
    assert Money.of(amount, "USD").round(mode.value) == Money.of(expected, "USD")


def test_rounding_follows_the_currency():
    assert Money.of("1250.5", "RWF").round() == Money.of("1250", "RWF")  # half even
    assert Money.of("1251.5", "RWF").round() == Money.of("1252", "RWF")
    assert Money.of("2.345", "USD").round(places=4) == Money.of("2.345", "USD")


def test_cash_multiple():
    assert Money.of("12530", "CDF").quantize_cash(50) == Money.of("12550", "CDF")
    assert Money.of("12530", "CDF").quantize_cash("50", Rounding.DOWN) == Money.of("12500", "CDF")
    assert Money.of("12525", "CDF").quantize_cash(50) == Money.of("12500", "CDF")  # tie → even
    assert Money.of("45.83", "USD").quantize_cash(1, Rounding.UP) == Money.of("46", "USD")
    with pytest.raises(ValueError):
        Money.of("10", "RWF").quantize_cash("0.5")
    with pytest.raises(ValueError):
        Money.of("10", "USD").quantize_cash(0)


def test_allocation_loses_no_cent():
    assert Money.of("100", "USD").allocate([1, 1, 1]) == [
        Money.of("33.34", "USD"),
        Money.of("33.33", "USD"),
        Money.of("33.33", "USD"),
    ]
    assert Money.of("1000", "RWF").split(3) == [
        Money.of("334", "RWF"),
        Money.of("333", "RWF"),
        Money.of("333", "RWF"),
    ]
    assert Money.of("0.05", "USD").allocate([70, 20, 10]) == [
        Money.of("0.04", "USD"),
        Money.of("0.01", "USD"),
        Money.of("0.00", "USD"),
    ]
    assert Money.of("-10", "USD").allocate([1, 2]) == [
        Money.of("-3.33", "USD"),
        Money.of("-6.67", "USD"),
    ]
    with pytest.raises(ValueError):
        Money.of("1", "USD").allocate([0, 0])
    with pytest.raises(ValueError):
        Money.of("1", "USD").allocate([-1, 2])


# --- properties ----------------------------------------------------------------------
CURRENCIES = st.sampled_from(["USD", "CDF", "RWF", "BIF", "EUR"])
MINOR = st.integers(min_value=-(10**15), max_value=10**15)


@st.composite
def money(draw, currency=None):
    cur = currency or draw(CURRENCIES)
    return Money.from_minor(draw(MINOR), cur)


@given(CURRENCIES, MINOR, MINOR)
def test_addition_is_exact_in_minor_units(cur, a, b):
    assert (Money.from_minor(a, cur) + Money.from_minor(b, cur)).minor == a + b
    assert (Money.from_minor(a, cur) - Money.from_minor(b, cur)).minor == a - b


@given(CURRENCIES, MINOR)
def test_minor_round_trip(cur, a):
    assert Money.from_minor(a, cur).minor == a
    assert Money.of(str(Money.from_minor(a, cur).amount), cur).minor == a


@given(
    money(),
    st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=12).filter(any),
)
def test_allocation_sums_back_and_parts_are_fair(total, ratios):
    parts = total.allocate(ratios)
    assert len(parts) == len(ratios)
    assert Money.sum(parts, total.currency) == total
    weight = sum(ratios)
    for part, ratio in zip(parts, ratios, strict=True):
        exact = Decimal(total.minor) * ratio / weight
        assert abs(Decimal(part.minor) - exact) < 1
        if ratio == 0:
            assert part.is_zero


@given(
    st.decimals(
        min_value=-(10**9), max_value=10**9, allow_nan=False, allow_infinity=False, places=6
    ),
    CURRENCIES,
    st.sampled_from(list(Rounding)),
)
def test_rounding_is_exact_and_close(amount, cur, mode):
    rounded = Money(amount, cur).round(mode)
    assert rounded.is_exact
    step = Decimal(1).scaleb(-currency_exponent(cur))
    assert abs(rounded.amount - amount) < step


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from([1, 5, 10, 50, 100, 500]))
def test_cash_quantization_gives_a_multiple(minor, multiple):
    cash = Money.from_minor(minor, "CDF").quantize_cash(multiple, Rounding.DOWN)
    assert cash.amount % multiple == 0
    assert Money.from_minor(minor, "CDF") - cash < Money.of(multiple, "CDF")
