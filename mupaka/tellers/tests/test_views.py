"""Pages: who may see them, and the counter's forms (double submit moves money once)."""

from __future__ import annotations

import pytest
from django.test import Client

from mupaka.ledger.models import JournalEntry
from mupaka.tellers.models import Exchange, Receipt, Till, TillStatus
from mupaka.tellers.services import rate_set

from .conftest import key


def client_for(user, language="en") -> Client:
    c = Client()
    c.force_login(user)
    c.cookies["mupaka_language"] = language
    return c


@pytest.fixture
def usd_cdf(chart, manager):
    return rate_set(
        actor=manager, base="USD", quote="CDF", buy="2847.35", sell="2895", reference="2871.20"
    )


@pytest.mark.parametrize(
    "url_name, allowed, refused",
    [
        ("tellers:counter", "teller", "manager"),
        ("tellers:till_list", "manager", "teller"),
        ("tellers:rate_list", "teller", "coordinator"),
        ("tellers:till_count", "teller", "auditor"),
    ],
)
def test_pages_allow_and_refuse(open_till, staff, url_name, allowed, refused):
    from django.urls import reverse

    url = reverse(url_name)
    assert client_for(staff[allowed]).get(url).status_code == 200
    assert client_for(staff[refused]).get(url).status_code == 403


def test_till_detail_and_pdfs(open_till, staff):
    c = client_for(staff["auditor"])
    r = c.get(f"/tellers/tills/{open_till.pk}/")
    assert r.status_code == 200 and "2,000.00 USD" in r.content.decode()
    pdf = c.get(f"/tellers/tills/{open_till.pk}/journal.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert client_for(staff["officer"]).get(f"/tellers/tills/{open_till.pk}/").status_code == 403


def test_walk_in_exchange_double_submit_moves_money_once(open_till, usd_cdf, teller):
    c = client_for(teller)
    form = {
        "x-idempotency_key": key(),
        "x-amount": "100",
        "x-currency": "USD",
        "x-currency_out": "CDF",
        "x-customer_name": "Client de passage",
    }
    first = c.post("/tellers/counter/exchange/", form, HTTP_HX_REQUEST="true")
    entries = JournalEntry.objects.count()
    second = c.post("/tellers/counter/exchange/", form, HTTP_HX_REQUEST="true")
    assert first.status_code == second.status_code == 200
    assert f'id="print-receipt-{Receipt.objects.get().pk}"' in first.content.decode()
    assert Exchange.objects.count() == 1 and JournalEntry.objects.count() == entries
    receipt = Receipt.objects.get()
    page = c.get(f"/tellers/receipts/{receipt.pk}/").content.decode()
    assert receipt.number in page
    assert "cent dollars américains" in page
    assert "deux cent quatre-vingt-quatre mille sept cents francs congolais" in page
    pdf = c.get(f"/tellers/receipts/{receipt.pk}/pdf/")
    assert pdf.content.startswith(b"%PDF")


def test_exchange_refusal_shows_on_the_form(open_till, teller, chart):
    c = client_for(teller)
    r = c.post(
        "/tellers/counter/exchange/",
        {
            "x-idempotency_key": key(),
            "x-amount": "100",
            "x-currency": "USD",
            "x-currency_out": "CDF",
            "x-customer_name": "X",
        },
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200 and "does not trade" in r.content.decode()  # htmx swaps 2xx only
    assert not Exchange.objects.exists()


def test_exchange_preview(open_till, usd_cdf, teller):
    r = client_for(teller).get(
        "/tellers/counter/exchange/preview/",
        {"x-amount": "100", "x-currency": "USD", "x-currency_out": "CDF"},
    )
    assert "284" in r.content.decode() and "35" in r.content.decode()


def test_count_form_refuses_negative_notes(open_till, teller):
    c = client_for(teller)
    r = c.post("/tellers/counter/count/", {"n_USD_10000": "-2"})
    assert r.status_code == 200 and "cannot be negative" in r.content.decode()
    open_till.refresh_from_db()
    assert open_till.status == TillStatus.OPEN


def test_count_then_manager_closes_with_reason(open_till, teller, manager):
    c = client_for(teller)
    r = c.post(
        "/tellers/counter/count/",
        {
            "n_USD_10000": "20",
            "n_CDF_2000000": "149",
            "n_CDF_500000": "3",
            "n_CDF_100000": "4",
            "n_CDF_50000": "1",
            "n_RWF_5000": "40",
        },
    )
    assert r.status_code == 302
    m = client_for(manager)
    page = m.get(f"/tellers/tills/{open_till.pk}/").content.decode()
    assert "confirm-close" in page
    r = m.post(
        f"/tellers/tills/{open_till.pk}/close/",
        {"idempotency_key": key(), "reason": ""},
        follow=True,
    )
    assert "give the reason" in r.content.decode()
    m.post(
        f"/tellers/tills/{open_till.pk}/close/",
        {"idempotency_key": key(), "reason": "Erreur de rendu"},
    )
    open_till.refresh_from_db()
    assert open_till.status == TillStatus.CLOSED
    sheet = m.get(f"/tellers/tills/{open_till.pk}/closing-sheet.pdf")
    assert sheet.content.startswith(b"%PDF")


def test_manager_opens_a_till_and_teller_confirms(funded_vault, staff):
    m = client_for(staff["manager"])
    r = m.post(
        "/tellers/tills/open/",
        {
            "o-idempotency_key": key(),
            "o-teller": staff["teller"].pk,
            "o-float_USD": "500",
            "o-hold_USD": "on",
            "o-hold_CDF": "on",
        },
    )
    till = Till.objects.get()
    assert r.status_code == 302 and till.currencies == ["CDF", "USD"]
    t = client_for(staff["teller"])
    page = t.get("/tellers/counter/").content.decode()
    assert f"incoming-{till.transfers.get().pk}" in page
    transfer = till.transfers.get()
    t.post(f"/tellers/transfers/{transfer.pk}/confirm/", {"idempotency_key": key()})
    transfer.refresh_from_db()
    assert transfer.status == "confirmed"


def test_rate_form(chart, staff):
    m = client_for(staff["manager"])
    r = m.post("/tellers/rates/", {"base": "USD", "quote": "CDF", "buy": "2900", "sell": "2850"})
    assert r.status_code == 400 and "cannot be below the buy rate" in r.content.decode()
    r = m.post("/tellers/rates/", {"base": "USD", "quote": "CDF", "buy": "2850", "sell": "2900"})
    assert r.status_code == 302
    assert (
        client_for(staff["teller"])
        .post("/tellers/rates/", {"base": "USD", "quote": "RWF", "buy": "1", "sell": "2"})
        .status_code
        == 403
    )


def test_member_search_and_panel_then_exchange_for_her(open_till, usd_cdf, teller, furaha):
    c = client_for(teller)
    hits = c.get(
        "/tellers/counter/search/", {"q": "furaha"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert furaha.number in hits
    by_phone = c.get(
        "/tellers/counter/search/", {"q": "0970000001"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert furaha.number in by_phone
    panel = c.get(f"/tellers/counter/members/{furaha.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "Furaha" in panel and "base.html" not in panel and "<html" not in panel
    r = c.post(
        "/tellers/counter/exchange/",
        {
            "x-idempotency_key": key(),
            "x-amount": "10",
            "x-currency": "USD",
            "x-currency_out": "CDF",
            "x-member_id": furaha.pk,
        },
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200
    receipt = Receipt.objects.get()
    assert receipt.member_id == furaha.pk
    assert furaha.number in c.get(f"/tellers/receipts/{receipt.pk}/").content.decode()
