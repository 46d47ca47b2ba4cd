"""Reschedule, reversal, write-off, recovery and waivers (scenario 5), each ending with
`verify` green."""

from __future__ import annotations

import datetime as dt

import pytest

from mupaka.core.exceptions import PermissionDenied, ValidationFailed
from mupaka.core.models import AuditLog
from mupaka.core.money import Money
from mupaka.ledger.models import JournalEntry
from mupaka.ledger.selectors import role_balance
from mupaka.ledger.services import LineSpec, journal_post
from mupaka.loans import selectors, services
from mupaka.loans.models import (
    Loan,
    LoanInstallment,
    LoanRequest,
    LoanStatus,
    LoanTransaction,
    TxKind,
)
from mupaka.loans.tests.conftest import key, usd
from mupaka.loans.tests.test_money import disbursed, repay

pytestmark = pytest.mark.django_db


def request(staff, loan, kind, maker="manager", **kw):
    return services.loan_request_create(
        actor=staff[maker], loan=loan, kind=kind, reason=kw.pop("reason", "Motif"), **kw
    )


def approve(staff, req, checker="committee"):
    return services.loan_request_approve(actor=staff[checker], request=req, idempotency_key=key())


def state(loan):
    loan = Loan.objects.get(pk=loan.pk)
    rows = list(
        LoanInstallment.objects.filter(loan=loan, version=loan.schedule_version)
        .order_by("number")
        .values_list("number", "outstanding_minor", "completed_on")
    )
    return (
        loan.status,
        loan.principal_outstanding_minor,
        loan.interest_outstanding_minor,
        loan.days_past_due,
        rows,
    )


@pytest.fixture
def furaha_loan(staff, member, trader_product, till):
    return disbursed(staff, member, trader_product, amount="600", n=6, rate="30")


def test_scenario_5_reschedule_once_after_45_days(staff, furaha_loan, move_to, verify_green):
    loan = furaha_loan
    move_to(dt.date(2026, 12, 2))
    repay(staff, loan, selectors.loan_summary(loan).due_today)
    move_to(dt.date(2027, 2, 16))  # instalment 2 (02/01) unpaid for 45 days
    services.loan_penalties_apply(on_date=dt.date(2027, 2, 16))
    loan.refresh_from_db()
    assert loan.days_past_due == 45
    owed_principal = loan.principal_outstanding_minor
    before = selectors.loan_summary(loan)
    services.loan_reschedule(
        actor=staff["committee"],
        loan=loan,
        installments=8,
        grace_interest_payment=2,
        reason="Stock saisi à la frontière",
    )
    loan.refresh_from_db()
    assert loan.restructured and loan.reschedule_count == 1 and loan.schedule_version == 2
    assert loan.days_past_due == 0
    assert loan.principal_outstanding_minor == owed_principal
    rows = list(LoanInstallment.objects.filter(loan=loan, version=2).order_by("number"))
    assert len(rows) == 8
    assert rows[0].interest_minor == rows[1].interest_minor == 0  # two periods of interest grace
    assert rows[2].interest_minor > rows[3].interest_minor  # carried and deferred interest due
    assert sum(r.principal_minor for r in rows) == owed_principal
    carried = LoanTransaction.objects.get(loan=loan, kind=TxKind.RESCHEDULE)
    assert carried.interest_minor > 0
    assert carried.penalties_minor == before.penalties.minor > 0
    charge = LoanTransaction.objects.get(loan=loan, kind=TxKind.CHARGE, component="penalties")
    assert (charge.installment, charge.schedule_version) == (1, 2)
    assert rows[2].interest_minor >= carried.interest_minor  # carried interest falls due with #3
    assert AuditLog.objects.filter(
        action="loan.reschedule", reason="Stock saisi à la frontière"
    ).exists()
    verify_green()
    # a second reschedule is refused, nothing written
    entries, txs = JournalEntry.objects.count(), LoanTransaction.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.loan_reschedule(
            actor=staff["manager"], loan=loan, installments=12, reason="Encore"
        )
    assert exc.value.code == "already_rescheduled"
    assert "single" in exc.value.message or "seule" in exc.value.message
    assert (JournalEntry.objects.count(), LoanTransaction.objects.count()) == (entries, txs)
    loan.refresh_from_db()
    assert loan.schedule_version == 2 and loan.restructured
    # and she pays the new schedule
    move_to(loan.schedule_rows.filter(version=2).order_by("number").first().due_date)
    repay(staff, loan, selectors.loan_summary(loan).due_today)
    loan.refresh_from_db()
    assert loan.days_past_due == 0 and loan.restructured
    verify_green()


