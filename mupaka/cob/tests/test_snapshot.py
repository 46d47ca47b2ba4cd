"""The snapshot's other measures: disbursements of the day and of the month, borrowers
counted once, savers and people served; past dates rebuilt from the history agree with
what end of day saved; the demo's month ends."""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum

from mupaka.cob.demo import past_month_ends
from mupaka.cob.models import OutreachSnapshot, PortfolioSnapshot, SavingsSnapshot
from mupaka.cob.services import cob_run
from mupaka.cob.services.snapshot import snapshot_rebuild_past
from mupaka.cob.testing import LoanPlan, LoanRow, load_loans, template
from mupaka.cob.tests.test_calendar_runs import _savings_account

MONDAY = dt.date(2026, 11, 2)
MEASURES = (
    "loan_count",
    "principal_outstanding_minor",
    "par1_minor",
    "par30_minor",
    "par90_minor",
    "provision_minor",
    "borrower_count",
    "disbursed_count",
    "disbursed_mtd_minor",
)


def _rows(on):
    return sorted(
        PortfolioSnapshot.objects.filter(business_date=on).values_list(
            "branch_id", "officer_id", "product_id", "currency", "sex", "border_post_id",
            "bucket", "restructured", *MEASURES,
        )
    )  # fmt: skip


def test_disbursements_borrowers_savers_and_people(bands, staff, member_factory, days30_product):
    woman = member_factory(sex="F")
    man = member_factory(sex="M")
    saver_only = member_factory(sex="F")
    plans = [
        (woman, LoanPlan(product=days30_product, principal_minor=20_000, installments=6,
                         disbursed_on=MONDAY)),
        (woman, LoanPlan(product=days30_product, principal_minor=30_000, installments=6,
                         disbursed_on=MONDAY - dt.timedelta(days=1))),
        (man, LoanPlan(product=days30_product, principal_minor=50_000, installments=6,
                       disbursed_on=dt.date(2026, 10, 15))),
    ]  # fmt: skip
    load_loans(
        rows=[
            LoanRow(template(p, as_of=MONDAY), member_id=m.pk, branch_id=m.branch_id)
            for m, p in plans
        ],
        filed_by=staff["officer"],
        as_of=MONDAY,
    )
    _savings_account(staff, woman, "USD", "40")
    from mupaka.savings.models import SavingsProduct
    from mupaka.savings.services import savings_account_open

    savings_account_open(
        actor=staff["manager"], member=saver_only, product=SavingsProduct.objects.get()
    )
    cob_run(actor=None, on_date=MONDAY)

    usd = PortfolioSnapshot.objects.filter(business_date=MONDAY).aggregate(
        n=Sum("loan_count"), b=Sum("borrower_count"), d=Sum("disbursed_count"),
        dm=Sum("disbursed_minor"), mtd=Sum("disbursed_mtd_count"), mtdm=Sum("disbursed_mtd_minor"),
        first=Sum("first_loan_count"),
    )  # fmt: skip
    # three loans, two borrowers (she has two loans: counted once); one disbursed today,
    # two this month (1 and 2 November); her first loan and his are first loans
    assert usd == {"n": 3, "b": 2, "d": 1, "dm": 20_000, "mtd": 2, "mtdm": 50_000, "first": 2}
    people = OutreachSnapshot.objects.filter(business_date=MONDAY)
    by_sex = {
        r["sex"]: r
        for r in people.values("sex").annotate(
            b=Sum("borrowers"), s=Sum("savers"), c=Sum("clients_served")
        )
    }
    assert (by_sex["F"]["b"], by_sex["F"]["s"], by_sex["F"]["c"]) == (1, 2, 2)
    assert (by_sex["M"]["b"], by_sex["M"]["s"], by_sex["M"]["c"]) == (1, 0, 1)
    savings = SavingsSnapshot.objects.get(business_date=MONDAY)
    assert (savings.account_count, savings.saver_count, savings.balance_minor) == (2, 2, 4_000)


def test_a_past_date_rebuilt_from_history_agrees_with_end_of_day(hand_made):
    cob_run(actor=None, on_date=MONDAY)
    saved = _rows(MONDAY)
    snapshot_rebuild_past(on_date=MONDAY)
    assert _rows(MONDAY) == saved


def test_month_ends_skip_sundays_and_holidays():
    ends = past_month_ends(dt.date(2026, 11, 27), [7], {dt.date(2026, 6, 30)})
    assert ends[0] == dt.date(2025, 12, 31) and ends[-1] == dt.date(2026, 10, 31)
    assert dt.date(2026, 5, 30) in ends  # 31 May 2026 is a Sunday
    assert dt.date(2026, 6, 29) in ends  # 30 June a holiday
    assert len(ends) == 11
