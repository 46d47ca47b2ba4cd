"""Fixtures of the scenario tests: one JSON API desk per role, the cooperative's set-up
(chart, provisioning bands, share product, savings products: through the API where there
is an endpoint) and the counter's morning and evening (a till opened from the vault and
closed on a count), all through the API."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Iterable
from decimal import Decimal

import pytest


def new_key(tag: str = "scn") -> str:
    return f"{tag}-{uuid.uuid4()}"


class Desk:
    """A staff member's API client: ``get``/``post`` answer the JSON body and check the
    HTTP status. ``post(..., key=...)`` sends an ``Idempotency-Key`` (``key=True``: a
    fresh one)."""

    def __init__(self, user, client):
        self.user = user
        self.client = client
        self.last_key: str | None = None

    def get(self, path: str, expect: int = 200, **params):
        response = self.client.get(f"/api/v1/{path}", params)
        body = response.json()
        assert response.status_code == expect, (path, response.status_code, body)
        return body

    def post(self, path: str, body: dict | None = None, *, status: int = 201, key=None):
        headers = {}
        if key is True:
            key = new_key()
        if key:
            headers["HTTP_IDEMPOTENCY_KEY"] = key
            self.last_key = key
        response = self.client.post(f"/api/v1/{path}", body or {}, format="json", **headers)
        data = response.json()
        assert response.status_code == status, (path, response.status_code, data)
        return data

    def patch(self, path: str, body: dict, *, status: int = 200):
        response = self.client.patch(f"/api/v1/{path}", body, format="json")
        data = response.json()
        assert response.status_code == status, (path, response.status_code, data)
        return data


@pytest.fixture
def desks(staff, api_client_for) -> dict[str, Desk]:
    """desks["teller"], desks["manager"] ...: English answers (messages are asserted in
    the source language; French is the default)."""
    result = {}
    for role, user in staff.items():
        client = api_client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        result[role] = Desk(user, client)
    return result


def verify_green() -> str:
    """``mupaka verify``: every check of every app passes (CommandError otherwise)."""
    from django.core.management import call_command

    out = io.StringIO()
    call_command("verify", stdout=out)
    text = out.getvalue()
    assert "FAIL" not in text, text
    return text


def balance(desk: Desk, account: str, currency: str, date=None) -> Decimal:
    """The ledger balance (debit − credit) of a posting account, through the API."""
    params = {"date": date.isoformat()} if date else {}
    body = desk.get(f"accounts/{account}-{currency}/balance", **params)
    rows = {b["currency"]: Decimal(b["balance"]) for b in body["balances"]}
    return rows.get(currency, Decimal(0))


@pytest.fixture
def start_date():
    """The business date the story starts on (a test overrides it with
    ``@pytest.mark.parametrize("start_date", [...])``)."""
    return dt.date(2026, 11, 2)


@pytest.fixture
def coop(institution, branch, other_branch, staff, desks, start_date):
    """The cooperative before the stories: DRC chart and provisioning bands, the share
    product (USD 10 a share, 2 to join, entry fee USD 5), voluntary savings in USD, CDF
    and RWF and the USD guarantee savings (through the API), USD/CDF rates, and cash in
    the BKV and GOM vaults (through the API)."""
    from django.core.management import call_command

    from mupaka.cob.services import provision_bands_load
    from mupaka.shares.services import share_product_set

    if start_date != institution.business_date:  # a new institution starts on that day
        call_command("business_date", "set", start_date.isoformat(), stdout=io.StringIO())
        institution.refresh_from_db()
    call_command("chart", "load", "drc", stdout=io.StringIO())
    provision_bands_load(actor=None, preset="drc")
    # No API sets the share product (configuration made once on a page).
    share_product_set(
        actor=staff["manager"],
        name="Parts sociales",
        currency="USD",
        unit_price="10",
        min_shares=2,
        max_shares=50,
        entry_fee="5",
    )
    manager = desks["manager"]
    savings = {}
    for cur in ("USD", "CDF", "RWF"):
        savings[cur] = manager.post(
            "savings-products",
            {
                "code": f"EV-{cur}",
                "name": f"Épargne à vue {cur}",
                "kind": "voluntary",
                "currency": cur,
            },
        )
    savings["guarantee"] = manager.post(
        "savings-products",
        {
            "code": "EG-USD",
            "name": "Épargne de garantie USD",
            "kind": "guarantee",
            "currency": "USD",
        },
    )
    for cur, amount in (("USD", "50000"), ("CDF", "100000000"), ("RWF", "5000000")):
        for code in ("BKV", "GOM"):  # the accountant sees every branch
            desks["accountant"].post(
                "vault-fundings",
                {"branch": code, "currency": cur, "amount": amount, "source": "opening"},
                key=True,
            )
    return {"savings": savings, "institution": institution, "branch": branch}


SCENARIO_FLOAT = (("USD", "2000"), ("CDF", "3000000"), ("RWF", "200000"))


@pytest.fixture
def open_till(desks):
    """open_till(teller="teller", floats=SCENARIO_FLOAT) → the till's JSON: the manager
    opens it from the vault (POST /tills), the teller counts the float and confirms it."""

    def open_(
        teller: str = "teller",
        floats: Iterable[tuple[str, str]] = SCENARIO_FLOAT,
        manager: str = "manager",
    ) -> dict:
        till = desks[manager].post(
            "tills",
            {"teller": teller, "floats": [{"currency": c, "amount": a} for c, a in floats]},
            key=True,
        )
        for transfer in till["transfers"]:
            if transfer["status"] == "pending":
                desks[teller].post(f"cash-transfers/{transfer['id']}/confirm", key=True, status=200)
        till = desks[teller].get(f"tills/{till['id']}")
        assert till["status"] == "open"
        return till

    return open_


def count_of(balances: dict[str, str], short: dict[str, str] | None = None) -> dict:
    """The count by denomination of the cash a till holds (largest notes first), with
    ``short`` ({"CDF": "500"}) missing: the shape POST /tills/{id}/close takes."""
    from mupaka.core.money import Money
    from mupaka.tellers.selectors import denominations

    counts: dict[str, dict[str, int]] = {}
    for cur, text in balances.items():
        left = Money.of(text, cur).minor - Money.of((short or {}).get(cur, "0"), cur).minor
        counts[cur] = {}
        for d in denominations(cur):
            n, left = divmod(left, d.value_minor)
            if n:
                counts[cur][str(Money.from_minor(d.value_minor, cur).amount)] = n
        assert left == 0, f"{cur}: {left} minor units cannot be counted in notes"
    return counts


@pytest.fixture
def close_till(desks):
    """close_till(till_id, short=None, reason="") → the till's JSON after the teller's
    count and the manager's confirmation."""

    def close(
        till_id: int,
        *,
        short: dict[str, str] | None = None,
        reason: str = "",
        teller: str = "teller",
        manager: str = "manager",
    ) -> dict:
        till = desks[teller].get(f"tills/{till_id}")
        desks[teller].post(
            f"tills/{till_id}/close",
            {"counts": count_of(till["balances"], short)},
            key=True,
            status=200,
        )
        return desks[manager].post(
            f"tills/{till_id}/close/confirm", {"reason": reason}, key=True, status=200
        )

    return close


@pytest.fixture
def cob():
    """cob(until) runs ``mupaka cob --until`` and answers the new business date."""
    from django.core.management import call_command

    def run(until):
        out = io.StringIO()
        call_command("cob", until=until.isoformat(), quiet=True, stdout=out)
        from mupaka.core.selectors import business_date_get

        return business_date_get()

    return run
