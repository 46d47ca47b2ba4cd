"""The counter as a teller in Bukavu reads and types it, in French (scenario 3): the amount
due is shown "45,83" in the repayment field and "45,50" is what she types; FC 50 000 is
written with a space; the count sheet names notes "Billet", not "Remarque"."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from mupaka.tellers.forms import AmountField

from .conftest import key

pytestmark = pytest.mark.django_db


def french_client(user) -> Client:
    c = Client()
    c.force_login(user)
    c.cookies["mupaka_language"] = "fr"
    return c


def test_amount_field_reads_amounts_as_typed_in_the_language():
    field = AmountField()
    with translation.override("fr"):
        assert field.clean("45,50") == Decimal("45.50")
        assert field.clean("45.50") == Decimal("45.50")
        assert field.clean("50 000") == Decimal("50000")
        assert field.clean("3\u202f000\u00a0000,00") == Decimal("3000000.00")
        with pytest.raises(ValidationError):
            field.clean("45,505")  # three decimals are still refused
    with translation.override("en"):
        assert field.clean("45.50") == Decimal("45.50")
        with pytest.raises(ValidationError):
            field.clean("45,50")  # in English a comma is not a decimal point


def test_a_deposit_typed_the_french_way_at_the_counter(staff, open_till, furaha):
    from mupaka.members.services import member_status_change
    from mupaka.savings.models import SavingsAccount
    from mupaka.savings.services import ProductData, savings_account_open, savings_product_create

    member_status_change(actor=staff["officer"], member=furaha, status="active")
    products = {
        cur: savings_product_create(
            actor=staff["manager"],
            data=ProductData(
                code=f"EV-{cur}", name=f"Épargne {cur}", kind="voluntary", currency=cur
            ),
        )
        for cur in ("USD", "CDF")
    }
    accounts = {
        cur: savings_account_open(actor=staff["officer"], member=furaha, product=p)
        for cur, p in products.items()
    }
    c = french_client(staff["teller"])
    for cur, typed in (("USD", "45,50"), ("CDF", "50 000")):
        r = c.post(
            f"/tellers/counter/members/{furaha.pk}/operate/",
            {
                "idempotency_key": key(),
                "op": "deposit",
                "target": accounts[cur].pk,
                "amount": typed,
                "currency": cur,
            },
            HTTP_HX_REQUEST="true",
        )
        assert "print-receipt" in r.content.decode(), r.content.decode()
    balances = {a.currency: a.balance_minor for a in SavingsAccount.objects.filter(member=furaha)}
    assert balances == {"USD": 4550, "CDF": 5000000}


def test_the_count_sheet_names_notes_and_coins_in_french(staff, open_till):
    page = french_client(staff["teller"]).get("/tellers/counter/count/").content.decode()
    assert "Billet" in page and "Pièce" in page
    assert "Remarque" not in page
