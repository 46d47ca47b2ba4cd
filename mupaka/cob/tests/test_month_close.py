"""End of day at the month end and the accountant's month close (scenario 4): the close is
refused while end of day has not finished with the month, done from the page by the
accountant only, and nothing can be posted into the closed month afterwards."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client

from mupaka.cob.services import runner
from mupaka.cob.services.runner import lock_acquire
from mupaka.cob.tests.conftest import verify_problems
from mupaka.core.exceptions import PermissionDenied, ValidationFailed
from mupaka.core.money import Money
from mupaka.core.services import business_date_set
from mupaka.ledger.selectors import closed_through
from mupaka.ledger.services import LineSpec, journal_post, period_close

pytestmark = pytest.mark.django_db


def client_for(user, language="en") -> Client:
    c = Client()
    c.force_login(user)
    c.cookies["mupaka_language"] = language
    return c


def post(day: dt.date, key: str):
    return journal_post(
        actor=None,
        business_date=day,
        narrative="Frais bancaires",
        lines=[
            LineSpec.dr("6300-USD", Money.of("10", "USD")),
            LineSpec.cr("5200-USD", Money.of("10", "USD")),
        ],
        source_type="test",
        idempotency_key=key,
    )


def test_the_month_closes_once_its_last_end_of_day_has_run(bands, staff):
    call_command("cob", until="2026-11-27", quiet=True)  # business date: Saturday 28
    with pytest.raises(ValidationFailed) as exc:
        period_close(actor=staff["accountant"], year=2026, month=11)
    assert exc.value.code == "period_not_over"

    # a business date moved past the month end by hand: November's last business date
    # (Monday 30) was never closed by end of day, its interest and provisions not posted
    business_date_set(actor=None, new_date=dt.date(2026, 12, 1))
    with pytest.raises(ValidationFailed) as exc:
        period_close(actor=staff["accountant"], year=2026, month=11)
    assert exc.value.code == "month_end_not_closed"
    assert "30/11/2026" in exc.value.message
    business_date_set(actor=None, new_date=dt.date(2026, 11, 28))

    call_command("cob", until="2026-11-30", quiet=True)  # 28 and 30 November
    # end of day of 1 December interrupted (a date half closed): no close meanwhile
    runner._mark_interrupted(lock_acquire(dt.date(2026, 12, 1)))
    with pytest.raises(ValidationFailed) as exc:
        period_close(actor=staff["accountant"], year=2026, month=11)
    assert exc.value.code == "cob_running"
    call_command("cob", quiet=True)  # takes the lock over and finishes 1 December

    with pytest.raises(PermissionDenied):
        period_close(actor=staff["manager"], year=2026, month=11)
    period_close(actor=staff["accountant"], year=2026, month=11)
    assert closed_through() == dt.date(2026, 11, 30)
    with pytest.raises(ValidationFailed) as exc:
        post(dt.date(2026, 11, 30), "after-close")
    assert exc.value.code == "period_closed"
    post(dt.date(2026, 12, 2), "in-december")  # the open month takes postings
    assert verify_problems() == {}


def test_the_close_page_for_the_accountant(bands, staff):
    call_command("cob", until="2026-11-28", quiet=True)  # business date: Monday 30
    accountant = client_for(staff["accountant"])
    page = accountant.get("/ledger/periods/").content.decode()
    assert 'id="close-form"' in page
    # November is not over: the form says why, nothing is closed
    response = accountant.post("/ledger/periods/", {"year": 2026, "month": 11})
    assert response.status_code == 200
    assert "is not over yet" in response.content.decode()
    assert closed_through() is None

    call_command("cob", quiet=True)  # end of day of 30 November: the month's last
    # a manager reads the page, has no form, and her post closes nothing
    manager = client_for(staff["manager"])
    assert 'id="close-form"' not in manager.get("/ledger/periods/").content.decode()
    manager.post("/ledger/periods/", {"year": 2026, "month": 11})
    assert closed_through() is None
    # a teller does not even read it
    assert client_for(staff["teller"]).get("/ledger/periods/").status_code == 403

    response = accountant.post("/ledger/periods/", {"year": 2026, "month": 11})
    assert response.status_code == 302
    assert closed_through() == dt.date(2026, 11, 30)
    page = client_for(staff["accountant"], "fr").get("/ledger/periods/").content.decode()
    assert "30/11/2026" in page
