"""Interest accrual for products on accrual accounting: one entry per product and currency
a day, the residual below one minor unit carried and never lost, the whole instalment's
interest recognised by its due date, interest received moved to the receivable, accrual
stopped (and unpaid accrued interest reversed) past the preset's days; late penalties run
through the loans app."""

from __future__ import annotations

import datetime as dt

import pytest

from mupaka.cob.models import ACCRUAL_SCALE, AccrualState, LoanAccrual
from mupaka.cob.services import cob_run
from mupaka.cob.testing import LoanPlan, LoanRow, load_loans, product, template
from mupaka.cob.tests.conftest import verify_problems
from mupaka.core.models import Institution
from mupaka.core.money import Money
from mupaka.core.services import business_date_set
from mupaka.ledger.models import JournalEntry
from mupaka.ledger.selectors import account_for, role_balance
from mupaka.ledger.services import LineSpec, journal_post
from mupaka.loans.models import Loan, LoanInstallment, LoanTransaction, TxKind

START = dt.date(2026, 11, 2)


@pytest.fixture
def accrual_product(chart):
    return product(
        "ACC30", currency="USD", frequency="days", every=30, accounting="accrual", default_rate="24"
    )


def _load(prod, member_factory, staff, *, principals, disbursed_on, paid=0):
    rows = []
    for principal in principals:
        member = member_factory()
        plan = LoanPlan(
            product=prod,
            principal_minor=principal,
            installments=6,
            disbursed_on=disbursed_on,
            paid_installments=paid,
        )
        rows.append(
            LoanRow(
                template(plan, as_of=disbursed_on), member_id=member.pk, branch_id=member.branch_id
            )
        )
    ids = load_loans(rows=rows, filed_by=staff["officer"], as_of=disbursed_on)
    return list(Loan.objects.filter(pk__in=ids).order_by("pk"))


def _close_until(last: dt.date) -> list[int]:
    """Run end of day up to ``last``; the interest posted each day (USD minor units)."""
    posted = []
    while (day := Institution.objects.get().business_date) <= last:
        before = -role_balance("interest_income", "USD").net_minor
        cob_run(actor=None, on_date=day)
        posted.append(-role_balance("interest_income", "USD").net_minor - before)
    return posted


