"""Worked examples of the schedule engine, from Apache Fineract's own tests and by hand.

Fineract's expected values come from apache/fineract,
integration-tests/src/test/java/org/apache/fineract/integrationtests/ClientLoanIntegrationTest.java
(``verifyLoanRepaymentSchedule``, ``verifyLoanRepaymentScheduleForEqualPrincipal`` and
``...ForEqualPrincipalWithGrace``; the same values are in the older mifosng
``ClientLoanIntegrationTest``). The others are derived by hand in the comments.
"""

from __future__ import annotations

from datetime import date

import pytest

from mupaka.loans.domain import Charge, InvalidTerms

from .support import D, column, schedule


def test_fineract_declining_equal_installments_12000_at_2_percent_a_month() -> None:
    s = schedule()

    assert [r.due_date for r in s.installments] == [
        date(2011, 10, 20),
        date(2011, 11, 20),
        date(2011, 12, 20),
        date(2012, 1, 20),
    ]
    assert column(s, "principal") == [D("2911.49"), D("2969.72"), D("3029.11"), D("3089.68")]
    assert column(s, "interest") == [D("240.00"), D("181.77"), D("122.38"), D("61.79")]
    # PMT(2 %, 4, 12000) = 3151.4852... -> 3151.49; the last instalment takes the remainder.
    assert column(s, "total") == [D("3151.49")] * 3 + [D("3151.47")]
    assert column(s, "balance")[-1] == D("0.00")
    assert column(s, "days") == [30, 31, 30, 31]


def test_fineract_equal_principal_with_currency_multiple_of_100() -> None:
    # 10,000,000 at 2 % a month over 24 months, currency with 0 decimals in multiples of 100.
    s = schedule(
        principal=D(10_000_000),
        installments=24,
        disbursement_date=date(2014, 6, 2),
        amortization="equal-principal",
        decimals=0,
        currency_multiple=D(100),
    )
    rows = {r.number: r for r in s.installments}
    expected = {  # number: (due date, principal, interest)
        1: (date(2014, 7, 2), 416_700, 200_000),
        2: (date(2014, 8, 2), 416_700, 191_700),
        3: (date(2014, 9, 2), 416_700, 183_300),
        4: (date(2014, 10, 2), 416_700, 175_000),
        5: (date(2014, 11, 2), 416_700, 166_700),
        6: (date(2014, 12, 2), 416_700, 158_300),
        10: (date(2015, 4, 2), 416_700, 125_000),
        20: (date(2016, 2, 2), 416_700, 41_700),
        24: (date(2016, 6, 2), 415_900, 8_300),
    }
    for number, (due, principal, interest) in expected.items():
        assert (rows[number].due_date, rows[number].principal, rows[number].interest) == (
            due,
            D(principal),
            D(interest),
        ), number


def test_fineract_equal_principal_with_five_periods_of_principal_grace() -> None:
    s = schedule(
        principal=D(10_000_000),
        installments=24,
        disbursement_date=date(2014, 6, 2),
        amortization="equal-principal",
        decimals=0,
        currency_multiple=D(100),
        grace_principal=5,
    )
    rows = {r.number: r for r in s.installments}
    for number in range(1, 6):
        assert (rows[number].principal, rows[number].interest) == (D(0), D(200_000))
    expected = {
        6: (526_300, 200_000),
        7: (526_300, 189_500),
        10: (526_300, 157_900),
        20: (526_300, 52_600),
        24: (526_600, 10_500),
    }
    for number, (principal, interest) in expected.items():
        assert (rows[number].principal, rows[number].interest) == (D(principal), D(interest))


def test_flat_interest_usd_100_at_3_percent_a_month() -> None:
    s = schedule(principal=D(100), annual_rate=D(36), interest_method="flat")
    assert column(s, "principal") == [D("25.00")] * 4
    assert column(s, "interest") == [D("3.00")] * 4  # 100 x 36 % x 4/12 = 12, spread evenly


