"""Share redemption through the JSON API: one person asks (202), a second approves or
rejects, the teller pays; every refusal is a JSON error in the caller's language and
writes nothing."""

from __future__ import annotations

import pytest

from mupaka.core.models import AuditLog, IdempotencyRecord
from mupaka.ledger.models import JournalEntry
from mupaka.savings.tests.conftest import key, m, verify_green
from mupaka.shares.models import ShareHolding, ShareRedemption
from mupaka.shares.services import shares_purchase

pytestmark = pytest.mark.django_db


def post(client, url, data, idem=None, lang="en"):
    headers = {"HTTP_IDEMPOTENCY_KEY": idem} if idem else {}
    return client.post(url, data, format="json", HTTP_ACCEPT_LANGUAGE=lang, **headers)


def written() -> tuple[int, int, int, int]:
    """What a refused call must leave as it was."""
    return (
        ShareRedemption.objects.count(),
        AuditLog.objects.count(),
        IdempotencyRecord.objects.count(),
        JournalEntry.objects.count(),
    )


@pytest.fixture
def holder(share_product, pending, staff, till):
    """A member who joined with 3 shares (USD 30) and the entry fee."""
    shares_purchase(actor=staff["teller"], member=pending, shares=3, idempotency_key=key())
    pending.refresh_from_db()
    return pending


@pytest.fixture
def api(api_client_for, staff):
    return {role: api_client_for(staff[role]) for role in ("officer", "manager", "committee")} | {
        "teller": api_client_for(staff["teller"]),
        "auditor": api_client_for(staff["auditor"]),
    }


def test_she_leaves_asked_approved_paid(holder, api, staff):
    url = f"/api/v1/members/{holder.pk}/share-redemptions"
    k = key()
    r = post(api["manager"], url, {"reason": "Elle quitte la COOPEC"}, idem=k)
    assert r.status_code == 202, r.json()
    body = r.json()
    assert (body["member"], body["shares"], body["amount"], body["currency"]) == (
        holder.pk,
        3,
        "30.00",
        "USD",
    )
    assert (body["status"], body["requested_by"], body["decided_by"], body["entry"]) == (
        "pending",
        "manager",
        None,
        None,
    )
    # a retry with the same key answers the same request; other content under it is refused
    again = post(api["manager"], url, {"reason": "Elle quitte la COOPEC"}, idem=k)
    assert (again.status_code, again.json()["id"]) == (202, body["id"])
    assert ShareRedemption.objects.count() == 1
    other = post(api["manager"], url, {"reason": "Autre", "shares": 3}, idem=k)
    assert other.status_code == 409 and other.json()["code"] == "idempotency_conflict"

    listed = api["committee"].get("/api/v1/share-redemptions").json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == body["id"]
    rid = body["id"]
    assert api["auditor"].get(f"/api/v1/share-redemptions/{rid}").json()["status"] == "pending"

    # the one who asked cannot approve; the officer may not approve at all
    before = written()
    r = post(api["manager"], f"/api/v1/share-redemptions/{rid}/approve", {})
    assert r.status_code == 400 and r.json()["code"] == "second_person_required"
    assert "second person" in r.json()["detail"]
    r = post(api["officer"], f"/api/v1/share-redemptions/{rid}/approve", {})
    assert r.status_code == 403
    assert written() == before
    assert ShareRedemption.objects.get(pk=rid).status == "pending"

    # paying before the approval is refused
    r = post(api["teller"], f"/api/v1/share-redemptions/{rid}/pay", {}, idem=key())
    assert r.status_code == 400 and r.json()["code"] == "not_approved"

    r = post(api["committee"], f"/api/v1/share-redemptions/{rid}/approve", {"note": "Vu"})
    assert r.status_code == 200, r.json()
    assert (r.json()["status"], r.json()["decided_by"]) == ("approved", "committee")
    assert api["committee"].get("/api/v1/share-redemptions").json()["count"] == 0
    to_pay = api["teller"].get("/api/v1/share-redemptions?status=approved").json()
    assert [x["id"] for x in to_pay["results"]] == [rid]
    r = post(api["committee"], f"/api/v1/share-redemptions/{rid}/reject", {"note": "Non"})
    assert r.status_code == 409 and r.json()["code"] == "already_decided"

    k = key()
    r = post(api["teller"], f"/api/v1/share-redemptions/{rid}/pay", {"channel": "cash"}, idem=k)
    assert r.status_code == 201, r.json()
    assert r.json()["status"] == "paid" and r.json()["entry"] is not None
    again = post(api["teller"], f"/api/v1/share-redemptions/{rid}/pay", {"channel": "cash"}, idem=k)
    assert (again.status_code, again.json()["entry"]) == (200, r.json()["entry"])
    holding = ShareHolding.objects.get(member=holder)
    assert (holding.shares, holding.paid_minor) == (0, 0)
    verify_green()


