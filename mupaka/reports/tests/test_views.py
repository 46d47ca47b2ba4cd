"""Pages: allowed and refused roles, figures on the page, XLSX and PDF."""

import io
import shutil
import subprocess

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = [
    (
        "reports:index",
        ["manager", "committee", "accountant", "auditor", "admin", "officer"],
        ["teller", "coordinator"],
    ),
    (
        "reports:portfolio",
        ["manager", "committee", "accountant", "auditor", "admin", "officer"],
        ["teller", "coordinator"],
    ),
    ("reports:arrears", ["manager", "committee", "officer", "auditor"], ["teller", "coordinator"]),
    ("reports:officers", ["manager", "committee"], ["teller", "coordinator"]),
    (
        "reports:indicators",
        ["manager", "accountant", "auditor", "admin"],
        ["committee", "officer", "teller", "coordinator"],
    ),
    ("reports:outreach", ["manager", "accountant"], ["committee", "officer", "teller"]),
    (
        "reports:statements",
        ["accountant", "auditor", "manager"],
        ["committee", "officer", "teller"],
    ),
    ("reports:monthly_pack", ["accountant", "manager"], ["committee", "officer", "coordinator"]),
    ("reports:dashboard", ["manager", "accountant"], ["committee", "officer", "teller"]),
    ("reports:norms", ["accountant", "manager"], ["officer", "teller", "coordinator"]),
]


@pytest.mark.parametrize("name,allowed,refused", PAGES)
def test_pages_allowed_and_refused(client, staff, books, snapshot, name, allowed, refused):
    url = reverse(name)
    for role in allowed:
        client.force_login(staff[role])
        response = client.get(url)
        assert response.status_code == 200, (name, role)
    for role in refused:
        client.force_login(staff[role])
        assert client.get(url).status_code == 403, (name, role)
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_portfolio_page_shows_par30_by_branch(client, staff, portfolio):
    client.force_login(staff["accountant"])
    response = client.get(reverse("reports:portfolio"), {"by": "branch", "currency": "USD"})
    html = response.content.decode()
    assert "1 573,45" in html.replace("\u202f", " ").replace("\xa0", " ")  # PAR30 amount
    assert "51,19" in html  # PAR30 %
    assert "<svg" in html and "BKV · Bukavu" in html


def test_future_date_is_refused_on_the_page(client, staff, portfolio):
    client.force_login(staff["manager"])
    response = client.get(reverse("reports:portfolio"), {"date": "2026-12-01"})
    assert response.status_code == 400
    assert "01/12/2026" in response.content.decode()


def test_xlsx_holds_the_figures(client, staff, portfolio):
    from openpyxl import load_workbook

    client.force_login(staff["accountant"])
    response = client.get(reverse("reports:portfolio"), {"format": "xlsx", "by": "officer"})
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    summary = wb.worksheets[0]
    values = [[c.value for c in row] for row in summary.iter_rows()]
    par30 = next(r for r in values if r[0] and str(r[0]).startswith("PAR30"))
    assert par30[1] == 7 and str(par30[2]) == "1573.45"
    assert round(par30[3], 6) == 0.511949  # a spreadsheet number, formatted 0.00 %
    assert len(wb.worksheets) == 3  # summary, ageing, by officer


def test_pdf_starts_with_pdf_and_carries_the_title(client, staff, books, snapshot):
    client.force_login(staff["accountant"])
    response = client.get(reverse("reports:monthly_pack"), {"format": "pdf", "date": "2026-10-31"})
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
        ).stdout.decode()
        assert "Rapport mensuel" in text or "monthly pack" in text
        assert "Ratios prudentiels" in text or "Prudential ratios" in text


def test_arrears_page_lists_phones_and_group_leader(client, staff, portfolio):
    client.force_login(staff["accountant"])
    html = client.get(reverse("reports:arrears")).content.decode()
    assert "Umoja Goma (Mapendo Test" in html
    assert portfolio["members"]["Zawadi"].phone in html


def test_indicators_page_shows_formulas_and_the_collection_caveat(client, staff, books, snapshot):
    client.force_login(staff["manager"])
    response = client.get(reverse("reports:indicators"), {"inflation": "12,5"})
    assert response.status_code == 200
    assert response.context["report"].inflation == __import__("decimal").Decimal("0.125")
    html = response.content.decode()
    assert html.count("data-key=") == 10
    bad = client.get(reverse("reports:indicators"), {"inflation": "lots"})
    assert bad.status_code == 400


def test_accountant_edits_a_norm_and_officer_cannot(client, staff, books):
    from mupaka.core.models import AuditLog
    from mupaka.reports.models import PrudentialNorm

    norm = PrudentialNorm.objects.get(key="single_member")
    client.force_login(staff["accountant"])
    response = client.post(
        reverse("reports:norms"),
        {
            "norm": norm.pk,
            "comparator": "<=",
            "threshold": "25",
            "source": "BCC 2026",
            "numerator": "largest_member_exposure",
            "denominator": "10, 11, 12, 13, 14, result",
        },
    )
    assert response.status_code == 302
    norm.refresh_from_db()
    assert (norm.threshold, norm.is_example, norm.source) == ("0.25", False, "BCC 2026")
    assert AuditLog.objects.filter(action="reports.norm.update").exists()
    bad = client.post(
        reverse("reports:norms"), {"norm": norm.pk, "comparator": "<=", "threshold": "-3"}
    )
    assert bad.status_code == 400
    client.force_login(staff["manager"])
    assert (
        client.post(
            reverse("reports:norms"), {"norm": norm.pk, "comparator": ">=", "threshold": "1"}
        ).status_code
        == 403
    )
