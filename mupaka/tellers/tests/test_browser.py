"""In Chromium: the teller finds a member by name, opens her panel, takes a deposit with a
double click on "submit" (the money moves once), changes money for her, and prints the
receipt."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# the ids used more than once in the page (an id must be unique in a document)
DUPLICATE_IDS = """() => {
  const ids = [...document.querySelectorAll("[id]")].map((e) => e.id);
  return [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
}"""


def test_teller_serves_a_member_from_search_to_printed_receipt(
    page, login, open_till, furaha, manager, staff
):
    from playwright.sync_api import expect

    from mupaka.ledger.models import JournalEntry
    from mupaka.members.services import member_status_change
    from mupaka.savings.models import SavingsAccount
    from mupaka.savings.services import ProductData, savings_account_open, savings_product_create
    from mupaka.tellers.models import Exchange, Receipt
    from mupaka.tellers.services import rate_set

    rate_set(
        actor=manager, base="USD", quote="CDF", buy="2847.35", sell="2895", reference="2871.20"
    )
    member_status_change(actor=staff["officer"], member=furaha, status="active")
    product = savings_product_create(
        actor=manager,
        data=ProductData(code="EV-USD", name="Épargne USD", kind="voluntary", currency="USD"),
    )
    account = savings_account_open(actor=staff["officer"], member=furaha, product=product)

    login("teller")
    page.goto("/tellers/counter/")
    expect(page.locator("#till-balances")).to_contain_text(re.compile(r"2\s000,00 USD"))
    page.fill("#counter-search", "Furaha")
    page.locator(".member-hit", has_text=furaha.number).click()
    panel = page.locator(f"#member-{furaha.pk}")
    expect(panel).to_contain_text("Furaha")

    # a deposit of USD 20 in a few keystrokes; a double click moves the money once
    row = panel.locator(f"#account-{account.pk}")
    row.locator("input[name=amount]").fill("20")
    entries = JournalEntry.objects.count()
    row.locator("button[value=deposit]").dblclick()
    expect(page.locator(".done")).to_contain_text("BKV-2026-000001")
    expect(page.locator(f"#account-{account.pk}")).to_contain_text(re.compile(r"20,00 USD"))
    assert JournalEntry.objects.count() == entries + 1
    assert SavingsAccount.objects.get(pk=account.pk).balance_minor == 2000
    deposit_receipt = page.locator(".print-receipt").get_attribute("href")

    panel = page.locator(f"#member-{furaha.pk}")
    form = panel.locator("form.exchange-form")
    form.locator("input[name='x-amount']").fill("100")
    form.locator("select[name='x-currency']").select_option("USD")
    form.locator("select[name='x-currency_out']").select_option("CDF")
    expect(form.locator(".preview")).to_contain_text(re.compile(r"284\s700,00 CDF"))
    entries = JournalEntry.objects.count()
    form.locator("button[type=submit]").dblclick()
    done = page.locator("#member-exchange .done")
    expect(done).to_contain_text("BKV-2026-000002")
    assert Exchange.objects.count() == 1
    assert JournalEntry.objects.count() == entries + 1

    receipt = Receipt.objects.get(kind="tellers.exchange")
    # two "done" boxes on the page now (the deposit's and the exchange's): each print link
    # has its own id, and no id is used twice on the page
    links = page.locator(".print-receipt")
    expect(links).to_have_count(2)
    assert links.nth(0).get_attribute("href") == deposit_receipt
    assert done.locator(".print-receipt").get_attribute("id") == f"print-receipt-{receipt.pk}"
    assert page.evaluate(DUPLICATE_IDS) == []
    page.goto(done.locator(".print-receipt").get_attribute("href"))
    expect(page.locator("#receipt-number")).to_have_text(receipt.number)
    expect(page.locator("body")).to_contain_text("cent dollars américains")
    expect(page.locator("body")).to_contain_text(furaha.number)
    expect(page.locator("#print")).to_be_visible()
    page.goto(deposit_receipt)
    expect(page.locator("body")).to_contain_text("vingt dollars américains")
    expect(page.locator("body")).to_contain_text(re.compile(r"20,00 USD"))
    page.screenshot(path="/tmp/tellers-receipt.png")


def test_a_double_click_on_repay_takes_the_repayment_once(
    page, login, open_till, staff, active_member, approved_loan
):
    """Scenario 3's repayment (USD 45.50) with a double click on "Repay": one repayment,
    one receipt, and the panel shows that receipt."""
    import uuid

    from playwright.sync_api import expect

    from mupaka.ledger.models import JournalEntry
    from mupaka.loans.models import LoanTransaction
    from mupaka.loans.services import loan_disburse
    from mupaka.tellers.models import Receipt

    member = active_member("Amani")
    loan = approved_loan(member, principal="500")
    loan_disburse(actor=staff["teller"], loan=loan, idempotency_key=str(uuid.uuid4()))

    login("teller")
    page.goto("/tellers/counter/")
    page.fill("#counter-search", "Amani")
    page.locator(".member-hit", has_text=member.number).click()
    row = page.locator(f"#loan-{loan.pk}")
    expect(row).to_be_visible()
    row.locator("input[name=amount]").fill("45.50")
    entries = JournalEntry.objects.count()
    row.locator("button[value=repay]").dblclick()
    done = page.locator(".done")
    expect(done).to_contain_text("BKV-2026-000001")
    page.wait_for_load_state("networkidle")  # a second request, if one was sent, is over
    assert LoanTransaction.objects.filter(loan=loan, kind="repayment").count() == 1
    assert JournalEntry.objects.count() == entries + 1
    assert Receipt.objects.filter(kind="loans.repayment").count() == 1
    page.goto(done.locator(".print-receipt").get_attribute("href"))
    expect(page.locator("body")).to_contain_text("quarante-cinq dollars américains")
