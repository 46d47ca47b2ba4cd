"""The database itself keeps the journal append-only and balanced, on SQLite and PostgreSQL;
and verify notices a line altered behind the guards' back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction

from mupaka.ledger import db_guards
from mupaka.ledger.models import Account, JournalEntry, JournalLine
from mupaka.ledger.verify import LEDGER_CHECKS, run_checks

D = "2026-11-02"


def failed_checks() -> dict[str, list[str]]:
    return {r.name: r.problems for r in run_checks(LEDGER_CHECKS) if not r.ok}


def raw(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))


def insert_line(
    entry: int, line_no: int, account_id: int, currency: str, debit: int, credit: int, date=D
):
    raw(
        "INSERT INTO ledger_journalline (entry_id, line_no, business_date, account_id, currency, "
        "debit_minor, credit_minor, subledger_type, subledger_id, memo) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, '', '', '')",
        [entry, line_no, date, account_id, currency, debit, credit],
    )


def insert_entry(number: int, date=D):
    raw(
        "INSERT INTO ledger_journalentry (number, business_date, posted_at, narrative, source_type, "
        "source_id, idempotency_key, request_digest, prev_hash, hash) "
        "VALUES (%s, %s, %s, 'raw', 'raw', '', %s, '', '', %s)",
        [number, date, "2026-11-02 10:00:00", f"raw-{number}", f"h{number}"],
    )


def refused(fn) -> str:
    """Run fn in a savepoint; return the database's refusal message."""
    with pytest.raises(DatabaseError) as exc:
        with transaction.atomic():
            fn()
            if connection.vendor == "postgresql":  # fire the deferred checks now
                raw("SET CONSTRAINTS ALL IMMEDIATE")
    if connection.vendor == "postgresql":
        raw("SET CONSTRAINTS ALL DEFERRED")
    return str(exc.value)


@pytest.fixture
def posted(post):
    return post([("5710-USD", "20", None), ("3300-USD", None, "20")])


@pytest.mark.django_db
def test_update_and_delete_of_entries_and_lines_are_refused(posted):
    line = JournalLine.objects.filter(entry=posted).first()
    for sql in [
        f"UPDATE ledger_journalline SET debit_minor = debit_minor + 1 WHERE id = {line.id}",
        f"DELETE FROM ledger_journalline WHERE id = {line.id}",
        f"UPDATE ledger_journalentry SET narrative = 'x' WHERE number = {posted.number}",
        f"DELETE FROM ledger_journalentry WHERE number = {posted.number}",
    ]:
        assert "immutable" in refused(lambda sql=sql: raw(sql))
    # and through the ORM too
    assert "immutable" in refused(lambda: JournalLine.objects.filter(id=line.id).update(memo="x"))
    assert JournalLine.objects.get(id=line.id).debit_minor == 2000


@pytest.mark.django_db
def test_unbalanced_raw_entry_is_refused(chart):
    usd_cash = Account.objects.get(number="5710-USD").pk
    usd_savings = Account.objects.get(number="3300-USD").pk

    def unbalanced():
        insert_line(900, 1, usd_cash, "USD", 2000, 0)
        insert_line(900, 2, usd_savings, "USD", 0, 1999)
        insert_entry(900)

    assert "unbalanced" in refused(unbalanced)

    def single_line():
        insert_line(901, 1, usd_cash, "USD", 2000, 0)
        insert_entry(901)

    assert "at least two lines" in refused(single_line)

    def two_sides_on_one_line():
        insert_line(902, 1, usd_cash, "USD", 2000, 2000)

    refused(two_sides_on_one_line)  # the CHECK constraint

    def wrong_currency():
        insert_line(903, 1, usd_cash, "CDF", 2000, 0)

    assert "holds its currency" in refused(wrong_currency)

    def header_account():
        insert_line(904, 1, Account.objects.get(number="5710").pk, "USD", 2000, 0)

    assert "holds its currency" in refused(header_account)
    assert JournalEntry.objects.count() == 0


@pytest.mark.django_db
def test_lines_cannot_be_added_to_a_posted_entry(posted):
    cash = Account.objects.get(number="5710-USD").pk
    savings = Account.objects.get(number="3300-USD").pk

    def add_balanced_pair():
        insert_line(posted.number, 3, cash, "USD", 100, 0)
        insert_line(posted.number, 4, savings, "USD", 0, 100)

    assert "posted entry" in refused(add_balanced_pair)


