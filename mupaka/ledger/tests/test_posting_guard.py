"""The posting guard hook: another app (end of day) may veto a posting; nothing is written."""

from __future__ import annotations

import pytest

from mupaka.core.exceptions import ValidationFailed
from mupaka.ledger.models import JournalEntry
from mupaka.ledger.services import register_posting_guard, unregister_posting_guard


@pytest.fixture
def guard_calls():
    calls = []

    def guard(*, business_date, cursor):
        cursor.execute("SELECT last_number FROM ledger_ledgerstate WHERE id = 1")
        calls.append((business_date, cursor.fetchone()[0]))
        if business_date.day == 2:
            raise ValidationFailed("closing", code="closing")

    register_posting_guard(guard)
    yield calls
    unregister_posting_guard(guard)


def test_a_guard_refuses_and_nothing_is_written(post, bdate, guard_calls):
    assert bdate.day == 2
    with pytest.raises(ValidationFailed) as exc:
        post([("5710-USD", "20", None), ("3300-USD", None, "20")])
    assert exc.value.code == "closing"
    assert JournalEntry.objects.count() == 0
    assert guard_calls == [(bdate, 0)]


def test_a_guard_that_lets_through(post, bdate, guard_calls):
    import datetime as dt

    entry = post(
        [("5710-USD", "20", None), ("3300-USD", None, "20")],
        business_date=bdate - dt.timedelta(days=1),
    )
    assert not entry.replayed
    assert guard_calls == [(bdate - dt.timedelta(days=1), 0)]


def test_unregistered_guard_is_not_called(post, bdate):
    calls = []

    def guard(*, business_date, cursor):
        calls.append(business_date)
        raise ValidationFailed("no")

    register_posting_guard(guard)
    unregister_posting_guard(guard)
    post([("5710-USD", "20", None), ("3300-USD", None, "20")])
    assert calls == []