def test_flat_principal_with_instalment_multiple() -> None:
    # 1000 at 10 %/yr flat over 3 months: interest 25.00, 8.33 a month. P/n = 333.33 -> 335
    # (multiple of 5); principal = 335 + round_5(8.33) - 8.33 = 335 + 10 - 8.33 = 336.67, so
    # each instalment is 345.00; the last takes what is left: 326.66 + 8.34.
    s = schedule(
        principal=D(1000),
        annual_rate=D(10),
        installments=3,
        interest_method="flat",
        installment_multiple=D(5),
    )
    assert column(s, "principal") == [D("336.67"), D("336.67"), D("326.66")]
    assert column(s, "interest") == [D("8.33"), D("8.33"), D("8.34")]
    assert column(s, "total") == [D("345.00"), D("345.00"), D("335.00")]


def test_flat_multiple_example_from_fineract_source_comment() -> None:
    # LoanApplicationTerms.calculateTotalPrincipalPerPeriodWithoutGrace (apache/fineract,
    # fineract-loan) explains: "principalPerPeriod 416.67 -> 417, interestForThisInstallment
    # 12.50 -> 13, Sum: 417 + 13 - 12.5 = 417.5 as principal". That is 5000 at 3 %/yr flat
    # over 12 months in multiples of 1, rounding half up (half even would round 12.50 to 12).
    s = schedule(
        principal=D(5000),
        annual_rate=D(3),
        installments=12,
        interest_method="flat",
        installment_multiple=D(1),
        rounding="half-up",
    )
    assert column(s, "principal")[:11] == [D("417.50")] * 11
    assert column(s, "interest") == [D("12.50")] * 12
    assert column(s, "total") == [D("430.00")] * 11 + [D("420.00")]


def test_flat_cdf_with_cash_multiple_of_50() -> None:
    # 500,000 CDF at 36 %/yr flat, 6 months: interest 90,000, 15,000 a month; 83,333.33 of
    # principal rounds to the till's multiple of 50: 83,350, and the last takes 83,250.
    s = schedule(
        principal=D(500_000),
        annual_rate=D(36),
        installments=6,
        interest_method="flat",
        currency_multiple=D(50),
    )
    assert column(s, "principal") == [D(83_350)] * 5 + [D(83_250)]
    assert column(s, "interest") == [D(15_000)] * 6


def test_declining_instalment_in_multiples_of_100() -> None:
    # PMT 3151.49 rounds to 3200; interest is still on the balance; the last instalment is
    # what is left: 2941.22 + 58.82.
    s = schedule(installment_multiple=D(100))
    assert column(s, "total") == [D("3200.00")] * 3 + [D("3000.04")]
    assert column(s, "interest") == [D("240.00"), D("180.80"), D("120.42"), D("58.82")]


def test_equal_principal_declining() -> None:
    s = schedule(principal=D(1000), annual_rate=D(12), amortization="equal-principal")
    assert column(s, "principal") == [D("250.00")] * 4
    assert column(s, "interest") == [D("10.00"), D("7.50"), D("5.00"), D("2.50")]


def test_weekly_repayments_rate_is_annual_over_52() -> None:
    # 52 %/yr weekly = 1 % a week; PMT(1 %, 4, 1000) = 256.28.
    s = schedule(principal=D(1000), annual_rate=D(52), frequency="weeks")
    assert [r.due_date for r in s.installments][:2] == [date(2011, 9, 27), date(2011, 10, 4)]
    assert column(s, "interest") == [D("10.00"), D("7.54"), D("5.05"), D("2.54")]
    assert column(s, "total") == [D("256.28")] * 3 + [D("256.29")]


def test_every_two_months_doubles_the_periodic_rate() -> None:
    s = schedule(every=2, installments=2)
    assert [r.due_date for r in s.installments] == [date(2011, 11, 20), date(2012, 1, 20)]
    assert s.installments[0].interest == D("480.00")  # 12,000 x 24 % / 12 x 2


