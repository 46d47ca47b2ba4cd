"""The movement API other services use (loans, shares), guarantees and reversals."""

from __future__ import annotations

from dataclasses import asdict

import pytest
from django.db import transaction

from mupaka.core.exceptions import Conflict, NotFound, ValidationFailed
from mupaka.ledger.models import JournalEntry
from mupaka.ledger.selectors import account_for
from mupaka.ledger.services import LineSpec, journal_post
from mupaka.savings.models import SavingsAccount, SavingsHold, SavingsTransaction
from mupaka.savings.services import (
    ProductData,
    SavingsLineSpec,
    guarantee_account_for,
    guarantee_apply_line,
    guarantee_block,
    guarantee_release,
    product_data,
    savings_entry_link,
    savings_movement_line,
    savings_transaction_reverse,
    savings_withdraw,
)
from mupaka.savings.tests.conftest import key, m, verify_green

pytestmark = pytest.mark.django_db


def test_a_loan_repayment_from_savings(member, usd_product, open_account, deposit, staff, bdate):
    """What the loans service does: one entry, the savings side from savings_movement_line
    (the loan side is played here by the suspense account, to keep the loans checks out)."""
    acct = open_account(member, usd_product)
    deposit(acct, m("100"))
    with transaction.atomic():
        line = savings_movement_line(
            actor=staff["teller"],
            account=acct,
            amount=m("45.50"),
            direction="out",
            kind="loan_repayment",
            business_date=bdate,
            reference="loans.loan:17",
            memo="Remboursement crédit 17",
        )
        assert isinstance(line, SavingsLineSpec) and isinstance(line, LineSpec)
        assert line.debit == m("45.50") and line.account == "3300-USD"
        entry = journal_post(
            actor=staff["teller"],
            business_date=bdate,
            narrative="Remboursement crédit 17",
            lines=[line, LineSpec.cr(account_for("suspense", "USD"), m("45.50"))],
            source_type="loans.repayment",
            source_id=17,
            idempotency_key=key(),
        )
        savings_entry_link(entry=entry, lines=[line])
    txn = SavingsTransaction.objects.get(pk=line.savings_transaction_id)
    assert (txn.kind, txn.entry_id, txn.reference, txn.balance_after_minor) == (
        "loan_repayment",
        entry.number,
        "loans.loan:17",
        5450,
    )
    verify_green()


def test_a_movement_rolled_back_with_its_caller_leaves_nothing(
    member, usd_product, open_account, deposit, staff, bdate
):
    acct = open_account(member, usd_product)
    deposit(acct, m("100"))
    with pytest.raises(ValidationFailed):
        with transaction.atomic():
            savings_movement_line(
                actor=staff["teller"],
                account=acct,
                amount=m("10"),
                direction="out",
                kind="loan_repayment",
                business_date=bdate,
            )
            raise ValidationFailed("the caller refuses afterwards")
    acct.refresh_from_db()
    assert acct.balance_minor == 10000 and SavingsTransaction.objects.count() == 1
    verify_green()


def test_movement_line_refuses_an_unknown_account(staff, bdate, chart):
    with pytest.raises(NotFound), transaction.atomic():
        savings_movement_line(
            actor=staff["teller"],
            account=999,
            amount=m("1"),
            direction="in",
            kind="deposit",
            business_date=bdate,
        )


def test_an_unlinked_movement_fails_verify(member, usd_product, open_account, staff, bdate):
    acct = open_account(member, usd_product)
    with transaction.atomic():
        line = savings_movement_line(
            actor=staff["teller"],
            account=acct,
            amount=m("5"),
            direction="in",
            kind="loan_disbursement",
            business_date=bdate,
        )
        journal_post(
            actor=staff["teller"],
            business_date=bdate,
            narrative="Décaissement",
            lines=[LineSpec.dr(account_for("suspense", "USD"), m("5")), line],
            source_type="loans.disbursement",
            idempotency_key=key(),
        )
        # the caller forgets savings_entry_link
    from mupaka.ledger.verify import run_checks

    failed = {r.name for r in run_checks() if not r.ok}
    assert failed == {"savings.transactions_vs_journal"}


