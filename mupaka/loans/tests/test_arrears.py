"""Arrears and penalties, as end of day runs them."""

from __future__ import annotations

import datetime as dt

import pytest

from mupaka.core.exceptions import PermissionDenied
from mupaka.loans import selectors, services
from mupaka.loans.models import Loan, LoanTransaction, TxKind
from mupaka.loans.services import ProductData
from mupaka.loans.tests.test_money import disbursed, repay

pytestmark = pytest.mark.django_db


@pytest.fixture
def weekly_penalty_product(chart, staff):
    """A penalty of USD 1 every 7 days an instalment stays unpaid, after 2 days."""
    return services.loan_product_create(
        actor=staff["manager"],
        data=ProductData(
            code="REPEAT-USD",
            name="Pénalité répétée",
            currency="USD",
            min_principal="100",
            max_principal="1000",
            min_installments=1,
            max_installments=6,
            frequency="months",
            interest_method="flat",
            min_rate="24",
            max_rate="24",
            penalty="flat",
            penalty_amount="1",
            penalty_tolerance_days=2,
            penalty_repeat_every_days=7,
        ),
    )


def test_repeated_penalties_are_charged_once_each(
    staff, member, weekly_penalty_product, till, move_to, verify_green
):
    loan = disbursed(staff, member, weekly_penalty_product, amount="300", n=3)
    # due 02/12; penalties on 05/12, 12/12, 19/12
    move_to(dt.date(2026, 12, 20), cash=False)
    run = services.loan_penalties_apply(on_date=dt.date(2026, 12, 20))
    assert run.penalties == 3 and run.totals_minor == {"USD": 300}
    assert services.loan_penalties_apply(on_date=dt.date(2026, 12, 20)).penalties == 0
    move_to(dt.date(2026, 12, 26), cash=False)
    assert services.loan_penalties_apply(on_date=dt.date(2026, 12, 26)).penalties == 1
    loan.refresh_from_db()
    assert loan.penalties_outstanding_minor == 400
    verify_green()


def test_a_penalty_is_never_dated_before_her_last_payment(
    staff, member, weekly_penalty_product, till, move_to, verify_green
):
    loan = disbursed(staff, member, weekly_penalty_product, amount="300", n=3)
    move_to(dt.date(2026, 12, 10))
    partial = repay(staff, loan, "50")  # late, partial; end of day has not charged anything yet
    before = (partial.principal_minor, partial.interest_minor, partial.penalties_minor)
    move_to(dt.date(2026, 12, 11), cash=False)
    services.loan_penalties_apply(on_date=dt.date(2026, 12, 11))
    penalty = LoanTransaction.objects.get(loan=loan, kind=TxKind.PENALTY)
    assert penalty.on_date == dt.date(2026, 12, 10)  # due on 05/12, dated with her payment
    partial.refresh_from_db()
    assert (partial.principal_minor, partial.interest_minor, partial.penalties_minor) == before
    assert not LoanTransaction.objects.filter(kind=TxKind.REALLOCATION).exists()
    verify_green()


def test_only_a_manager_runs_penalties_by_hand(staff, chart):
    with pytest.raises(PermissionDenied):
        services.loan_penalties_apply(on_date=dt.date(2026, 11, 2), actor=staff["teller"])
    assert (
        services.loan_penalties_apply(
            on_date=dt.date(2026, 11, 2), actor=staff["manager"]
        ).penalties
        == 0
    )


