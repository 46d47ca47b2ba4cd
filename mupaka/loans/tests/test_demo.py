"""The demo's loans: products, scenarios 2 and 5 through the services, the bulk history,
and `verify` green."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mupaka.loans.models import GroupLoan, Loan, LoanProduct, LoanStatus, LoanTransaction, TxKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    from mupaka.core.demo import build_core
    from mupaka.ledger import demo as ledger_demo
    from mupaka.loans import demo as loans_demo
    from mupaka.members import demo as members_demo

    ctx = build_core(members=90, seed=7)
    members_demo.build(ctx)
    ledger_demo.build(ctx)
    loans_demo.build(ctx)
    return ctx


def test_demo_loans(demo):
    from mupaka.core.demo import DEMO_BUSINESS_DATE
    from mupaka.core.selectors import business_date_get
    from mupaka.ledger.verify import run_checks
    from mupaka.savings.models import SavingsHold

    assert business_date_get() == DEMO_BUSINESS_DATE
    assert set(LoanProduct.objects.values_list("code", flat=True)) == {
        "COMMERCE-USD",
        "SOLIDAIRE-USD",
        "COMMERCE-CDF",
    }
    # scenario 2
    g = GroupLoan.objects.get(group=demo.extra["umoja_ruzizi"])
    assert (g.requested_total_minor, g.approved_total_minor) == (100000, 90000)
    assert g.status == LoanStatus.ACTIVE
    assert (
        SavingsHold.objects.filter(reference__startswith="loans.loan:", status="active").count()
        == 5
    )
    covered = LoanTransaction.objects.filter(loan__group_loan=g, paid_by__isnull=False)
    assert covered.count() == 1 and covered.get().paid_by == g.leader
    late = Loan.objects.filter(group_loan=g, days_past_due__gt=0)
    assert [loan.member for loan in late] == [demo.extra["umoja_ruzizi_members"][2]]
    assert covered.get().loan.member == demo.extra["umoja_ruzizi_members"][1]
    reduced = Loan.objects.get(group_loan=g, approved_principal_minor=10000)
    assert reduced.member.first_name == "Bahati"
    # scenario 5
    wo = demo.extra["written_off_loan"]
    wo.refresh_from_db()
    assert wo.status == LoanStatus.WRITTEN_OFF and wo.restructured and wo.reschedule_count == 1
    kinds = set(LoanTransaction.objects.filter(loan=wo).values_list("kind", flat=True))
    assert {TxKind.RESCHEDULE, TxKind.WRITE_OFF, TxKind.RECOVERY} <= kinds
    assert LoanTransaction.objects.filter(kind=TxKind.REVERSAL).count() == 1
    # scenario 3: a loan whose first instalment of USD 45.83 falls due on the demo date
    from mupaka.loans.selectors import loan_summary

    s3 = demo.extra["scenario_3_loan"]
    s3.refresh_from_db()
    summary = loan_summary(s3)
    assert (s3.status, s3.member.branch.code) == (LoanStatus.ACTIVE, "BKV")
    assert (summary.due_today.amount, summary.days_past_due) == (Decimal("45.83"), 0)
    assert summary.next_due_date == DEMO_BUSINESS_DATE
    # the mass, and the committee's and the teller's work for today
    assert Loan.objects.filter(terms__isnull=False, status=LoanStatus.CLOSED).exists()
    assert Loan.objects.filter(
        status=LoanStatus.ACTIVE, days_past_due__gt=0, group_loan=None
    ).exists()
    assert Loan.objects.filter(status=LoanStatus.SUBMITTED).count() == 2
    beyond = Loan.objects.get(status=LoanStatus.SUBMITTED, requested_principal_minor=120000)
    assert beyond.over_indebtedness_override and not beyond.appraisal.within_capacity
    assert Loan.objects.filter(status=LoanStatus.APPROVED).count() == 1
    assert not LoanTransaction.objects.filter(on_date__gt=DEMO_BUSINESS_DATE).exists()
    failed = {r.name: r.problems for r in run_checks() if not r.ok}
    assert failed == {}
