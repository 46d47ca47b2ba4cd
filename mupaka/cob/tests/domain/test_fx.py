"""The exchange position valued in the base currency (pure arithmetic)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from mupaka.cob.domain import calendar
from mupaka.cob.domain.fx import ClosingRate, PositionValue, round_minor, to_base, unrealised

DAY = dt.date(2026, 11, 30)
USD_CDF = ClosingRate("USD", "CDF", Decimal("2900"), DAY, "reference")
RWF_USD = ClosingRate("RWF", "USD", Decimal("0.0007"), DAY, "mid")


def test_to_base_either_way_round():
    assert to_base(Decimal("-284700"), "CDF", "USD", USD_CDF) == Decimal("-284700") / 2900
    assert to_base(Decimal("10000"), "RWF", "USD", RWF_USD) == Decimal("7.0000")
    assert to_base(Decimal("5"), "USD", "USD", USD_CDF) == Decimal("5")
    with pytest.raises(ValueError):
        to_base(Decimal("1"), "BIF", "USD", USD_CDF)


def test_unrealised_is_the_position_at_the_closing_rate_plus_its_counter_value():
    # sold FC 284,700 for USD 99.16 at 2,871.20; at 2,900 the FC are worth USD 98.17
    cdf = PositionValue("CDF", Decimal("-284700"), USD_CDF, Decimal("-284700") / 2900)
    result = unrealised([cdf], counter_value=Decimal("99.16"))
    assert round_minor(result, 2) == Decimal("0.99")
    # a currency holding a position without a rate: the result cannot be known
    rwf = PositionValue("RWF", Decimal("5000"), None, None)
    assert unrealised([cdf, rwf], counter_value=Decimal("99.16")) is None
    # ... but a currency without a position does not need one
    flat = PositionValue("RWF", Decimal("0"), None, None)
    assert unrealised([cdf, flat], counter_value=Decimal("99.16")) == result


def test_last_working_day_of_a_month_ending_on_a_sunday():
    # 31 January 2027 is a Sunday; 30 January (Saturday) works when Sunday is the weekend
    assert calendar.last_working_day(
        dt.date(2027, 1, 31), weekend_days=[7], holidays=set()
    ) == dt.date(2027, 1, 30)
    assert calendar.last_working_day(
        dt.date(2027, 1, 31), weekend_days=[6, 7], holidays={dt.date(2027, 1, 29)}
    ) == dt.date(2027, 1, 28)
