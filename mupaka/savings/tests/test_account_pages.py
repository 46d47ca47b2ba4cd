"""The savings pages behind services that had only an API: term deposits (open with
the product's term and rate, maturity shown, early break with its penalty), holds and
blocking an account, transfers between accounts, reversals asked by one person and
approved by another; each for a role that may and one that may not."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from mupaka.core.models import AuditLog
from mupaka.ledger.models import JournalEntry
from mupaka.savings.models import (
    ReversalStatus,
    SavingsAccount,
    SavingsHold,
    SavingsReversalRequest,
    SavingsTransaction,
)
from mupaka.savings.tests.conftest import key, m, verify_green

pytestmark = pytest.mark.django_db


def client_for(user, language="en"):
    client = Client()
    client.force_login(user)
    client.cookies["mupaka_language"] = language
    return client


@pytest.fixture
def account(member, usd_product, open_account, deposit):
    acct = open_account(member, usd_product)
    deposit(acct, m("100"))
    return acct


@pytest.fixture
def term_deposit(staff, member, term_product, till):
    from mupaka.savings.services import term_deposit_open

    result = term_deposit_open(
        actor=staff["teller"],
        member=member,
        product=term_product,
        amount=m("500"),
        idempotency_key=key(),
    )
    return SavingsAccount.objects.get(pk=result.account_id)


# --- term deposits ----------------------------------------------------------------------------
def six_months_on(bdate) -> str:
    from mupaka.savings.domain.term import maturity_date

    return maturity_date(bdate, 6).strftime("%d/%m/%Y")


def test_term_open_page_allowed_and_refused(staff, term_product, till, bdate):
    page = client_for(staff["teller"]).get(reverse("savings:term_open"))
    text = page.content.decode()
    assert page.status_code == 200 and f'id="term-product-{term_product.pk}"' in text
    assert "6 months" in text and "8 %" in text and six_months_on(bdate) in text
    # the officer opens accounts but moves no money; the auditor reads only
    assert client_for(staff["officer"]).get(reverse("savings:term_open")).status_code == 403
    assert client_for(staff["auditor"]).get(reverse("savings:term_open")).status_code == 403


def test_teller_opens_a_term_deposit_in_cash(staff, member, term_product, till, bdate):
    c = client_for(staff["teller"])
    form_key = key()
    data = {
        "member_number": member.number,
        "product": term_product.pk,
        "amount": "500",
        "channel": "cash",
        "idempotency_key": form_key,
    }
    r = c.post(reverse("savings:term_open"), data)
    assert r.status_code == 302
    deposit = SavingsAccount.objects.get(member=member, product=term_product)
    assert deposit.balance_minor == 50_000 and deposit.interest_rate_ppm == 80_000
    again = c.post(reverse("savings:term_open"), data)  # pressed twice: one deposit
    assert again.status_code == 302
    assert SavingsAccount.objects.filter(member=member, product=term_product).count() == 1
    page = c.get(reverse("savings:account_detail", args=[deposit.pk])).content.decode()
    assert 'id="maturity-date"' in page and six_months_on(bdate) in page
    assert 'id="term-rate"' in page and "8 %" in page
    assert 'id="break-link"' in page and 'id="deposit-link"' not in page
    verify_green()


def test_term_open_from_another_account_and_its_refusals(
    staff, member, make_member, term_product, account
):
    c = client_for(staff["manager"])  # the manager moves money between accounts, no cash
    form = c.get(reverse("savings:term_open")).content.decode()
    assert 'value="cash"' not in form and 'value="transfer"' in form
    stranger = make_member()
    bad = c.post(
        reverse("savings:term_open"),
        {
            "member_number": stranger.number,
            "product": term_product.pk,
            "amount": "50",
            "channel": "transfer",
            "from_account": account.number,
            "idempotency_key": key(),
        },
    )
    assert bad.status_code == 400 and "This account is not hers." in bad.content.decode()
    r = c.post(
        reverse("savings:term_open"),
        {
            "member_number": member.number,
            "product": term_product.pk,
            "amount": "50",
            "channel": "transfer",
            "from_account": account.number,
            "payout_account": account.number,
            "idempotency_key": key(),
        },
    )
    assert r.status_code == 302
    account.refresh_from_db()
    assert account.balance_minor == 5_000
    deposit = SavingsAccount.objects.get(member=member, product=term_product)
    assert deposit.payout_account_id == account.pk and deposit.balance_minor == 5_000
    verify_green()


def test_early_break_shows_the_penalty_then_pays(staff, term_deposit, till):
    url = reverse("savings:term_break", args=[term_deposit.pk])
    c = client_for(staff["teller"])
    page = c.get(url).content.decode()
    assert "10.00 USD" in page and "490.00 USD" in page  # 2 % of USD 500
    assert client_for(staff["auditor"]).get(url).status_code == 403
    no_reason = c.post(url, {"channel": "cash", "idempotency_key": key()})
    assert no_reason.status_code == 400
    r = c.post(url, {"channel": "cash", "reason": "Besoin urgent", "idempotency_key": key()})
    assert r.status_code == 302
    term_deposit.refresh_from_db()
    assert term_deposit.status == "closed" and term_deposit.balance_minor == 0
    assert AuditLog.objects.filter(action="savings.term_break", reason="Besoin urgent").exists()
    verify_green()


def test_break_page_is_for_term_deposits_only(staff, account):
    r = client_for(staff["teller"]).get(reverse("savings:term_break", args=[account.pk]))
    assert r.status_code == 404


# --- holds, block and unblock --------------------------------------------------------------------
def test_manager_blocks_an_amount_then_releases_it(staff, account):
    c = client_for(staff["manager"])
    page = c.get(reverse("savings:account_detail", args=[account.pk])).content.decode()
    assert 'id="hold-form"' in page
    assert (
        'id="hold-form"'
        not in client_for(staff["teller"])
        .get(reverse("savings:account_detail", args=[account.pk]))
        .content.decode()
    )
    r = c.post(
        reverse("savings:hold_place", args=[account.pk]),
        {"amount": "30", "reason": "legal", "reference": "TGI-BKV-2026-114", "note": "Saisie"},
    )
    assert r.status_code == 302
    account.refresh_from_db()
    assert account.blocked_minor == 3_000 and account.available_minor == 10_000 - 3_000 - 500
    hold = SavingsHold.objects.get(account=account)
    # more than what is free: refused, nothing written
    c.post(
        reverse("savings:hold_place", args=[account.pk]),
        {"amount": "80", "reason": "other", "reference": "X-2"},
    )
    assert SavingsHold.objects.filter(account=account).count() == 1
    r = c.post(reverse("savings:hold_release", args=[hold.pk]), {"note": "Mainlevée reçue"})
    assert r.status_code == 302
    account.refresh_from_db()
    assert account.blocked_minor == 0
    # a teller may not place or release holds
    assert (
        client_for(staff["teller"])
        .post(
            reverse("savings:hold_place", args=[account.pk]),
            {"amount": "1", "reason": "legal", "reference": "X"},
        )
        .status_code
        == 403
    )
    assert (
        client_for(staff["teller"])
        .post(reverse("savings:hold_release", args=[hold.pk]), {"note": "x"})
        .status_code
        == 403
    )


def test_block_and_unblock_the_account(staff, account):
    c = client_for(staff["manager"])
    assert (
        client_for(staff["teller"])
        .post(reverse("savings:block", args=[account.pk]), {"reason": "Fraude"})
        .status_code
        == 403
    )
    c.post(reverse("savings:block", args=[account.pk]), {"reason": "Soupçon de fraude"})
    account.refresh_from_db()
    assert account.status == "blocked"
    page = c.get(reverse("savings:account_detail", args=[account.pk])).content.decode()
    assert 'id="blocked-note"' in page and 'id="unblock-account"' in page
    # a deposit on a blocked account is refused at the counter
    r = client_for(staff["teller"]).post(
        reverse("savings:deposit", args=[account.pk]), {"amount": "5", "idempotency_key": key()}
    )
    assert r.status_code == 200 and b"errorlist" in r.content
    c.post(reverse("savings:unblock", args=[account.pk]), {"reason": "Vérification faite"})
    account.refresh_from_db()
    assert account.status == "active"
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {"savings.account_block", "savings.account_unblock"} <= actions


# --- transfers ------------------------------------------------------------------------------------
def test_transfer_between_accounts(staff, member, account, usd_product, open_account, cdf_product):
    second = open_account(member, usd_product)
    url = reverse("savings:transfer", args=[account.pk])
    assert client_for(staff["auditor"]).get(url).status_code == 403
    c = client_for(staff["teller"])
    assert c.get(url).status_code == 200
    form_key = key()
    for _ in range(2):  # a double submit moves the money once
        r = c.post(url, {"to_account": second.number, "amount": "25", "idempotency_key": form_key})
        assert r.status_code == 302
    account.refresh_from_db()
    second.refresh_from_db()
    assert (account.balance_minor, second.balance_minor) == (7_500, 2_500)
    francs = open_account(member, cdf_product)
    bad = c.post(url, {"to_account": francs.number, "amount": "5", "idempotency_key": key()})
    assert bad.status_code == 400 and "exchange desk" in bad.content.decode()
    unknown = c.post(url, {"to_account": "BKV-999999-09", "amount": "5", "idempotency_key": key()})
    assert (
        unknown.status_code == 400
        and "No savings account with the number" in unknown.content.decode()
    )
    verify_green()


# --- reversals: maker and checker ----------------------------------------------------------------
def test_reversal_asked_by_the_teller_approved_by_the_manager(staff, account, deposit):
    wrong = deposit(account, m("40"))
    txn = SavingsTransaction.objects.get(pk=wrong.transaction_id)
    teller, manager = staff["teller"], staff["manager"]
    page = client_for(teller).get(reverse("savings:account_detail", args=[account.pk]))
    assert f'id="reverse-{txn.pk}"' in page.content.decode()
    assert (
        client_for(staff["officer"])
        .get(reverse("savings:reversal_request", args=[txn.pk]))
        .status_code
        == 403
    )
    r = client_for(teller).post(
        reverse("savings:reversal_request", args=[txn.pk]), {"reason": "Mauvais compte"}
    )
    assert r.status_code == 302
    request = SavingsReversalRequest.objects.get()
    assert request.status == ReversalStatus.PENDING
    account.refresh_from_db()
    assert account.balance_minor == 14_000  # nothing moved yet
    # asked twice: refused
    again = client_for(teller).post(
        reverse("savings:reversal_request", args=[txn.pk]), {"reason": "Encore"}
    )
    assert again.status_code == 400 and "already waiting" in again.content.decode()
    # the teller cannot approve; the manager's list shows the buttons
    assert (
        client_for(teller)
        .post(reverse("savings:reversal_approve", args=[request.pk]), {"idempotency_key": key()})
        .status_code
        == 403
    )
    listing = client_for(manager).get(reverse("savings:reversal_list")).content.decode()
    assert f'id="approve-{request.pk}"' in listing
    entries = JournalEntry.objects.count()
    approve_key = key()
    for _ in range(2):  # pressed twice: reversed once
        r = client_for(manager).post(
            reverse("savings:reversal_approve", args=[request.pk]),
            {"idempotency_key": approve_key, "note": "Vérifié"},
        )
        assert r.status_code == 302
    assert JournalEntry.objects.count() == entries + 1
    request.refresh_from_db()
    account.refresh_from_db()
    assert request.status == ReversalStatus.APPROVED and request.decided_by == manager
    assert account.balance_minor == 10_000
    reversal = JournalEntry.objects.get(number=request.reversal_entry)
    assert reversal.reversal_of_id == txn.entry_id and reversal.approved_by_id == manager.pk
    page = client_for(teller).get(reverse("savings:account_detail", args=[account.pk]))
    assert f'id="reverse-{txn.pk}"' not in page.content.decode()
    verify_green()


def test_the_asker_does_not_approve_her_own_reversal(staff, account, deposit):
    from mupaka.core.exceptions import ValidationFailed
    from mupaka.savings.services import savings_reversal_approve, savings_reversal_request

    wrong = deposit(account, m("40"))
    manager = staff["manager"]
    request = savings_reversal_request(
        actor=manager, transaction_id=wrong.transaction_id, reason="Erreur de saisie"
    )
    listing = client_for(manager).get(reverse("savings:reversal_list")).content.decode()
    assert f'id="approve-{request.pk}"' not in listing and "another person approves" in listing
    with pytest.raises(ValidationFailed) as exc:
        savings_reversal_approve(actor=manager, request=request, idempotency_key=key())
    assert exc.value.code == "second_person_required"


def test_a_rejected_reversal_moves_nothing(staff, account, deposit):
    from mupaka.savings.services import savings_reversal_request

    wrong = deposit(account, m("40"))
    request = savings_reversal_request(
        actor=staff["teller"], transaction_id=wrong.transaction_id, reason="Doute"
    )
    c = client_for(staff["accountant"])
    c.post(reverse("savings:reversal_reject", args=[request.pk]), {"note": "Dépôt correct"})
    request.refresh_from_db()
    account.refresh_from_db()
    assert request.status == ReversalStatus.REJECTED and account.balance_minor == 14_000
    assert client_for(staff["coordinator"]).get(reverse("savings:reversal_list")).status_code == 403


def test_only_counter_operations_are_reversed_here(staff, term_deposit):
    from mupaka.core.exceptions import ValidationFailed
    from mupaka.savings.services import savings_reversal_request

    txn = SavingsTransaction.objects.filter(account=term_deposit).first()
    with pytest.raises(ValidationFailed) as exc:
        savings_reversal_request(actor=staff["teller"], transaction_id=txn.pk, reason="Erreur")
    assert exc.value.code == "not_reversible"


# --- products ---------------------------------------------------------------------------------------
def test_manager_edits_a_term_product(staff, term_product):
    url = reverse("savings:product_edit", args=[term_product.pk])
    assert client_for(staff["teller"]).get(url).status_code == 403
    c = client_for(staff["manager"])
    form = c.get(url)
    assert form.status_code == 200
    from mupaka.savings.services import product_data

    data = {k: ("" if v is None else v) for k, v in product_data(term_product).__dict__.items()}
    data.update({"interest_rate": "9", "early_break_penalty": "3", "is_active": "on"})
    r = c.post(url, data)
    assert r.status_code == 302, r.content.decode()[-2000:]
    term_product.refresh_from_db()
    assert (term_product.interest_rate_ppm, term_product.early_break_penalty_ppm) == (
        90_000,
        30_000,
    )
