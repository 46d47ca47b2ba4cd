"""The counter page as the teller walks it: after an operation the till's cash and the
last receipts follow without a reload (out-of-band swaps); the exchange's "done" box
says what was taken, at which rate, what is paid out and what the till keeps; rates are
written the way the page's language writes numbers; a member without an account in a
currency gets the way to open one; a counted or closed till offers no money form."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from mupaka.core.money import Money
from mupaka.ledger.models import JournalEntry
from mupaka.tellers.models import Exchange, Receipt
from mupaka.tellers.selectors import money_text, till_balances
from mupaka.tellers.services import rate_set

from .conftest import key

NNBSP = "\u202f"  # the French group separator (CLDR: narrow no-break space)


def client_for(user, language: str = "en") -> Client:
    c = Client()
    c.force_login(user)
    c.cookies["mupaka_language"] = language
    return c


def operate(c, member, op, target, amount, currency="USD", k=None):
    return c.post(
        f"/tellers/counter/members/{member.pk}/operate/",
        {
            "idempotency_key": k or key(),
            "op": op,
            "target": target,
            "amount": amount,
            "currency": currency,
        },
        HTTP_HX_REQUEST="true",
    )


def exchange(c, amount="100", cur="USD", cur_out="CDF", **extra):
    return c.post(
        "/tellers/counter/exchange/",
        {
            "x-idempotency_key": key(),
            "x-amount": amount,
            "x-currency": cur,
            "x-currency_out": cur_out,
            "x-customer_name": "Client de passage",
            **extra,
        },
        HTTP_HX_REQUEST="true",
    )


def oob_balances(body: str) -> str | None:
    """The till's cash the answer swaps into the page, or None."""
    found = re.search(r'<ul class="cash" id="till-balances" hx-swap-oob="true">(.*?)</ul>', body)
    return found.group(1) if found else None


def oob_receipts(body: str) -> str | None:
    """The last receipts the answer swaps into the page (the answer's tail), or None."""
    marker = '<div id="recent-receipts" hx-swap-oob="true">'
    return body.split(marker, 1)[1] if marker in body else None


def usd(till) -> str:
    return money_text(Money.from_minor(till_balances(till)["USD"], "USD"), locale="en")


@pytest.fixture
def usd_cdf(chart, manager):
    return rate_set(
        actor=manager, base="USD", quote="CDF", buy="2847.35", sell="2895", reference="2871.20"
    )


@pytest.fixture
def her(staff, open_till, active_member, usd_savings):
    """An active member with a USD account holding USD 100 (the till: USD 2,100)."""
    from mupaka.savings.services import savings_account_open, savings_deposit

    member = active_member("Furaha")
    account = savings_account_open(
        actor=staff["officer"], member=member, product=usd_savings["voluntary"]
    )
    savings_deposit(
        actor=staff["teller"], account=account, amount=Money.of("100", "USD"), idempotency_key=key()
    )
    return member, account


# --- 1. the till's cash and the last receipts follow each operation ------------------------
def test_a_deposit_answer_swaps_the_new_till_cash_and_its_receipt_into_the_page(
    staff, open_till, her
):
    member, account = her
    c = client_for(staff["teller"])
    page = c.get("/tellers/counter/").content.decode()
    assert "2,100.00 USD" in page and 'id="recent-receipts"' in page

    r = operate(c, member, "deposit", account.pk, "20")
    body = r.content.decode()
    receipt = Receipt.objects.get()
    assert r.status_code == 200 and f'id="print-receipt-{receipt.pk}"' in body
    assert "2,120.00 USD" in oob_balances(body)
    assert "3,000,000.00 CDF" in oob_balances(body)  # every currency the till holds
    assert receipt.number in oob_receipts(body)
    # and a full load of the page agrees with what was swapped in
    page = c.get("/tellers/counter/").content.decode()
    assert "2,120.00 USD" in page and receipt.number in page


@pytest.mark.parametrize(
    "op, amount",
    [("deposit", "20"), ("withdraw", "30"), ("repay", "45.50"), ("shares", "2")],
)
def test_every_counter_operation_refreshes_the_till_card(
    staff, open_till, her, approved_loan, share_product, furaha, op, amount
):
    from mupaka.loans.services import loan_disburse

    member, account = her
    loan = approved_loan(member, principal="300")
    loan_disburse(actor=staff["teller"], loan=loan, idempotency_key=key())
    who, target = {
        "deposit": (member, account.pk),
        "withdraw": (member, account.pk),
        "repay": (member, loan.pk),
        "shares": (furaha, furaha.pk),  # pending: entry fee and two shares
    }[op]
    before = usd(open_till)
    r = operate(client_for(staff["teller"]), who, op, target, amount)
    after = usd(open_till)
    assert after != before
    assert after in oob_balances(r.content.decode())
    assert before not in oob_balances(r.content.decode())
    assert Receipt.objects.get().number in oob_receipts(r.content.decode())


