"""Indicators, prudential ratios, statements and outreach on the small books of conftest,
every figure worked by hand."""

import datetime as dt
from decimal import Decimal

import pytest

from mupaka.reports import selectors as s

from .conftest import BUSINESS_DATE

pytestmark = pytest.mark.django_db


def _by_key(report):
    return {i.key: i for i in report.indicators}


def test_indicators_on_the_small_books(staff, books, snapshot):
    report = s.indicators_report(
        user=staff["accountant"],
        date_from=dt.date(2026, 1, 1),
        date_to=BUSINESS_DATE,
        currency="USD",
        inflation=Decimal("0.20"),
    )
    i = _by_key(report)
    days = 306  # 1 January to 2 November 2026
    assert report.days == days
    # ledger: revenue 70+71 = 600 + 50 + 100 + 50; loans 750; expense 60 = 100;
    # impairment 150 - 30 recovered; operating 300 + 80; allowance 150
    inputs = report.inputs
    assert (inputs["financial_revenue"], inputs["loan_revenue"]) == (80_000, 75_000)
    assert (inputs["financial_expense"], inputs["impairment_loss"]) == (10_000, 12_000)
    assert (inputs["operating_expense"], inputs["impairment_allowance"]) == (38_000, 15_000)
    # OSS = 800 / (100 + 120 + 380) = 4/3
    assert i["operational_self_sufficiency"].value == Decimal(80_000) / Decimal(60_000)
    # average GLP: the 31/10 snapshot and today, both 3,073.45 (no snapshot before October)
    assert inputs["average_glp"] == 307_345
    assert report.notes  # the months without a snapshot are named
    factor = Decimal(365) / Decimal(days)
    assert i["portfolio_yield_nominal"].value == Decimal(75_000) * factor / Decimal(307_345)
    nominal = i["portfolio_yield_nominal"].value
    assert i["portfolio_yield_real"].value == (nominal - Decimal("0.2")) / Decimal("1.2")
    # 80.00 written off (Zawadi's old loan, 15/06)
    assert inputs["written_off"] == 8_000
    assert i["write_off_ratio"].value == Decimal(8_000) * factor / Decimal(307_345)
    # allowance 150.00 / PAR30 1,573.45
    assert i["risk_coverage_ratio"].value == Decimal(15_000) / Decimal(157_345)
    assert i["operating_expense_ratio"].value == Decimal(38_000) * factor / Decimal(307_345)
    # ten borrowers on average and today; two loan officers (officer-a, officer-b) plus the
    # staff fixture's "officer": three
    assert i["cost_per_borrower"].value == Decimal(38_000) * factor / 10
    assert i["borrowers_per_loan_officer"].value == Decimal(10) / Decimal(3)
    assert i["average_loan_balance"].value == Decimal("30734.5")
    # 750.00 × 365 / 306 = 894.61 a year, over 3,073.45: 29.11 %
    assert (round(i["portfolio_yield_nominal"].value, 4)) == Decimal("0.2911")


def test_collection_rate_from_the_schedules(portfolio):
    """Furaha's schedule: A due 05/10 paid that day; B due 20/10 prepaid on 25/09 (left
    out); C due 01/11 with 40.00 of 100.00 paid; D due 20/09, before the period (left out).
    Rate = (100 + 40) / (100 + 100) = 70 %."""
    from mupaka.loans.models import LoanInstallment

    loan = portfolio["loans"][0]
    LoanInstallment.objects.exclude(loan=loan).delete()  # only her schedule in this example
    rows = [
        (1, dt.date(2026, 9, 20), 0, None),
        (2, dt.date(2026, 10, 5), 0, dt.date(2026, 10, 5)),
        (3, dt.date(2026, 10, 20), 0, dt.date(2026, 9, 25)),
        (4, dt.date(2026, 11, 1), 6_000, None),
    ]
    for number, due, outstanding, completed in rows:
        LoanInstallment.objects.create(
            loan=loan,
            version=1,
            number=number,
            from_date=due - dt.timedelta(days=30),
            due_date=due,
            principal_minor=8_000,
            interest_minor=2_000,
            fees_minor=0,
            outstanding_minor=outstanding,
            completed_on=completed,
        )
    rate = s.collection_rate(date_from=dt.date(2026, 10, 1), date_to=BUSINESS_DATE, currency="USD")
    assert (rate.numerator, rate.denominator) == (14_000, 20_000)
    assert rate.value == Decimal("0.7")


def test_prudential_ratios_met_and_not_met(books):
    checks = {c.key: c for _norm, c in s.prudential_checks(on_date=BUSINESS_DATE, currency="USD")}
    # equity = shares 1,000 + result 200 = 1,200; assets 4,200
    solvency = checks["solvency"]
    assert (solvency.numerator_minor, solvency.denominator_minor) == (120_000, 420_000)
    assert solvency.met is True and solvency.example is False
    # largest exposure: Furaha owes 2,000 of principal > 10 % of 1,200
    single = checks["single_member"]
    assert (single.numerator_minor, single.denominator_minor) == (200_000, 120_000)
    assert single.met is False and single.example is True
    # liquidity: cash 1,450 / deposits 3,000 = 48.3 % < 80 %
    liquidity = checks["liquidity"]
    assert (liquidity.numerator_minor, liquidity.denominator_minor) == (145_000, 300_000)
    assert liquidity.met is False
    # fixed assets 400 / equity 1,200 ≤ 100 %
    fixed = checks["fixed_assets"]
    assert (fixed.numerator_minor, fixed.denominator_minor) == (40_000, 120_000)
    assert fixed.met is True


def test_monthly_pack(staff, books, snapshot):
    pack = s.monthly_pack(user=staff["accountant"], on_date=dt.date(2026, 10, 31), currency="USD")
    assert pack.statements.balance_sheet.balanced
    assert pack.statements.income_statement.result_minor == 20_000
    assert [(n, a) for n, _name, a in pack.deposits] == [("3300-USD", 300_000)]
    products = pack.loans_by_product.currencies[0]
    assert products.quality.par[30].amount_minor == 157_345
    assert len(pack.ratios) == 4


def test_outreach_from_the_snapshot_and_live(staff, snapshot):
    for on in (dt.date(2026, 10, 31), BUSINESS_DATE):
        report = s.outreach_report(user=staff["accountant"], on_date=on, filters=s.Filters())
        sexes = {r.key: r.borrowers for r in report.by_sex}
        assert sexes == {"F": 8, "M": 2}
        countries = {r.key: r.clients for r in report.by_country}
        assert countries == {"RW": 9, None: 1}
        assert report.first_loans + report.repeat_loans == 10
        women = report.women_average[0]
        # eight women's loans, 2,673.45 outstanding: 334.18 on average (minor units, floor)
        assert women[:3] == ("USD", 8, 33_418)