def test_interest_is_earned_day_by_day_and_whole_at_the_due_date(
    accrual_product, bands, staff, member_factory
):
    Institution.objects.update(weekend_days=[])
    loans = _load(
        accrual_product,
        member_factory,
        staff,
        principals=[100_000, 33_333, 77_777],
        disbursed_on=START,
    )
    first = {loan.pk: LoanInstallment.objects.get(loan=loan, number=1) for loan in loans}
    assert {(r.due_date - r.from_date).days for r in first.values()} == {30}
    interest = sum(r.interest_minor for r in first.values())

    # the evening of the disbursement nothing is earned yet (no night has passed); the next
    # evening each loan has earned a 30th of its first interest, in 1/10,000 of a cent
    assert _close_until(START) == [0]
    posted = _close_until(START + dt.timedelta(days=1))
    scaled = sum(r.interest_minor * ACCRUAL_SCALE * 1 // 30 for r in first.values())
    assert posted == [scaled // ACCRUAL_SCALE]
    state = AccrualState.objects.get(product_id=accrual_product.pk, currency="USD")
    assert state.residual_scaled == scaled % ACCRUAL_SCALE
    day1 = START + dt.timedelta(days=1)
    key = f"cob:{day1}:loan_interest_accrual:{accrual_product.pk}:USD"
    entry = JournalEntry.objects.get(idempotency_key=key)
    assert entry.source_type == "cob.accrual" and entry.lines.count() == 2

    # by the first due date (30 days later) the whole interest is recognised, exactly
    posted += _close_until(START + dt.timedelta(days=30))
    assert sum(posted) == interest
    state.refresh_from_db()
    assert state.residual_scaled == 0 and state.accrued_posted_minor == interest
    assert JournalEntry.objects.filter(source_type="cob.accrual").count() == 30  # one a day
    receivable = role_balance("interest_receivable", "USD", product=accrual_product)
    assert receivable.net_minor == interest
    assert verify_problems() == {}


def test_interest_received_moves_from_income_to_the_receivable(
    accrual_product, bands, staff, member_factory
):
    (loan,) = _load(
        accrual_product, member_factory, staff, principals=[100_000], disbursed_on=START
    )
    row = LoanInstallment.objects.get(loan=loan, number=1)
    _close_until(row.due_date)
    # she pays the first instalment's interest: the loans app credits interest income
    LoanTransaction.objects.create(
        loan=loan, kind=TxKind.REPAYMENT, on_date=row.due_date, currency="USD",
        amount_minor=row.interest_minor, interest_minor=row.interest_minor, schedule_version=1,
    )  # fmt: skip
    Loan.objects.filter(pk=loan.pk).update(
        interest_outstanding_minor=loan.interest_outstanding_minor - row.interest_minor
    )
    business_date = Institution.objects.get().business_date
    journal_post(
        actor=None,
        business_date=business_date,
        narrative="Remboursement",
        lines=[
            LineSpec.dr(account_for("bank", "USD"), Money.from_minor(row.interest_minor, "USD")),
            LineSpec.cr(
                account_for("interest_income", "USD", accrual_product),
                Money.from_minor(row.interest_minor, "USD"),
            ),
        ],
        source_type="test.repayment",
        idempotency_key="t-repay",
    )
    income_before = -role_balance("interest_income", "USD").net_minor
    cob_run(actor=None, on_date=business_date)
    accrual = LoanAccrual.objects.get(loan_id=loan.pk)
    assert accrual.paid_minor == row.interest_minor
    receivable = role_balance("interest_receivable", "USD").net_minor
    assert receivable == accrual.accrued_scaled // ACCRUAL_SCALE - row.interest_minor
    # income holds what was earned, not earned + received
    income = -role_balance("interest_income", "USD").net_minor
    earned_today = AccrualState.objects.get().accrued_posted_minor
    assert income == earned_today
    assert income - income_before < row.interest_minor
    assert verify_problems() == {}


def test_accrual_stops_past_90_days_and_unpaid_accrued_interest_is_reversed(
    accrual_product, bands, staff, member_factory
):
    # disbursed 119 days before: first instalment due 89 days before the business date
    disbursed = START - dt.timedelta(days=119)
    business_date_set(actor=None, new_date=disbursed)
    (loan,) = _load(
        accrual_product, member_factory, staff, principals=[100_000], disbursed_on=disbursed
    )
    business_date_set(actor=None, new_date=START)
    Institution.objects.update(weekend_days=[])
    posted = _close_until(START + dt.timedelta(days=1))  # 89, then 90 days late: accruing
    assert posted[0] > 0 and posted[1] > 0
    accrued = AccrualState.objects.get().accrued_posted_minor
    posted += _close_until(START + dt.timedelta(days=2))  # 91 days late: reversed
    assert posted[2] == -accrued
    assert role_balance("interest_receivable", "USD").net_minor == 0
    assert LoanAccrual.objects.get(loan_id=loan.pk).accrued_scaled == 0
    entry = JournalEntry.objects.filter(source_type="cob.accrual").last()
    sides = {(ln.account.base_number, bool(ln.debit_minor)) for ln in entry.lines.all()}
    assert sides == {("7000", True), ("3280", False)}
    assert verify_problems() == {}


def test_late_penalties_are_charged_by_the_loans_rule_once(chart, bands, staff, member_factory):
    prod = product(
        "PEN30", frequency="days", every=30, penalty="flat", penalty_flat_minor=500,
        penalty_tolerance_days=3,
    )  # fmt: skip
    member = member_factory()
    plan = LoanPlan(
        product=prod,
        principal_minor=60_000,
        installments=6,
        disbursed_on=START - dt.timedelta(days=40),  # first instalment 10 days late
    )
    (loan_id,) = load_loans(
        rows=[
            LoanRow(template(plan, as_of=START), member_id=member.pk, branch_id=member.branch_id)
        ],
        filed_by=staff["officer"],
        as_of=START,
    )
    cob_run(actor=None, on_date=START)
    loan = Loan.objects.get(pk=loan_id)
    assert loan.penalties_outstanding_minor == 500
    assert loan.days_past_due == 10
    row = LoanInstallment.objects.get(loan=loan, number=1)
    assert loan.overdue_minor == row.principal_minor + row.interest_minor + 500
    cob_run(actor=None, on_date=START + dt.timedelta(days=1))
    assert LoanTransaction.objects.filter(loan=loan, kind=TxKind.PENALTY).count() == 1
    assert verify_problems() == {}


def test_a_reallocated_repayment_counts_its_interest_once(
    accrual_product, bands, staff, member_factory
):
    """The loans app rewrites a repayment's allocation when an earlier one is reversed and
    records the move as a REALLOCATION row (with its own entry): the repayment row then
    holds its current allocation, and the reallocation row is history, not more interest."""
    (loan,) = _load(
        accrual_product, member_factory, staff, principals=[100_000], disbursed_on=START
    )
    row = LoanInstallment.objects.get(loan=loan, number=1)
    _close_until(row.due_date)
    business_date = Institution.objects.get().business_date
    income = account_for("interest_income", "USD", accrual_product)

    def post(key, amount, narrative):
        journal_post(
            actor=None,
            business_date=business_date,
            narrative=narrative,
            lines=[
                LineSpec.dr(account_for("bank", "USD"), Money.from_minor(amount, "USD")),
                LineSpec.cr(income, Money.from_minor(amount, "USD")),
            ],
            source_type="test.repayment",
            idempotency_key=key,
        )

    # posted first as 300 of interest (and the rest principal), then moved: 200 more interest
    repayment = LoanTransaction.objects.create(
        loan=loan, kind=TxKind.REPAYMENT, on_date=business_date, currency="USD",
        amount_minor=1_000, interest_minor=300, principal_minor=700, schedule_version=1,
    )  # fmt: skip
    post("t-repay", 300, "Remboursement")
    LoanTransaction.objects.create(
        loan=loan, kind=TxKind.REALLOCATION, on_date=business_date, currency="USD",
        amount_minor=0, interest_minor=200, principal_minor=-200, schedule_version=1,
        target=repayment,
    )  # fmt: skip
    LoanTransaction.objects.filter(pk=repayment.pk).update(interest_minor=500, principal_minor=500)
    post("t-realloc", 200, "Réaffectation")
    cob_run(actor=None, on_date=business_date)
    accrual = LoanAccrual.objects.get(loan_id=loan.pk)
    assert accrual.paid_minor == 500  # not 500 + 200
    receivable = role_balance("interest_receivable", "USD").net_minor
    assert receivable == accrual.accrued_scaled // ACCRUAL_SCALE - 500
