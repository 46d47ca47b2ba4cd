"""The ledger's JSON API: manual entries with a second person, reversals, balances and the
trial balance; validation errors field by field."""

from __future__ import annotations

import datetime as dt

import pytest

from mupaka.ledger.models import JournalEntry, ManualEntryDraft

pytestmark = pytest.mark.django_db

ENTRY = {
    "business_date": "2026-11-02",
    "narrative": "Frais bancaires",
    "lines": [
        {"account": "6300-USD", "debit": "12.50"},
        {"account": "5200-USD", "credit": "12.50", "memo": "Relevé novembre"},
    ],
}


@pytest.fixture
def api(chart, staff, api_client_for):
    return {role: api_client_for(user) for role, user in staff.items()}


def test_manual_entry_needs_a_second_person(api):
    response = api["accountant"].post(
        "/api/v1/journal-entries", ENTRY, format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert response.status_code == 201, response.json()
    draft = response.json()
    assert draft["status"] == "pending" and draft["lines"][0]["debit"] == "12.50"
    replay = api["accountant"].post(
        "/api/v1/journal-entries", ENTRY, format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert replay.status_code == 200 and replay.json()["id"] == draft["id"]
    other = dict(ENTRY, narrative="Autre chose")
    conflict = api["accountant"].post(
        "/api/v1/journal-entries", other, format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert conflict.status_code == 409 and conflict.json()["code"] == "idempotency_conflict"

    own = api["accountant"].post(f"/api/v1/journal-entries/{draft['id']}/approve")
    assert own.status_code == 403 and own.json()["code"] == "same_person"
    assert api["teller"].post(f"/api/v1/journal-entries/{draft['id']}/approve").status_code == 403
    approved = api["manager"].post(f"/api/v1/journal-entries/{draft['id']}/approve")
    assert approved.status_code == 201
    entry = approved.json()
    assert entry["approved_by"] == "manager" and entry["actor"] == "accountant"
    assert [ln["account"] for ln in entry["lines"]] == ["6300-USD", "5200-USD"]
    again = api["manager"].post(f"/api/v1/journal-entries/{draft['id']}/approve")
    assert again.status_code == 200 and again.json()["number"] == entry["number"]
    assert JournalEntry.objects.count() == 1


def test_manual_entry_validation_errors_by_field(api):
    client = api["accountant"]
    missing_key = client.post("/api/v1/journal-entries", ENTRY, format="json")
    assert missing_key.status_code == 400 and "Idempotency-Key" in missing_key.json()["errors"]
    bad = client.post(
        "/api/v1/journal-entries",
        {
            "business_date": "2026-02-30",
            "narrative": "",
            "lines": [{"account": "6300-USD", "debit": 12.5}],
            "extra": 1,
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="k2",
    )
    assert bad.status_code == 400
    errors = bad.json()["errors"]
    assert set(errors) >= {"business_date", "narrative", "lines", "extra"}
    assert "strings" in str(errors["lines"]) or "en texte" in str(errors["lines"])
    unbalanced = dict(
        ENTRY,
        lines=[
            {"account": "6300-USD", "debit": "12.50"},
            {"account": "5200-USD", "credit": "12.00"},
        ],
    )
    response = client.post(
        "/api/v1/journal-entries", unbalanced, format="json", HTTP_IDEMPOTENCY_KEY="k3"
    )
    assert response.status_code == 400 and response.json()["code"] == "unbalanced"
    assert "lines" in response.json()["errors"]
    unknown = dict(
        ENTRY, lines=[{"account": "9999-USD", "debit": "1"}, {"account": "5200-USD", "credit": "1"}]
    )
    response = client.post(
        "/api/v1/journal-entries", unknown, format="json", HTTP_IDEMPOTENCY_KEY="k4"
    )
    assert response.status_code == 400 and "9999-USD" in response.json()["errors"]["lines"][0]
    assert ManualEntryDraft.objects.count() == 0
    assert (
        api["teller"]
        .post("/api/v1/journal-entries", ENTRY, format="json", HTTP_IDEMPOTENCY_KEY="k5")
        .status_code
        == 403
    )


def test_reverse_then_approve(api, post):
    entry = post([("5710-USD", "45.50", None), ("3200-USD", None, "45.50")])
    response = api["accountant"].post(
        f"/api/v1/journal-entries/{entry.number}/reverse",
        {"reason": "Mauvais crédit"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="rev-1",
    )
    assert response.status_code == 202
    draft = response.json()
    assert draft["kind"] == "reversal" and draft["reverse_entry"] == entry.number
    posted = api["manager"].post(f"/api/v1/journal-entries/{draft['id']}/approve").json()
    assert posted["reversal_of"] == entry.number
    again = api["accountant"].post(
        f"/api/v1/journal-entries/{entry.number}/reverse",
        {"reason": "encore"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="rev-2",
    )
    assert again.status_code == 409 and again.json()["code"] == "already_reversed"
    missing = api["accountant"].post(
        "/api/v1/journal-entries/999/reverse",
        {"reason": "x"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="rev-3",
    )
    assert missing.status_code == 404
    empty = api["accountant"].post(
        f"/api/v1/journal-entries/{entry.number}/reverse",
        {},
        format="json",
        HTTP_IDEMPOTENCY_KEY="rev-4",
    )
    assert empty.status_code == 400 and "reason" in empty.json()["errors"]


def test_reading_the_books(api, post):
    post(
        [("5710-USD", "45.50", None), ("3200-USD", None, "45.50")],
        business_date=__import__("datetime").date(2026, 11, 1),
    )
    post([("5710-USD", "4.50", None), ("3200-USD", None, "4.50")])
    entries = api["auditor"].get("/api/v1/journal-entries?account=5710-USD&from=2026-11-02").json()
    assert entries["count"] == 1 and entries["results"][0]["lines"][0]["debit"] == "4.50"
    assert api["auditor"].get("/api/v1/journal-entries?from=bad").status_code == 400
    assert api["auditor"].get("/api/v1/journal-entries?account=nope").status_code == 404
    balance = api["manager"].get("/api/v1/accounts/5710-USD/balance?date=2026-11-01").json()
    assert balance["balances"] == [
        {"currency": "USD", "debit": "45.50", "credit": "0.00", "balance": "45.50"}
    ]
    header = api["manager"].get("/api/v1/accounts/57/balance").json()
    assert header["balances"][0]["balance"] == "50.00"
    accounts = api["accountant"].get("/api/v1/accounts").json()
    assert any(a["number"] == "5710-USD" and a["parent"] == "5710" for a in accounts)
    tb = api["accountant"].get("/api/v1/reports/trial-balance?currency=USD").json()
    assert tb["balanced"] and tb["total_debit"] == "50.00"
    assert api["accountant"].get("/api/v1/reports/trial-balance?currency=XYZ").status_code == 400
    assert api["teller"].get("/api/v1/accounts").status_code == 403
    assert api["teller"].get("/api/v1/reports/trial-balance").status_code == 403


def test_closing_a_month(api, institution):
    """POST /periods (accountant): the month is closed, nothing can be dated in it
    afterwards; refused to other roles, for a month not over, twice, and field by field."""
    from mupaka.core.services import business_date_set

    business_date_set(actor=None, new_date=dt.date(2026, 12, 1))
    url = "/api/v1/periods"
    assert api["accountant"].get(url).json() == {"closed_through": None, "periods": []}
    response = api["teller"].post(url, {"year": 2026, "month": 11}, format="json")
    assert response.status_code == 403
    response = api["accountant"].post(url, {"year": 2026, "month": 13, "day": 1}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"month", "day"}
    response = api["accountant"].post(url, {"year": 2026, "month": 12}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "period_not_over"
    response = api["accountant"].post(url, {"year": 2026, "month": 11}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["closed_through"] == "2026-11-30"
    assert (body["periods"][0]["month"], body["periods"][0]["closed_by"]) == (11, "accountant")
    response = api["accountant"].post(url, {"year": 2026, "month": 11}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "already_closed"
    late = dict(ENTRY, business_date="2026-11-30")
    response = api["accountant"].post(
        "/api/v1/journal-entries", late, format="json", HTTP_IDEMPOTENCY_KEY="late"
    )
    assert response.status_code == 400 and response.json()["code"] == "period_closed"
    assert api["auditor"].get(url).json()["closed_through"] == "2026-11-30"
