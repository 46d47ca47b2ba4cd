"""Indicators on small books worked by hand (minor units; 73 days is a fifth of a year)."""

from decimal import Decimal

import pytest

from mupaka.reports.domain import indicators as ind


def test_annualisation_and_average():
    assert ind.annualisation_factor(365) == 1
    assert ind.annualisation_factor(73) == 5
    assert ind.average([100, 200, 300, 400]) == 250
    assert ind.average([]) is None
    with pytest.raises(ValueError):
        ind.annualisation_factor(0)


def test_write_off_ratio():
    # 2.40 written off in 73 days, average portfolio 1,200.00: 2.40 × 5 / 1,200 = 1 %
    r = ind.write_off_ratio(written_off=240, average_glp=120_000, days=73)
    assert r.value == Decimal("0.01")
    assert ind.write_off_ratio(written_off=240, average_glp=0, days=73).value is None


def test_risk_coverage_ratio():
    assert ind.risk_coverage_ratio(allowance=9_000, par30=12_000).value == Decimal("0.75")
    assert ind.risk_coverage_ratio(allowance=9_000, par30=0).value is None


def test_operational_self_sufficiency():
    # 300.00 / (40.00 + 20.00 + 190.00) = 120 %
    r = ind.operational_self_sufficiency(
        financial_revenue=30_000,
        financial_expense=4_000,
        impairment_loss=2_000,
        operating_expense=19_000,
    )
    assert r.value == Decimal("1.2")
    assert r.denominator == 25_000


def test_portfolio_yield_nominal_and_real():
    nominal = ind.portfolio_yield_nominal(loan_revenue=6_000, average_glp=100_000, days=73)
    assert nominal.value == Decimal("0.3")  # 60.00 × 5 / 1,000.00
    real = ind.portfolio_yield_real(nominal=nominal.value, inflation=Decimal("0.20"))
    assert real.value == (Decimal("0.3") - Decimal("0.2")) / Decimal("1.2")  # 8.33 %
    assert real.value.quantize(Decimal("0.0001")) == Decimal("0.0833")
    assert ind.portfolio_yield_real(nominal=None, inflation=Decimal("0.1")).value is None
    with pytest.raises(ValueError):
        ind.portfolio_yield_real(nominal=Decimal("0.3"), inflation=Decimal("-1"))


def test_efficiency_and_productivity():
    assert ind.operating_expense_ratio(
        operating_expense=4_000, average_glp=100_000, days=73
    ).value == Decimal("0.2")
    cost = ind.cost_per_borrower(operating_expense=4_000, average_borrowers=400, days=73)
    assert cost.value == 50 and cost.kind == "amount"  # 0.50 a borrower a year
    per_officer = ind.borrowers_per_loan_officer(active_borrowers=400, loan_officers=3)
    assert per_officer.value.quantize(Decimal("0.01")) == Decimal("133.33")
    assert ind.borrowers_per_loan_officer(active_borrowers=4, loan_officers=0).value is None
    assert ind.average_loan_balance(glp=100_000, active_borrowers=400).value == 250


def test_collection_rate_leaves_out_prepayments_and_caps_payments():
    rate = ind.collection_rate(
        [
            ind.Instalment(10_000, paid_in_period_minor=10_000),  # paid on time
            ind.Instalment(10_000, paid_before_minor=10_000),  # prepaid: out of both sides
            ind.Instalment(10_000, paid_before_minor=4_000, paid_in_period_minor=3_000),
            ind.Instalment(20_000),  # nothing paid
            ind.Instalment(5_000, paid_in_period_minor=9_000),  # overpaid: capped at 5,000
        ]
    )
    # due 100 + 0 + 60 + 200 + 50 = 410.00; received 100 + 0 + 30 + 0 + 50 = 180.00
    assert (rate.numerator, rate.denominator) == (18_000, 41_000)
    assert rate.value == Decimal(18_000) / Decimal(41_000)
    assert ind.collection_rate([]).value is None
