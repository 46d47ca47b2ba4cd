"""Pages of the ledger: allowed and refused roles, and what they show or do."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from mupaka.ledger.models import DraftStatus, JournalEntry, ManualEntryDraft

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for():
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def books(post):
    post(
        [("5710-USD", "45.50", None), ("3200-USD", None, "40"), ("7000-USD", None, "5.50")],
        narrative="Remboursement",
    )
    post([("5710-CDF", "50000", None), ("3300-CDF", None, "50000")], narrative="Dépôt FC")
    return JournalEntry.objects.order_by("number").first()


READ_PAGES = [
    "/ledger/",
    "/ledger/accounts/",
    "/ledger/accounts/5710-USD/",
    "/ledger/journal/",
    "/ledger/journal/1/",
    "/ledger/drafts/",
    "/ledger/reports/trial-balance/",
    "/ledger/reports/balance-sheet/",
    "/ledger/reports/income-statement/",
    "/ledger/reports/general-ledger/",
    "/ledger/periods/",
    "/ledger/currency-rules/",
    "/ledger/mappings/",
    "/ledger/verify/",
]


@pytest.mark.parametrize("url", READ_PAGES)
def test_read_pages_allowed_for_accountant_refused_for_teller(books, staff, client_for, url):
    assert client_for(staff["accountant"]).get(url).status_code == 200
    assert client_for(staff["auditor"]).get(url).status_code == 200
    assert client_for(staff["teller"]).get(url).status_code == 403
    assert client_for(staff["coordinator"]).get(url).status_code == 403


def test_anonymous_is_sent_to_login(books):
    response = Client().get("/ledger/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_trial_balance_shows_french_amounts_and_exports(books, staff, client_for):
    client = client_for(staff["accountant"])
    page = client.get("/ledger/reports/trial-balance/?currency=USD").content.decode()
    assert (
        "5710-USD" in page and "45,50" in page and "Balance" in page
    )  # "Balance" = trial balance in French
    xlsx = client.get("/ledger/reports/trial-balance/?currency=USD&format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    from openpyxl import load_workbook

    ws = load_workbook(BytesIO(xlsx.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert any(row[0] == "5710-USD" and str(row[2]) == "45.5" for row in values)
    pdf = client.get("/ledger/reports/balance-sheet/?currency=USD&format=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_balance_sheet_and_income_statement_by_class(books, staff, client_for):
    client = client_for(staff["accountant"])
    bs = client.get("/ledger/reports/balance-sheet/?currency=USD").content.decode()
    assert "Actif" in bs and "Passif et capitaux propres" in bs
    assert "5710-USD" in bs and "45,50" in bs
    assert "7000-USD" not in bs  # income is in the result line, not listed on the balance sheet
    assert "Résultat de la période" in bs
    income = client.get(
        "/ledger/reports/income-statement/?currency=USD&from=2026-01-01&to=2026-12-31"
    ).content.decode()
    assert "7000-USD" in income and "5,50" in income


def test_manual_entry_maker_checker_through_the_pages(chart, staff, client_for):
    maker, checker = client_for(staff["accountant"]), client_for(staff["manager"])
    data = {
        "business_date": "2026-11-02",
        "narrative": "Loyer de novembre",
        "idempotency_key": "page-key-1",
        "lines-TOTAL_FORMS": "4",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "40",
        "lines-0-account": "6300-USD",
        "lines-0-debit": "150",
        "lines-1-account": "5200-USD",
        "lines-1-credit": "150",
    }
    response = maker.post("/ledger/drafts/new/", data)
    assert response.status_code == 302
    draft = ManualEntryDraft.objects.get()
    assert draft.status == DraftStatus.PENDING and JournalEntry.objects.count() == 0
    # the maker cannot approve her own entry; the teller cannot at all
    assert maker.post(f"/ledger/drafts/{draft.pk}/approve/").status_code == 302
    assert ManualEntryDraft.objects.get().status == DraftStatus.PENDING
    assert (
        client_for(staff["teller"]).post(f"/ledger/drafts/{draft.pk}/approve/").status_code == 403
    )
    response = checker.post(f"/ledger/drafts/{draft.pk}/approve/")
    assert response.status_code == 302
    entry = JournalEntry.objects.get()
    assert entry.source_type == "manual" and entry.approved_by == staff["manager"]
    assert entry.actor == staff["accountant"]


def test_manual_entry_form_shows_the_refusal(chart, staff, client_for):
    data = {
        "business_date": "2026-11-02",
        "narrative": "Déséquilibrée",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-0-account": "6300-USD",
        "lines-0-debit": "150",
        "lines-1-account": "5200-USD",
        "lines-1-credit": "149",
    }
    response = client_for(staff["accountant"]).post("/ledger/drafts/new/", data)
    assert response.status_code == 200
    assert "équilibr" in response.content.decode()  # "L'écriture n'est pas équilibrée en USD"
    assert ManualEntryDraft.objects.count() == 0
    assert client_for(staff["manager"]).get("/ledger/drafts/new/").status_code == 403


def test_reversal_request_then_approval(books, staff, client_for):
    maker, checker = client_for(staff["accountant"]), client_for(staff["manager"])
    response = maker.post(f"/ledger/journal/{books.number}/reverse/", {"reason": "Mauvais crédit"})
    assert response.status_code == 302
    draft = ManualEntryDraft.objects.get(kind="reversal")
    checker.post(f"/ledger/drafts/{draft.pk}/approve/")
    reversal = JournalEntry.objects.get(reversal_of=books)
    assert reversal.business_date == dt.date(2026, 11, 2)
    assert (
        client_for(staff["teller"])
        .post(f"/ledger/journal/{books.number}/reverse/", {"reason": "x"})
        .status_code
        == 403
    )


def test_period_close_page(books, staff, client_for):
    from mupaka.core.services import business_date_set

    business_date_set(actor=None, new_date=dt.date(2026, 12, 2))
    # a manager reads the page but may not close: the form is not even shown
    page = client_for(staff["manager"]).get("/ledger/periods/").content.decode()
    assert 'id="close-form"' not in page
    client_for(staff["manager"]).post("/ledger/periods/", {"year": 2026, "month": 11})
    from mupaka.ledger.selectors import closed_through

    assert closed_through() is None
    response = client_for(staff["accountant"]).post("/ledger/periods/", {"year": 2026, "month": 11})
    assert response.status_code == 302
    assert closed_through() == dt.date(2026, 11, 30)


def test_verify_page_runs_the_checks(books, staff, client_for):
    page = client_for(staff["auditor"]).post("/ledger/verify/").content.decode()
    assert "journal.hash_chain" in page
    row = page.split("journal.hash_chain")[1].split("</tr>")[0]
    assert "OK" in row