def test_an_exchange_refreshes_the_till_card(staff, open_till, usd_cdf):
    r = exchange(client_for(staff["teller"]))
    body = r.content.decode()
    assert r.status_code == 200 and f'id="print-receipt-{Receipt.objects.get().pk}"' in body
    balances = oob_balances(body)
    assert "2,100.00 USD" in balances and "2,715,300.00 CDF" in balances
    assert Receipt.objects.get().number in oob_receipts(body)


def test_a_refused_operation_swaps_nothing_and_moves_nothing(staff, open_till, her):
    member, account = her
    c = client_for(staff["teller"])
    entries = JournalEntry.objects.count()
    for amount, message in (("abc", "Enter a number"), ("500", "")):
        r = operate(c, member, "withdraw", account.pk, amount)
        body = r.content.decode()
        assert 'id="operation-error"' in body and message in body
        assert oob_balances(body) is None and oob_receipts(body) is None
    r = exchange(c, amount="-5")
    assert "print-receipt" not in r.content.decode()
    assert oob_balances(r.content.decode()) is None
    assert JournalEntry.objects.count() == entries
    assert not Receipt.objects.exists()
    account.refresh_from_db()
    assert account.balance_minor == 10_000 and usd(open_till) == "2,100.00 USD"


# --- 2. the exchange's "done" box -----------------------------------------------------------
def test_the_done_box_states_taken_rate_paid_out_and_the_rest_kept(staff, open_till, usd_cdf):
    body = exchange(client_for(staff["teller"])).content.decode()
    box = body.split('class="exchange-summary"', 1)[1].split("</dl>", 1)[0]
    assert re.search(r"Amount handed over</dt><dd[^>]*>100\.00 USD", box)
    assert re.search(r"Rate USD/CDF</dt><dd[^>]*>2,847\.35 \(we buy\)", box)
    assert re.search(r"Paid out</strong></dt><dd[^>]*><strong>284,700\.00 CDF", box)
    assert re.search(r"Remainder kept in the till \(below the smallest note\)</dt>", box)
    assert re.search(r'class="exchange-kept">35\.00 CDF', box)
    assert "Change given back" not in box  # nothing came back to her


def test_the_done_box_in_french_with_change_given_back(staff, open_till, usd_cdf):
    """FC 300,000 for dollars at the sell rate: whole dollars paid, the rest back in francs
    (FC 50 notes), what is below FC 50 kept; all of it written the French way."""
    body = exchange(client_for(staff["teller"], "fr"), amount="300000", cur="CDF", cur_out="USD")
    body = body.content.decode()
    e = Exchange.objects.get()
    assert e.change_minor > 0 and e.side == "sell"
    box = body.split('class="exchange-summary"', 1)[1].split("</dl>", 1)[0]
    fr = lambda minor, cur: money_text(Money.from_minor(minor, cur), locale="fr")  # noqa: E731
    assert f'Montant remis</dt><dd class="exchange-received">{fr(30000000, "CDF")}' in box
    assert f'Monnaie rendue</dt><dd class="exchange-change">{fr(e.change_minor, "CDF")}' in box
    assert f'Cours USD/CDF</dt><dd class="exchange-rate">2{NNBSP}895,00 (vente)' in box
    assert f"<strong>{fr(e.amount_out_minor, 'USD')}</strong>" in box
    if e.unpaid_minor:
        assert fr(e.unpaid_minor, "USD") in box


def main_part(body: str) -> str:
    """The answer without its out-of-band swaps (they replace elements already counted)."""
    return body.split('<ul class="cash" id="till-balances" hx-swap-oob', 1)[0]


