"""The JSON API: every endpoint of the issue, validation errors field by field,
idempotency, roles, and `verify` green after the money moved."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from mupaka.loans.models import Loan, LoanProduct, LoanStatus, LoanTransaction
from mupaka.loans.tests.conftest import key

pytestmark = pytest.mark.django_db

BASE = "/api/v1"


@pytest.fixture
def api(api_client_for, staff):
    return {role: api_client_for(user) for role, user in staff.items()}


def product_body(**kw):
    body = {
        "code": "API-USD",
        "name": "Crédit API",
        "currency": "USD",
        "min_principal": "50",
        "max_principal": "1000",
        "min_installments": 1,
        "max_installments": 12,
        "frequency": "months",
        "interest_method": "declining",
        "min_rate": "24",
        "max_rate": "36",
    }
    body.update(kw)
    return body


def loan_body(borrower, loan_product, **kw):
    body = {
        "member": borrower.pk,
        "product": loan_product.pk,
        "principal": "300",
        "installments": 6,
        "annual_rate": "30",
        "purpose": "Stock de tomates",
        "cash_flow": {"daily_sales": "60", "daily_purchases": "30", "household_costs": "60"},
        "guarantors": [{"name": "Papa Jean", "phone": "+243970000099"}],
    }
    body.update(kw)
    return body


def test_manager_creates_a_product_officer_cannot(api, chart):
    r = api["manager"].post(f"{BASE}/loan-products", product_body(), format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["min_principal"] == "50.00"
    r = api["officer"].post(f"{BASE}/loan-products", product_body(code="X"), format="json")
    assert r.status_code == 403
    r = api["officer"].get(f"{BASE}/loan-products")
    assert r.status_code == 200 and len(r.json()) == 1


def test_product_errors_by_field(api, chart):
    r = api["manager"].post(
        f"{BASE}/loan-products",
        product_body(min_principal="100", max_principal="50", max_rate="20", colour="red"),
        format="json",
    )
    assert r.status_code == 400
    assert "colour" in r.json()["errors"]
    r = api["manager"].post(
        f"{BASE}/loan-products",
        product_body(min_principal="100", max_principal="50", max_rate="20"),
        format="json",
    )
    assert r.status_code == 400
    errors = r.json()["errors"]
    assert set(errors) >= {"max_principal", "max_rate"}
    assert LoanProduct.objects.count() == 0


def test_full_lifecycle_through_the_api(api, staff, member, trader_product, till, verify_green):
    r = api["officer"].post(f"{BASE}/loans", loan_body(member, trader_product), format="json")
    assert r.status_code == 201, r.json()
    loan_id = r.json()["id"]
    assert r.json()["status"] == "submitted"
    r = api["officer"].post(f"{BASE}/loans/{loan_id}/approve", {}, format="json")
    assert r.status_code == 403  # not the committee
    r = api["committee"].post(
        f"{BASE}/loans/{loan_id}/approve", {"approved_principal": "250"}, format="json"
    )
    assert r.status_code == 200 and r.json()["approved_principal"] == "250.00"
    r = api["teller"].post(f"{BASE}/loans/{loan_id}/disburse", {}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "idempotency_key_missing"
    k = key()
    r = api["teller"].post(
        f"{BASE}/loans/{loan_id}/disburse", {}, format="json", HTTP_IDEMPOTENCY_KEY=k
    )
    assert r.status_code == 201, r.json()
    again = api["teller"].post(
        f"{BASE}/loans/{loan_id}/disburse", {}, format="json", HTTP_IDEMPOTENCY_KEY=k
    )
    assert again.status_code == 201 and again.json()["id"] == r.json()["id"]
    r = api["officer"].get(f"{BASE}/loans/{loan_id}/schedule")
    assert r.status_code == 200
    rows = r.json()["installments"]
    assert len(rows) == 6 and rows[0]["due_date"] == "2026-12-02"
    first_total = rows[0]["total"]
    k = key()
    r = api["teller"].post(
        f"{BASE}/loans/{loan_id}/repayments",
        {"amount": first_total},
        format="json",
        HTTP_IDEMPOTENCY_KEY=k,
    )
    assert r.status_code == 201, r.json()
    tx = r.json()
    assert tx["kind"] == "repayment" and tx["journal_entry"]
    r = api["teller"].post(
        f"{BASE}/loans/{loan_id}/repayments",
        {"amount": first_total},
        format="json",
        HTTP_IDEMPOTENCY_KEY=k,
    )
    assert r.json()["id"] == tx["id"]
    r = api["auditor"].get(f"{BASE}/loans/{loan_id}")
    body = r.json()
    assert r.status_code == 200
    assert body["status"] == "active" and body["days_past_due"] == 0
    assert set(body["outstanding"]) == {"principal", "interest", "fees", "penalties", "total"}
    assert body["apr"] and body["eir"]
    verify_green()


def test_repayment_refusals_by_field(api, staff, member, trader_product, till):
    loan_id = (
        api["officer"]
        .post(f"{BASE}/loans", loan_body(member, trader_product), format="json")
        .json()["id"]
    )
    api["committee"].post(f"{BASE}/loans/{loan_id}/approve", {}, format="json")
    api["teller"].post(
        f"{BASE}/loans/{loan_id}/disburse", {}, format="json", HTTP_IDEMPOTENCY_KEY=key()
    )
    count = LoanTransaction.objects.count()
    for body, field, code in [
        ({"amount": "10", "currency": "CDF"}, "amount", "currency_mismatch"),
        ({"amount": "0"}, "amount", "not_positive"),
        ({"amount": "-3"}, "amount", "not_positive"),
        ({"amount": "abc"}, "amount", "invalid"),
        ({"amount": "10", "channel": "mpesa"}, "channel", "invalid"),
        ({"amount": "10", "currency": "XYZ"}, "currency", "invalid"),
    ]:
        r = api["teller"].post(
            f"{BASE}/loans/{loan_id}/repayments", body, format="json", HTTP_IDEMPOTENCY_KEY=key()
        )
        assert r.status_code == 400, (body, r.json())
        assert field in r.json()["errors"], (body, r.json())
        assert r.json()["code"] == code, (body, r.json())
    r = api["officer"].post(
        f"{BASE}/loans/{loan_id}/repayments",
        {"amount": "10"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key(),
    )
    assert r.status_code == 403
    assert LoanTransaction.objects.count() == count


def test_application_refusals_by_field(api, member, trader_product):
    for overrides, field in [
        ({"principal": "10"}, "principal"),
        ({"installments": 0}, "installments"),
        ({"annual_rate": "50"}, "annual_rate"),
        ({"member": 999999}, "member"),
        ({"product": 999999}, "product"),
        ({"purpose": ""}, "purpose"),
    ]:
        r = api["officer"].post(
            f"{BASE}/loans", loan_body(member, trader_product, **overrides), format="json"
        )
        assert r.status_code == 400, overrides
        assert field in r.json()["errors"], (overrides, r.json())
    assert Loan.objects.count() == 0


def test_reject_reverse_reschedule_write_off_through_the_api(
    api, staff, member, member_factory, trader_product, till, move_to, verify_green
):
    other = member_factory("Neema")
    r = api["officer"].post(f"{BASE}/loans", loan_body(other, trader_product), format="json")
    rid = r.json()["id"]
    r = api["committee"].post(f"{BASE}/loans/{rid}/reject", {}, format="json")
    assert r.status_code == 400 and "reason" in r.json()["errors"]
    r = api["committee"].post(
        f"{BASE}/loans/{rid}/reject", {"reason": "Dossier incomplet"}, format="json"
    )
    assert r.json()["status"] == "rejected"

    loan_id = (
        api["officer"]
        .post(f"{BASE}/loans", loan_body(member, trader_product), format="json")
        .json()["id"]
    )
    api["committee"].post(f"{BASE}/loans/{loan_id}/approve", {}, format="json")
    api["teller"].post(
        f"{BASE}/loans/{loan_id}/disburse", {}, format="json", HTTP_IDEMPOTENCY_KEY=key()
    )
    tx = (
        api["teller"]
        .post(
            f"{BASE}/loans/{loan_id}/repayments",
            {"amount": "40"},
            format="json",
            HTTP_IDEMPOTENCY_KEY=key(),
        )
        .json()
    )
    r = api["teller"].post(
        f"{BASE}/loans/{loan_id}/repayments/{tx['id']}/reverse",
        {"reason": "Mauvais crédit"},
        format="json",
    )
    assert r.status_code == 202 and r.json()["status"] == "pending"
    req = r.json()["id"]
    r = api["teller"].post(
        f"{BASE}/loan-requests/{req}/approve", {}, format="json", HTTP_IDEMPOTENCY_KEY=key()
    )
    assert r.status_code == 403
    r = api["manager"].post(
        f"{BASE}/loan-requests/{req}/approve", {}, format="json", HTTP_IDEMPOTENCY_KEY=key()
    )
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert (
        api["manager"].get(f"{BASE}/loans/{loan_id}").json()["outstanding"]["principal"] == "300.00"
    )
    verify_green()

    move_to(dt.date(2027, 1, 20), cash=False)
    r = api["committee"].post(
        f"{BASE}/loans/{loan_id}/reschedule",
        {"installments": 8, "grace_interest_payment": 2, "reason": "Stock saisi"},
        format="json",
    )
    assert r.status_code == 200, r.json()
    assert r.json()["restructured"] is True
    r = api["committee"].post(
        f"{BASE}/loans/{loan_id}/reschedule",
        {"installments": 10, "reason": "Encore"},
        format="json",
    )
    assert r.status_code == 400 and r.json()["code"] == "already_rescheduled"

    r = api["manager"].post(
        f"{BASE}/loans/{loan_id}/write-off",
        {"reason": "Partie sans laisser d'adresse"},
        format="json",
    )
    assert r.status_code == 202
    req = r.json()["id"]
    r = api["manager"].post(
        f"{BASE}/loan-requests/{req}/approve", {}, format="json", HTTP_IDEMPOTENCY_KEY=key()
    )
    assert r.status_code == 403 and r.json()["code"] == "maker_checker"
    r = api["committee"].post(
        f"{BASE}/loan-requests/{req}/approve", {}, format="json", HTTP_IDEMPOTENCY_KEY=key()
    )
    assert r.status_code == 200
    assert Loan.objects.get(pk=loan_id).status == LoanStatus.WRITTEN_OFF
    verify_green()


def test_group_loan_through_the_api(api, staff, umoja, group_product, till, verify_green):
    group, members = umoja
    r = api["officer"].post(
        f"{BASE}/group-loans",
        {
            "group": group.pk,
            "product": group_product.pk,
            "installments": 12,
            "purpose": "Commerce transfrontalier",
            "shares": [{"member": m.pk, "principal": "200"} for m in members],
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    g = r.json()
    assert g["requested_total"] == "1000.00" and len(g["shares"]) == 5
    reduced = g["shares"][3]["id"]
    r = api["committee"].post(
        f"{BASE}/group-loans/{g['id']}/approve", {"approved": {str(reduced): "100"}}, format="json"
    )
    assert r.status_code == 200, r.json()
    assert r.json()["approved_total"] == "900.00"
    r = api["teller"].post(
        f"{BASE}/group-loans/{g['id']}/disburse", {}, format="json", HTTP_IDEMPOTENCY_KEY=key()
    )
    assert r.status_code == 201, r.json()
    assert sum(Decimal(t["guarantee"]) for t in r.json()) == Decimal("90")
    verify_green()


def test_loan_detail_carries_the_disclosure_cost_in_the_currency_decimals(
    api, staff, umoja, group_product
):
    """Scenario 2's sheet through the API: USD 200 over 12 weeks at 2 % a month flat, 2 %
    fee deducted, 10 % guarantee held; amounts in the currency's decimals ("0.00", not
    "0", before the loan is disbursed)."""
    group, members = umoja
    g = (
        api["officer"]
        .post(
            f"{BASE}/group-loans",
            {
                "group": group.pk,
                "product": group_product.pk,
                "installments": 12,
                "purpose": "Commerce transfrontalier",
                "shares": [{"member": m.pk, "principal": "200"} for m in members],
            },
            format="json",
        )
        .json()
    )
    body = api["officer"].get(f"{BASE}/loans/{g['shares'][0]['id']}").json()
    assert body["cost"] == {
        "principal": "200.00",
        "total_interest": "11.08",
        "fees": "4.00",
        "guarantee": "20.00",
        "net_disbursed": "176.00",
        "total_to_repay": "211.08",
        "total_cost": "15.08",
    }
    assert body["outstanding"] == {
        "principal": "0.00",
        "interest": "0.00",
        "fees": "0.00",
        "penalties": "0.00",
        "total": "0.00",
    }
    assert (body["overdue"], body["due_today"], body["payoff"]) == ("0.00", "0.00", "0.00")


def test_arrears_through_the_api(api, staff, umoja, group_product, till, move_to):
    """GET /loans/arrears: who is late as of the business date, her phone and her group
    leader's; officers and managers read it, tellers do not."""
    group, members = umoja
    g = (
        api["officer"]
        .post(
            f"{BASE}/group-loans",
            {
                "group": group.pk,
                "product": group_product.pk,
                "installments": 12,
                "purpose": "Commerce transfrontalier",
                "shares": [{"member": m.pk, "principal": "200"} for m in members],
            },
            format="json",
        )
        .json()
    )
    api["committee"].post(f"{BASE}/group-loans/{g['id']}/approve", {}, format="json")
    api["teller"].post(
        f"{BASE}/group-loans/{g['id']}/disburse", {}, format="json", HTTP_IDEMPOTENCY_KEY=key()
    )
    move_to(dt.date(2026, 11, 9))  # the first instalment falls due; all but Neema pay
    for share in g["shares"][:1] + g["shares"][2:]:
        api["teller"].post(
            f"{BASE}/loans/{share['id']}/repayments",
            {"amount": "17.59"},
            format="json",
            HTTP_IDEMPOTENCY_KEY=key(),
        )
    move_to(dt.date(2026, 11, 16), cash=False)
    r = api["officer"].get(f"{BASE}/loans/arrears")
    assert r.status_code == 200, r.json()
    (row,) = r.json()["results"]
    neema, leader = members[1], members[0]
    assert row["loan"] == g["shares"][1]["id"]
    assert (row["days_past_due"], row["overdue"], row["currency"]) == (7, "17.59", "USD")
    assert row["member"] == {
        "id": neema.pk,
        "number": neema.number,
        "name": neema.full_name,
        "phone": neema.phone,
    }
    assert row["group"] == {
        "id": group.pk,
        "name": "Umoja Ruzizi",
        "leader": leader.full_name,
        "leader_phone": leader.phone,
    }
    assert api["manager"].get(f"{BASE}/loans/arrears", {"min_days": 8}).json()["count"] == 0
    r = api["officer"].get(f"{BASE}/loans/arrears", {"min_days": "a week"})
    assert r.status_code == 400 and set(r.json()["errors"]) == {"min_days"}
    assert api["teller"].get(f"{BASE}/loans/arrears").status_code == 403