def test_a_replayed_entry_is_not_linked_twice(member, usd_product, open_account, staff, bdate):
    acct = open_account(member, usd_product)
    k = key()
    for attempt in range(2):
        with pytest.raises(Conflict) if attempt else _nullcontext(), transaction.atomic():
            line = savings_movement_line(
                actor=staff["teller"],
                account=acct,
                amount=m("5"),
                direction="in",
                kind="loan_disbursement",
                business_date=bdate,
            )
            entry = journal_post(
                actor=staff["teller"],
                business_date=bdate,
                narrative="Décaissement",
                lines=[LineSpec.dr(account_for("suspense", "USD"), m("5")), line],
                source_type="loans.disbursement",
                idempotency_key=k,
            )
            savings_entry_link(entry=entry, lines=[line])
    acct.refresh_from_db()
    assert acct.balance_minor == 500
    verify_green()


class _nullcontext:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


# --- guarantees ------------------------------------------------------------------------------------
def _disburse_with_guarantee(member, staff, bdate, loan_ref="loans.loan:42"):
    """Scenario 2 at disbursement: USD 200 loan, the loan product's 10 % guarantee (USD 20)
    taken from it."""
    acct = guarantee_account_for(actor=staff["teller"], member=member, currency="USD")
    g = m("20")
    with transaction.atomic():
        line = savings_movement_line(
            actor=staff["teller"],
            account=acct,
            amount=g,
            direction="in",
            kind="deposit",
            business_date=bdate,
            customer=False,
            reference=loan_ref,
        )
        entry = journal_post(
            actor=staff["teller"],
            business_date=bdate,
            narrative="Décaissement avec garantie",
            lines=[
                LineSpec.dr(account_for("suspense", "USD"), m("200")),
                LineSpec.cr(account_for("suspense", "USD"), m("180")),
                line,
            ],
            source_type="loans.disbursement",
            idempotency_key=key(),
        )
        savings_entry_link(entry=entry, lines=[line])
        guarantee_block(
            actor=staff["teller"], account=acct, amount=g, reference=loan_ref, business_date=bdate
        )
    acct.refresh_from_db()
    return acct


def test_guarantee_is_blocked_until_the_loan_closes(member, guarantee_product, staff, bdate, till):
    acct = _disburse_with_guarantee(member, staff, bdate)
    assert acct.gl_account.number == "3320-USD"
    assert (acct.balance_minor, acct.blocked_minor, acct.available_minor) == (2000, 2000, 0)
    with pytest.raises(ValidationFailed) as exc:
        savings_withdraw(actor=staff["teller"], account=acct, amount=m("1"), idempotency_key=key())
    assert exc.value.code == "insufficient_available" and "blocked" in exc.value.message
    assert guarantee_account_for(actor=staff["teller"], member=member, currency="USD") == acct
    with transaction.atomic():
        released = guarantee_release(
            actor=staff["officer"], reference="loans.loan:42", business_date=bdate
        )
    assert [h.status for h in released] == ["released"]
    acct.refresh_from_db()
    assert acct.available_minor == 2000
    kinds = list(acct.transactions.values_list("kind", flat=True))
    assert kinds == ["deposit", "block", "unblock"]
    savings_withdraw(actor=staff["teller"], account=acct, amount=m("20"), idempotency_key=key())
    verify_green()


def test_guarantee_used_for_arrears_needs_a_second_person(member, guarantee_product, staff, bdate):
    acct = _disburse_with_guarantee(member, staff, bdate)
    for approver, code in (
        (None, "second_person_required"),
        (staff["officer"], "second_person_required"),
        (staff["teller"], "approver_not_allowed"),
    ):
        with pytest.raises(ValidationFailed) as exc, transaction.atomic():
            guarantee_apply_line(
                actor=staff["officer"],
                reference="loans.loan:42",
                amount=m("15"),
                approved_by=approver,
                business_date=bdate,
            )
        assert exc.value.code == code
    with transaction.atomic():
        line = guarantee_apply_line(
            actor=staff["officer"],
            reference="loans.loan:42",
            amount=m("15"),
            approved_by=staff["committee"],
            business_date=bdate,
        )
        entry = journal_post(
            actor=staff["officer"],
            business_date=bdate,
            narrative="Arriérés réglés par la garantie",
            lines=[line, LineSpec.cr(account_for("suspense", "USD"), m("15"))],
            source_type="loans.repayment",
            idempotency_key=key(),
            approved_by=staff["committee"],
        )
        savings_entry_link(entry=entry, lines=[line])
    acct.refresh_from_db()
    assert (acct.balance_minor, acct.blocked_minor, acct.available_minor) == (500, 0, 500)
    hold = SavingsHold.objects.get(reference="loans.loan:42")
    assert (hold.status, hold.applied_minor) == ("applied", 1500)
    verify_green()