def test_no_id_twice_with_her_panel_and_two_done_boxes_open(staff, open_till, her, usd_cdf):
    """The counter page, her panel with a deposit's "done" box, her exchange's "done" box
    in the panel and a walk-in exchange's: every id once, each print link its own."""
    from collections import Counter

    member, account = her
    c = client_for(staff["teller"])
    page = c.get("/tellers/counter/").content.decode()
    deposit = main_part(operate(c, member, "deposit", account.pk, "20").content.decode())
    assert 'id="m' in deposit  # her exchange form's fields have ids of their own
    hers = main_part(exchange(c, **{"x-member_id": member.pk}).content.decode())
    walk_in = main_part(exchange(c).content.decode())
    ids = Counter(re.findall(r'\bid="([^"]+)"', page + deposit + hers + walk_in))
    assert [i for i, n in ids.items() if n > 1] == []
    receipts = Receipt.objects.order_by("pk")
    assert [i for i in ids if i.startswith("print-receipt")] == [
        f"print-receipt-{r.pk}" for r in receipts
    ]
    assert len(receipts) == 3
    for body, receipt in zip((deposit, hers, walk_in), receipts, strict=True):
        link = re.search(r'<a class="button print-receipt" href="([^"]+)"', body).group(1)
        assert link == reverse("tellers:receipt_print", args=[receipt.pk])


def test_her_exchange_form_refused_keeps_its_own_ids(staff, open_till, her, usd_cdf):
    member, _account = her
    body = exchange(client_for(staff["teller"]), amount="-5", **{"x-member_id": member.pk})
    body = body.content.decode()
    assert f'id="id_m{member.pk}_x-amount"' in body and 'id="id_x-amount"' not in body


# --- 3. rates written as the language writes numbers ------------------------------------------
def test_rates_are_localized_on_the_counter_and_the_rates_page(staff, open_till, usd_cdf):
    fr_counter = client_for(staff["teller"], "fr").get("/tellers/counter/").content.decode()
    rates = fr_counter.split('id="rates"', 1)[1].split("</table>", 1)[0]
    assert f"2{NNBSP}847,35" in rates and f"2{NNBSP}895,00" in rates
    assert "2847.35" not in rates
    en_counter = client_for(staff["teller"]).get("/tellers/counter/").content.decode()
    assert "2,847.35" in en_counter.split('id="rates"', 1)[1].split("</table>", 1)[0]

    fr_rates = client_for(staff["manager"], "fr").get("/tellers/rates/").content.decode()
    assert f"2{NNBSP}871,20" in fr_rates and "2871.2" not in fr_rates
    assert "2,871.20" in client_for(staff["manager"]).get("/tellers/rates/").content.decode()


def test_the_preview_and_the_receipt_write_the_rate_in_french(staff, open_till, usd_cdf):
    c = client_for(staff["teller"], "fr")
    preview = c.get(
        "/tellers/counter/exchange/preview/",
        {"x-amount": "100", "x-currency": "USD", "x-currency_out": "CDF"},
    ).content.decode()
    assert f"284{NNBSP}700,00 CDF" in preview and f"2{NNBSP}847,35" in preview
    exchange(c)
    receipt = Receipt.objects.get()
    assert f"Cours USD/CDF : 2{NNBSP}847,35 (achat)" in receipt.notes
    page = c.get(f"/tellers/receipts/{receipt.pk}/").content.decode()
    assert f"2{NNBSP}847,35" in page and "2847.35" not in page


def test_the_rate_filter_reads_stored_and_decimal_rates():
    from decimal import Decimal

    from django.utils import translation

    from mupaka.tellers.templatetags.tellers_tags import rate

    with translation.override("fr"):
        assert rate(284735000000) == f"2{NNBSP}847,35"
        assert rate(Decimal("0.00035")) == "0,00035"
        assert rate(None) == ""
    with translation.override("en"):
        assert rate(289500000000) == "2,895.00"
        assert rate(Decimal("2871.2")) == "2,871.20"


# --- 4. a way to open an account in a currency she has none in -----------------------------
@pytest.fixture
def cdf_savings(staff, usd_savings):
    from mupaka.savings.services import ProductData, savings_product_create

    return savings_product_create(
        actor=staff["manager"],
        data=ProductData(code="EV-CDF", name="Épargne à vue CDF", kind="voluntary", currency="CDF"),
    )


def panel(c, member) -> str:
    return c.get(f"/tellers/counter/members/{member.pk}/", HTTP_HX_REQUEST="true").content.decode()


def opening_url(member, currency: str) -> str:
    from django.utils.http import urlencode

    back = reverse("tellers:counter_member", args=[member.pk])
    query = urlencode({"member": member.pk, "currency": currency, "next": back})
    return f"{reverse('savings:account_open')}?{query}"


