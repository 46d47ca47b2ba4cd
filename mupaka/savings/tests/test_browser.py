"""In Chromium: the officer opens a USD savings account for an active member, the teller
takes a deposit and a withdrawal at her till, and the statement is read on screen (with
its running balance) and as the French passbook PDF."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser]


def test_open_an_account_and_read_its_statement(
    committing_db, page, login, staff, member, usd_product, till, live_server
):
    from playwright.sync_api import expect

    from mupaka.ledger.verify import run_checks
    from mupaka.savings.models import SavingsAccount

    login("officer")
    page.goto("/savings/")
    page.click("#open-account")
    page.fill("#id_member_number", member.number)
    page.select_option("#id_product", str(usd_product.pk))
    page.click("#open-form button[type=submit]")
    expect(page.locator("#account-number")).to_have_text(f"{member.number}-01")
    account = SavingsAccount.objects.get(member=member)
    page.click("form[action='/logout/'] button")

    login("teller")
    page.goto(f"/savings/{account.pk}/")
    page.click("#deposit-link")
    page.fill("#id_amount", "120")
    page.fill("#id_memo", "Vente de tomates")
    page.click("#movement-form button[type=submit]")
    expect(page.locator("#balance")).to_contain_text("120,00")
    page.click("#withdraw-link")
    page.fill("#id_amount", "30")
    page.click("#movement-form button[type=submit]")
    expect(page.locator("#balance")).to_contain_text(
        "89,50"
    )  # USD 0.50 fee (French figures: the user speaks French)
    expect(page.locator("#available")).to_contain_text("84,50")  # minimum USD 5

    page.click("#statement-screen")
    rows = page.locator("#statement-rows tbody tr")
    expect(rows).to_have_count(5)  # opening, deposit, withdrawal, fee, totals
    expect(rows.nth(1)).to_contain_text("Vente de tomates")
    expect(page.locator("#closing")).to_contain_text("89,50")
    pdf_url = page.locator("#statement-pdf").get_attribute("formaction")
    response = page.request.get(
        f"{live_server.url}{pdf_url}?date_from=2026-11-01&date_to=2026-11-30"
    )
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    assert [r.name for r in run_checks() if not r.ok] == []
