"""POST /api/v1/loans/{id}/withdraw and /api/v1/group-loans/{id}/withdraw."""

from __future__ import annotations

import pytest

from mupaka.core.models import AuditLog
from mupaka.ledger.models import JournalEntry
from mupaka.loans.models import GroupLoan, Loan, LoanStatus
from mupaka.loans.tests.conftest import key

pytestmark = pytest.mark.django_db

BASE = "/api/v1"


@pytest.fixture
def api(api_client_for, staff):
    return {role: api_client_for(user) for role, user in staff.items()}


def file_loan(api, member, product) -> int:
    r = api["officer"].post(
        f"{BASE}/loans",
        {
            "member": member.pk,
            "product": product.pk,
            "principal": "300",
            "installments": 6,
            "purpose": "Stock de tomates",
            "cash_flow": {"daily_sales": "60", "daily_purchases": "30", "household_costs": "60"},
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    return r.json()["id"]


def test_withdraw_a_loan_then_twice_is_409(api, member, trader_product):
    loan_id = file_loan(api, member, trader_product)
    url = f"{BASE}/loans/{loan_id}/withdraw"
    entries = JournalEntry.objects.count()
    r = api["officer"].post(url, {}, format="json")
    assert r.status_code == 400 and list(r.json()["errors"]) == ["reason"]
    r = api["officer"].post(url, {"reason": "x", "note": "y"}, format="json")
    assert r.status_code == 400 and list(r.json()["errors"]) == ["note"]
    r = api["officer"].post(url, {"reason": "   "}, format="json")
    assert r.status_code == 400 and "reason" in r.json()["errors"]
    assert Loan.objects.get(pk=loan_id).status == LoanStatus.SUBMITTED
    r = api["officer"].post(url, {"reason": "Elle a changé d'avis"}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "withdrawn" and r.json()["id"] == loan_id
    r = api["manager"].post(url, {"reason": "Encore"}, format="json")
    assert r.status_code == 409
    assert r.json()["code"] == "already_withdrawn" and r.json()["detail"]
    assert AuditLog.objects.filter(action="loan.withdraw").count() == 1
    assert JournalEntry.objects.count() == entries
    r = api["officer"].get(f"{BASE}/loans?status=withdrawn")
    assert r.status_code == 200


def test_refusals(api, staff, member, trader_product, make_user, other_branch, api_client_for):
    from mupaka.loans import services

    loan_id = file_loan(api, member, trader_product)
    url = f"{BASE}/loans/{loan_id}/withdraw"
    for role in ("teller", "committee", "accountant"):
        r = api[role].post(url, {"reason": "x"}, format="json")
        assert r.status_code == 403, role
    stranger = api_client_for(make_user("officer", branch_=other_branch))
    assert stranger.post(url, {"reason": "x"}, format="json").status_code in (403, 404)
    loan = Loan.objects.get(pk=loan_id)
    services.loan_reject(actor=staff["committee"], loan=loan, reason="Dossier incomplet")
    r = api["officer"].post(url, {"reason": "x"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "wrong_status"
    assert "status" in r.json()["errors"]
    assert Loan.objects.get(pk=loan_id).status == LoanStatus.REJECTED
    assert api["officer"].post(f"{BASE}/loans/999/withdraw", {"reason": "x"}).status_code == 404


def test_refusal_in_french(api, member, trader_product, till):
    loan_id = file_loan(api, member, trader_product)
    api["committee"].post(f"{BASE}/loans/{loan_id}/approve", {}, format="json")
    r = api["teller"].post(
        f"{BASE}/loans/{loan_id}/disburse", {}, format="json", HTTP_IDEMPOTENCY_KEY=key()
    )
    assert r.status_code == 201, r.json()
    r = api["officer"].post(
        f"{BASE}/loans/{loan_id}/withdraw",
        {"reason": "Trop tard"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert r.status_code == 400 and r.json()["code"] == "wrong_status"
    assert "a déjà été décaissé" in r.json()["detail"]


def test_withdraw_a_group_loan(api, staff, umoja, group_product):
    group, members = umoja
    r = api["officer"].post(
        f"{BASE}/group-loans",
        {
            "group": group.pk,
            "product": group_product.pk,
            "installments": 12,
            "purpose": "Commerce transfrontalier",
            "shares": [{"member": m.pk, "principal": "200"} for m in members[:3]],
        },
        format="json",
    )
    g = r.json()["id"]
    api["committee"].post(f"{BASE}/group-loans/{g}/approve", {}, format="json")
    url = f"{BASE}/group-loans/{g}/withdraw"
    assert api["teller"].post(url, {"reason": "x"}, format="json").status_code == 403
    assert api["officer"].post(url, {}, format="json").status_code == 400
    r = api["manager"].post(url, {"reason": "Le groupe se sépare"}, format="json")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["status"] == "withdrawn"
    assert {s["status"] for s in body["shares"]} == {"withdrawn"}
    assert GroupLoan.objects.get(pk=g).status == LoanStatus.WITHDRAWN
    r = api["manager"].post(url, {"reason": "Encore"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "already_withdrawn"


def test_openapi_lists_the_withdraw_endpoints(api, chart):
    paths = api["officer"].get(f"{BASE}/openapi.json").json()["paths"]
    assert "post" in paths["/api/v1/loans/{id}/withdraw"]
    assert "post" in paths["/api/v1/group-loans/{id}/withdraw"]