def test_reschedule_refusals(staff, furaha_loan):
    with pytest.raises(PermissionDenied):
        services.loan_reschedule(
            actor=staff["officer"], loan=furaha_loan, installments=6, reason="x"
        )
    with pytest.raises(ValidationFailed) as exc:
        services.loan_reschedule(
            actor=staff["committee"], loan=furaha_loan, installments=0, reason=""
        )
    assert set(exc.value.errors) == {"installments", "reason"}
    furaha_loan.refresh_from_db()
    assert not furaha_loan.restructured


def test_scenario_5_repayment_on_the_wrong_loan_is_reversed_then_posted_right(
    staff, member, member_factory, trader_product, till, verify_green
):
    furaha = disbursed(staff, member, trader_product, amount="600", n=6, rate="30")
    neema = disbursed(staff, member_factory("Neema"), trader_product, amount="300", n=6, rate="30")
    before = state(neema)
    wrong = repay(staff, neema, "50")
    assert state(neema) != before
    req = request(
        staff,
        neema,
        "reversal",
        maker="teller",
        transaction=wrong.pk,
        reason="Versement de Furaha posté sur le crédit de Neema",
    )
    with pytest.raises(PermissionDenied):
        approve(staff, req, checker="teller")
    with pytest.raises(PermissionDenied):  # the committee does not approve reversals
        approve(staff, req, checker="committee")
    approve(staff, req, checker="manager")
    assert state(neema) == before  # replayed as if it never happened
    wrong.refresh_from_db()
    assert wrong.reversed
    original = wrong.journal_entry
    assert original.reversed_by.reversal_of_id == original.pk
    reversal_row = LoanTransaction.objects.get(kind=TxKind.REVERSAL, target=wrong)
    assert reversal_row.journal_entry_id == original.reversed_by.pk
    assert (
        reversal_row.approved_by == staff["manager"] and reversal_row.created_by == staff["teller"]
    )
    right = repay(staff, furaha, "50")
    assert right.principal_minor + right.interest_minor == 5000
    verify_green()
    # a reversed repayment is not reversed twice
    with pytest.raises(ValidationFailed) as exc:
        request(staff, neema, "reversal", transaction=wrong.pk)
    assert exc.value.code == "already_reversed"


def test_reversal_of_an_earlier_repayment_reallocates_the_later_one(
    staff, furaha_loan, move_to, verify_green
):
    loan = furaha_loan
    move_to(dt.date(2026, 12, 20))  # instalment 1 (02/12) is late
    first = repay(staff, loan, "30")
    move_to(dt.date(2027, 1, 5))
    second = repay(staff, loan, "100")
    before_second = (second.principal_minor, second.interest_minor)
    req = request(staff, loan, "reversal", maker="teller", transaction=first.pk)
    approve(staff, req, checker="accountant")
    second.refresh_from_db()
    assert (second.principal_minor, second.interest_minor) != before_second
    realloc = LoanTransaction.objects.get(kind=TxKind.REALLOCATION, target=second)
    assert realloc.principal_minor == second.principal_minor - before_second[0]
    assert realloc.journal_entry.source_type == "loans.reallocation"
    verify_green()
    # reversing the second one too takes its reallocation with it
    req = request(staff, loan, "reversal", maker="teller", transaction=second.pk)
    approve(staff, req, checker="accountant")
    realloc.refresh_from_db()
    assert realloc.reversed
    loan.refresh_from_db()
    assert loan.principal_outstanding_minor == 60000
    verify_green()