def test_arrears_list_most_late_first_with_phones(
    staff, member_factory, trader_product, till, move_to
):
    a = disbursed(
        staff,
        member_factory("Amina", phone="+243970001111"),
        trader_product,
        amount="300",
        n=3,
        rate="24",
    )
    b = disbursed(
        staff,
        member_factory("Sifa", phone="+243970002222"),
        trader_product,
        amount="300",
        n=3,
        rate="24",
    )
    c = disbursed(staff, member_factory("Feza"), trader_product, amount="300", n=3, rate="24")
    move_to(dt.date(2026, 12, 2))
    repay(staff, c, selectors.loan_summary(c).due_today)
    move_to(dt.date(2026, 12, 15))
    repay(staff, b, selectors.loan_summary(b).due_today)
    move_to(dt.date(2027, 1, 10), cash=False)
    services.loan_arrears_refresh(on_date=dt.date(2027, 1, 10))
    rows = list(selectors.arrears_list(user=staff["officer"]))
    assert [r.pk for r in rows] == [a.pk, b.pk, c.pk]
    assert [r.days_past_due for r in rows] == [39, 8, 8]
    assert rows[0].member.phone == "+243970001111"
    assert [r.pk for r in selectors.arrears_list(user=staff["officer"], min_days=30)] == [a.pk]
    # paying clears the flag on the next refresh too
    move_to(dt.date(2027, 1, 10))
    repay(staff, a, selectors.loan_summary(a).due_today)
    services.loan_arrears_refresh(on_date=dt.date(2027, 1, 10))
    assert Loan.objects.get(pk=a.pk).days_past_due == 0
    with pytest.raises(PermissionDenied):
        selectors.arrears_list(user=staff["teller"])


def test_late_loans_without_a_penalty_rule_are_not_even_loaded(
    staff, member_factory, weekly_penalty_product, till, move_to, verify_green
):
    no_rule = services.loan_product_create(
        actor=staff["manager"],
        data=ProductData(
            code="NOPEN-USD",
            name="Sans pénalité",
            currency="USD",
            min_principal="100",
            max_principal="1000",
            min_installments=1,
            max_installments=6,
            frequency="months",
            interest_method="flat",
            min_rate="24",
            max_rate="24",
        ),
    )
    with_rule = disbursed(staff, member_factory(), weekly_penalty_product, amount="300", n=3)
    without = disbursed(staff, member_factory(), no_rule, amount="300", n=3)
    move_to(dt.date(2026, 12, 20), cash=False)
    run = services.loan_penalties_apply(on_date=dt.date(2026, 12, 20))
    assert run.loans_examined == 1
    assert run.penalties == 3
    assert not LoanTransaction.objects.filter(loan=without, kind=TxKind.PENALTY).exists()
    assert LoanTransaction.objects.filter(loan=with_rule, kind=TxKind.PENALTY).count() == 3
    without.refresh_from_db()
    assert without.days_past_due > 0  # ageing still covers every late loan
    verify_green()


def test_arrears_list_counts_from_the_business_date_not_the_last_end_of_day(
    staff, member_factory, trader_product, till, move_to
):
    """End of day ages arrears as of the date it closes (Saturday 2 January 2027); on
    Monday 4 January the officer's list says what the loan's page says: 2 days late
    today, not 0 as of Saturday evening (the instalment was due on Saturday), and a loan
    due on Sunday 3 is late by 1 day already."""
    sat = disbursed(staff, member_factory("Amina"), trader_product, amount="300", n=3, rate="24")
    move_to(dt.date(2026, 11, 3))
    sun = disbursed(staff, member_factory("Sifa"), trader_product, amount="300", n=3, rate="24")
    for loan, day in ((sat, dt.date(2026, 12, 2)), (sun, dt.date(2026, 12, 3))):
        move_to(day)  # the first instalment paid on its day
        repay(staff, loan, selectors.loan_summary(Loan.objects.get(pk=loan.pk)).due_today)
    move_to(dt.date(2027, 1, 2), cash=False)
    services.loan_arrears_refresh(on_date=dt.date(2027, 1, 2))
    assert Loan.objects.get(pk=sat.pk).days_past_due == 0  # due that very day
    move_to(dt.date(2027, 1, 4), cash=False)  # Sunday is not a working day
    rows = list(selectors.arrears_list(user=staff["officer"]))
    assert [(r.pk, r.late_for.days) for r in rows] == [(sat.pk, 2), (sun.pk, 1)]
    summary = selectors.loan_summary(Loan.objects.get(pk=sat.pk))
    assert summary.days_past_due == 2
    assert rows[0].overdue_now_minor == summary.overdue.minor
    assert [r.pk for r in selectors.arrears_list(user=staff["officer"], min_days=2)] == [sat.pk]