def test_recovery_through_the_api(api, staff, member, trader_product, till, move_to, verify_green):
    """POST /loans/{id}/recoveries on a written-off loan: income, once per key, never
    above what was written off; refused on a loan still active."""
    loan_id = (
        api["officer"]
        .post(f"{BASE}/loans", loan_body(member, trader_product), format="json")
        .json()["id"]
    )
    api["committee"].post(f"{BASE}/loans/{loan_id}/approve", {}, format="json")
    api["teller"].post(
        f"{BASE}/loans/{loan_id}/disburse", {}, format="json", HTTP_IDEMPOTENCY_KEY=key()
    )
    url = f"{BASE}/loans/{loan_id}/recoveries"
    r = api["teller"].post(url, {"amount": "30"}, format="json", HTTP_IDEMPOTENCY_KEY=key())
    assert r.status_code == 400 and r.json()["code"] == "wrong_status"
    req = (
        api["manager"]
        .post(f"{BASE}/loans/{loan_id}/write-off", {"reason": "Partie"}, format="json")
        .json()["id"]
    )
    api["committee"].post(
        f"{BASE}/loan-requests/{req}/approve", {}, format="json", HTTP_IDEMPOTENCY_KEY=key()
    )
    assert api["teller"].post(url, {"amount": "30"}, format="json").status_code == 400
    r = api["teller"].post(url, {"amount": "30", "colour": "red"}, format="json")
    assert r.status_code == 400
    k = key()
    r = api["teller"].post(url, {"amount": "30"}, format="json", HTTP_IDEMPOTENCY_KEY=k)
    assert r.status_code == 201, r.json()
    assert (r.json()["kind"], r.json()["amount"]) == ("recovery", "30.00")
    again = api["teller"].post(url, {"amount": "30"}, format="json", HTTP_IDEMPOTENCY_KEY=k)
    assert again.json()["id"] == r.json()["id"]
    assert LoanTransaction.objects.filter(loan_id=loan_id, kind="recovery").count() == 1
    from mupaka.ledger.selectors import role_balance

    assert role_balance("write_off_recoveries", "USD").net_minor == -3000
    r = api["teller"].post(url, {"amount": "300"}, format="json", HTTP_IDEMPOTENCY_KEY=key())
    assert r.status_code == 400 and r.json()["code"] == "above_written_off"
    r = api["officer"].post(url, {"amount": "1"}, format="json", HTTP_IDEMPOTENCY_KEY=key())
    assert r.status_code == 403
    verify_green()


