"""Her page shows her savings accounts, member shares, loans and her group's loans, with
the links the next step needs; a solidarity group owing a group loan is not dissolved."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from mupaka.core.exceptions import ValidationFailed
from mupaka.core.money import Money
from mupaka.members import services
from mupaka.members.models import GroupStatus

pytestmark = pytest.mark.django_db


def client_for(user, language="en"):
    client = Client()
    client.force_login(user)
    client.cookies["mupaka_language"] = language
    return client


@pytest.fixture
def furaha_with_money(staff, register, usd_savings, share_product, approved_loan):
    """An active trader with a funded USD account, two shares and an active loan. She
    joined the way a trader joins: registered pending, made active by her entry fee and
    two shares paid at the counter."""
    from mupaka.loans.services import loan_disburse
    from mupaka.savings.services import savings_account_open, savings_deposit
    from mupaka.shares.services import shares_purchase
    from mupaka.tellers.testing import open_till_with_cash

    open_till_with_cash(
        teller=staff["teller"], manager=staff["manager"], floats=[Money.of("2000", "USD")]
    )
    member = register(first_name="Furaha", id_type="voter_card", id_number="CT-FURAHA")
    joined = shares_purchase(
        actor=staff["teller"], member=member, shares=2, idempotency_key=str(uuid.uuid4())
    )
    assert joined.member_activated
    member.refresh_from_db()
    account = savings_account_open(
        actor=staff["officer"], member=member, product=usd_savings["voluntary"]
    )
    savings_deposit(
        actor=staff["teller"],
        account=account,
        amount=Money.of("20", "USD"),
        idempotency_key=str(uuid.uuid4()),
    )
    loan = approved_loan(member, principal="300")
    loan_disburse(actor=staff["teller"], loan=loan, idempotency_key=str(uuid.uuid4()))
    waiting = approved_loan(member, principal="100", installments=3)
    return member, account, loan, waiting


def test_page_shows_accounts_shares_and_loans(staff, furaha_with_money):
    member, account, loan, waiting = furaha_with_money
    page = client_for(staff["officer"]).get(f"/members/{member.pk}/").content.decode()
    assert f'id="member-account-{account.pk}"' in page and "20.00 USD" in page
    assert f"/savings/{account.pk}/" in page
    assert 'id="member-shares"' in page and "2 shares held (20.00 USD paid)" in page
    assert f'id="member-loan-{loan.pk}"' in page and f"/loans/{loan.pk}/" in page
    assert f'id="member-loan-{waiting.pk}"' in page
    # the active loan's outstanding: USD 300 principal + flat interest, nothing late yet
    loan.refresh_from_db()
    outstanding = (
        loan.principal_outstanding_minor
        + loan.interest_outstanding_minor
        + loan.fees_outstanding_minor
        + loan.penalties_outstanding_minor
    )
    text = f"{Money.from_minor(outstanding, 'USD').amount:,.2f} USD"
    assert text in page
    # the officer's next steps: open an account, apply for a loan
    assert 'id="open-account-link"' in page and f"?member={member.pk}" in page
    assert 'id="apply-loan-link"' in page and f"?member={member.number}" in page
    assert 'id="pay-shares-link"' not in page  # the entry fee is paid at the counter


def test_teller_sees_the_counter_links(staff, furaha_with_money):
    member = furaha_with_money[0]
    page = client_for(staff["teller"]).get(f"/members/{member.pk}/").content.decode()
    assert 'id="counter-link"' in page and f"/tellers/counter/members/{member.pk}/" in page
    assert 'id="open-term-link"' in page and f"/savings/term/open/?member={member.pk}" in page
    assert 'id="pay-shares-link"' in page and "Buy member shares" in page
    assert 'id="apply-loan-link"' not in page


def test_pending_member_is_told_to_pay_the_entry_fee(staff, register, share_product):
    member = register()
    page = client_for(staff["teller"]).get(f"/members/{member.pk}/").content.decode()
    assert 'id="pending-note"' in page
    assert "Pay the entry fee and shares" in page and "Entry fee not paid" in page
    assert 'id="open-account-link"' not in page


def test_the_coordinator_does_not_see_her_page(staff, furaha_with_money):
    member = furaha_with_money[0]
    assert client_for(staff["coordinator"]).get(f"/members/{member.pk}/").status_code == 403
    assert client_for(staff["auditor"]).get(f"/members/{member.pk}/").status_code == 200


def test_page_shows_her_group_loan(staff, approved_group_loan):
    group_loan, group, members = approved_group_loan()
    page = client_for(staff["auditor"]).get(f"/members/{members[1].pk}/").content.decode()
    assert f'id="member-group-loan-{group_loan.pk}"' in page and group_loan.number in page
    assert "Zawadi" in page  # the leader
    for share in group_loan.shares.filter(member=members[1]):
        assert f'id="member-loan-{share.pk}"' in page and f"share of {group_loan.number}" in page


def test_group_with_a_group_loan_is_not_dissolved(staff, approved_group_loan):
    group_loan, group, members = approved_group_loan()
    with pytest.raises(ValidationFailed) as exc:
        services.solidarity_group_dissolve(actor=staff["officer"], group=group, reason="Désaccord")
    assert exc.value.code == "group_loan_open" and group_loan.number in exc.value.message
    group.refresh_from_db()
    assert group.status == GroupStatus.ACTIVE
    # through the page: refused with the same message, nothing changes
    r = client_for(staff["officer"]).post(
        f"/members/groups/{group.pk}/dissolve/", {"reason": "Désaccord"}, follow=True
    )
    assert group_loan.number in r.content.decode()
    group.refresh_from_db()
    assert group.status == GroupStatus.ACTIVE


def test_group_whose_loan_was_rejected_is_dissolved(staff, approved_group_loan):
    from mupaka.loans.services import group_loan_reject

    group_loan, group, _members = approved_group_loan(approve=False)
    group_loan_reject(actor=staff["committee"], group_loan=group_loan, reason="Capacité faible")
    services.solidarity_group_dissolve(actor=staff["officer"], group=group, reason="Désaccord")
    group.refresh_from_db()
    assert group.status == GroupStatus.DISSOLVED
