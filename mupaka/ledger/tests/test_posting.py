"""journal_post and journal_reverse: worked examples as small ledgers, and refusals."""

from __future__ import annotations

import datetime as dt

import pytest

from mupaka.core.exceptions import Conflict, ValidationFailed
from mupaka.core.models import AuditLog
from mupaka.ledger.models import AccountBalance, JournalEntry, JournalLine
from mupaka.ledger.selectors import account_balance, account_for, account_get
from mupaka.ledger.services import LineSpec, journal_post, journal_reverse, period_close
from mupaka.ledger.tests.conftest import m
from mupaka.ledger.verify import LEDGER_CHECKS, run_checks

pytestmark = pytest.mark.django_db


def balance(number: str, as_of=None) -> str:
    return str(account_balance(account_get(number), as_of=as_of).amount.amount)


def assert_verify_green():
    failed = [(r.name, r.problems) for r in run_checks(LEDGER_CHECKS) if not r.ok]
    assert failed == []


# --- worked examples ----------------------------------------------------------------
def test_deposit_then_repayment_then_exchange_with_gain(post, staff, bdate):
    """A small day at the counter:

    1  Dr 5710-USD  20.00      Cr 3300-USD  20.00     deposit into savings
    2  Dr 5710-USD  45.50      Cr 3200-USD  40.00     repayment: principal
                               Cr 7000-USD   5.50                interest
    3  Dr 5710-USD 100.00      Cr 4800-USD 100.00     buy USD 100 from a customer...
       Dr 4800-CDF 275,000.00  Cr 5710-CDF 270,000.00 ...paying FC 270,000 (rate 2,700)
                               Cr 7050-CDF   5,000.00 gain vs. position rate 2,750
    """
    post([("3200-USD", "40", None), ("5710-USD", None, "40")], source="loans.disbursement")
    post([("5710-CDF", "500000", None), ("1000-CDF", None, "500000")], source="shares")
    post([("5710-USD", "20", None), ("3300-USD", None, "20")], source="savings.deposit")
    post(
        [("5710-USD", "45.50", None), ("3200-USD", None, "40"), ("7000-USD", None, "5.50")],
        source="loans.repayment",
    )
    entry = post(
        [
            ("5710-USD", "100", None),
            ("4800-USD", None, "100"),
            ("4800-CDF", "275000", None),
            ("5710-CDF", None, "270000"),
            ("7050-CDF", None, "5000"),
        ],
        source="tellers.exchange",
    )
    assert entry.number == 5
    assert balance("5710-USD") == "125.50"  # -40 + 20 + 45.50 + 100
    assert balance("3200-USD") == "0.00"
    assert balance("3300-USD") == "-20.00"  # a credit balance: owed to the member
    assert balance("7000-USD") == "-5.50"
    assert balance("4800-USD") == "-100.00"
    assert balance("4800-CDF") == "275000.00"
    assert balance("5710-CDF") == "230000.00"
    assert balance("7050-CDF") == "-5000.00"
    assert account_balance(account_get("7050-CDF")).natural == m("5000", "CDF")
    assert_verify_green()


def test_reversal_mirrors_and_links_both(post, staff, bdate):
    original = post(
        [("5710-USD", "45.50", None), ("3200-USD", None, "40"), ("7000-USD", None, "5.50")],
        source="loans.repayment",
        source_id="17",
    )
    reversal = journal_reverse(
        actor=staff["manager"], entry=original, reason="wrong loan", idempotency_key="rev-1"
    )
    assert reversal.reversal_of_id == original.number
    assert original.__class__.objects.get(number=original.number).reversed_by == reversal
    assert reversal.source_type == "loans.repayment" and reversal.source_id == "17"
    lines = list(
        reversal.lines.order_by("line_no").values_list(
            "account__number", "debit_minor", "credit_minor"
        )
    )
    assert lines == [("5710-USD", 0, 4550), ("3200-USD", 4000, 0), ("7000-USD", 550, 0)]
    for number in ("5710-USD", "3200-USD", "7000-USD"):
        assert balance(number) == "0.00"
    # once only
    with pytest.raises(Conflict):
        journal_reverse(
            actor=staff["manager"], entry=original, reason="again", idempotency_key="rev-2"
        )
    # the same request replayed returns the first reversal
    again = journal_reverse(
        actor=staff["manager"], entry=original, reason="wrong loan", idempotency_key="rev-1"
    )
    assert again.number == reversal.number and again.replayed
    with pytest.raises(ValidationFailed):
        journal_reverse(
            actor=staff["manager"], entry=reversal, reason="undo", idempotency_key="rev-3"
        )
    assert_verify_green()


