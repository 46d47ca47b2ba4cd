"""Withdrawing an application before disbursement (services)."""

from __future__ import annotations

import pytest

from mupaka.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from mupaka.core.models import AuditLog
from mupaka.ledger.models import JournalEntry
from mupaka.loans import selectors, services
from mupaka.loans.models import GroupLoan, Loan, LoanStatus
from mupaka.loans.services import CashFlowData, ShareData
from mupaka.loans.tests.conftest import key, usd

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

FLOW = CashFlowData(daily_sales="60", daily_purchases="30", household_costs="60")


def apply(staff, member, product, actor=None) -> Loan:
    return services.loan_apply(
        actor=actor or staff["officer"],
        member=member,
        product=product,
        principal=usd("300"),
        installments=6,
        purpose="Stock de pagnes",
        cash_flow=FLOW,
    )


def group_apply(staff, umoja, product) -> GroupLoan:
    group, members = umoja
    return services.group_loan_apply(
        actor=staff["officer"],
        group=group,
        product=product,
        shares=[ShareData(member=m, principal=usd("100")) for m in members[:3]],
        installments=4,
        purpose="Commerce de haricots",
    )


def state():
    """What a refusal must leave untouched."""
    return (
        list(Loan.objects.order_by("pk").values_list("status", flat=True)),
        list(GroupLoan.objects.order_by("pk").values_list("status", flat=True)),
        AuditLog.objects.count(),
        JournalEntry.objects.count(),
    )


def test_the_filer_withdraws_a_submitted_application_with_an_audited_reason(
    staff, member, trader_product
):
    loan = apply(staff, member, trader_product)
    entries = JournalEntry.objects.count()
    services.loan_withdraw(actor=staff["officer"], loan=loan, reason="Elle a changé d'avis")
    loan.refresh_from_db()
    assert loan.status == LoanStatus.WITHDRAWN
    assert loan.decided_by is None  # not a committee decision
    row = AuditLog.objects.get(action="loan.withdraw", object_id=str(loan.pk))
    assert row.actor == staff["officer"]
    assert row.before["status"] == "submitted" and row.after["status"] == "withdrawn"
    assert row.reason == "Elle a changé d'avis"
    assert JournalEntry.objects.count() == entries
    # no longer in the committee's pipeline, nor open
    pending, _groups = selectors.pipeline(user=staff["committee"])
    assert loan not in pending


def test_an_approved_application_is_withdrawn_by_another_officer_or_the_manager(
    staff, member, member_factory, trader_product, make_user
):
    other_officer = make_user("officer")
    loan = services.loan_approve(
        actor=staff["committee"], loan=apply(staff, member, trader_product)
    )
    services.loan_withdraw(actor=other_officer, loan=loan, reason="Déposée par erreur")
    loan.refresh_from_db()
    assert loan.status == LoanStatus.WITHDRAWN
    assert loan.approved_principal_minor == 30000  # the decision stays on record
    second = apply(staff, member_factory("Neema"), trader_product)
    services.loan_withdraw(actor=staff["manager"], loan=second, reason="Voyage annulé")
    assert Loan.objects.get(pk=second.pk).status == LoanStatus.WITHDRAWN


def test_after_a_withdrawal_she_may_apply_again_and_may_exit(staff, member, trader_product):
    from mupaka.loans.apps import _no_open_loan

    loan = apply(staff, member, trader_product)
    assert _no_open_loan(member)
    services.loan_withdraw(actor=staff["officer"], loan=loan, reason="Elle part")
    assert _no_open_loan(member) is None
    again = apply(staff, member, trader_product)
    assert again.status == LoanStatus.SUBMITTED


@pytest.mark.parametrize("role", ["teller", "committee", "accountant", "auditor"])
def test_roles_not_allowed_are_refused(staff, member, trader_product, role):
    loan = apply(staff, member, trader_product)
    before = state()
    with pytest.raises(PermissionDenied) as exc:
        services.loan_withdraw(actor=staff[role], loan=loan, reason="x")
    assert "Loan officer" in exc.value.message
    assert state() == before


def test_another_branch_is_refused(staff, member, trader_product, make_user, other_branch):
    loan = apply(staff, member, trader_product)
    before = state()
    for role in ("officer", "manager"):
        with pytest.raises(PermissionDenied) as exc:
            services.loan_withdraw(
                actor=make_user(role, branch_=other_branch), loan=loan, reason="x"
            )
        assert "another branch" in exc.value.message
    assert state() == before


