"""Scenarios 1 and 3 through the screens, in Chromium, as the officer, the teller and the
manager would click them, in French (the screens' language whatever the browser asks).
Screenshots of the key steps go to ``test-results/scenarios/`` (gitignored) for a person
to look at."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

# committing tests: mupaka/conftest.py puts the migrations' reference data (border posts,
# notes and coins) back after each flush
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[3] / "test-results" / "scenarios"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def logout(page) -> None:
    page.context.clear_cookies()


@pytest.fixture
def counter_ready(institution, branch, staff):
    """The cooperative of the demo, small: DRC chart, the share product (USD 10, 2 to
    join, entry fee USD 5), voluntary savings in USD, CDF and RWF, and the teller's till
    opened from the vault with scenario 3's float (USD 2,000, CDF 3,000,000, RWF 200,000)."""
    from mupaka.core.money import Money
    from mupaka.ledger.services import chart_load
    from mupaka.savings.services import ProductData, savings_product_create
    from mupaka.shares.services import share_product_set
    from mupaka.tellers.testing import open_till_with_cash

    chart_load(actor=None, preset="drc")
    share_product_set(
        actor=staff["manager"],
        name="Parts sociales",
        currency="USD",
        unit_price="10",
        min_shares=2,
        max_shares=50,
        entry_fee="5",
    )
    products = {
        cur: savings_product_create(
            actor=staff["manager"],
            data=ProductData(
                code=f"EV-{cur}", name=f"Épargne à vue {cur}", kind="voluntary", currency=cur
            ),
        )
        for cur in ("USD", "CDF", "RWF")
    }
    till = open_till_with_cash(
        teller=staff["teller"],
        manager=staff["manager"],
        floats=[Money.of("2000", "USD"), Money.of("3000000", "CDF"), Money.of("200000", "RWF")],
    )
    return {"products": products, "till": till}


def verify_green() -> None:
    from mupaka.ledger.verify import run_checks

    failed = {r.name: r.problems for r in run_checks() if not r.ok}
    assert failed == {}