def test_reversal_of_a_manual_entry_needs_a_second_person(post, staff):
    entry = post([("6300-USD", "12", None), ("5200-USD", None, "12")], source="manual")
    with pytest.raises(ValidationFailed) as exc:
        journal_reverse(actor=staff["accountant"], entry=entry, reason="x", idempotency_key="r1")
    assert exc.value.code == "second_person_required"
    with pytest.raises(ValidationFailed):
        journal_reverse(
            actor=staff["accountant"],
            entry=entry,
            reason="x",
            idempotency_key="r1",
            approved_by=staff["accountant"],
        )
    with pytest.raises(ValidationFailed) as exc:
        journal_reverse(
            actor=staff["accountant"],
            entry=entry,
            reason="x",
            idempotency_key="r1",
            approved_by=staff["teller"],
        )
    assert exc.value.code == "approver_not_allowed"
    rev = journal_reverse(
        actor=staff["accountant"],
        entry=entry,
        reason="x",
        idempotency_key="r1",
        approved_by=staff["manager"],
    )
    assert rev.approved_by_id == staff["manager"].pk


def test_reversal_goes_into_the_open_period(post, staff, institution):
    from mupaka.core.services import business_date_set

    old = post(
        [("5710-USD", "10", None), ("3300-USD", None, "10")], business_date=dt.date(2026, 10, 30)
    )
    business_date_set(actor=None, new_date=dt.date(2026, 11, 2))
    period_close(actor=staff["accountant"], year=2026, month=10)
    rev = journal_reverse(actor=staff["manager"], entry=old, reason="late fix", idempotency_key="r")
    assert rev.business_date == dt.date(2026, 11, 2)
    assert balance("5710-USD", as_of=dt.date(2026, 10, 31)) == "10.00"
    assert balance("5710-USD", as_of=dt.date(2026, 11, 2)) == "0.00"


def test_balance_as_of_any_date_uses_day_totals(post):
    for day, amount in [(1, "10"), (2, "5"), (2, "2.25")]:
        post(
            [("5710-USD", amount, None), ("3300-USD", None, amount)],
            business_date=dt.date(2026, 11, day),
        )
    assert balance("5710-USD", as_of=dt.date(2026, 10, 31)) == "0.00"
    assert balance("5710-USD", as_of=dt.date(2026, 11, 1)) == "10.00"
    assert balance("5710-USD", as_of=dt.date(2026, 11, 2)) == "17.25"
    # a header sums its posting accounts, per currency
    header = account_get("57")
    assert account_balance(header, currency="USD").amount == m("17.25")


# --- idempotency ----------------------------------------------------------------------
def test_same_key_same_content_posts_once(post):
    legs = [("5710-USD", "20", None), ("3300-USD", None, "20")]
    first = post(legs, key="dbl-click")
    second = post(legs, key="dbl-click")
    assert second.number == first.number and second.replayed and not first.replayed
    assert JournalEntry.objects.count() == 1
    assert AccountBalance.objects.get(account__number="5710-USD").debit_minor == 2000


def test_same_key_other_content_is_a_conflict_and_writes_nothing(post):
    post([("5710-USD", "20", None), ("3300-USD", None, "20")], key="k")
    audits = AuditLog.objects.count()
    with pytest.raises(Conflict) as exc:
        post([("5710-USD", "21", None), ("3300-USD", None, "21")], key="k")
    assert exc.value.code == "idempotency_conflict"
    assert JournalEntry.objects.count() == 1 and AuditLog.objects.count() == audits


def test_post_inside_an_outer_idempotent_operation(post, staff, chart):
    from mupaka.core.idempotency import idempotent

    def run():
        entry = journal_post(
            actor=staff["teller"],
            business_date=chart.business_date,
            narrative="Deposit",
            lines=[LineSpec.dr("5710-USD", m("5")), LineSpec.cr("3300-USD", m("5"))],
            source_type="savings.deposit",
            source_id="1",
            idempotency_key="op-1:journal",
        )
        return {"entry": entry.number}

    a = idempotent(
        key="op-1", scope="savings.deposit", actor=staff["teller"], payload={"a": 5}, run=run
    )
    b = idempotent(
        key="op-1", scope="savings.deposit", actor=staff["teller"], payload={"a": 5}, run=run
    )
    assert a.response == b.response and b.replayed
    assert JournalEntry.objects.count() == 1