def test_daily_interest_360_with_30_day_months_equals_periodic() -> None:
    assert column(
        schedule(interest_period="daily", days_in_year="360", days_in_month="30"), "interest"
    ) == column(schedule(), "interest")


def test_daily_interest_365_actual_days() -> None:
    # 12,000 x 24 % x 30/365 = 236.71; PMT at 24 % x 30/365 a period = 3149.39.
    s = schedule(interest_period="daily", days_in_year="365")
    assert column(s, "interest") == [D("236.71"), D("185.23"), D("120.79"), D("63.08")]
    assert column(s, "total")[:3] == [D("3149.39")] * 3


def test_daily_interest_actual_year_counts_leap_days() -> None:
    # 2024 is a leap year: 29 days of February at 1/366 each, not 1/365.
    s = schedule(
        disbursement_date=date(2024, 1, 31),
        installments=1,
        interest_period="daily",
        annual_rate=D("36.6"),
        principal=D(10_000),
    )
    assert s.installments[0].interest == D("290.00")  # 10,000 x 36.6 % x 29/366


def test_principal_grace_pays_interest_only_then_pmt_over_the_rest() -> None:
    s = schedule(grace_principal=1)
    assert (s.installments[0].principal, s.installments[0].interest) == (D("0.00"), D("240.00"))
    # PMT(2 %, 3, 12000) = 4161.06
    assert column(s, "total")[1:3] == [D("4161.06")] * 2
    assert s.installments[-1].balance == D("0.00")


def test_interest_payment_grace_defers_interest_to_the_next_instalment() -> None:
    s = schedule(grace_interest_payment=1)
    # Principal is amortised as without grace; the 240.00 of period 1 is paid in period 2.
    assert column(s, "principal") == column(schedule(), "principal")
    assert column(s, "interest") == [D("0.00"), D("421.77"), D("122.38"), D("61.79")]


def test_interest_free_period_repays_principal_with_the_whole_instalment() -> None:
    s = schedule(grace_interest_free=1)
    assert column(s, "interest") == [D("0.00"), D("176.97"), D("117.48"), D("56.80")]
    assert column(s, "principal")[0] == D("3151.49")


def test_flat_interest_free_periods_reduce_total_interest() -> None:
    s = schedule(principal=D(100), annual_rate=D(36), interest_method="flat", grace_interest_free=1)
    assert column(s, "interest") == [D("0.00"), D("3.00"), D("3.00"), D("3.00")]


def test_flat_interest_payment_grace_equal_installments_averages_interest() -> None:
    # Fineract averages the 12.00 of interest over the 3 periods that pay interest.
    s = schedule(
        principal=D(100), annual_rate=D(36), interest_method="flat", grace_interest_payment=1
    )
    assert column(s, "interest") == [D("0.00"), D("4.00"), D("4.00"), D("4.00")]


def test_flat_interest_payment_grace_equal_principal_brings_interest_forward() -> None:
    s = schedule(
        principal=D(100),
        annual_rate=D(36),
        interest_method="flat",
        amortization="equal-principal",
        grace_interest_payment=2,
    )
    assert column(s, "interest") == [D("0.00"), D("0.00"), D("9.00"), D("3.00")]


def test_zero_decimal_currency_and_rounding_modes() -> None:
    # RWF 100,000 at 2 % a month over 3 months: PMT 34,675.47. Period 2 interest is
    # 67,325 x 2 % = 1,346.5: half-even 1,346, half-up 1,347; period 3 679.92: down 679.
    even = schedule(principal=D(100_000), installments=3, decimals=0)
    up = schedule(principal=D(100_000), installments=3, decimals=0, rounding="half-up")
    down = schedule(principal=D(100_000), installments=3, decimals=0, rounding="down")
    assert column(even, "interest") == [D(2000), D(1346), D(680)]
    assert column(up, "interest") == [D(2000), D(1347), D(680)]
    assert column(down, "interest") == [D(2000), D(1346), D(679)]
    assert column(even, "total") == [D(34675), D(34675), D(34676)]


