"""The savings and shares JSON API: the endpoints of issue 5, refusals field by field."""

from __future__ import annotations

import pytest

from mupaka.savings.models import SavingsAccount, SavingsTransaction
from mupaka.savings.tests.conftest import key, verify_green

pytestmark = pytest.mark.django_db


def post(client, url, data, idem=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": idem} if idem else {}
    return client.post(url, data, format="json", **headers)


def test_create_a_product(api_client_for, staff, chart):
    api = api_client_for(staff["manager"])
    r = post(
        api,
        "/api/v1/savings-products",
        {
            "code": "ev-usd",
            "name": "Épargne à vue USD",
            "kind": "voluntary",
            "currency": "USD",
            "interest_rate": "6",
            "min_balance": "5",
            "withdrawal_fee": "0.50",
            "dormancy_days": 180,
        },
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert (body["code"], body["interest_rate"], body["min_balance"]) == ("EV-USD", "6", "5.00")
    assert api.get("/api/v1/savings-products").json()[0]["code"] == "EV-USD"


def test_product_validation_errors_by_field(api_client_for, staff, chart):
    api = api_client_for(staff["manager"])
    r = post(
        api,
        "/api/v1/savings-products",
        {
            "code": "X",
            "name": "",
            "kind": "lottery",
            "currency": "USD",
            "colour": "red",
            "interest_rate": "abc",
        },
    )
    assert r.status_code == 400
    errors = r.json()["errors"]
    assert set(errors) >= {"name", "kind", "colour", "interest_rate"}
    r = post(
        api,
        "/api/v1/savings-products",
        {
            "code": "T",
            "name": "Terme",
            "kind": "term",
            "currency": "XYZ",
            "min_balance": "1.005",
        },
    )
    assert r.status_code == 400
    assert set(r.json()["errors"]) == {"currency", "min_balance", "term_months"}


def test_a_guarantee_product_has_no_percentage_of_its_own(api_client_for, staff, chart):
    """The loan product sets the guarantee; a savings product has no percentage of its own
    (sending one is refused like any unknown field, and nothing is created)."""
    api = api_client_for(staff["manager"])
    r = post(
        api,
        "/api/v1/savings-products",
        {"code": "EG-USD", "name": "Garantie", "kind": "guarantee", "currency": "USD"},
    )
    assert r.status_code == 201, r.json()
    assert "guarantee_percent" not in r.json()
    r = post(
        api,
        "/api/v1/savings-products",
        {
            "code": "EG-CDF",
            "name": "Garantie CDF",
            "kind": "guarantee",
            "currency": "CDF",
            "guarantee_percent": "10",
        },
    )
    assert r.status_code == 400 and "guarantee_percent" in str(r.json())
    assert [p["code"] for p in api.get("/api/v1/savings-products").json()] == ["EG-USD"]
    schema = api.get("/api/v1/openapi.json").json()
    assert (
        "guarantee_percent" not in schema["components"]["schemas"]["ProductInRequest"]["properties"]
    )


def test_product_refused_to_a_teller(api_client_for, staff, chart):
    r = post(
        api_client_for(staff["teller"]),
        "/api/v1/savings-products",
        {"code": "A", "name": "A", "kind": "voluntary", "currency": "USD"},
    )
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"


def test_open_deposit_withdraw_read(api_client_for, staff, member, usd_product, till):
    teller = api_client_for(staff["teller"])
    r = post(teller, "/api/v1/savings-accounts", {"member": member.pk, "product": usd_product.pk})
    assert r.status_code == 201, r.json()
    account_id = r.json()["id"]
    k = key()
    r = post(
        teller,
        f"/api/v1/savings-accounts/{account_id}/deposits",
        {"amount": "20", "currency": "USD"},
        idem=k,
    )
    assert r.status_code == 201, r.json()
    assert (r.json()["balance"], r.json()["available_balance"]) == ("20.00", "15.00")
    again = post(
        teller,
        f"/api/v1/savings-accounts/{account_id}/deposits",
        {"amount": "20", "currency": "USD"},
        idem=k,
    )
    assert again.status_code == 200 and again.json()["replayed"] is True
    assert again.json()["transaction"] == r.json()["transaction"]
    r = post(
        teller,
        f"/api/v1/savings-accounts/{account_id}/withdrawals",
        {"amount": "10", "currency": "USD"},
        idem=key(),
    )
    assert r.status_code == 201 and r.json()["fee"] == "0.50"
    detail = teller.get(f"/api/v1/savings-accounts/{account_id}").json()
    assert (detail["balance"], detail["available_balance"], detail["status"]) == (
        "9.50",
        "4.50",
        "active",
    )
    history = teller.get(f"/api/v1/savings-accounts/{account_id}/transactions?limit=2").json()
    assert history["count"] == 3
    assert [t["kind"] for t in history["results"]] == ["fee", "withdrawal"]
    assert history["results"][0]["balance_after"] == "9.50"
    verify_green()


def test_money_moving_calls_need_the_key_and_a_clear_currency(
    api_client_for, staff, member, usd_product, open_account, till
):
    acct = open_account(member, usd_product)
    teller = api_client_for(staff["teller"])
    url = f"/api/v1/savings-accounts/{acct.pk}/deposits"
    r = post(teller, url, {"amount": "20", "currency": "USD"})
    assert r.status_code == 400 and r.json()["code"] == "idempotency_key_missing"
    r = post(teller, url, {"amount": "x", "memo": 5 * "long" * 60}, idem=key())
    assert r.status_code == 400 and set(r.json()["errors"]) == {"amount", "currency", "memo"}
    r = post(teller, url, {"amount": "50000", "currency": "CDF"}, idem=key())
    assert r.status_code == 400 and r.json()["code"] == "currency_mismatch"
    assert "amount" in r.json()["errors"]
    r = post(teller, url, {"amount": "20", "currency": "QQQ"}, idem=key())
    assert r.status_code == 400 and "currency" in r.json()["errors"]
    r = post(
        teller,
        f"/api/v1/savings-accounts/{acct.pk}/withdrawals",
        {"amount": "1000", "currency": "USD"},
        idem=key(),
    )
    assert r.status_code == 400 and r.json()["code"] == "insufficient_available"
    assert SavingsTransaction.objects.count() == 0
    verify_green()


def test_no_open_till(api_client_for, staff, member, usd_product, open_account, chart):
    acct = open_account(member, usd_product)
    r = post(
        api_client_for(staff["teller"]),
        f"/api/v1/savings-accounts/{acct.pk}/deposits",
        {"amount": "20", "currency": "USD"},
        idem=key(),
    )
    assert r.status_code == 400 and r.json()["code"] == "no_open_till"


def test_roles_and_branches(
    api_client_for, staff, member, usd_product, open_account, make_user, other_branch, till
):
    acct = open_account(member, usd_product)
    r = post(
        api_client_for(staff["officer"]),
        f"/api/v1/savings-accounts/{acct.pk}/deposits",
        {"amount": "20", "currency": "USD"},
        idem=key(),
    )
    assert r.status_code == 403
    stranger = make_user("teller", username="goma-teller", branch_=other_branch)
    assert api_client_for(stranger).get(f"/api/v1/savings-accounts/{acct.pk}").status_code == 403
    assert api_client_for(staff["teller"]).get("/api/v1/savings-accounts/999").status_code == 404


def test_open_account_refusals(api_client_for, staff, make_member, usd_product):
    api = api_client_for(staff["officer"])
    pending = make_member(active=False)
    r = post(api, "/api/v1/savings-accounts", {"member": pending.pk, "product": usd_product.pk})
    assert r.status_code == 400 and r.json()["code"] == "member_not_active"
    r = post(api, "/api/v1/savings-accounts", {"member": pending.pk, "product": 999})
    assert r.status_code == 400 and "product" in r.json()["errors"]
    r = post(api, "/api/v1/savings-accounts", {"member": "x"})
    assert r.status_code == 400 and set(r.json()["errors"]) == {"member", "product"}


def test_term_deposit_through_the_api(
    api_client_for, staff, member, usd_product, term_product, open_account, till
):
    teller = api_client_for(staff["teller"])
    r = post(teller, "/api/v1/savings-accounts", {"member": member.pk, "product": term_product.pk})
    assert r.status_code == 400 and r.json()["code"] == "idempotency_key_missing"
    r = post(
        teller,
        "/api/v1/savings-accounts",
        {"member": member.pk, "product": term_product.pk},
        idem=key(),
    )
    assert r.status_code == 400 and set(r.json()["errors"]) == {"amount", "currency"}
    r = post(
        teller,
        "/api/v1/savings-accounts",
        {"member": member.pk, "product": term_product.pk, "amount": "500", "currency": "USD"},
        idem=key(),
    )
    assert r.status_code == 201, r.json()
    assert (r.json()["kind"], r.json()["balance"], r.json()["maturity_date"]) == (
        "term",
        "500.00",
        "2027-05-02",
    )
    verify_green()


# --- shares ------------------------------------------------------------------------------------------
def test_scenario_1_through_the_api(
    api_client_for, staff, make_member, usd_product, cdf_product, till
):
    from mupaka.shares.services import share_product_set

    share_product_set(
        actor=staff["manager"],
        name="Parts sociales",
        currency="USD",
        unit_price="10",
        min_shares=2,
        max_shares=50,
        entry_fee="5",
    )
    furaha = make_member(active=False)
    teller = api_client_for(staff["teller"])
    url = f"/api/v1/members/{furaha.pk}/shares"
    before = teller.get(url).json()
    assert (before["member_status"], before["shares"], before["paid"]) == ("pending", 0, "0.00")
    assert (before["currency"], before["entry_fee_paid_date"]) == ("USD", None)
    r = post(teller, url, {"shares": 1}, idem=key())
    assert r.status_code == 400 and r.json()["code"] == "below_minimum"
    assert "shares" in r.json()["errors"]
    r = post(teller, url, {"shares": -1, "channel": "card"}, idem=key())
    assert r.status_code == 400 and set(r.json()["errors"]) == {"shares", "channel"}
    k = key()
    r = post(teller, url, {"shares": 2}, idem=k)
    assert r.status_code == 201, r.json()
    assert (r.json()["total"], r.json()["member_activated"]) == ("25.00", True)
    assert post(teller, url, {"shares": 2}, idem=k).status_code == 200
    after = teller.get(url).json()
    assert (after["member_status"], after["shares"], after["paid"]) == ("active", 2, "20.00")
    assert after["entry_fee_paid_date"] is not None
    for product, amount, currency in ((usd_product, "20", "USD"), (cdf_product, "50000", "CDF")):
        r = post(teller, "/api/v1/savings-accounts", {"member": furaha.pk, "product": product.pk})
        assert r.status_code == 201, r.json()
        r = post(
            teller,
            f"/api/v1/savings-accounts/{r.json()['id']}/deposits",
            {"amount": amount, "currency": currency},
            idem=key(),
        )
        assert r.status_code == 201, r.json()
    assert SavingsAccount.objects.filter(member=furaha).count() == 2
    verify_green()


def test_shares_refused_to_the_auditor(api_client_for, staff, make_member, chart):
    r = post(
        api_client_for(staff["auditor"]),
        f"/api/v1/members/{make_member().pk}/shares",
        {"shares": 2},
        idem=key(),
    )
    assert r.status_code == 403


def test_list_a_members_accounts(
    api_client_for,
    staff,
    make_member,
    make_user,
    usd_product,
    cdf_product,
    open_account,
    other_branch,
):
    """GET /savings-accounts?member= (scenario 2 reads a trader's blocked guarantee
    savings through the API): her accounts only, the caller's branch only."""
    furaha, other = make_member(), make_member()
    usd, cdf = open_account(furaha, usd_product), open_account(furaha, cdf_product)
    open_account(other, usd_product)
    api = api_client_for(staff["teller"])
    r = api.get("/api/v1/savings-accounts", {"member": furaha.pk})
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["count"] == 2
    assert [a["number"] for a in body["results"]] == sorted([usd.number, cdf.number])
    assert {a["balance"] for a in body["results"]} == {"0.00"}
    assert api.get("/api/v1/savings-accounts").json()["count"] == 3
    r = api.get("/api/v1/savings-accounts", {"member": "abc"})
    assert r.status_code == 400 and set(r.json()["errors"]) == {"member"}
    # another branch sees none of them; the network coordinator sees no savings
    goma = api_client_for(make_user("teller", branch_=other_branch))
    assert goma.get("/api/v1/savings-accounts").json()["count"] == 0
    r = api_client_for(staff["coordinator"]).get("/api/v1/savings-accounts")
    assert r.status_code == 403
