from __future__ import annotations

from decimal import Decimal, localcontext

import pytest

from mupaka.loans.domain import Charge, NoRateOfReturn, internal_rate_of_return, price_disclosure
from mupaka.loans.domain.apr import member_cash_flows, net_present_value

from .support import D, schedule


def test_issue_example_usd_100_flat_3_percent_a_month() -> None:
    s = schedule(principal=D(100), annual_rate=D(36), interest_method="flat")
    disclosure = price_disclosure(s)
    assert (disclosure.apr, disclosure.eir) == (D("56.31"), D("73.37"))


def test_declining_without_fees_discloses_the_nominal_rate() -> None:
    disclosure = price_disclosure(schedule())
    assert disclosure.apr == D("24.00")
    assert disclosure.eir == D("26.82")  # 1.02^12 - 1


def test_zero_rate_zero_fees_is_zero() -> None:
    disclosure = price_disclosure(schedule(annual_rate=D(0)))
    assert (disclosure.apr, disclosure.eir) == (D("0.00"), D("0.00"))


def test_fees_and_compulsory_savings_raise_the_apr() -> None:
    plain = price_disclosure(schedule()).apr
    with_fee = price_disclosure(schedule(charges=(Charge("disbursement", "percent", D(2)),))).apr
    paid_fee = price_disclosure(
        schedule(charges=(Charge("disbursement", "percent", D(2), deducted=False),))
    ).apr
    savings = price_disclosure(schedule(compulsory_savings_percent=D(10))).apr
    assert plain < with_fee == paid_fee
    assert plain < savings


def test_cash_flows_are_what_she_receives_and_pays() -> None:
    s = schedule(
        principal=D(100),
        annual_rate=D(36),
        interest_method="flat",
        charges=(Charge("disbursement", "flat", D(5)), Charge("installment", "flat", D(1))),
        compulsory_savings_percent=D(10),
    )
    # receives 100 - 5 - 10 = 85; pays 29 four times; gets her 10 of savings back at the end
    assert member_cash_flows(s) == [D("-85.00"), D("29.00"), D("29.00"), D("29.00"), D("19.00")]


def test_irr_of_simple_flows() -> None:
    assert abs(internal_rate_of_return([D(-100), D(110)]) - D("0.1")) < D("1e-20")
    rate = internal_rate_of_return([D(-100), D(60), D(60)])
    assert abs(net_present_value([D(-100), D(60), D(60)], rate)) < D("1e-20")
    assert internal_rate_of_return([D(-100), D(50), D(40)]) < 0  # she pays back less


def test_irr_ignores_a_poor_global_decimal_context() -> None:
    s = schedule(principal=D(100), annual_rate=D(36), interest_method="flat")
    with localcontext() as ctx:
        ctx.prec = 3
        disclosure = price_disclosure(s)
    assert disclosure.apr == D("56.31")


@pytest.mark.parametrize("flows", [[D(100), D(-110)], [D(-100), D(0)], [D(0), D(5)]])
def test_flows_without_a_rate_of_return_are_refused(flows: list[Decimal]) -> None:
    with pytest.raises(NoRateOfReturn):
        internal_rate_of_return(flows)


def test_weekly_and_daily_periods_per_year() -> None:
    weekly = price_disclosure(schedule(annual_rate=D(52), frequency="weeks"))
    assert weekly.periods_per_year == D(52)
    assert weekly.apr == D("52.00")
    fortnightly = price_disclosure(
        schedule(frequency="days", every=14, annual_rate=D(36.5), days_in_year="365")
    )
    assert abs(fortnightly.periods_per_year * 14 - 365) < D("1e-20")
    assert fortnightly.apr == D("36.50")