def test_reversal_of_a_closing_repayment_reopens_the_loan(
    staff, member, trader_product, till, verify_green
):
    loan = disbursed(staff, member, trader_product, amount="300", n=3, rate="24")
    tx = repay(staff, loan, selectors.loan_summary(loan).payoff)
    loan.refresh_from_db()
    assert loan.status == LoanStatus.CLOSED
    approve(
        staff,
        request(staff, loan, "reversal", maker="teller", transaction=tx.pk),
        checker="manager",
    )
    loan.refresh_from_db()
    assert loan.status == LoanStatus.ACTIVE and loan.closed_on is None
    assert loan.principal_outstanding_minor == 30000
    verify_green()


def test_write_off_without_provision_goes_to_expense_then_recovery(
    staff, furaha_loan, move_to, verify_green
):
    loan = furaha_loan
    move_to(dt.date(2027, 6, 1))
    req = request(staff, loan, "write_off", maker="manager", reason="Introuvable depuis 5 mois")
    with pytest.raises(PermissionDenied):
        approve(staff, req, checker="manager")
    approve(staff, req, checker="committee")
    loan.refresh_from_db()
    assert loan.status == LoanStatus.WRITTEN_OFF
    assert loan.principal_outstanding_minor == 0
    tx = LoanTransaction.objects.get(loan=loan, kind=TxKind.WRITE_OFF)
    assert tx.principal_minor == 60000 and tx.interest_minor > 0
    assert tx.created_by == staff["manager"] and tx.approved_by == staff["committee"]
    assert tx.journal_entry.approved_by == staff["committee"]
    assert role_balance("provision_expense", "USD").net_minor == 60000
    assert role_balance("loan_portfolio", "USD").net_minor == 0
    verify_green()
    # months later: USD 30 recovered, as income
    services.loan_recovery(
        actor=staff["teller"], loan=loan, amount=usd("30"), idempotency_key=key()
    )
    assert role_balance("write_off_recoveries", "USD").net_minor == -3000
    with pytest.raises(ValidationFailed) as exc:
        services.loan_recovery(
            actor=staff["teller"], loan=loan, amount=usd("10000"), idempotency_key=key()
        )
    assert exc.value.code == "above_written_off"
    with pytest.raises(ValidationFailed) as exc:
        repay(staff, loan, "10")
    assert exc.value.code == "wrong_status"
    verify_green()


def test_write_off_draws_on_the_provision_first(staff, furaha_loan, verify_green, institution):
    from mupaka.ledger.selectors import account_for

    journal_post(
        actor=staff["accountant"],
        business_date=institution.business_date,
        narrative="Dotation aux provisions",
        lines=[
            LineSpec.dr(account_for("provision_expense", "USD"), usd("250")),
            LineSpec.cr(account_for("loan_loss_provision", "USD"), usd("250")),
        ],
        source_type="test.provision",
        idempotency_key=key(),
    )
    approve(staff, request(staff, furaha_loan, "write_off"))
    assert role_balance("loan_loss_provision", "USD").net_minor == 0
    assert role_balance("provision_expense", "USD").net_minor == 25000 + 35000
    verify_green()


def test_write_off_uses_the_guarantee_first(staff, umoja, group_product, till, verify_green):
    from mupaka.loans.services import ShareData
    from mupaka.savings.models import SavingsHold

    group, members = umoja
    g = services.group_loan_apply(
        actor=staff["officer"],
        group=group,
        product=group_product,
        shares=[ShareData(member=m, principal=usd("100")) for m in members[:3]],
        installments=4,
        purpose="Commerce",
    )
    services.group_loan_approve(actor=staff["committee"], group_loan=g)
    services.group_loan_disburse(actor=staff["teller"], group_loan=g, idempotency_key=key())
    loan = g.shares.order_by("pk").first()
    approve(staff, request(staff, loan, "write_off"))
    loan.refresh_from_db()
    assert loan.status == LoanStatus.WRITTEN_OFF and loan.guarantee_released
    paid = LoanTransaction.objects.get(loan=loan, kind=TxKind.REPAYMENT, channel="guarantee")
    assert paid.amount_minor == 1000
    wo = LoanTransaction.objects.get(loan=loan, kind=TxKind.WRITE_OFF)
    assert wo.principal_minor == 10000 - paid.principal_minor
    assert not SavingsHold.objects.filter(
        reference=f"loans.loan:{loan.pk}", status="active"
    ).exists()
    verify_green()


