"""The JSON API of tills, transfers, rates and exchanges: roles, validation by field,
idempotency."""

from __future__ import annotations

import pytest

from mupaka.ledger.models import JournalEntry
from mupaka.tellers.models import Exchange, Till

from .conftest import key


def post(client, url, data, idem=True):
    headers = (
        {"HTTP_IDEMPOTENCY_KEY": key()}
        if idem is True
        else ({"HTTP_IDEMPOTENCY_KEY": idem} if idem else {})
    )
    return client.post(url, data, format="json", **headers)


@pytest.fixture
def as_manager(api_client_for, manager):
    return _en(api_client_for(manager))


@pytest.fixture
def as_teller(api_client_for, teller):
    return _en(api_client_for(teller))


def _en(client):
    client.credentials(
        HTTP_AUTHORIZATION=client._credentials["HTTP_AUTHORIZATION"], HTTP_ACCEPT_LANGUAGE="en"
    )
    return client


FLOATS = {
    "teller": "teller",
    "floats": [
        {"currency": "USD", "amount": "2000"},
        {"currency": "CDF", "amount": "3000000"},
        {"currency": "RWF", "amount": "200000"},
    ],
}


def test_open_confirm_close_through_the_api(funded_vault, as_manager, as_teller):
    r = post(as_manager, "/api/v1/tills", FLOATS)
    assert r.status_code == 201, r.json()
    till = r.json()
    assert till["status"] == "open" and till["balances"] == {
        "CDF": "0.00",
        "RWF": "0",
        "USD": "0.00",
    }
    transfer = till["transfers"][0]
    assert transfer["status"] == "pending"
    r = post(as_teller, f"/api/v1/cash-transfers/{transfer['id']}/confirm", {})
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    r = as_teller.get(f"/api/v1/tills/{till['id']}")
    assert r.json()["balances"] == {"CDF": "3000000.00", "RWF": "200000", "USD": "2000.00"}
    counts = {
        "USD": {"100": 20},
        "CDF": {"20000": 149, "5000": 3, "1000": 4, "500": 1},
        "RWF": {"5000": 40},
    }
    r = post(as_teller, f"/api/v1/tills/{till['id']}/close", {"counts": counts})
    assert r.status_code == 200, r.json()
    assert r.json()["count"]["differences"] == {"CDF": "-500.00", "RWF": "0", "USD": "0.00"}
    r = post(as_manager, f"/api/v1/tills/{till['id']}/close/confirm", {})
    assert r.status_code == 400 and r.json()["code"] == "reason_required"
    assert "reason" in r.json()["errors"]
    r = post(as_manager, f"/api/v1/tills/{till['id']}/close/confirm", {"reason": "Erreur de rendu"})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    r = post(as_manager, f"/api/v1/tills/{till['id']}/close/confirm", {"reason": "encore"})
    assert r.status_code == 409 and r.json()["code"] == "till_closed"


def test_open_is_idempotent(funded_vault, as_manager):
    k = key()
    first = post(as_manager, "/api/v1/tills", FLOATS, idem=k)
    second = post(as_manager, "/api/v1/tills", FLOATS, idem=k)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"] and Till.objects.count() == 1


def test_open_needs_the_header_and_the_manager(funded_vault, as_manager, as_teller):
    r = post(as_manager, "/api/v1/tills", FLOATS, idem=False)
    assert r.status_code == 400 and r.json()["code"] == "idempotency_key_missing"
    r = post(as_teller, "/api/v1/tills", FLOATS)
    assert r.status_code == 403


def test_open_validation_by_field(funded_vault, as_manager):
    r = post(
        as_manager,
        "/api/v1/tills",
        {"teller": "teller", "floats": [{"currency": "USD"}], "colour": 1},
    )
    assert r.status_code == 400
    errors = r.json()["errors"]
    assert "amount" in errors["floats"]["0"] and "colour" in errors
    r = post(as_manager, "/api/v1/tills", {"teller": "nobody"})
    assert r.status_code == 400 and "teller" in r.json()["errors"]


def test_negative_notes_refused(open_till, as_teller):
    r = post(as_teller, f"/api/v1/tills/{open_till.pk}/close", {"counts": {"USD": {"100": -1}}})
    assert r.status_code == 400 and r.json()["code"] == "invalid_count"
    assert "negative" in r.json()["errors"]["counts"][0]


