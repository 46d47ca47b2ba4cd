"""In Chromium, in French: the counter page follows each operation without a reload (the
till's cash and the last receipts), the exchange's "done" box says what is paid out and
what the till keeps, rates are written the French way, the link to open a savings
account in a currency she has none in (and back to the counter with her and the new
account, ready for a deposit), and a counted till that offers no money form."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def saver(staff, open_till, active_member, usd_savings):
    """An active member with an empty USD account; CDF and RWF products she has no
    account in; the day's USD/CDF rate."""
    from mupaka.savings.services import ProductData, savings_account_open, savings_product_create
    from mupaka.tellers.services import rate_set

    rate_set(
        actor=staff["manager"],
        base="USD",
        quote="CDF",
        buy="2847.35",
        sell="2895",
        reference="2871.20",
    )
    savings_product_create(
        actor=staff["manager"],
        data=ProductData(code="EV-CDF", name="Épargne CDF", kind="voluntary", currency="CDF"),
    )
    savings_product_create(
        actor=staff["manager"],
        data=ProductData(code="EV-RWF", name="Épargne RWF", kind="voluntary", currency="RWF"),
    )
    member = active_member("Neema")
    account = savings_account_open(
        actor=staff["officer"], member=member, product=usd_savings["voluntary"]
    )
    return member, account


def find(page, member):
    page.fill("#counter-search", member.first_name)
    page.locator(".member-hit", has_text=member.number).click()
    return page.locator(f"#member-{member.pk}")


def test_the_counter_follows_a_deposit_and_an_exchange_without_a_reload(page, login, saver):
    from playwright.sync_api import expect

    member, account = saver
    login("teller")
    page.goto("/tellers/counter/")
    balances, receipts = page.locator("#till-balances"), page.locator("#recent-receipts")
    expect(balances).to_contain_text(re.compile(r"2\s000,00 USD"))
    expect(page.locator("#rates")).to_contain_text(re.compile(r"2\s847,35"))
    expect(page.locator("#rates")).to_contain_text(re.compile(r"2\s895,00"))
    expect(page.locator("#rates")).not_to_contain_text("2847.35")
    page.evaluate("window.notReloaded = true")

    # a deposit of USD 20: the till card and the last receipts follow
    row = find(page, member).locator(f"#account-{account.pk}")
    row.locator("input[name=amount]").fill("20")
    row.locator("button[value=deposit]").click()
    expect(page.locator(".done")).to_contain_text("BKV-2026-000001")
    expect(balances).to_contain_text(re.compile(r"2\s020,00 USD"))
    expect(receipts).to_contain_text("BKV-2026-000001")

    # a walk-in customer changes USD 100: the box says what to pay and what is kept
    form = page.locator("#walkin-exchange form.exchange-form")
    form.locator("input[name='x-amount']").fill("100")
    form.locator("select[name='x-currency']").select_option("USD")
    form.locator("select[name='x-currency_out']").select_option("CDF")
    form.locator("input[name='x-customer_name']").fill("Client de passage")
    expect(form.locator(".preview")).to_contain_text(re.compile(r"2\s847,35"))
    form.locator("button[type=submit]").click()
    done = page.locator("#walkin-exchange .done")
    expect(done).to_contain_text("BKV-2026-000002")
    expect(done.locator(".exchange-received")).to_have_text(re.compile(r"^100,00 USD$"))
    expect(done.locator(".exchange-rate")).to_have_text(re.compile(r"^2\s847,35 \(achat\)$"))
    expect(done.locator(".exchange-paid")).to_have_text(re.compile(r"^284\s700,00 CDF$"))
    expect(done.locator(".exchange-kept")).to_have_text("35,00 CDF")
    expect(done).to_contain_text("Reliquat gardé en caisse")
    expect(balances).to_contain_text(re.compile(r"2\s120,00 USD"))
    expect(balances).to_contain_text(re.compile(r"2\s715\s300,00 CDF"))
    expect(receipts).to_contain_text("BKV-2026-000002")
    expect(receipts).to_contain_text("BKV-2026-000001")
    assert page.evaluate("window.notReloaded") is True  # swapped in, not reloaded
    page.screenshot(path="/tmp/tellers-counter-after-exchange.png", full_page=True)