def test_a_member_without_a_cdf_account_gets_the_link_to_open_one(staff, her, cdf_savings):
    from html import escape

    member, _account = her
    c = client_for(staff["teller"])
    body = panel(c, member)
    url = opening_url(member, "CDF")
    assert url == (
        f"/savings/open/?member={member.pk}&currency=CDF"
        f"&next=%2Ftellers%2Fcounter%2Fmembers%2F{member.pk}%2F"
    )
    assert "No savings account in CDF." in body
    assert (
        f'<a href="{escape(url)}" class="open-account-link" id="open-account-CDF">'
        "Open an account in CDF</a>"
    ) in body
    # the link opens the savings page with her number and the CDF product filled in
    opening = c.get(url).content.decode()
    assert f'value="{member.number}"' in opening
    assert f'<option value="{cdf_savings.pk}" selected>' in opening
    assert f'href="/tellers/counter/members/{member.pk}/" id="open-cancel"' in opening


def test_the_account_opened_from_the_link_brings_her_back_to_the_counter(staff, her, cdf_savings):
    """Opened, the teller is back on the counter page with her panel open: the message,
    the new CDF account with its deposit form, no link any more."""
    from mupaka.savings.models import SavingsAccount

    member, _account = her
    c = client_for(staff["teller"])
    response = c.post(
        opening_url(member, "CDF"),
        {"member_number": member.number, "product": cdf_savings.pk},
        follow=True,
    )
    back = reverse("tellers:counter_member", args=[member.pk])
    assert response.redirect_chain == [(back, 302)]
    account = SavingsAccount.objects.get(member=member, currency="CDF")
    body = response.content.decode()
    assert f"Account {account.number} opened for {member.full_name}." in body
    assert 'id="till-card"' in body and 'id="counter-search"' in body  # the counter page
    assert re.search(
        f'<div id="member-panel">\\s*<div class="card panel" id="member-{member.pk}">', body
    )
    assert f'<tr id="account-{account.pk}">' in body
    row = body.split(f'<tr id="account-{account.pk}">', 1)[1].split("</tr>", 1)[0]
    assert f'<input type="hidden" name="target" value="{account.pk}">' in row
    assert 'name="op" value="deposit"' in row
    assert 'id="open-account"' not in body


def test_one_link_per_currency_she_has_no_account_in(staff, open_till, active_member, cdf_savings):
    from mupaka.savings.services import ProductData, savings_product_create

    savings_product_create(
        actor=staff["manager"],
        data=ProductData(code="EV-RWF", name="Épargne RWF", kind="voluntary", currency="RWF"),
    )
    member = active_member("Neema")
    body = panel(client_for(staff["teller"]), member)
    assert "No savings account in CDF, RWF, USD." in body
    assert re.findall(r'id="open-account-(\w+)">Open an account in \1</a>', body) == [
        "CDF",
        "RWF",
        "USD",
    ]
    french = panel(client_for(staff["teller"], "fr"), member)
    assert "Aucun compte d'épargne en CDF, RWF, USD." in french
    assert 'id="open-account-RWF">Ouvrir un compte en RWF</a>' in french


def test_no_link_once_she_has_an_account_in_every_currency_offered(staff, her, cdf_savings):
    from mupaka.savings.services import savings_account_open

    member, _account = her
    savings_account_open(actor=staff["officer"], member=member, product=cdf_savings)
    body = panel(client_for(staff["teller"]), member)
    assert 'id="open-account"' not in body and "No savings account" not in body


def test_a_guarantee_account_or_product_is_not_her_savings(staff, her, cdf_savings):
    """Her USD guarantee account (opened with a loan) does not stand for savings in USD,
    and a currency with only a guarantee product gets no link."""
    from mupaka.savings.services import ProductData, savings_account_open, savings_product_create

    member, account = her
    usd_guarantee = savings_product_create(
        actor=staff["manager"],
        data=ProductData(code="GAR-USD", name="Garantie USD", kind="guarantee", currency="USD"),
    )
    savings_product_create(
        actor=staff["manager"],
        data=ProductData(code="GAR-RWF", name="Garantie RWF", kind="guarantee", currency="RWF"),
    )
    savings_account_open(actor=staff["officer"], member=member, product=usd_guarantee)
    body = panel(client_for(staff["teller"]), member)
    assert re.findall(r'id="open-account-(\w+)"', body) == ["CDF"]
    assert "No savings account in CDF." in body