# --- bad input: refused with a clear message, nothing written ---------------------------
BAD = [
    ([("5710-USD", "20", None), ("3300-USD", None, "19")], "unbalanced", "does not balance in USD"),
    ([("5710-USD", "20", None)], "too_few_lines", "at least two lines"),
    ([("9999-USD", "20", None), ("3300-USD", None, "20")], "invalid_lines", "no account 9999-USD"),
    ([("5710-USD", "0", None), ("3300-USD", None, "0")], "invalid_lines", "greater than zero"),
    ([("5710-USD", "-5", None), ("3300-USD", None, "-5")], "invalid_lines", "greater than zero"),
    ([("5710-USD", "1.005", None), ("3300-USD", None, "1.005")], "invalid_lines", "more decimals"),
    ([("5710-RWF", "10.5", None), ("3300-RWF", None, "10.5")], "invalid_lines", "more decimals"),
]


@pytest.mark.parametrize("legs,code,text", BAD)
def test_bad_lines_are_refused(post, legs, code, text):
    audits = AuditLog.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        post(legs)
    assert exc.value.code == code
    assert text in exc.value.message
    assert JournalEntry.objects.count() == 0 and JournalLine.objects.count() == 0
    assert AccountBalance.objects.count() == 0 and AuditLog.objects.count() == audits


def test_header_account_and_wrong_currency_are_refused(chart, staff, bdate):
    def attempt(lines):
        with pytest.raises(ValidationFailed) as exc:
            journal_post(
                actor=staff["teller"],
                business_date=bdate,
                narrative="x",
                lines=lines,
                source_type="test",
                idempotency_key="bad",
            )
        return exc.value

    err = attempt([LineSpec.dr("5710", m("1")), LineSpec.cr("3300-USD", m("1"))])
    assert "header" in err.message
    err = attempt([LineSpec.dr("5710-CDF", m("1")), LineSpec.cr("3300-USD", m("1"))])
    assert "holds CDF, not USD" in err.message
    err = attempt(
        [LineSpec(account="5710-USD", debit=m("1"), credit=m("1")), LineSpec.cr("3300-USD", m("1"))]
    )
    assert "either a debit or a credit" in err.message
    assert JournalEntry.objects.count() == 0


def test_inactive_account_refused(chart, post):
    account = account_get("5200-USD")
    account.is_active = False
    account.save()
    with pytest.raises(ValidationFailed) as exc:
        post([("5200-USD", "1", None), ("3300-USD", None, "1")])
    assert "closed to new postings" in exc.value.message


def test_closed_period_and_future_dates_are_refused(post, staff):
    from mupaka.core.services import business_date_set

    business_date_set(actor=None, new_date=dt.date(2026, 12, 3))
    period_close(actor=staff["accountant"], year=2026, month=11)
    with pytest.raises(ValidationFailed) as exc:
        post(
            [("5710-USD", "1", None), ("3300-USD", None, "1")], business_date=dt.date(2026, 11, 30)
        )
    assert exc.value.code == "period_closed"
    assert "30/11/2026" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        post([("5710-USD", "1", None), ("3300-USD", None, "1")], business_date=dt.date(2026, 12, 4))
    assert exc.value.code == "future_date"
    ok = post(
        [("5710-USD", "1", None), ("3300-USD", None, "1")], business_date=dt.date(2026, 12, 1)
    )
    assert ok.number == 1


def test_missing_key_and_narrative_are_refused(chart, staff, bdate):
    lines = [LineSpec.dr("5710-USD", m("1")), LineSpec.cr("3300-USD", m("1"))]
    with pytest.raises(ValidationFailed) as exc:
        journal_post(
            actor=None,
            business_date=bdate,
            narrative="x",
            lines=lines,
            source_type="t",
            idempotency_key=" ",
        )
    assert "idempotency_key" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        journal_post(
            actor=None,
            business_date=bdate,
            narrative=" ",
            lines=lines,
            source_type="t",
            idempotency_key="k",
        )
    assert "narrative" in exc.value.errors


def test_a_float_never_reaches_the_ledger(chart):
    with pytest.raises(TypeError):
        LineSpec.dr("5710-USD", m(0.1))  # type: ignore[arg-type]