def test_open_an_account_from_the_counter_then_a_counted_till_offers_no_form(
    page, login, saver, staff, open_till
):
    from playwright.sync_api import expect

    from mupaka.savings.models import SavingsAccount
    from mupaka.tellers.services import till_close

    member, _account = saver
    login("teller")
    page.goto("/tellers/counter/")
    panel = find(page, member)
    expect(panel.locator("#open-account")).to_contain_text("Aucun compte d'épargne en CDF, RWF.")
    expect(panel.locator("#open-account-CDF")).to_have_text("Ouvrir un compte en CDF")
    panel.locator("#open-account-RWF").click()

    # the savings page: her number and the RWF product already chosen
    expect(page.locator("#id_member_number")).to_have_value(member.number)
    expect(page.locator("#id_product option:checked")).to_have_text("EV-RWF · Épargne RWF (RWF)")
    expect(page.locator("#currency-products")).to_contain_text("Produits d'épargne en RWF.")
    page.locator("#open-form button[type=submit]").click()

    # back on the counter, her panel open, the new RWF account with its deposit form
    page.wait_for_url(f"**/tellers/counter/members/{member.pk}/")
    rwf = SavingsAccount.objects.get(member=member, currency="RWF")
    expect(page.locator(".messages")).to_contain_text(
        f"Compte {rwf.number} ouvert pour {member.full_name}."
    )
    expect(page.locator("#till-balances")).to_be_visible()
    panel = page.locator(f"#member-panel #member-{member.pk}")
    expect(panel.locator("#open-account")).to_contain_text("Aucun compte d'épargne en CDF.")
    expect(panel.locator("#open-account-RWF")).to_have_count(0)
    row = panel.locator(f"#account-{rwf.pk}")
    expect(row).to_contain_text("Épargne RWF")
    # the form works there: a deposit of RWF 5,000 without leaving the page
    row.locator("input[name=amount]").fill("5000")
    row.locator("button[value=deposit]").click()
    expect(page.locator(".done")).to_contain_text("BKV-2026-000001")
    expect(page.locator(f"#account-{rwf.pk}")).to_contain_text(re.compile(r"5\s000 RWF"))
    expect(page.locator("#till-balances")).to_contain_text(re.compile(r"205\s000 RWF"))

    # what she counted does not matter here (and the seeded notes may have been flushed
    # by a transactional test before this one on the same worker)
    till_close(actor=staff["teller"], till=open_till, counts={})
    page.goto("/tellers/counter/")
    expect(page.locator("#till-shut")).to_contain_text("Votre caisse a été comptée pour la clôture")
    expect(page.locator("form.exchange-form")).to_have_count(0)
    expect(page.locator("#close-till")).to_have_count(0)
    panel = find(page, member)
    expect(panel.locator(".till-shut")).to_be_visible()
    expect(panel.locator("#accounts")).to_be_visible()  # still shown, to answer her
    expect(panel.locator("form")).to_have_count(0)


def test_the_manager_types_the_rate_the_french_way(page, login, chart, staff):
    """The rate typed "2 847,35" (a number input would not even take the space or the
    comma in an English browser); "2,847,35" is refused in French, nothing written."""
    from playwright.sync_api import expect

    from mupaka.tellers.models import ExchangeRate

    login("manager")
    page.goto("/tellers/rates/")
    form = page.locator("#rate-form")
    form.locator("input[name=base]").fill("USD")
    form.locator("input[name=quote]").fill("CDF")
    form.locator("input[name=buy]").fill("2,847,35")
    form.locator("input[name=sell]").fill("2 895")
    form.locator("button[type=submit]").click()
    expect(page.locator("#id_buy_error")).to_contain_text(
        re.compile(r"Saisissez un cours sous forme de nombre, par exemple 2\s847,35\.")
    )
    assert not ExchangeRate.objects.exists()

    form = page.locator("#rate-form")
    form.locator("input[name=buy]").fill("2 847,35")
    form.locator("input[name=reference]").fill("2 871,20")
    form.locator("button[type=submit]").click()
    expect(page.locator("#rates")).to_contain_text(re.compile(r"2\s847,35"))
    expect(page.locator("#rates")).to_contain_text(re.compile(r"2\s871,20"))
    rate = ExchangeRate.objects.get()
    assert (rate.buy_e8, rate.sell_e8, rate.reference_e8) == (
        284_735_000_000,
        289_500_000_000,
        287_120_000_000,
    )