def test_a_member_with_no_account_at_all_and_a_pending_member(
    staff, open_till, active_member, furaha, cdf_savings
):
    c = client_for(staff["teller"])
    body = panel(c, active_member("Neema"))
    assert "No savings account in CDF, USD." in body and 'id="open-account-CDF"' in body
    pending = panel(c, furaha)
    assert "No savings account in CDF, USD." in pending
    assert "once her membership is active" in pending and "open-account-link" not in pending


def test_nothing_to_show_is_said_plainly(staff, open_till, active_member):
    """No savings product, no account, no loan: the panel says so (savings and loans are
    always installed: no "module not installed" text)."""
    body = panel(client_for(staff["teller"]), active_member("Neema"))
    assert "No savings account." in body and "Nothing due today." in body
    assert "installed" not in body


def test_a_role_that_may_not_open_accounts_is_told_who_can(staff, her, cdf_savings, monkeypatch):
    from mupaka.core import permissions

    monkeypatch.setitem(
        permissions._PERMISSIONS, "savings.account.open", frozenset({"officer", "manager"})
    )
    member, _account = her
    body = panel(client_for(staff["teller"]), member)
    assert "open-account-link" not in body
    assert "Accounts are opened by: Branch manager, Loan officer." in body


# --- 5. a counted or closed till offers no money form -------------------------------------
MONEY_FORMS = ("op-form", "exchange-form", "shares-form", 'id="close-till"')


def test_a_counted_till_says_so_and_offers_no_money_form(
    staff, open_till, her, share_product, usd_cdf
):
    from mupaka.tellers.services import till_close
    from mupaka.tellers.testing import exact_count

    member, account = her
    c = client_for(staff["teller"])
    page = c.get("/tellers/counter/").content.decode()
    assert "exchange-form" in page and 'id="close-till"' in page and "till-shut" not in page
    assert "op-form" in panel(c, member)

    till_close(actor=staff["teller"], till=open_till, counts=exact_count(open_till))
    page = c.get("/tellers/counter/").content.decode()
    assert "Your till has been counted for closing: no more cash operations today." in page
    assert not any(f in page for f in MONEY_FORMS)
    body = panel(c, member)
    assert "Your till has been counted for closing" in body
    assert not any(f in body for f in MONEY_FORMS)
    assert "100.00 USD" in body  # her accounts are still shown

    # a form left open in another tab: a clear refusal, nothing moves, no form offered again
    entries = JournalEntry.objects.count()
    r = operate(c, member, "deposit", account.pk, "20")
    assert "Your till has been counted for closing" in r.content.decode()
    assert oob_balances(r.content.decode()) is None
    r = exchange(c)
    assert r.status_code == 200 and "Your till has been counted for closing" in r.content.decode()
    assert "exchange-form" not in r.content.decode()
    assert JournalEntry.objects.count() == entries and not Exchange.objects.exists()
    account.refresh_from_db()
    assert account.balance_minor == 10_000


def test_a_closed_till_says_so_and_a_recount_brings_the_forms_back(staff, open_till, her):
    from mupaka.tellers.services import till_close, till_close_confirm, till_recount
    from mupaka.tellers.testing import exact_count

    member, _account = her
    c = client_for(staff["teller"])
    till_close(actor=staff["teller"], till=open_till, counts=exact_count(open_till))
    till_recount(actor=staff["manager"], till=open_till, reason="Recompter les billets de 20 $")
    open_till.refresh_from_db()
    assert (
        "op-form" in panel(c, member)
        and "exchange-form" in c.get("/tellers/counter/").content.decode()
    )

    till_close(actor=staff["teller"], till=open_till, counts=exact_count(open_till))
    till_close_confirm(actor=staff["manager"], till=open_till, journal_key=key())
    page = c.get("/tellers/counter/").content.decode()
    assert "Your till is closed for today: no more cash operations." in page
    assert not any(f in page for f in MONEY_FORMS)
    assert not any(f in panel(c, member) for f in MONEY_FORMS)


def test_the_closed_till_message_in_french(staff, open_till):
    from mupaka.tellers.services import till_close
    from mupaka.tellers.testing import exact_count

    till_close(actor=staff["teller"], till=open_till, counts=exact_count(open_till))
    page = client_for(staff["teller"], "fr").get("/tellers/counter/").content.decode()
    assert 'id="till-shut"' in page and "Your till" not in page