def test_a_reason_is_required(staff, member, trader_product):
    loan = apply(staff, member, trader_product)
    before = state()
    with pytest.raises(ValidationFailed) as exc:
        services.loan_withdraw(actor=staff["officer"], loan=loan, reason="   ")
    assert exc.value.errors == {"reason": ["Give the reason for the withdrawal."]}
    assert state() == before


def test_twice_is_a_conflict_and_a_rejected_one_is_refused(staff, member, trader_product):
    loan = apply(staff, member, trader_product)
    services.loan_withdraw(actor=staff["officer"], loan=loan, reason="Erreur")
    before = state()
    with pytest.raises(Conflict) as exc:
        services.loan_withdraw(actor=staff["manager"], loan=loan, reason="Encore")
    assert exc.value.code == "already_withdrawn"
    assert "already withdrawn" in exc.value.message
    rejected = services.loan_reject(
        actor=staff["committee"], loan=apply(staff, member, trader_product), reason="Non"
    )
    before = state()
    with pytest.raises(ValidationFailed) as exc:
        services.loan_withdraw(actor=staff["officer"], loan=rejected, reason="x")
    assert exc.value.code == "wrong_status"
    assert "is rejected: it cannot be withdrawn" in exc.value.message
    assert state() == before


def test_a_disbursed_loan_cannot_be_withdrawn(staff, member, trader_product, till):
    loan = services.loan_approve(
        actor=staff["committee"], loan=apply(staff, member, trader_product)
    )
    services.loan_disburse(actor=staff["teller"], loan=loan, idempotency_key=key())
    before = state()
    with pytest.raises(ValidationFailed) as exc:
        services.loan_withdraw(actor=staff["officer"], loan=loan, reason="Trop tard")
    assert exc.value.code == "wrong_status"
    assert "already disbursed (active)" in exc.value.message
    assert state() == before


# --- group loans -------------------------------------------------------------------------
def test_group_withdrawal_withdraws_every_share_and_frees_the_group(staff, umoja, group_product):
    from mupaka.loans.apps import _no_open_group_loan

    g = group_apply(staff, umoja, group_product)
    shares = list(g.shares.order_by("pk"))
    services.group_loan_approve(
        actor=staff["committee"], group_loan=g, approved={shares[2].pk: None}
    )
    assert _no_open_group_loan(umoja[0])
    entries = JournalEntry.objects.count()
    services.group_loan_withdraw(actor=staff["officer"], group_loan=g, reason="Groupe en conflit")
    g.refresh_from_db()
    assert g.status == LoanStatus.WITHDRAWN
    statuses = list(g.shares.order_by("pk").values_list("status", flat=True))
    assert statuses == ["withdrawn", "withdrawn", "rejected"]  # left out stays rejected
    row = AuditLog.objects.get(action="group_loan.withdraw", object_id=str(g.pk))
    assert row.before["status"] == "approved" and row.after["status"] == "withdrawn"
    assert row.reason == "Groupe en conflit"
    assert AuditLog.objects.filter(action="loan.withdraw").count() == 2
    assert JournalEntry.objects.count() == entries
    assert _no_open_group_loan(umoja[0]) is None
    before = state()
    with pytest.raises(Conflict) as exc:
        services.group_loan_withdraw(actor=staff["manager"], group_loan=g, reason="x")
    assert exc.value.code == "already_withdrawn"
    assert state() == before


def test_group_refusals(staff, umoja, group_product, make_user, other_branch, till):
    g = group_apply(staff, umoja, group_product)
    share = g.shares.order_by("pk").first()
    before = state()
    with pytest.raises(ValidationFailed) as exc:
        services.loan_withdraw(actor=staff["officer"], loan=share, reason="x")
    assert exc.value.code == "group_share"
    with pytest.raises(ValidationFailed) as exc:
        services.group_loan_withdraw(actor=staff["officer"], group_loan=g, reason="")
    assert exc.value.errors["reason"]
    with pytest.raises(PermissionDenied):
        services.group_loan_withdraw(actor=staff["committee"], group_loan=g, reason="x")
    with pytest.raises(PermissionDenied):
        services.group_loan_withdraw(
            actor=make_user("officer", branch_=other_branch), group_loan=g, reason="x"
        )
    assert state() == before
    services.group_loan_approve(actor=staff["committee"], group_loan=g)
    services.group_loan_disburse(actor=staff["teller"], group_loan=g, idempotency_key=key())
    before = state()
    with pytest.raises(ValidationFailed) as exc:
        services.group_loan_withdraw(actor=staff["officer"], group_loan=g, reason="x")
    assert exc.value.code == "wrong_status"
    assert state() == before