# --- 1. Furaha joins the cooperative -------------------------------------------------------------
def test_scenario_1_furaha_joins_through_the_screens(page, login, staff, branch, counter_ready):
    from playwright.sync_api import expect

    from mupaka.members.models import Member
    from mupaka.members.services import member_register
    from mupaka.savings.models import SavingsAccount

    sister = member_register(
        actor=staff["officer"],
        branch=branch,
        first_name="Neema",
        last_name="M'Bisimwa",
        sex="F",
        birth_date=dt.date(1996, 9, 2),
        phone="+243970000001",
    )

    # The loan officer registers Furaha with her trader profile.
    login("officer")
    page.goto("/members/")
    page.click("#new-member")
    page.fill("#id_first_name", "Furaha")
    page.fill("#id_last_name", "M'Bisimwa")
    page.select_option("#id_sex", "F")
    page.fill("#id_birth_date", "1992-03-14")
    page.fill("#id_phone", "+243 97 000 0001")
    page.select_option("#id_language", "sw")
    page.select_option("#id_id_type", "voter_card")
    page.fill("#id_id_number", "SK-0457-1122")
    page.fill("#id_town", "Bukavu")
    page.check("#id_trader-is_trader")
    page.get_by_label("Ruzizi I / Rusizi I").check()
    page.fill("#id_trader-goods_traded", "tomates, farine de manioc")
    page.fill("#id_trader-crossings_per_week", "21")
    for cur in ("USD", "CDF", "RWF"):
        page.check(f"input[name='trader-currencies'][value='{cur}']")
    page.fill("#id_trader-daily_turnover", "60")
    page.select_option("#id_trader-daily_turnover_currency", "USD")
    page.click("#save-member")

    # The system warns that her sister uses the same phone; she goes on with a reason.
    warning = page.locator("#duplicate-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text(sister.number)
    shot(page, "s1-01-duplicate-warning")
    assert Member.objects.count() == 1
    page.fill("#id_duplicate_reason", "Sa sœur Neema utilise le même téléphone")
    page.click("#save-member")
    expect(page.locator("#member-number")).to_have_text("BKV-000002")
    expect(page.locator("#member-status")).to_have_text("En attente")
    shot(page, "s1-02-registered-pending")
    furaha = Member.objects.get(first_name="Furaha")

    # At the counter: the entry fee and 2 shares make her active.
    logout(page)
    login("teller")
    page.goto("/tellers/counter/")
    page.fill("#counter-search", "Furaha M")
    page.locator(".member-hit", has_text=furaha.number).click()
    panel = page.locator(f"#member-{furaha.pk}")
    expect(panel.locator("#shares")).to_contain_text("Droit d'adhésion non payé")
    shot(page, "s1-03-counter-pending")
    panel.locator("#shares-form input[name=amount]").fill("2")
    panel.locator("#shares-form button[type=submit]").click()
    expect(page.locator(".done")).to_contain_text("BKV-2026-000001")
    expect(page.locator(f"#member-{furaha.pk}")).to_contain_text("Actif")
    shot(page, "s1-04-shares-paid-active")
    furaha.refresh_from_db()
    assert furaha.status == "active"

    # She opens a USD and a CDF account ...
    for cur in ("USD", "CDF"):
        page.goto(f"/savings/open/?member={furaha.pk}")
        expect(page.locator("#id_member_number")).to_have_value(furaha.number)
        page.select_option("#id_product", str(counter_ready["products"][cur].pk))
        if cur == "USD":
            shot(page, "s1-05-open-account")
        page.click("#open-form button[type=submit]")
        expect(page.locator("body")).to_contain_text(f"ouvert pour {furaha.full_name}")
    accounts = {a.currency: a for a in SavingsAccount.objects.filter(member=furaha)}

    # ... with USD 20 and FC 50,000 taken at the counter.
    page.goto("/tellers/counter/")
    page.fill("#counter-search", furaha.number)
    page.locator(".member-hit", has_text=furaha.number).click()
    for cur, amount, shown in (
        ("USD", "20", r"20,00\s*(USD|\$US)"),
        ("CDF", "50000", r"50\s000,00"),
    ):
        row = page.locator(f"#account-{accounts[cur].pk}")
        row.locator("input[name=amount]").fill(amount)
        row.locator("button[value=deposit]").click()
        expect(page.locator(f"#account-{accounts[cur].pk}")).to_contain_text(re.compile(shown))
    shot(page, "s1-06-deposits")
    balances = {a.currency: a.balance_minor for a in SavingsAccount.objects.filter(member=furaha)}
    assert balances == {"USD": 2000, "CDF": 5000000}

    # Her page shows her active, with her profile.
    page.goto(f"/members/{furaha.pk}/")
    expect(page.locator("#member-status")).to_have_text("Actif")
    expect(page.locator("body")).to_contain_text("Ruzizi I / Rusizi I")
    shot(page, "s1-07-member-active")
    assert Decimal(furaha.share_holding.paid_minor) == 2000
    verify_green()


# --- 3. A day at the counter in three currencies -----------------------------------------------
@pytest.fixture
def day_before(institution, branch, staff):
    """A month before the counter day: the chart, savings in USD and RWF, Sifa's loan of
    USD 500 over 15 months at 2.4 % a month flat plus USD 0.50 a month in fees (her
    instalment is USD 45.83), disbursed into her savings account, Zawadi's RWF account,
    cash in the vault; then end of day every evening up to Wednesday 2 December, her first
    due date. No till is open yet."""
    from django.core.management import call_command

    from mupaka.core.money import Money
    from mupaka.ledger.services import chart_load
    from mupaka.loans.services import (
        CashFlowData,
        ProductData,
        loan_apply,
        loan_approve,
        loan_disburse,
        loan_product_create,
    )
    from mupaka.members.services import member_register, member_status_change
    from mupaka.savings.services import ProductData as SavingsProductData
    from mupaka.savings.services import savings_account_open, savings_product_create
    from mupaka.tellers.services import vault_fund

    chart_load(actor=None, preset="drc")
    manager, officer = staff["manager"], staff["officer"]
    for amount in ("10000 USD", "20000000 CDF", "1000000 RWF"):
        value, cur = amount.split()
        vault_fund(
            actor=manager,
            branch=branch,
            amount=Money.of(value, cur),
            source="opening",
            reason="Solde d'ouverture",
            journal_key=f"open-{cur}",
        )
    savings = {
        cur: savings_product_create(
            actor=manager,
            data=SavingsProductData(
                code=f"EV-{cur}", name=f"Épargne à vue {cur}", kind="voluntary", currency=cur
            ),
        )
        for cur in ("USD", "RWF")
    }
    people = {}
    for first, last, phone in (
        ("Sifa", "Bulonza", "+243970000021"),
        ("Zawadi", "Cirhuza", "+243970000011"),
    ):
        member = member_register(
            actor=officer,
            branch=branch,
            first_name=first,
            last_name=last,
            sex="F",
            birth_date=dt.date(1988, 6, 1),
            phone=phone,
            id_type="voter_card",
            id_number=f"SK-{first}",
        )
        people[first] = member_status_change(actor=officer, member=member, status="active")
    savings_account_open(actor=officer, member=people["Sifa"], product=savings["USD"])
    rwf = savings_account_open(actor=officer, member=people["Zawadi"], product=savings["RWF"])
    product = loan_product_create(
        actor=manager,
        data=ProductData(
            code="COMMERCE-USD",
            name="Crédit commerçante (USD, mensuel, flat)",
            currency="USD",
            min_principal="100",
            max_principal="2000",
            min_installments=3,
            max_installments=18,
            frequency="months",
            interest_method="flat",
            min_rate="28.8",
            max_rate="36",
            installment_fee="flat",
            installment_fee_amount="0.50",
        ),
    )
    loan = loan_apply(
        actor=officer,
        member=people["Sifa"],
        product=product,
        principal=Money.of("500", "USD"),
        installments=15,
        annual_rate="28.8",
        purpose="Stock de farine de manioc",
        cash_flow=CashFlowData(daily_sales="80", daily_purchases="50", household_costs="60"),
    )
    loan = loan_approve(actor=staff["committee"], loan=loan)
    loan_disburse(actor=staff["teller"], loan=loan, idempotency_key="sifa", channel="savings")
    call_command("cob", until="2026-12-01", quiet=True)
    institution.refresh_from_db()
    assert institution.business_date == dt.date(2026, 12, 2)
    return {"loan": loan, "people": people, "rwf": rwf}


def test_scenario_3_a_day_at_the_counter_through_the_screens(
    page, login, staff, branch, day_before
):
    from playwright.sync_api import expect

    from mupaka.ledger.models import JournalEntry
    from mupaka.ledger.selectors import role_balance
    from mupaka.loans.models import LoanTransaction
    from mupaka.savings.models import SavingsAccount
    from mupaka.tellers.models import Exchange, Till
    from mupaka.tellers.selectors import till_balances
    from mupaka.tellers.services import rate_set
    from mupaka.tellers.testing import exact_count

    loan, sifa, zawadi = day_before["loan"], *day_before["people"].values()
    rate_set(
        actor=staff["manager"],
        base="USD",
        quote="CDF",
        buy="2847.35",
        sell="2895",
        reference="2871.20",
    )

    # Morning: the manager opens the teller's till with a float from the vault ...
    login("manager")
    page.goto("/tellers/tills/")
    page.select_option("#id_o-teller", str(staff["teller"].pk))
    for cur, amount in (("USD", "2000"), ("CDF", "3000000"), ("RWF", "200000")):
        page.fill(f"#id_o-float_{cur}", amount)
    page.uncheck("#id_o-hold_BIF")
    shot(page, "s3-01-manager-opens-till")
    page.click("#open-till button[type=submit]")
    expect(page.locator("body")).to_contain_text("Caisse ouverte")
    till = Till.objects.get()

    # ... the teller counts it and confirms.
    logout(page)
    login("teller")
    page.goto("/tellers/counter/")
    incoming = page.locator("form[id^=incoming-]")
    expect(incoming).to_contain_text(re.compile(r"3\s000\s000"))
    shot(page, "s3-02-teller-confirms-float")
    incoming.locator("button[type=submit]").click()
    expect(page.locator("#till-balances")).to_contain_text(re.compile(r"2\s000,00"))
    assert till_balances(till) == {"USD": 200000, "CDF": 300000000, "RWF": 200000}

    # Sifa pays USD 45.50 on her USD 45.83 instalment.
    page.fill("#counter-search", "Sifa")
    page.locator(".member-hit", has_text=sifa.number).click()
    row = page.locator(f"#loan-{loan.pk}")
    expect(row.locator("input[name=amount]")).to_have_value("45,83")
    shot(page, "s3-03-instalment-due")
    row.locator("input[name=amount]").fill("45,50")  # as a French teller types it
    row.locator("button[value=repay]").click()
    expect(page.locator(".done")).to_be_visible()
    shot(page, "s3-04-partial-repayment")
    tx = LoanTransaction.objects.get(loan=loan, kind="repayment")
    assert (tx.penalties_minor, tx.fees_minor, tx.interest_minor, tx.principal_minor) == (
        0,
        50,
        1200,
        3300,
    )
    expect(page.locator(f"#loan-{loan.pk}")).to_contain_text("0,33")

    # Zawadi deposits RWF 12,000.
    page.fill("#counter-search", "Zawadi")
    page.locator(".member-hit", has_text=zawadi.number).click()
    row = page.locator(f"#account-{day_before['rwf'].pk}")
    row.locator("input[name=amount]").fill("12000")
    row.locator("button[value=deposit]").click()
    expect(page.locator(f"#account-{day_before['rwf'].pk}")).to_contain_text(re.compile(r"12\s000"))
    assert SavingsAccount.objects.get(pk=day_before["rwf"].pk).balance_minor == 12000

    # A walk-in customer changes USD 100 at the buy rate; a double click changes it once.
    form = page.locator("#walkin-exchange form.exchange-form")
    form.locator("input[name='x-amount']").fill("100")
    form.locator("select[name='x-currency']").select_option("USD")
    form.locator("select[name='x-currency_out']").select_option("CDF")
    form.locator("input[name='x-customer_name']").fill("Client de passage")
    expect(form.locator(".preview")).to_contain_text(re.compile(r"284\s700"))
    shot(page, "s3-05-exchange-preview")
    entries = JournalEntry.objects.count()
    form.locator("button[type=submit]").dblclick()
    expect(page.locator("#walkin-exchange .done")).to_be_visible()
    shot(page, "s3-06-exchange-done")
    assert Exchange.objects.count() == 1
    assert JournalEntry.objects.count() == entries + 1
    exchange = Exchange.objects.get()
    assert (exchange.amount_out_minor, exchange.unpaid_minor) == (28470000, 3500)
    assert till_balances(till) == {"USD": 214550, "CDF": 271530000, "RWF": 212000}

    # Evening: she counts by denomination and is FC 500 short.
    page.goto("/tellers/counter/")
    page.click("#close-till")
    for cur, lines in exact_count(till, short={"CDF": 50000}).items():
        for value_minor, pieces in lines.items():
            page.fill(f"input[name='n_{cur}_{value_minor}']", str(pieces))
    shot(page, "s3-07-count")
    page.click("#count-form button[type=submit]")
    expect(page.locator("body")).to_contain_text("Comptage enregistré")
    shot(page, "s3-08-counted")

    # The manager receives the cash; the difference needs her reason.
    logout(page)
    login("manager")
    page.goto(f"/tellers/tills/{till.pk}/")
    confirm = page.locator("#confirm-close")
    expect(confirm.locator(".warning-box")).to_be_visible()
    shot(page, "s3-09-manager-sees-difference")
    confirm.locator("button[type=submit]").click()
    till.refresh_from_db()
    assert till.status == "closing"  # refused without a reason
    page.locator("#confirm-close textarea, #confirm-close input[name=reason]").first.fill(
        "Billet de 500 FC manquant, recompté deux fois avec la caissière"
    )
    page.locator("#confirm-close button[type=submit]").click()
    expect(page.locator("body")).to_contain_text("Billet de 500 FC manquant")
    shot(page, "s3-10-closed-with-reason")
    till.refresh_from_db()
    assert till.status == "closed"
    assert role_balance("teller_difference", "CDF").net_minor == 50000
    verify_green()
