"""Tills: opening with a float, two-person transfers, closing with a count, differences."""

from __future__ import annotations

import pytest
from django.db import transaction

from mupaka.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from mupaka.core.models import AuditLog
from mupaka.ledger.models import JournalEntry
from mupaka.ledger.selectors import role_balance
from mupaka.ledger.services import LineSpec, journal_post
from mupaka.ledger.verify import run_checks
from mupaka.tellers.cash import till_cash_line
from mupaka.tellers.models import CashTransfer, Till, TillStatus, TransferStatus
from mupaka.tellers.selectors import till_available_minor, till_balances, vault_balances
from mupaka.tellers.services import (
    cash_transfer_cancel,
    cash_transfer_confirm,
    cash_transfer_create,
    till_close,
    till_close_confirm,
    till_open,
    till_recount,
)

from .conftest import key, m

EXACT = {  # USD 2,000, CDF 3,000,000 and RWF 200,000 by denomination (minor units)
    "USD": {"10000": 20},
    "CDF": {"2000000": 150},
    "RWF": {"5000": 40},
}


def verify_ok():
    failures = {r.name: r.problems for r in run_checks() if r.problems}
    assert failures == {}


def test_open_float_pending_until_the_teller_confirms(funded_vault, teller, manager):
    till = till_open(
        actor=manager, teller=teller, floats=[m("2000"), m("3000000", "CDF"), m("200000", "RWF")]
    )
    assert till.status == TillStatus.OPEN
    assert till.currencies == ["CDF", "RWF", "USD"]
    transfer = till.transfers.get()
    assert transfer.status == TransferStatus.PENDING
    assert till_balances(till) == {"CDF": 0, "RWF": 0, "USD": 0}  # nothing moved yet
    entries = JournalEntry.objects.count()
    with pytest.raises(PermissionDenied):  # the sender does not confirm her own transfer
        cash_transfer_confirm(actor=manager, transfer=transfer, journal_key=key())
    cash_transfer_confirm(actor=teller, transfer=transfer, journal_key=key())
    assert JournalEntry.objects.count() == entries + 1
    assert till_balances(till) == {"CDF": 300_000_000, "RWF": 200_000, "USD": 200_000}
    assert vault_balances(funded_vault) == {"CDF": 1_700_000_000, "RWF": 800_000, "USD": 800_000}
    with pytest.raises(Conflict):
        cash_transfer_confirm(actor=teller, transfer=transfer, journal_key=key())
    verify_ok()


def test_one_till_per_teller_per_day(open_till, teller, manager):
    with pytest.raises(Conflict) as exc:
        till_open(actor=manager, teller=teller, floats=[m("10")])
    assert exc.value.code == "till_exists"


@pytest.mark.parametrize(
    "floats, field",
    [
        ([m("20000")], "floats"),  # more than the vault holds
        ([m("10.50")], "floats"),  # not a multiple of the dollar note
        ([m("10", "EUR")], "floats"),  # not accepted
    ],
)
def test_open_refusals_write_nothing(funded_vault, teller, manager, floats, field):
    with pytest.raises(ValidationFailed) as exc:
        till_open(actor=manager, teller=teller, floats=floats)
    assert field in exc.value.errors
    assert not Till.objects.exists()


def test_only_a_manager_opens_and_only_for_a_teller(funded_vault, staff):
    with pytest.raises(PermissionDenied):
        till_open(actor=staff["teller"], teller=staff["teller"], floats=[m("10")])
    with pytest.raises(ValidationFailed):
        till_open(actor=staff["manager"], teller=staff["officer"], floats=[m("10")])


def test_pending_return_is_not_available_and_cancel_moves_nothing(open_till, teller, manager):
    t = cash_transfer_create(actor=teller, till=open_till, direction="to_vault", amounts=[m("500")])
    assert till_available_minor(open_till, "USD") == 150_000
    with pytest.raises(ValidationFailed) as exc, transaction.atomic():
        till_cash_line(actor=teller, amount=m("1600"), side="cr")
    assert exc.value.code == "insufficient_cash"
    cash_transfer_cancel(actor=manager, transfer=t, reason="Pas reçu")
    assert till_available_minor(open_till, "USD") == 200_000
    t2 = cash_transfer_create(
        actor=teller, till=open_till, direction="to_vault", amounts=[m("500")]
    )
    cash_transfer_confirm(actor=manager, transfer=t2, journal_key=key())
    assert till_balances(open_till)["USD"] == 150_000
    verify_ok()


def _pay_out(actor, amount):
    with transaction.atomic():
        from mupaka.ledger.selectors import account_for

        journal_post(
            actor=actor,
            business_date=actor.branch.institution.business_date,
            narrative="Retrait",
            lines=[
                LineSpec.dr(account_for("suspense", amount.currency), amount),
                till_cash_line(actor=actor, amount=amount, side="cr"),
            ],
            source_type="test",
            idempotency_key=key(),
        )


