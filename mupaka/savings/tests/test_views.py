"""Every savings and shares page, for a role that may open it and one that may not, and
the forms doing their one service call."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from mupaka.savings.models import SavingsAccount, SavingsProduct
from mupaka.savings.services import savings_withdraw
from mupaka.savings.tests.conftest import key, m, verify_green
from mupaka.shares.models import ShareHolding

pytestmark = pytest.mark.django_db


def client_for(user, language="en"):
    client = Client()
    client.force_login(user)
    client.cookies["mupaka_language"] = language
    return client


@pytest.fixture
def share_product(chart, staff):
    from mupaka.shares.services import share_product_set

    return share_product_set(
        actor=staff["manager"],
        name="Parts sociales",
        currency="USD",
        unit_price="10",
        min_shares=2,
        max_shares=50,
        entry_fee="5",
    )


@pytest.fixture
def account(member, usd_product, open_account, deposit):
    acct = open_account(member, usd_product)
    deposit(acct, m("100"))
    return acct


def pages(account, member):
    return {
        "savings:account_list": ([], "teller", "coordinator"),
        "savings:account_open": ([], "officer", "auditor"),
        "savings:account_detail": ([account.pk], "auditor", "coordinator"),
        "savings:statement": ([account.pk], "accountant", "coordinator"),
        "savings:statement_pdf": ([account.pk], "teller", "coordinator"),
        "savings:deposit": ([account.pk], "teller", "officer"),
        "savings:withdraw": ([account.pk], "teller", "manager"),
        "savings:product_list": ([], "manager", "teller"),
        "savings:product_create": ([], "admin", "officer"),
        "savings:product_edit": ([account.product_id], "manager", "accountant"),
        "savings:limits": ([], "manager", "teller"),
        "shares:holding_list": ([], "committee", "coordinator"),
        "shares:product": ([], "manager", "teller"),
        "shares:member": ([member.pk], "teller", "coordinator"),
    }


def test_every_page_allowed_and_refused(staff, account, member, share_product):
    for name, (args, allowed, refused) in pages(account, member).items():
        url = reverse(name, args=args)
        ok = client_for(staff[allowed]).get(url)
        assert ok.status_code == 200, (name, ok.status_code)
        assert client_for(staff[refused]).get(url).status_code == 403, name


def test_pages_need_a_login(account):
    response = Client().get(reverse("savings:account_detail", args=[account.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_another_branch_is_refused_and_unknown_is_404(staff, account, make_user, other_branch):
    stranger = make_user("teller", username="goma", branch_=other_branch)
    assert (
        client_for(stranger).get(reverse("savings:account_detail", args=[account.pk])).status_code
        == 403
    )
    assert (
        client_for(staff["teller"]).get(reverse("savings:account_detail", args=[999])).status_code
        == 404
    )


def test_account_page_shows_balances_and_history(staff, account):
    page = client_for(staff["teller"]).get(reverse("savings:account_detail", args=[account.pk]))
    text = page.content.decode()
    assert "100.00 USD" in text and "95.00 USD" in text and "Deposit" in text


def test_deposit_form_moves_money_once(staff, account):
    client = client_for(staff["teller"])
    url = reverse("savings:deposit", args=[account.pk])
    form_key = key()
    for _ in range(2):  # a double submit
        response = client.post(url, {"amount": "20", "memo": "", "idempotency_key": form_key})
        assert response.status_code == 302
    assert SavingsAccount.objects.get(pk=account.pk).balance_minor == 12000
    response = client.post(url, {"amount": "1.005", "idempotency_key": key()})
    assert response.status_code == 200 and b"errorlist" in response.content
    verify_green()


def test_withdraw_form_shows_the_refusal_on_the_form(staff, account):
    response = client_for(staff["teller"]).post(
        reverse("savings:withdraw", args=[account.pk]), {"amount": "500", "idempotency_key": key()}
    )
    assert response.status_code == 200
    assert "Not enough available" in response.content.decode()
    assert SavingsAccount.objects.get(pk=account.pk).balance_minor == 10000


def pdf_text(content: bytes) -> str:
    """The text of a PDF, every page, spaces normalized (French money has no-break
    spaces: "1 234,50 $US")."""
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


def test_statement_screen_and_pdf(staff, account):
    client = client_for(staff["teller"])
    savings_withdraw(actor=staff["teller"], account=account, amount=m("30"), idempotency_key=key())
    screen = client.get(
        reverse("savings:statement", args=[account.pk]),
        {"date_from": "2026-11-01", "date_to": "2026-11-30"},
    )
    assert screen.status_code == 200 and "100.00 USD" in screen.content.decode()
    # the passbook is in French whatever the reader's screens speak (English here)
    pdf = client.get(
        reverse("savings:statement_pdf", args=[account.pk]),
        {"date_from": "2026-11-01", "date_to": "2026-11-30"},
    )
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    text = pdf_text(pdf.content)
    for label in (
        "Relevé de compte d'épargne",
        "Compte",
        "Membre",
        "Période",
        "Solde d'ouverture",
        "Sortie",
        "Entrée",
        "Solde",
        "Totaux et solde de clôture",
        "Dépôt",
        "Retrait",
        "Frais",
    ):
        assert label in text, (label, text)
    for english in ("Deposit", "Withdrawal", "Opening balance", "Statement"):
        assert english not in text, (english, text)
    member = account.member
    assert member.full_name in text and member.number in text and account.number in text
    assert "01/11/2026 – 30/11/2026" in text
    # the running balance line by line: opening 0, +100 → 100, −30 → 70, −0.50 fee → 69.50;
    # available 69.50 − the minimum balance of 5
    rows = [
        "Solde d'ouverture 0,00 USD",
        "Dépôt Dépôt sur le compte d'épargne BKV-000001-01 100,00 USD 100,00 USD",
        "Retrait Retrait du compte d'épargne BKV-000001-01 30,00 USD 70,00 USD",
        "Frais Frais de retrait 0,50 USD 69,50 USD",
        "Totaux et solde de clôture 30,50 USD 100,00 USD 69,50 USD",
        "Solde disponible ce jour : 64,50 USD",
    ]
    positions = [text.find(row.replace("BKV-000001-01", account.number)) for row in rows]
    assert -1 not in positions and positions == sorted(positions), (positions, text)
    bad = client.get(
        reverse("savings:statement", args=[account.pk]),
        {"date_from": "2026-11-30", "date_to": "2026-11-01"},
    )
    assert b"before the start date" in bad.content


def test_open_account_page(staff, member, usd_product):
    client = client_for(staff["officer"])
    response = client.post(
        reverse("savings:account_open"), {"member_number": member.number, "product": usd_product.pk}
    )
    assert response.status_code == 302
    account = SavingsAccount.objects.get(member=member)
    assert response["Location"] == reverse("savings:account_detail", args=[account.pk])
    response = client.post(
        reverse("savings:account_open"), {"member_number": "BKV-999999", "product": usd_product.pk}
    )
    assert response.status_code == 200 and b"BKV-999999" in response.content


def test_reactivation_by_the_manager(staff, account):
    SavingsAccount.objects.filter(pk=account.pk).update(status="dormant")
    url = reverse("savings:reactivate", args=[account.pk])
    assert client_for(staff["teller"]).post(url, {"reason": "x"}).status_code == 403
    assert client_for(staff["manager"]).post(url, {"reason": "Elle est revenue"}).status_code == 302
    assert SavingsAccount.objects.get(pk=account.pk).status == "active"


def test_close_an_empty_account(staff, member, usd_product, open_account):
    acct = open_account(member, usd_product)
    response = client_for(staff["manager"]).post(
        reverse("savings:close", args=[acct.pk]), {"reason": "Départ"}
    )
    assert response.status_code == 302 and SavingsAccount.objects.get(pk=acct.pk).status == "closed"


def test_product_form_and_limits(staff, chart):
    client = client_for(staff["manager"])
    form = client.get(reverse("savings:product_create")).content.decode()
    # no guarantee percentage on a savings product: the loan product sets it
    assert 'name="guarantee_percent"' not in form
    assert "the loan product sets how much of the loan is kept" in form
    response = client.post(
        reverse("savings:product_create"),
        {
            "code": "EV-CDF",
            "name": "Épargne CDF",
            "kind": "voluntary",
            "currency": "CDF",
            "is_active": "on",
            "interest_rate": "4",
            "interest_method": "daily_balance",
            "days_in_year": "365",
            "interest_rounding": "half_even",
            "posting_frequency": "monthly",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert SavingsProduct.objects.get(code="EV-CDF").interest_rate_ppm == 40000
    response = client.post(
        reverse("savings:limits"),
        {"tier": "0", "currency": "USD", "max_balance": "200", "max_withdrawal_per_day": ""},
    )
    assert response.status_code == 302
    assert "200.00 USD" in client.get(reverse("savings:limits")).content.decode()


def test_scenario_1_on_the_shares_page(staff, make_member, share_product, till):
    furaha = make_member(active=False)
    client = client_for(staff["teller"])
    page = client.get(reverse("shares:member", args=[furaha.pk])).content.decode()
    assert "To join she pays the entry fee" in page
    response = client.post(
        reverse("shares:buy", args=[furaha.pk]),
        {"shares": "2", "channel": "cash", "idempotency_key": key()},
    )
    assert response.status_code == 302
    furaha.refresh_from_db()
    assert furaha.status == "active" and ShareHolding.objects.get(member=furaha).shares == 2
    page = client.get(reverse("shares:member", args=[furaha.pk]), follow=True).content.decode()
    assert "paid on" in page
    verify_green()


def test_redemption_pages_two_people(staff, make_member, share_product, till):
    from mupaka.shares.services import shares_purchase

    member = make_member(active=False)
    shares_purchase(actor=staff["teller"], member=member, shares=2, idempotency_key=key())
    client_for(staff["manager"]).post(
        reverse("shares:redeem_request", args=[member.pk]), {"reason": "Elle quitte Bukavu"}
    )
    redemption = ShareHolding.objects.get(member=member).redemptions.get()
    decide = reverse("shares:redeem_decide", args=[redemption.pk])
    assert client_for(staff["teller"]).post(decide, {"approve": "1"}).status_code == 403
    client_for(staff["manager"]).post(decide, {"approve": "1"})  # she asked: refused
    redemption.refresh_from_db()
    assert redemption.status == "pending"
    client_for(staff["committee"]).post(decide, {"approve": "1"})
    redemption.refresh_from_db()
    assert redemption.status == "approved"
    client_for(staff["teller"]).post(
        reverse("shares:redeem_pay", args=[redemption.pk]),
        {"channel": "cash", "idempotency_key": key()},
    )
    assert ShareHolding.objects.get(member=member).shares == 0
    verify_green()


def test_menu_entries(staff, chart):
    page = client_for(staff["manager"]).get("/").content.decode()
    for name in (
        "savings:account_list",
        "savings:product_list",
        "savings:limits",
        "shares:holding_list",
        "shares:product",
    ):
        assert reverse(name) in page
    teller_page = client_for(staff["teller"]).get("/").content.decode()
    assert reverse("savings:product_list") not in teller_page


def test_pages_and_refusals_in_french(staff, account, member, share_product):
    client = client_for(staff["teller"], language="fr")
    page = client.get(reverse("savings:account_detail", args=[account.pk])).content.decode()
    assert "Disponible" in page and "Relevé" in page and "100,00" in page
    refused = client.post(
        reverse("savings:withdraw", args=[account.pk]), {"amount": "500", "idempotency_key": key()}
    ).content.decode()
    assert "Disponible insuffisant sur le compte" in refused
    shares = client.get(reverse("shares:member", args=[member.pk])).content.decode()
    assert "Parts sociales" in shares
    assert "Droit d&#x27;adhésion" in shares or "Droit d'adhésion" in shares