def test_rejected_with_a_reason(holder, api):
    r = post(
        api["officer"],
        f"/api/v1/members/{holder.pk}/share-redemptions",
        {"shares": 1, "reason": "Besoin de liquidités"},
        idem=key(),
    )
    assert r.status_code == 202 and r.json()["shares"] == 1  # she keeps 2, the minimum
    url = f"/api/v1/share-redemptions/{r.json()['id']}/reject"
    before = written()
    r = post(api["committee"], url, {})
    assert r.status_code == 400 and "note" in r.json()["errors"]
    assert written() == before
    r = post(api["committee"], url, {"note": "Crédit à venir"})
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert r.json()["decision_note"] == "Crédit à venir"


def test_refusals_in_her_language_with_nothing_written(holder, api, staff, loan_product):
    from mupaka.loans.services import loan_apply

    url = f"/api/v1/members/{holder.pk}/share-redemptions"
    before = written()
    # more shares than she holds
    r = post(api["officer"], url, {"shares": 5, "reason": "Sortie"}, idem=key())
    assert r.status_code == 400 and r.json()["code"] == "more_than_held"
    assert r.json()["errors"]["shares"] == ["She holds 3 shares: 5 cannot be redeemed."]
    fr = post(api["officer"], url, {"shares": 5, "reason": "Sortie"}, idem=key(), lang="fr")
    assert fr.json()["detail"] == "Elle détient 3 parts : 5 ne peuvent pas être remboursées."
    # below the minimum while she stays a member (1 left of the 2 required)
    r = post(api["officer"], url, {"shares": 2, "reason": "Sortie"}, idem=key())
    assert r.status_code == 400 and r.json()["code"] == "below_minimum"
    assert "shares" in r.json()["errors"]
    fr = post(api["officer"], url, {"shares": 2, "reason": "Sortie"}, idem=key(), lang="fr")
    assert fr.json()["detail"].startswith("Un membre garde au moins 2 parts ;")
    # her loan is not settled
    loan = loan_apply(
        actor=staff["officer"],
        member=holder,
        product=loan_product,
        principal=m("300"),
        installments=6,
        purpose="Stock de pagnes",
    )
    before = written()
    r = post(api["officer"], url, {"reason": "Sortie"}, idem=key())
    assert r.status_code == 400 and r.json()["code"] == "loans_not_settled"
    assert loan.number in r.json()["errors"]["member"][0]
    fr = post(api["officer"], url, {"reason": "Sortie"}, idem=key(), lang="fr")
    assert fr.json()["detail"].startswith(f"Elle a encore le crédit {loan.number}")
    # bad input, field by field; no key; a role that may not ask
    r = post(api["officer"], url, {"shares": 0, "colour": "red"}, idem=key())
    assert r.status_code == 400 and set(r.json()["errors"]) == {"shares", "reason", "colour"}
    r = post(api["officer"], url, {"reason": "Sortie"})
    assert r.status_code == 400 and r.json()["code"] == "idempotency_key_missing"
    r = post(api["teller"], url, {"reason": "Sortie"}, idem=key())
    assert r.status_code == 403
    assert written() == before


def test_the_list_and_the_requests_stay_in_the_branch(
    holder, api, api_client_for, make_user, other_branch
):
    r = post(
        api["officer"],
        f"/api/v1/members/{holder.pk}/share-redemptions",
        {"reason": "Sortie"},
        idem=key(),
    )
    rid = r.json()["id"]
    elsewhere = api_client_for(make_user("manager", branch_=other_branch))
    assert elsewhere.get("/api/v1/share-redemptions").json()["count"] == 0
    assert elsewhere.get(f"/api/v1/share-redemptions/{rid}").status_code == 403
    before = written()
    assert post(elsewhere, f"/api/v1/share-redemptions/{rid}/approve", {}).status_code == 403
    assert written() == before
    r = api["committee"].get("/api/v1/share-redemptions?status=closed", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400 and "status" in r.json()["errors"]
    assert api["committee"].get("/api/v1/share-redemptions/999999").status_code == 404