# --- numbering, chain, account_for ----------------------------------------------------------
def test_numbers_are_gap_free_even_after_refusals(post):
    post([("5710-USD", "1", None), ("3300-USD", None, "1")])
    with pytest.raises(ValidationFailed):
        post([("5710-USD", "1", None), ("3300-USD", None, "2")])
    second = post([("5710-USD", "1", None), ("3300-USD", None, "1")])
    first = JournalEntry.objects.get(number=1)
    assert second.number == 2 and second.prev_hash == first.hash
    assert_verify_green()


def test_account_for_falls_back_from_product_to_default(chart, staff):
    from mupaka.ledger.services import mapping_set

    default = account_for("loan_portfolio", "USD")
    assert default.number == "3200-USD"
    assert account_for("loan_portfolio", "USD", product=("loans.loanproduct", 7)) == default
    mapping_set(
        actor=staff["accountant"],
        role="loan_portfolio",
        currency="USD",
        account="3900-USD",
        product=("loans.loanproduct", 7),
    )
    assert (
        account_for("loan_portfolio", "USD", product=("loans.loanproduct", 7)).number == "3900-USD"
    )
    assert account_for("loan_portfolio", "USD", product=("loans.loanproduct", 8)) == default
    with pytest.raises(ValidationFailed) as exc:
        account_for("loan_portfolio", "EUR")
    assert exc.value.code == "no_account_mapping"


def test_each_posting_writes_one_audit_row_in_its_transaction(post, staff):
    entry = post(
        [("5710-USD", "20", None), ("3300-USD", None, "20")], source="savings.deposit", source_id=9
    )
    row = AuditLog.objects.get(action="journal.post", object_id=str(entry.number))
    assert row.actor == staff["teller"] and row.object_type == "ledger.journalentry"
    assert row.after["totals_minor"] == {"USD": 2000}
    assert row.after["source"] == "savings.deposit:9"
    assert row.at is not None


# --- inside the caller's transaction (a counter operation posts without a savepoint) ----
def test_a_refusal_inside_the_callers_transaction_leaves_it_usable(post):
    from django.db import transaction

    with transaction.atomic():
        first = post([("5710-USD", "20", None), ("3300-USD", None, "20")])
        with pytest.raises(ValidationFailed):
            post([("5710-USD", "20", None), ("3300-USD", None, "19")])
        second = post([("5710-USD", "5", None), ("3300-USD", None, "5")])
    assert (first.number, second.number) == (1, 2)
    assert JournalEntry.objects.count() == 2 and JournalLine.objects.count() == 4
    assert balance("5710-USD") == "25.00"
    assert_verify_green()


def test_a_failed_write_dooms_the_callers_whole_transaction(post, monkeypatch):
    """A database error after the lines are written (here the audit insert failing) must
    never let the caller commit half an entry, even if the caller swallows the error."""
    from django.db import DatabaseError, transaction

    from mupaka.ledger.services import posting

    def broken_audit(*args, **kwargs):
        raise DatabaseError("disk I/O error")

    with transaction.atomic():
        post([("5710-USD", "20", None), ("3300-USD", None, "20")])
        monkeypatch.setattr(posting, "_audit_posting", broken_audit)
        try:
            post([("5710-USD", "5", None), ("3300-USD", None, "5")])
        except DatabaseError:
            pass
        assert transaction.get_rollback()
    monkeypatch.undo()
    assert JournalEntry.objects.count() == 0 and JournalLine.objects.count() == 0
    assert AccountBalance.objects.count() == 0
    entry = post([("5710-USD", "7", None), ("3300-USD", None, "7")])
    assert entry.number == 1
    assert_verify_green()


def test_the_returned_entry_is_the_stored_one(post):
    """journal_post builds the entry it returns without reading it back: same fields."""
    from django.forms.models import model_to_dict

    from mupaka.ledger.services import posting

    # from_db takes the values in the model's column order
    assert posting._ENTRY_FIELDS == tuple(f.attname for f in JournalEntry._meta.concrete_fields)
    entry = post([("5710-USD", "20", None), ("3300-USD", None, "20")], source_id=3)
    stored = JournalEntry.objects.get(number=entry.number)
    assert model_to_dict(entry) == model_to_dict(stored)
    assert entry.posted_at == stored.posted_at and not entry._state.adding