def test_waiver_of_penalties_needs_a_second_person(
    staff, member, trader_product, till, move_to, verify_green
):
    loan = disbursed(staff, member, trader_product, amount="300", n=3, rate="24")
    move_to(dt.date(2026, 12, 10))
    services.loan_penalties_apply(on_date=dt.date(2026, 12, 10))
    loan.refresh_from_db()
    assert loan.penalties_outstanding_minor == 200
    with pytest.raises(ValidationFailed) as exc:
        request(staff, loan, "waiver", maker="officer", component="principal", amount=usd("1"))
    assert "component" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        request(staff, loan, "waiver", maker="officer", component="penalties", amount=usd("2.01"))
    assert exc.value.code == "above_outstanding"
    req = request(
        staff,
        loan,
        "waiver",
        maker="officer",
        component="penalties",
        amount=usd("2"),
        reason="Retard dû à la fermeture de la frontière",
    )
    with pytest.raises(ValidationFailed) as exc:
        request(staff, loan, "waiver", maker="officer", component="interest", amount=usd("1"))
    assert exc.value.code == "request_pending"
    approve(staff, req, checker="manager")
    loan.refresh_from_db()
    assert loan.penalties_outstanding_minor == 0
    assert LoanRequest.objects.get(pk=req.pk).status == "approved"
    verify_green()


def test_rejected_request_changes_nothing(staff, furaha_loan):
    req = request(staff, furaha_loan, "write_off")
    with pytest.raises(ValidationFailed):
        services.loan_request_reject(actor=staff["committee"], request=req, note="")
    services.loan_request_reject(actor=staff["committee"], request=req, note="On la retrouve")
    furaha_loan.refresh_from_db()
    assert furaha_loan.status == LoanStatus.ACTIVE
    with pytest.raises(ValidationFailed) as exc:
        approve(staff, req)
    assert exc.value.code == "request_decided"


def test_arrears_refresh_counts_days_without_transactions(staff, furaha_loan, move_to):
    move_to(dt.date(2026, 12, 31), cash=False)
    changed = services.loan_arrears_refresh(on_date=dt.date(2026, 12, 31))
    assert changed == 1
    furaha_loan.refresh_from_db()
    assert furaha_loan.days_past_due == 29
    assert furaha_loan.overdue_minor > 0
    assert (
        Money.from_minor(furaha_loan.overdue_minor, "USD")
        == selectors.loan_summary(furaha_loan, on_date=dt.date(2026, 12, 31)).overdue
    )


def test_a_written_off_loan_still_owed_holds_back_her_exit_and_her_shares(
    staff, member, furaha_loan, move_to
):
    """Written off is not forgiven: until what was written off is recovered, she neither
    leaves (the loans app's exit check) nor takes her shares back (the shares app's
    redemption rule)."""
    from django.utils import translation

    from mupaka.core.money_format import format_money
    from mupaka.loans.apps import _no_open_loan
    from mupaka.shares.services import _loans_settled

    loan = furaha_loan
    move_to(dt.date(2027, 6, 1))
    approve(staff, request(staff, loan, "write_off", reason="Introuvable depuis 5 mois"))
    written_off = LoanTransaction.objects.get(loan=loan, kind=TxKind.WRITE_OFF).amount_minor
    services.loan_recovery(
        actor=staff["teller"], loan=loan, amount=usd("30"), idempotency_key=key()
    )
    left = format_money(Money.from_minor(written_off - 3000, "USD"))
    with translation.override("fr"):
        exit_problem = _no_open_loan(member)
        redemption_problem = _loans_settled(staff["manager"], member)
    assert exit_problem.startswith(f"Elle doit encore {left} sur le crédit {loan.number}")
    assert redemption_problem.startswith(f"Elle doit encore {left} sur le crédit {loan.number}")
    assert "parts" in redemption_problem
    services.loan_recovery(
        actor=staff["teller"],
        loan=loan,
        amount=Money.from_minor(written_off - 3000, "USD"),
        idempotency_key=key(),
    )
    assert _no_open_loan(member) is None
    assert _loans_settled(staff["manager"], member) is None