def test_close_with_an_exact_count(open_till, teller, manager, funded_vault):
    count = till_close(actor=teller, till=open_till, counts=EXACT)
    assert count.expected == count.counted and not count.has_difference
    open_till.refresh_from_db()
    assert open_till.status == TillStatus.CLOSING
    with pytest.raises(ValidationFailed) as exc, transaction.atomic():  # no more operations
        till_cash_line(actor=teller, amount=m("5"), side="dr")
    assert exc.value.code == "no_open_till"
    with pytest.raises(PermissionDenied):
        till_close_confirm(actor=teller, till=open_till, journal_key=key())
    till_close_confirm(actor=manager, till=open_till, journal_key=key())
    open_till.refresh_from_db()
    assert open_till.status == TillStatus.CLOSED
    assert till_balances(open_till) == {"CDF": 0, "RWF": 0, "USD": 0}
    assert vault_balances(funded_vault) == {
        "CDF": 2_000_000_000,
        "RWF": 1_000_000,
        "USD": 1_000_000,
    }
    verify_ok()


def test_close_twice_is_refused_and_writes_nothing(open_till, teller, manager):
    till_close(actor=teller, till=open_till, counts=EXACT)
    with pytest.raises(Conflict) as exc:
        till_close(actor=teller, till=open_till, counts=EXACT)
    assert exc.value.code == "till_closing"
    till_close_confirm(actor=manager, till=open_till, journal_key=key())
    entries, audits = JournalEntry.objects.count(), AuditLog.objects.count()
    with pytest.raises(Conflict) as exc:
        till_close(actor=teller, till=open_till, counts=EXACT)
    assert exc.value.code == "till_closed"
    assert "already closed" in exc.value.message
    with pytest.raises(Conflict) as exc:
        till_close_confirm(actor=manager, till=open_till, journal_key=key())
    assert exc.value.code == "till_closed"
    assert (JournalEntry.objects.count(), AuditLog.objects.count()) == (entries, audits)


def test_negative_notes_are_refused_and_nothing_is_written(open_till, teller):
    counts = {"USD": {"10000": 21, "100": -100}, "CDF": {"2000000": 150}, "RWF": {"5000": 40}}
    with pytest.raises(ValidationFailed) as exc:
        till_close(actor=teller, till=open_till, counts=counts)
    assert exc.value.code == "invalid_count"
    assert "cannot be negative" in exc.value.errors["counts"][0]
    open_till.refresh_from_db()
    assert open_till.status == TillStatus.OPEN
    assert not CashTransfer.objects.filter(is_closing=True).exists()


def test_unknown_note_and_fractions_are_refused(open_till, teller):
    with pytest.raises(ValidationFailed) as exc:
        till_close(actor=teller, till=open_till, counts={"USD": {"300": 1, "10000": 1.5}})
    assert len(exc.value.errors["counts"]) == 2


def test_shortfall_needs_the_managers_reason(open_till, teller, manager, funded_vault):
    # scenario 3: short FC 500 at closing
    short = {
        "USD": {"10000": 20},
        "CDF": {"2000000": 149, "500000": 3, "100000": 4, "50000": 1},
        "RWF": {"5000": 40},
    }
    count = till_close(actor=teller, till=open_till, counts=short)
    assert count.differences == {"CDF": -50_000, "RWF": 0, "USD": 0}
    with pytest.raises(ValidationFailed) as exc:
        till_close_confirm(actor=manager, till=open_till, journal_key=key())
    assert exc.value.code == "reason_required" and "reason" in exc.value.errors
    assert "500" in exc.value.message
    till_close_confirm(
        actor=manager, till=open_till, reason="Billet de 500 FC rendu en trop", journal_key=key()
    )
    count.refresh_from_db()
    assert count.approved_by == manager and count.difference_entry_number
    entry = JournalEntry.objects.get(number=count.difference_entry_number)
    assert entry.approved_by == manager
    assert role_balance("teller_difference", "CDF").net_minor == 50_000  # debit: to clear
    assert vault_balances(funded_vault)["CDF"] == 2_000_000_000 - 50_000
    verify_ok()


def test_recount_reopens_the_till(open_till, teller, manager):
    till_close(actor=teller, till=open_till, counts={"USD": {"10000": 19}})
    till_recount(actor=manager, till=open_till, reason="Recompter les dollars")
    open_till.refresh_from_db()
    assert open_till.status == TillStatus.OPEN
    till_close(actor=teller, till=open_till, counts=EXACT)
    till_close_confirm(actor=manager, till=open_till, journal_key=key())
    verify_ok()


def test_close_refused_while_a_transfer_is_pending(open_till, teller):
    cash_transfer_create(actor=teller, till=open_till, direction="to_vault", amounts=[m("100")])
    with pytest.raises(ValidationFailed) as exc:
        till_close(actor=teller, till=open_till, counts=EXACT)
    assert exc.value.code == "transfer_pending"


def test_verify_catches_cash_posted_without_its_till(open_till, teller):
    from mupaka.ledger.selectors import account_for

    journal_post(
        actor=teller,
        business_date=open_till.business_date,
        narrative="Bad",
        lines=[
            LineSpec.dr(account_for("till_cash", "USD"), m("5")),
            LineSpec.cr(account_for("suspense", "USD"), m("5")),
        ],
        source_type="test",
        idempotency_key=key(),
    )
    (result,) = run_checks(["tellers.cash_vs_ledger"])
    problems = result.problems
    assert any("does not name its till" in p for p in problems)
