"""The account-opening page as the counter sends the teller to it: `?currency=` narrows
the products to that currency (its one voluntary product chosen), `?next=` (a page of
this site only) is where she goes back to after opening the account, with the success
message, and where "Cancel" leads; a wrong currency leaves the form as it was, with a note."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode

from mupaka.savings.models import SavingsAccount

pytestmark = pytest.mark.django_db

OPEN = reverse("savings:account_open")


def client_for(user, language="en"):
    client = Client()
    client.force_login(user)
    client.cookies["mupaka_language"] = language
    return client


def url(**params) -> str:
    return f"{OPEN}?{urlencode(params)}"


def options(body: str) -> dict[str, bool]:
    """The product choices offered: label → selected."""
    select = re.search(r'<select name="product".*?</select>', body, re.S).group(0)
    return {
        label: bool(selected)
        for selected, label in re.findall(
            r"<option value=\"\d+\"( selected)?>([^<]*)</option>", select
        )
    }


@pytest.fixture
def products(usd_product, rwf_product, make_product):
    """Voluntary USD and RWF, a guarantee RWF, a term RWF (never on this page) and a
    closed CDF product."""
    make_product(code="EG-RWF", name="Garantie RWF", kind="guarantee", currency="RWF")
    make_product(
        code="DAT-RWF",
        name="Dépôt à terme RWF",
        kind="term",
        currency="RWF",
        term_months=6,
        posting_frequency="at_maturity",
    )
    make_product(code="EV-CDF", name="Épargne CDF", currency="CDF", is_active=False)
    return {"usd": usd_product, "rwf": rwf_product}


def test_the_currency_narrows_the_products_and_chooses_its_one_voluntary_product(
    staff, member, products
):
    body = client_for(staff["teller"]).get(url(member=member.pk, currency="RWF")).content.decode()
    assert options(body) == {
        "EV-RWF · Épargne à vue RWF (RWF)": True,
        "EG-RWF · Garantie RWF (RWF)": False,
    }
    assert f'value="{member.number}"' in body
    assert 'id="currency-products">Savings products in RWF.' in body
    assert 'id="currency-note"' not in body
    # the way back to every currency keeps her and the rest of the query
    all_products = re.search(r'<a href="([^"]+)" id="all-products">', body).group(1)
    assert all_products == f"{OPEN}?member={member.pk}"


def test_two_voluntary_products_in_the_currency_she_chooses_between_them(
    staff, member, products, make_product
):
    make_product(code="EV-RWF2", name="Épargne projet RWF", currency="RWF")
    body = client_for(staff["teller"]).get(url(currency="rwf")).content.decode()
    offered = options(body)
    assert set(offered) == {
        "EV-RWF · Épargne à vue RWF (RWF)",
        "EV-RWF2 · Épargne projet RWF (RWF)",
        "EG-RWF · Garantie RWF (RWF)",
    }
    assert not any(offered.values())  # none chosen for her


@pytest.mark.parametrize(
    ("currency", "note"),
    [
        ("ZZZ", "“ZZZ” is not a currency code: every savings product is listed."),
        ("<b>x", "“&lt;b&gt;x” is not a currency code: every savings product is listed."),
        (
            "CDF",  # its one product is closed to new accounts
            "No savings product in CDF is open to new accounts: every savings product is listed.",
        ),
        (
            "BIF",
            "No savings product in BIF is open to new accounts: every savings product is listed.",
        ),
    ],
)
def test_a_currency_without_a_product_leaves_every_product_with_a_note(
    staff, member, products, currency, note
):
    c = client_for(staff["teller"])
    response = c.get(url(member=member.pk, currency=currency))
    body = response.content.decode()
    assert response.status_code == 200
    assert note in body and 'id="currency-products"' not in body
    assert options(body) == {
        "EV-USD · Épargne à vue USD (USD)": False,
        "EV-RWF · Épargne à vue RWF (RWF)": False,
        "EG-RWF · Garantie RWF (RWF)": False,
    }
    # and the form still opens the account
    response = c.post(
        url(member=member.pk, currency=currency),
        {"member_number": member.number, "product": products["usd"].pk},
    )
    account = SavingsAccount.objects.get(member=member)
    assert response["Location"] == reverse("savings:account_detail", args=[account.pk])


def test_opened_from_the_counter_she_goes_back_there_with_the_message(staff, member, products):
    back = reverse("savings:account_list") + "?q=" + member.number
    c = client_for(staff["teller"])
    page = c.get(url(member=member.pk, currency="RWF", next=back)).content.decode()
    assert f'href="{back}" id="open-cancel"' in page
    response = c.post(
        url(member=member.pk, currency="RWF", next=back),
        {"member_number": member.number, "product": products["rwf"].pk},
        follow=True,
    )
    account = SavingsAccount.objects.get(member=member)
    assert response.redirect_chain == [(back, 302)]
    assert account.currency == "RWF"
    assert f"Account {account.number} opened for {member.full_name}." in response.content.decode()


@pytest.mark.parametrize(
    "elsewhere",
    [
        "https://evil.example/tellers/",
        "//evil.example/tellers/",
        "javascript:alert(1)",
        "http://testserver.evil.example/",
    ],
)
def test_a_next_off_this_site_is_ignored(staff, member, products, elsewhere):
    c = client_for(staff["teller"])
    page = c.get(url(member=member.pk, next=elsewhere)).content.decode()
    assert not [a for a in re.findall(r'<a href="([^"]*)"', page) if "evil" in a or ":" in a]
    assert f'href="{reverse("savings:account_list")}" id="open-cancel"' in page
    response = c.post(
        url(member=member.pk, next=elsewhere),
        {"member_number": member.number, "product": products["usd"].pk},
    )
    account = SavingsAccount.objects.get(member=member)
    assert response["Location"] == reverse("savings:account_detail", args=[account.pk])


def test_a_product_outside_the_currency_is_refused_nothing_opened(staff, member, products):
    response = client_for(staff["teller"]).post(
        url(currency="RWF", next="/tellers/counter/"),
        {"member_number": member.number, "product": products["usd"].pk},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not SavingsAccount.objects.filter(member=member).exists()


def test_a_refused_member_keeps_her_on_the_form_with_the_way_back(staff, make_member, products):
    pending = make_member(active=False)
    back = "/tellers/counter/"
    response = client_for(staff["teller"]).post(
        url(member=pending.pk, currency="RWF", next=back),
        {"member_number": pending.number, "product": products["rwf"].pk},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "is not an active member" in body
    assert f'href="{back}" id="open-cancel"' in body
    assert not SavingsAccount.objects.filter(member=pending).exists()


def test_in_french(staff, member, products):
    c = client_for(staff["teller"], "fr")
    body = unescape(c.get(url(member=member.pk, currency="RWF")).content.decode())
    assert "Produits d'épargne en RWF." in body and "Toutes les devises" in body
    body = unescape(c.get(url(currency="BIF")).content.decode())
    assert (
        "Aucun produit d'épargne en BIF n'est ouvert aux nouveaux comptes : "
        "tous les produits d'épargne sont proposés."
    ) in body
    body = unescape(c.get(url(currency="ZZZ")).content.decode())
    assert "« ZZZ » n'est pas un code de devise" in body
    back = reverse("savings:account_list")
    response = c.post(
        url(member=member.pk, currency="RWF", next=back),
        {"member_number": member.number, "product": products["rwf"].pk},
        follow=True,
    )
    account = SavingsAccount.objects.get(member=member)
    assert f"Compte {account.number} ouvert pour {member.full_name}." in unescape(
        response.content.decode()
    )


def test_a_role_that_may_not_open_accounts_is_refused(staff, member, products):
    c = client_for(staff["auditor"])
    assert c.get(url(member=member.pk, currency="RWF", next="/")).status_code == 403
    response = c.post(
        url(currency="RWF", next="/"),
        {"member_number": member.number, "product": products["rwf"].pk},
    )
    assert response.status_code == 403
    assert not SavingsAccount.objects.filter(member=member).exists()
