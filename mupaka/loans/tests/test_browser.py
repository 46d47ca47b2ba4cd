"""In Chromium: the loan officer files an application with the trader's cash flow, the
credit committee finds it in its pipeline and approves a lower amount."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_files_and_committee_approves(page, login, staff, member, trader_product):
    from playwright.sync_api import expect

    from mupaka.loans.models import Loan, LoanStatus

    login("officer")
    page.goto("/loans/new/")
    page.fill("input[name=member]", member.number)
    page.select_option("select[name=product]", str(trader_product.pk))
    page.fill("input[name=principal]", "400")
    page.fill("input[name=installments]", "6")
    page.fill("input[name=purpose]", "Stock de tomates et de farine de manioc")
    page.fill("input[name=daily_sales]", "60")
    page.fill("input[name=daily_purchases]", "30")
    page.fill("input[name=household_costs]", "60")
    page.fill("input[name=guarantor_name]", "Papa Jean")
    page.click("#apply-form button[type=submit]")
    expect(page.locator("#loan-status")).to_have_class("badge submitted")
    loan = Loan.objects.get()
    assert loan.filed_by.username == "officer"
    assert loan.appraisal.within_capacity
    # the officer may not decide on her own application
    expect(page.locator("#approve")).to_have_count(0)

    page.context.clear_cookies()
    login("committee")
    page.goto("/loans/committee/")
    page.locator("#pipeline a", has_text=loan.number).click()
    page.fill("input[name=approved_principal]", "300")
    page.fill("#decision textarea[name=note]", "Premier crédit : montant prudent")
    page.click("#approve")
    expect(page.locator("#loan-status")).to_have_class("badge approved")
    loan.refresh_from_db()
    assert loan.status == LoanStatus.APPROVED
    assert loan.approved_principal_minor == 30000
    assert loan.decided_by.username == "committee"
    page.screenshot(path="/tmp/loans-approved.png")