def test_list_a_members_loans(api, staff, member, member_factory, trader_product, till):
    """GET /loans?member=&status=: her loans, newest first, from the caches; refusals by
    field; another branch sees none."""
    first = (
        api["officer"]
        .post(f"{BASE}/loans", loan_body(member, trader_product), format="json")
        .json()["id"]
    )
    api["committee"].post(f"{BASE}/loans/{first}/approve", {}, format="json")
    api["teller"].post(
        f"{BASE}/loans/{first}/disburse", {}, format="json", HTTP_IDEMPOTENCY_KEY=key()
    )
    second = (
        api["officer"]
        .post(f"{BASE}/loans", loan_body(member, trader_product, principal="100"), format="json")
        .json()["id"]
    )
    api["officer"].post(
        f"{BASE}/loans", loan_body(member_factory("Neema"), trader_product), format="json"
    )
    body = api["teller"].get(f"{BASE}/loans", {"member": member.pk}).json()
    assert [row["id"] for row in body["results"]] == [second, first]
    active = api["teller"].get(f"{BASE}/loans", {"member": member.pk, "status": "active"}).json()
    (row,) = active["results"]
    assert (row["id"], row["principal_outstanding"], row["next_due_date"]) == (
        first,
        "300.00",
        "2026-12-02",
    )
    assert api["teller"].get(f"{BASE}/loans").json()["count"] == 3
    r = api["teller"].get(f"{BASE}/loans", {"status": "lost", "member": "x"})
    assert r.status_code == 400 and set(r.json()["errors"]) == {"status"}
    r = api["teller"].get(f"{BASE}/loans", {"member": "x"})
    assert r.status_code == 400 and set(r.json()["errors"]) == {"member"}
    assert api["coordinator"].get(f"{BASE}/loans").status_code == 403


def test_unknown_loan_is_404(api, chart):
    assert api["officer"].get(f"{BASE}/loans/999").status_code == 404


def test_openapi_builds(api, chart):
    r = api["officer"].get(f"{BASE}/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for path in [
        "/api/v1/loan-products",
        "/api/v1/loans",
        "/api/v1/loans/{id}/approve",
        "/api/v1/loans/{id}/repayments/{tx}/reverse",
        "/api/v1/loans/{id}/write-off",
        "/api/v1/loans/{id}/schedule",
        "/api/v1/loans/{id}/recoveries",
        "/api/v1/loans/arrears",
    ]:
        assert path.replace("{id}", "{pk}") in paths or path in paths, path