def test_rates_and_exchange(open_till, as_manager, as_teller, api_client_for, staff):
    rate = {"base": "USD", "quote": "CDF", "buy": "2847.35", "sell": "2895", "reference": "2871.20"}
    r = as_manager.post("/api/v1/exchange-rates", rate, format="json")
    assert r.status_code == 201 and r.json()["buy"] == "2847.35"
    r = as_teller.post("/api/v1/exchange-rates", rate, format="json")
    assert r.status_code == 403
    r = as_manager.post("/api/v1/exchange-rates", {**rate, "sell": "2800"}, format="json")
    assert (
        r.status_code == 400
        and r.json()["code"] == "sell_below_buy"
        and "sell" in r.json()["errors"]
    )
    assert [x["pair"] for x in as_teller.get("/api/v1/exchange-rates").json()["results"]] == [
        "USD/CDF"
    ]

    body = {"currency": "USD", "amount": "100", "currency_out": "CDF", "customer_name": "Passante"}
    k = key()
    first = post(as_teller, "/api/v1/exchanges", body, idem=k)
    assert first.status_code == 201, first.json()
    entries = JournalEntry.objects.count()
    again = post(as_teller, "/api/v1/exchanges", body, idem=k)  # double press
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert JournalEntry.objects.count() == entries and Exchange.objects.count() == 1
    paid = first.json()
    assert paid["paid"] == {"currency": "CDF", "amount": "284700.00"}
    assert paid["kept"] == {"currency": "CDF", "amount": "35.00"}
    assert paid["margin"] == {"currency": "USD", "amount": "0.84"}
    r = post(
        as_teller, "/api/v1/exchanges", {**body, "amount": "100"}, idem=k
    )  # same key, same body
    assert r.status_code == 200
    r = post(
        as_teller, "/api/v1/exchanges", {**body, "amount": "50"}, idem=k
    )  # same key, other body
    assert r.status_code == 409
    r = post(as_teller, "/api/v1/exchanges", {**body, "currency_out": "EUR"})
    assert r.status_code == 400 and r.json()["code"] == "currency_not_traded"
    r = post(as_manager, "/api/v1/exchanges", body)
    assert r.status_code == 403
    r = as_manager.get("/api/v1/exchange-positions")
    assert r.json()["positions"] == {"CDF": "-284700.00", "USD": "99.16"}
    assert api_client_for(staff["auditor"]).get("/api/v1/exchange-positions").status_code == 200
    assert as_teller.get("/api/v1/exchange-positions").status_code == 403


def test_till_of_another_teller_is_hidden(open_till, api_client_for, make_user):
    other = make_user("teller", username="teller2")
    assert api_client_for(other).get(f"/api/v1/tills/{open_till.pk}").status_code == 403


def test_a_teller_lists_her_own_tills(open_till, as_teller, api_client_for, make_user):
    """GET /tills: a teller (no right to the branch's list) gets her own, so a channel
    finds her open till's id; another teller's stays hidden."""
    r = as_teller.get("/api/v1/tills", {"status": "open"})
    assert r.status_code == 200, r.json()
    (till,) = r.json()["results"]
    assert (till["id"], till["teller"]) == (open_till.pk, "teller")
    assert as_teller.get("/api/v1/tills", {"status": "closed"}).json()["results"] == []
    other = api_client_for(make_user("teller", username="teller2"))
    assert other.get("/api/v1/tills").json()["results"] == []
    assert api_client_for(make_user("coordinator")).get("/api/v1/tills").status_code == 403


def test_vault_funding(chart, branch, as_manager, as_teller):
    body = {"branch": "BKV", "currency": "USD", "amount": "5000", "source": "bank"}
    r = post(as_manager, "/api/v1/vault-fundings", body)
    assert r.status_code == 201 and r.json()["balances"] == {"USD": "5000.00"}
    assert post(as_teller, "/api/v1/vault-fundings", body).status_code == 403


def test_openapi_builds(chart, as_manager):
    r = as_manager.get("/api/v1/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for p in (
        "/api/v1/tills",
        "/api/v1/tills/{id}/close",
        "/api/v1/exchange-rates",
        "/api/v1/exchanges",
    ):
        assert p in paths
