"""End of day over many days: weekends and holidays skipped, month end (savings interest
posted) and year end, each step run a second time for a closed date changing nothing,
and `verify` green after every date."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from mupaka.cob.models import CobRun, CobStep, PortfolioSnapshot, RunStatus
from mupaka.cob.services import cob_run, cob_run_until, holiday_create
from mupaka.cob.services.runner import StepContext, cob_context, steps
from mupaka.cob.testing import dump_state
from mupaka.cob.tests.conftest import verify_problems
from mupaka.core.exceptions import ValidationFailed
from mupaka.core.models import Institution
from mupaka.core.money import Money
from mupaka.core.services import business_date_set
from mupaka.ledger.models import JournalEntry


def _savings_account(staff, member, currency="USD", amount="100"):
    from mupaka.savings.services import (
        ProductData,
        savings_account_open,
        savings_deposit,
        savings_product_create,
    )

    product = savings_product_create(
        actor=staff["manager"],
        data=ProductData(
            code=f"EV-{currency}",
            name=f"Épargne {currency}",
            kind="voluntary",
            currency=currency,
            interest_rate="6",
        ),
    )
    account = savings_account_open(actor=staff["manager"], member=member, product=product)
    savings_deposit(
        actor=staff["accountant"],
        account=account,
        amount=Money.of(amount, currency),
        idempotency_key=f"dep-{member.pk}-{currency}",
        channel="bank",
    )
    return account


def test_a_week_with_a_holiday_and_a_sunday(hand_made, staff):
    holiday_create(actor=staff["manager"], date=dt.date(2026, 11, 10), name="Fête locale")
    seen = []

    def progress(event):
        if event["index"] == 1:
            seen.append(event["date"])

    runs = cob_run_until(actor=staff["manager"], until=dt.date(2026, 11, 12), progress=progress)
    closed = [r.business_date for r in runs]
    assert closed == [
        dt.date(2026, 11, 2),
        dt.date(2026, 11, 3),
        dt.date(2026, 11, 4),
        dt.date(2026, 11, 5),
        dt.date(2026, 11, 6),
        dt.date(2026, 11, 7),  # Saturday is a working day here
        dt.date(2026, 11, 9),  # Sunday 8 skipped
        dt.date(2026, 11, 11),  # holiday 10 skipped
        dt.date(2026, 11, 12),
    ]
    assert seen == closed
    assert runs[5].next_date == dt.date(2026, 11, 9) and runs[6].next_date == dt.date(2026, 11, 11)
    assert Institution.objects.get().business_date == dt.date(2026, 11, 13)
    # L0's first instalment fell due on 2 November: 11 days late on the 13th... as of the
    # 12th, the last date closed, it is 10 days late
    hand_made["L0"].refresh_from_db()
    assert hand_made["L0"].days_past_due == 10
    assert set(PortfolioSnapshot.objects.values_list("business_date", flat=True)) == set(closed)
    assert verify_problems() == {}


def test_month_end_and_year_end_with_savings_interest(
    chart, bands, staff, member_factory, days30_product
):
    from mupaka.cob.testing import LoanRow, load_loans, template
    from mupaka.cob.tests.conftest import late_plan

    business_date_set(actor=None, new_date=dt.date(2026, 11, 28))
    member = member_factory()
    _savings_account(staff, member, "USD", "150")
    on = dt.date(2026, 11, 28)
    load_loans(
        rows=[
            LoanRow(
                template(
                    late_plan(days30_product, days_late=29, principal_minor=50_000, on=on), as_of=on
                ),
                member_id=member.pk,
                branch_id=member.branch_id,
            )
        ],
        filed_by=staff["officer"],
        as_of=on,
    )
    holiday_create(actor=staff["manager"], date=dt.date(2027, 1, 1), name="Nouvel an")

    # month end: the loan crosses from 1-30 to 31-60 days; savings interest is posted
    dates = []
    while Institution.objects.get().business_date <= dt.date(2026, 12, 1):
        run = cob_run(actor=None, on_date=Institution.objects.get().business_date)
        dates.append(run.business_date)
        assert verify_problems() == {}, run.business_date
    assert dates == [dt.date(2026, 11, 28), dt.date(2026, 11, 30), dt.date(2026, 12, 1)]
    interest = JournalEntry.objects.filter(source_type="savings.interest")
    assert [e.business_date for e in interest] == [dt.date(2026, 11, 30)]
    assert PortfolioSnapshot.objects.get(business_date=dt.date(2026, 11, 30)).bucket == 2

    # year end, with New Year's Day a holiday: 31 December → 2 January (a Saturday)
    business_date_set(actor=None, new_date=dt.date(2026, 12, 31))
    run = cob_run(actor=None, on_date=dt.date(2026, 12, 31))
    assert run.next_date == dt.date(2027, 1, 2)
    assert JournalEntry.objects.filter(
        source_type="savings.interest", business_date=dt.date(2026, 12, 31)
    ).exists()
    run = cob_run(actor=None, on_date=dt.date(2027, 1, 2))
    assert run.next_date == dt.date(2027, 1, 4)
    assert CobRun.objects.filter(status=RunStatus.DONE).count() == 5
    assert verify_problems() == {}


def test_every_step_run_again_for_a_closed_date_changes_nothing(hand_made, staff, member_factory):
    _savings_account(staff, member_factory(), "USD", "80")
    monday = dt.date(2026, 11, 2)
    run = cob_run(actor=None, on_date=monday)
    before = dump_state()
    with cob_context():
        for step in steps():
            if step.name == "business_date_move":
                continue
            with transaction.atomic():
                step.fn(StepContext(run=run, on_date=monday, actor=None, token="", step=step.name))
    after = dump_state()
    assert [k for k in before if before[k] != after[k]] == []
    assert CobStep.objects.filter(run=run).count() == len(steps())


def test_until_before_the_business_date_is_refused(bands, staff):
    with pytest.raises(ValidationFailed) as exc:
        cob_run_until(actor=staff["manager"], until=dt.date(2026, 11, 1))
    assert exc.value.code == "bad_until" and exc.value.errors["until"]
    assert not CobRun.objects.exists()
