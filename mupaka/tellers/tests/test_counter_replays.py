"""Every money-moving form of the counter, submitted twice with the same key (a double
press, a retried request on a flaky connection): the money moves once, and the second
answer shows the FIRST receipt; no second receipt is ever issued. Also: disbursement of
approved loans and group loans in cash, and how many queries an operation costs."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from mupaka.core.money import Money
from mupaka.ledger.models import JournalEntry
from mupaka.tellers.models import Receipt

from .conftest import key


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    c.cookies["mupaka_language"] = "en"
    return c


def operate(c, member, op, target, amount, currency, k):
    return c.post(
        f"/tellers/counter/members/{member.pk}/operate/",
        {"idempotency_key": k, "op": op, "target": target, "amount": amount, "currency": currency},
        HTTP_HX_REQUEST="true",
    )


def receipt_shown(response) -> Receipt:
    """The receipt whose print link the panel shows."""
    body = response.content.decode()
    link = re.search(r'id="print-receipt-(\d+)"', body)
    assert response.status_code == 200 and link, body[-1500:]
    number = body.split("Receipt ", 1)[1].split(".", 1)[0]
    return Receipt.objects.get(number=number, pk=int(link.group(1)))


def twice(c, member, op, target, amount, currency):
    """The same form posted twice; returns both receipts and the entries/receipts added."""
    k = key()
    entries, receipts = JournalEntry.objects.count(), Receipt.objects.count()
    first = receipt_shown(operate(c, member, op, target, amount, currency, k))
    second = receipt_shown(operate(c, member, op, target, amount, currency, k))
    return (
        first,
        second,
        JournalEntry.objects.count() - entries,
        Receipt.objects.count() - receipts,
    )


@pytest.fixture
def her(staff, open_till, active_member, usd_savings):
    """An active member with a USD account holding USD 100."""
    from mupaka.savings.services import savings_account_open, savings_deposit

    member = active_member("Furaha")
    account = savings_account_open(
        actor=staff["officer"], member=member, product=usd_savings["voluntary"]
    )
    savings_deposit(
        actor=staff["teller"], account=account, amount=Money.of("100", "USD"), idempotency_key=key()
    )
    return member, account


def test_deposit_twice_is_one_deposit_and_one_receipt(staff, her):
    member, account = her
    first, second, entries, receipts = twice(
        client_for(staff["teller"]), member, "deposit", account.pk, "20", "USD"
    )
    assert first == second and (entries, receipts) == (1, 1)
    account.refresh_from_db()
    assert account.balance_minor == 12_000


def test_withdrawal_twice_is_one_withdrawal_and_one_receipt(staff, her):
    member, account = her
    first, second, entries, receipts = twice(
        client_for(staff["teller"]), member, "withdraw", account.pk, "30", "USD"
    )
    assert first == second and (entries, receipts) == (1, 1)
    account.refresh_from_db()
    assert account.balance_minor == 7_000


def test_entry_fee_and_shares_twice_is_paid_once(staff, open_till, share_product, furaha):
    first, second, entries, receipts = twice(
        client_for(staff["teller"]), furaha, "shares", furaha.pk, "2", "USD"
    )
    assert first == second and (entries, receipts) == (1, 1)
    assert [ln["amount_minor"] for ln in first.lines] == [500, 2_000]
    furaha.refresh_from_db()
    assert furaha.status == "active"


def test_repayment_twice_is_one_repayment_and_one_receipt(staff, open_till, her, approved_loan):
    from mupaka.loans.models import LoanTransaction
    from mupaka.loans.services import loan_disburse

    member, _account = her
    loan = approved_loan(member, principal="300")
    loan_disburse(actor=staff["teller"], loan=loan, idempotency_key=key())
    first, second, entries, receipts = twice(
        client_for(staff["teller"]), member, "repay", loan.pk, "45.50", "USD"
    )
    assert first == second and (entries, receipts) == (1, 1)
    assert LoanTransaction.objects.filter(loan=loan, kind="repayment").count() == 1
    loan.refresh_from_db()
    left = (
        loan.principal_outstanding_minor
        + loan.interest_outstanding_minor
        + loan.fees_outstanding_minor
        + loan.penalties_outstanding_minor
    )
    assert first.balances[0]["amount_minor"] == left


def test_disbursement_at_the_counter(staff, open_till, her, approved_loan):
    """The panel lists her approved loan with the net paid and the disclosure sheet; the
    teller pays it in cash, twice pressed: once paid, one receipt."""
    from mupaka.ledger.verify import run_checks
    from mupaka.tellers.selectors import till_balance_minor

    member, _account = her
    loan = approved_loan(member, principal="500")
    c = client_for(staff["teller"])
    panel = c.get(f"/tellers/counter/members/{member.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert f'id="disburse-{loan.pk}"' in panel
    assert f"/loans/{loan.pk}/disclosure/" in panel
    assert "490.00 USD" in panel  # USD 500 less the 2 % fee
    cash_before = till_balance_minor(open_till, "USD")
    first, second, entries, receipts = twice(c, member, "disburse", loan.pk, "490.00", "USD")
    assert first == second and (entries, receipts) == (1, 1)
    assert [ln["amount_minor"] for ln in first.lines] == [50_000, 1_000, 49_000]
    assert first.kind == "loans.disbursement" and first.member_id == member.pk
    assert till_balance_minor(open_till, "USD") == cash_before - 49_000
    loan.refresh_from_db()
    assert loan.status == "active"
    panel = c.get(f"/tellers/counter/members/{member.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert f'id="disburse-{loan.pk}"' not in panel and f'id="loan-{loan.pk}"' in panel
    assert [r.name for r in run_checks() if not r.ok] == []


def test_group_loan_disbursed_to_the_leader(staff, open_till, approved_group_loan):
    """Scenario 2 at the counter: the leader receives the group's cash (each share less
    the 2 % fee and the 10 % guarantee, blocked in each member's guarantee account)."""
    from mupaka.savings.models import SavingsAccount

    group_loan, _group, members = approved_group_loan()
    leader = members[0]
    c = client_for(staff["teller"])
    other = c.get(f"/tellers/counter/members/{members[1].pk}/", HTTP_HX_REQUEST="true")
    assert f'id="group_disburse-{group_loan.pk}"' not in other.content.decode()
    panel = c.get(f"/tellers/counter/members/{leader.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert f'id="group_disburse-{group_loan.pk}"' in panel
    assert f"/loans/groups/{group_loan.pk}/disclosure/" in panel
    first, second, entries, receipts = twice(
        c, leader, "group_disburse", group_loan.pk, "528.00", "USD"
    )
    assert first == second and (entries, receipts) == (1, 1)
    # 3 × 200 = 600; fee 3 × 4 = 12; guarantee 3 × 20 = 60; cash 528
    assert [ln["amount_minor"] for ln in first.lines] == [60_000, 1_200, 6_000, 52_800]
    assert first.member_id == leader.pk
    group_loan.refresh_from_db()
    assert group_loan.status == "active"
    blocked = SavingsAccount.objects.filter(member__in=members, product__kind="guarantee")
    assert sorted(a.blocked_minor for a in blocked) == [2_000, 2_000, 2_000]


def test_disbursement_refused_without_cash_shows_the_reason(staff, open_till, her, approved_loan):
    member, _account = her
    loan = approved_loan(member, principal="1000", installments=12)
    c = client_for(staff["teller"])
    # the till holds USD 2,100: pay out enough first that 980 cannot be paid
    from mupaka.tellers.services import cash_transfer_create

    cash_transfer_create(
        actor=staff["teller"],
        till=open_till,
        direction="to_vault",
        amounts=[Money.of("1500", "USD")],
    )
    entries = JournalEntry.objects.count()
    r = operate(c, member, "disburse", loan.pk, "980.00", "USD", key())
    body = r.content.decode()
    assert 'id="operation-error"' in body and "Not enough cash in your till" in body
    assert JournalEntry.objects.count() == entries and Receipt.objects.count() == 0


def test_a_replayed_service_key_gets_the_first_receipt(staff, her):
    """Even when the counter's own record is bypassed (the same operation replayed under
    its service key, e.g. first sent through the API), no second receipt is issued."""
    from django.db import transaction

    from mupaka.tellers.counter import counter_deposit

    member, account = her
    k = key()
    with transaction.atomic():
        first = counter_deposit(
            actor=staff["teller"], account_id=account.pk, amount=Money.of("5", "USD"), key=k
        )
    with transaction.atomic():
        again = counter_deposit(
            actor=staff["teller"], account_id=account.pk, amount=Money.of("5", "USD"), key=k
        )
    assert first == again and Receipt.objects.count() == 1


def test_a_replay_with_other_content_is_refused(staff, her):
    member, account = her
    c = client_for(staff["teller"])
    k = key()
    receipt_shown(operate(c, member, "deposit", account.pk, "20", "USD", k))
    r = operate(c, member, "deposit", account.pk, "25", "USD", k)
    assert 'id="operation-error"' in r.content.decode()
    account.refresh_from_db()
    assert account.balance_minor == 12_000 and Receipt.objects.count() == 1


@pytest.mark.parametrize("op", ["deposit", "repay", "disburse"])
def test_queries_of_a_counter_operation(
    staff, her, approved_loan, op, django_assert_max_num_queries
):
    """The ORM queries of one operation and the panel that comes back (the savings and
    ledger posting statements run on plain cursors and are not counted here), with the
    till's balances and last receipts swapped out of band and the savings products
    offered (the link to open an account in a currency she has none in). Guards the
    panel against waste: loans replayed twice, a member read per row..."""
    from mupaka.loans.services import loan_disburse

    member, account = her
    loan = approved_loan(member, principal="300")
    if op != "disburse":
        loan_disburse(actor=staff["teller"], loan=loan, idempotency_key=key())
    c = client_for(staff["teller"])
    target, amount = {"deposit": (account.pk, "20"), "repay": (loan.pk, "40")}.get(
        op, (loan.pk, "294.00")
    )
    c.get(f"/tellers/counter/members/{member.pk}/", HTTP_HX_REQUEST="true")
    limit = {"deposit": 38, "repay": 56, "disburse": 56}[op]
    with django_assert_max_num_queries(limit):
        receipt_shown(operate(c, member, op, target, amount, "USD", key()))


def test_disbursement_form_as_rendered_in_french(staff, open_till, her, approved_loan):
    """The panel in French sends the net amount unlocalized ("490.00"), so the form
    validates whatever the language; the loan is paid once."""
    member, _account = her
    loan = approved_loan(member, principal="500")
    c = client_for(staff["teller"])
    c.cookies["mupaka_language"] = "fr"
    panel = c.get(f"/tellers/counter/members/{member.pk}/", HTTP_HX_REQUEST="true").content.decode()
    row = panel.split(f'id="disburse-{loan.pk}"', 1)[1].split("</tr>", 1)[0]
    fields = dict(
        re.findall(r'name="(idempotency_key|target|currency|amount)" value="([^"]*)"', row)
    )
    assert fields["amount"] == "490.00"
    r = c.post(
        f"/tellers/counter/members/{member.pk}/operate/",
        {**fields, "op": "disburse"},
        HTTP_HX_REQUEST="true",
    )
    receipt = Receipt.objects.get(kind="loans.disbursement")
    assert f'id="print-receipt-{receipt.pk}"' in r.content.decode()
    loan.refresh_from_db()
    assert loan.status == "active"
