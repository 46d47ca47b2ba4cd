"""The trader's cash-flow appraisal and the terms snapshot (pure)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from mupaka.loans.domain import (
    AllocationRules,
    Charge,
    Component,
    LoanTerms,
    PenaltyRule,
    generate_schedule,
)
from mupaka.loans.domain.appraisal import CashFlow, appraise, periods_per_month
from mupaka.loans.domain.rounding import MoneyRounding
from mupaka.loans.domain.snapshot import (
    penalty_from_dict,
    penalty_to_dict,
    rules_from_dict,
    rules_to_dict,
    snapshot,
    terms_from_dict,
    terms_to_dict,
)
from mupaka.loans.domain.terms import InvalidTerms

USD = MoneyRounding(2)


def D(text: str) -> Decimal:  # noqa: N802
    return Decimal(text)


def tomato_seller(**overrides) -> CashFlow:
    values = dict(
        daily_sales=D("40"),
        daily_purchases=D("30"),
        trading_days_per_week=6,
        trips_per_week=6,
        cost_per_trip=D("1"),
        household_costs=D("60"),
    )
    values.update(overrides)
    return CashFlow(**values)


def test_monthly_figures_of_a_tomato_seller():
    a = appraise(
        tomato_seller(),
        installment=D("17.59"),
        frequency="weeks",
        every=1,
        max_share_percent=D("40"),
        money=USD,
    )
    # 6 days x 52/12 = 26 trading days a month
    assert a.sales == D("1040.00")
    assert a.purchases == D("780.00")
    assert a.transport == D("26.00")
    assert a.business_income == D("234.00")
    assert a.disposable_income == D("174.00")
    assert a.capacity == D("69.60")
    assert a.installment_monthly == D("76.22")  # 17.59 x 52 / 12
    assert a.ratio_percent == D("43.80")
    assert not a.within_capacity


def test_a_smaller_instalment_fits():
    a = appraise(
        tomato_seller(),
        installment=D("15.00"),
        frequency="weeks",
        every=1,
        max_share_percent=D("40"),
        money=USD,
    )
    assert a.installment_monthly == D("65.00")
    assert a.within_capacity


def test_other_debts_and_income_count():
    a = appraise(
        tomato_seller(other_debts=D("50"), other_income=D("20"), other_business_costs=D("4")),
        installment=D("10"),
        frequency="months",
        every=1,
        max_share_percent=D("50"),
        money=USD,
    )
    assert a.business_income == D("230.00")
    assert a.disposable_income == D("140.00")  # 230 + 20 - 60 - 50
    assert a.capacity == D("70.00")
    assert a.installment_monthly == D("10.00")


def test_no_disposable_income_is_never_within_capacity():
    a = appraise(
        tomato_seller(household_costs=D("500")),
        installment=D("1"),
        frequency="months",
        every=1,
        max_share_percent=D("40"),
        money=USD,
    )
    assert a.disposable_income < 0
    assert a.capacity == 0
    assert a.ratio_percent is None
    assert not a.within_capacity


@pytest.mark.parametrize(
    "frequency,every,expected",
    [
        ("months", 1, D("1")),
        ("months", 2, D("0.5")),
        ("weeks", 2, D("2.166666666666666666666666666666667")),
    ],
)
def test_periods_per_month(frequency, every, expected):
    assert periods_per_month(frequency, every) == expected


@pytest.mark.parametrize(
    "overrides",
    [{"daily_sales": D("-1")}, {"trading_days_per_week": 8}, {"trips_per_week": -1}],
)
def test_bad_cash_flow_is_refused(overrides):
    with pytest.raises(InvalidTerms):
        tomato_seller(**overrides)


def test_share_must_be_a_percentage():
    with pytest.raises(InvalidTerms):
        appraise(
            tomato_seller(),
            installment=D("1"),
            frequency="months",
            every=1,
            max_share_percent=D("0"),
            money=USD,
        )


def test_terms_round_trip_exactly():
    terms = LoanTerms(
        principal=D("200.00"),
        annual_rate=D("24"),
        installments=12,
        disbursement_date=date(2026, 11, 2),
        frequency="weeks",
        interest_method="flat",
        first_due_date=date(2026, 11, 10),
        grace_interest_payment=1,
        installment_multiple=D("0.05"),
        charges=(
            Charge("disbursement", "percent", D("2"), deducted=True, name="dossier"),
            Charge("installment", "flat", D("0.50")),
        ),
        compulsory_savings_percent=D("10"),
        carried_interest=D("1.25"),
    )
    data = terms_to_dict(terms)
    assert data["principal"] == "200.00"
    assert data["first_due_date"] == "2026-11-10"
    back = terms_from_dict(data)
    assert back == terms
    assert generate_schedule(back) == generate_schedule(terms)


def test_rules_and_penalty_round_trip():
    rules = AllocationRules(
        strategy="installment-first",
        order=(Component.INTEREST, Component.PRINCIPAL, Component.PENALTIES, Component.FEES),
        prepayment="interest-to-date",
    )
    assert rules_from_dict(rules_to_dict(rules)) == rules
    rule = PenaltyRule("percent-of-overdue", D("2"), tolerance_days=3, repeat_every_days=30)
    assert penalty_from_dict(penalty_to_dict(rule)) == rule
    assert penalty_to_dict(None) is None and penalty_from_dict(None) is None
    snap = snapshot(LoanTerms(D("100"), D("12"), 3, date(2026, 1, 1)), AllocationRules(), None)
    assert set(snap) == {"terms", "rules", "penalty"}


def test_unreadable_terms_are_refused():
    with pytest.raises(InvalidTerms):
        terms_from_dict({"principal": "abc", "annual_rate": "1", "installments": 1})