def test_first_due_date_moves_the_dates_and_keeps_periodic_interest() -> None:
    s = schedule(first_due_date=date(2011, 11, 5))
    assert [r.due_date for r in s.installments] == [
        date(2011, 11, 5),
        date(2011, 12, 5),
        date(2012, 1, 5),
        date(2012, 2, 5),
    ]
    assert s.installments[0].days == 46
    # Repayment-period interest ignores the longer first period, as Fineract does by
    # default; daily interest counts its 46 days.
    assert s.installments[0].interest == D("240.00")
    daily = schedule(first_due_date=date(2011, 11, 5), interest_period="daily", days_in_year="360")
    assert daily.installments[0].interest == D("368.00")  # 12,000 x 24 % x 46/360


def test_month_end_disbursement_keeps_the_last_day_of_each_month() -> None:
    s = schedule(disbursement_date=date(2024, 1, 31), installments=5)
    assert [r.due_date for r in s.installments] == [
        date(2024, 2, 29),
        date(2024, 3, 31),
        date(2024, 4, 30),
        date(2024, 5, 31),
        date(2024, 6, 30),
    ]


def test_fees_fineract_percentages_of_the_12000_loan() -> None:
    # Fineract's testLoanCharges_DISBURSEMENT_FEE: 1 % of the amount is 120.0;
    # testLoanCharges_INSTALMENT_FEE: 1 % of each instalment's principal.
    s = schedule(
        charges=(
            Charge("disbursement", "percent", D(1)),
            Charge("disbursement", "flat", D(100), deducted=False),
            Charge("installment", "percent-of-principal", D(1)),
        )
    )
    assert (s.upfront_fees, s.deducted_fees) == (D("220.00"), D("120.00"))
    assert s.net_disbursed == D("11880.00")
    assert column(s, "fees") == [D("29.11"), D("29.70"), D("30.29"), D("30.90")]
    assert column(s, "total")[0] == D("3180.60")


def test_instalment_fee_flat_and_percent_of_total() -> None:
    s = schedule(
        charges=(
            Charge("installment", "flat", D(5)),
            Charge("installment", "percent-of-total", D("1.5")),
        )
    )
    # 1.5 % of 3151.49 = 47.27235 -> 47.27; of 3151.47 = 47.27205 -> 47.27
    assert column(s, "fees") == [D("52.27")] * 4


def test_compulsory_savings_are_held_back() -> None:
    s = schedule(compulsory_savings_percent=D(10))
    assert s.compulsory_savings == D("1200.00")
    assert s.net_disbursed == D("10800.00")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"installments": 0}, "at least one instalment"),
        ({"principal": D(-5)}, "positive"),
        ({"principal": D("100.001")}, "decimals"),
        ({"annual_rate": D(-1)}, "annual rate"),
        ({"grace_principal": 4}, "principal grace"),
        ({"grace_interest_payment": 4}, "interest payment grace"),
        ({"grace_interest_free": 5}, "interest-free"),
        ({"first_due_date": date(2011, 9, 20)}, "after the disbursement"),
        ({"currency_multiple": D(50), "principal": D(1025)}, "multiple"),
        ({"currency_multiple": D("0.001")}, "finer"),
        ({"installment_multiple": D(0)}, "instalment multiple"),
        ({"frequency": "years"}, "years"),
        ({"compulsory_savings_percent": D(100)}, "compulsory savings"),
        ({"charges": (Charge("disbursement", "percent", D(100)),)}, "whole principal"),
    ],
)
def test_impossible_terms_are_refused_with_a_clear_message(overrides: dict, message: str) -> None:
    with pytest.raises(InvalidTerms, match=message):
        schedule(**overrides)


def test_a_charge_of_the_wrong_kind_is_refused() -> None:
    with pytest.raises(InvalidTerms, match="installment fee"):
        Charge("installment", "percent", D(1))