def test_guarantee_needs_the_money_first(member, guarantee_product, staff, bdate):
    acct = guarantee_account_for(actor=staff["teller"], member=member, currency="USD")
    with pytest.raises(ValidationFailed) as exc, transaction.atomic():
        guarantee_block(
            actor=staff["teller"],
            account=acct,
            amount=m("20"),
            reference="loans.loan:1",
            business_date=bdate,
        )
    assert exc.value.code == "insufficient_available"


def test_the_savings_product_sets_no_guarantee_percentage(make_product):
    """The loan product sets the guarantee (scenario 2's 10 %); a savings product has no
    percentage of its own."""
    product = make_product(code="EG-OLD", kind="guarantee")
    assert not hasattr(product, "guarantee_ppm")
    assert "guarantee_percent" not in asdict(product_data(product))
    with pytest.raises(TypeError):
        ProductData(code="EG-X", name="x", kind="guarantee", currency="USD", guarantee_percent="10")


def test_no_guarantee_product(member, staff, chart):
    with pytest.raises(ValidationFailed) as exc:
        guarantee_account_for(actor=staff["teller"], member=member, currency="USD")
    assert exc.value.code == "no_guarantee_product"


# --- reversals -------------------------------------------------------------------------------------
def test_reversal_of_a_deposit_by_two_people(member, usd_product, open_account, deposit, staff):
    acct = open_account(member, usd_product)
    result = deposit(acct, m("20"))
    with pytest.raises(ValidationFailed) as exc:
        savings_transaction_reverse(
            actor=staff["teller"],
            transaction_id=result.transaction_id,
            reason="Erreur",
            approved_by=staff["teller"],
            idempotency_key=key(),
        )
    assert exc.value.code == "second_person_required"
    k = key()
    ids = savings_transaction_reverse(
        actor=staff["teller"],
        transaction_id=result.transaction_id,
        reason="Mauvais compte",
        approved_by=staff["manager"],
        idempotency_key=k,
    )
    again = savings_transaction_reverse(
        actor=staff["teller"],
        transaction_id=result.transaction_id,
        reason="Mauvais compte",
        approved_by=staff["manager"],
        idempotency_key=k,
    )
    assert again == ids
    acct.refresh_from_db()
    assert acct.balance_minor == 0
    reversal = SavingsTransaction.objects.get(pk=ids[0])
    assert (reversal.kind, reversal.direction, reversal.reversal_of_id) == (
        "reversal",
        "out",
        result.transaction_id,
    )
    original = JournalEntry.objects.get(number=result.entry_number)
    assert JournalEntry.objects.get(number=reversal.entry_id).reversal_of_id == original.number
    with pytest.raises(Conflict):
        savings_transaction_reverse(
            actor=staff["teller"],
            transaction_id=result.transaction_id,
            reason="Encore",
            approved_by=staff["manager"],
            idempotency_key=key(),
        )
    verify_green()


def test_a_deposit_already_withdrawn_cannot_be_reversed(
    member, usd_product, open_account, deposit, staff
):
    acct = open_account(member, usd_product)
    result = deposit(acct, m("20"))
    savings_withdraw(actor=staff["teller"], account=acct, amount=m("14"), idempotency_key=key())
    with pytest.raises(ValidationFailed) as exc:
        savings_transaction_reverse(
            actor=staff["teller"],
            transaction_id=result.transaction_id,
            reason="Erreur",
            approved_by=staff["manager"],
            idempotency_key=key(),
        )
    assert exc.value.code == "insufficient_available"
    assert SavingsAccount.objects.get(pk=acct.pk).balance_minor == 550
    verify_green()