@pytest.mark.django_db
def test_a_balanced_raw_entry_passes_the_database_but_not_verify(chart):
    """The guards check balance, not provenance: a hand-made entry without the right hash
    and without balances is caught by verify."""
    cash = Account.objects.get(number="5710-USD").pk
    savings = Account.objects.get(number="3300-USD").pk
    insert_line(1, 1, cash, "USD", 100, 0)
    insert_line(1, 2, savings, "USD", 0, 100)
    insert_entry(1)
    failed = failed_checks()
    assert "journal.hash_chain" in failed
    assert "ledger.account_balances" in failed


@pytest.mark.django_db
def test_tampering_behind_the_triggers_breaks_verify(post, staff):
    post([("5710-USD", "20", None), ("3300-USD", None, "20")])
    target = post([("5710-USD", "45.50", None), ("3200-USD", None, "45.50")])
    post([("5710-CDF", "1000", None), ("3300-CDF", None, "1000")])
    assert failed_checks() == {}
    line_ids = list(
        JournalLine.objects.filter(entry=target).order_by("line_no").values_list("id", flat=True)
    )
    db_guards.remove(connection)
    try:
        # a balanced alteration: both sides moved, so only the hash and the balances tell
        raw(f"UPDATE ledger_journalline SET debit_minor = 4050 WHERE id = {line_ids[0]}")
        raw(f"UPDATE ledger_journalline SET credit_minor = 4050 WHERE id = {line_ids[1]}")
    finally:
        db_guards.install(connection)
    failed = failed_checks()
    assert any(
        f"entry {target.number}: content does not match" in p for p in failed["journal.hash_chain"]
    )
    assert "ledger.account_balances" in failed and "ledger.day_totals" in failed


@pytest.mark.django_db
def test_verify_command_exits_non_zero_on_failure(post, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    post([("5710-USD", "20", None), ("3300-USD", None, "20")])
    call_command("verify", *LEDGER_CHECKS)
    out = capsys.readouterr().out
    assert "OK    journal.hash_chain" in out and "checks passed" in out
    db_guards.remove(connection)
    try:
        raw("UPDATE ledger_journalentry SET narrative = 'changed' WHERE number = 1")
    finally:
        db_guards.install(connection)
    with pytest.raises(CommandError):
        call_command("verify")
    out = capsys.readouterr().out
    assert "FAIL  journal.hash_chain" in out


def test_lines_without_an_entry_are_refused_at_commit(committing_db):
    """Lines may precede their entry inside a transaction, but not survive the COMMIT."""
    account = Account.objects.create(
        number="5710-USD",
        base_number="5710",
        name_fr="Caisse",
        name_en="Till",
        type="asset",
        currency="USD",
        class_code="5",
    )
    with pytest.raises(DatabaseError):
        with transaction.atomic():
            insert_line(1, 1, account.pk, "USD", 100, 0)
            insert_line(1, 2, account.pk, "USD", 0, 100)
    assert JournalLine.objects.count() == 0


def test_unbalanced_entry_is_refused_at_commit(committing_db):
    """PostgreSQL: the deferred constraint trigger; SQLite: the entry's insert trigger."""
    cash = Account.objects.create(
        number="5710-USD",
        base_number="5710",
        name_fr="Caisse",
        name_en="Till",
        type="asset",
        currency="USD",
        class_code="5",
    )
    with pytest.raises(DatabaseError):
        with transaction.atomic():
            insert_line(7, 1, cash.pk, "USD", 100, 0)
            insert_line(7, 2, cash.pk, "USD", 0, 99)
            insert_entry(7)
    assert JournalEntry.objects.count() == 0
    # and a balanced one commits
    with transaction.atomic():
        insert_line(8, 1, cash.pk, "USD", 100, 0)
        insert_line(8, 2, cash.pk, "USD", 0, 100)
        insert_entry(8)
    assert JournalEntry.objects.filter(number=8).exists()
    assert dt.date(2026, 11, 2) == JournalEntry.objects.get(number=8).business_date
