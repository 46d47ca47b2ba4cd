"""The manager types the day's rate the way her language writes numbers: "2 847,35" in
French (spaces, no-break or narrow no-break spaces between thousands), "2,847.35" in
English; "2847.35" is read in both. Anything else is refused on the form, in her
language, and no rate is written."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from mupaka.core.models import AuditLog
from mupaka.tellers.forms import AmountField, RateField
from mupaka.tellers.models import ExchangeRate
from mupaka.tellers.selectors import rate_from_e8

NBSP, NNBSP = "\u00a0", "\u202f"


def client_for(user, language: str) -> Client:
    c = Client()
    c.force_login(user)
    c.cookies["mupaka_language"] = language
    return c


def post_rate(c, buy, sell, reference=""):
    return c.post(
        "/tellers/rates/",
        {"base": "USD", "quote": "CDF", "buy": buy, "sell": sell, "reference": reference},
    )


def stored() -> tuple[Decimal, Decimal, Decimal | None]:
    rate = ExchangeRate.objects.get()
    return (
        rate_from_e8(rate.buy_e8),
        rate_from_e8(rate.sell_e8),
        rate_from_e8(rate.reference_e8),
    )


@pytest.mark.parametrize(
    "language, buy, sell, reference",
    [
        ("fr", "2847,35", "2895", "2871,20"),
        ("fr", "2 847,35", "2 895,00", "2 871,2"),
        ("fr", f"2{NBSP}847,35", f"2{NNBSP}895", f"2{NNBSP}871,20"),  # as the page writes it
        ("fr", "2847.35", "2895", "2871.20"),  # a point is read in every language
        ("en", "2,847.35", "2,895.00", "2,871.20"),
        ("en", "2847.35", "2895", "2871.2"),
    ],
)
def test_the_rate_is_read_as_typed_in_her_language(chart, staff, language, buy, sell, reference):
    r = post_rate(client_for(staff["manager"], language), buy, sell, reference)
    assert r.status_code == 302, r.content.decode()
    assert stored() == (Decimal("2847.35"), Decimal("2895"), Decimal("2871.2"))


@pytest.mark.parametrize(
    "language, buy, sell, field, message",
    [
        ("fr", "2,847,35", "2895", "buy", "Saisissez un cours sous forme de nombre, par exemple"),
        ("fr", "2.847,35", "2895", "buy", "Saisissez un cours sous forme de nombre"),
        ("fr", "deux mille", "2895", "buy", "Saisissez un cours sous forme de nombre"),
        ("fr", "2847,35", "-2895", "sell", "Le cours doit être supérieur à zéro."),
        ("fr", "2 900", "2 850,50", "sell", "Le cours vendeur ne peut pas être inférieur"),
        ("fr", "2847,123456789", "2895", "buy", "8 chiffres après la virgule"),
        ("en", "2,847,35", "2895", "buy", "Enter a rate as a number, for example 2,847.35."),
        ("en", "2847,35", "2895", "buy", "Enter a rate as a number, for example 2,847.35."),
        ("en", "abc", "2895", "buy", "Enter a rate as a number"),
        ("en", "-2847.35", "2895", "buy", "The rate must be greater than zero."),
        ("en", "2,900", "2,850.50", "sell", "The sell rate cannot be below the buy rate"),
    ],
)
def test_a_bad_rate_is_refused_in_her_language_and_nothing_is_written(
    chart, staff, language, buy, sell, field, message
):
    audits = AuditLog.objects.count()
    r = post_rate(client_for(staff["manager"], language), buy, sell)
    assert r.status_code == 400 and list(r.context["form"].errors) == [field]
    # the page as she reads it: the message under the field, in her language
    shown = re.search(
        rf'<ul class="errorlist" id="id_{field}_error"><li>(.*?)</li>',
        html.unescape(r.content.decode()),
    )
    assert shown and message in shown.group(1), r.content.decode()
    assert not ExchangeRate.objects.exists() and AuditLog.objects.count() == audits


def test_the_example_of_the_message_is_written_in_her_language(chart, staff):
    for language, example in (("fr", f"2{NNBSP}847,35"), ("en", "2,847.35")):
        r = post_rate(client_for(staff["manager"], language), "2,847,35", "2895")
        assert example in html.unescape(r.content.decode())


def test_the_rate_inputs_take_spaces_and_commas():
    """Text inputs for a decimal: a number input would refuse "2 847,35" in the browser."""
    from mupaka.tellers.forms import RateForm

    html = str(RateForm()["buy"])
    assert 'type="text"' in html and 'inputmode="decimal"' in html


def test_the_amount_helper_reads_english_thousands_and_refuses_bad_groups():
    """One parser for amounts and rates (AmountField): commas group thousands by three in
    English, so "2,847,35" or "45,50" are not numbers; French is as before."""
    amount, rate = AmountField(), RateField()
    with translation.override("en"):
        assert amount.clean("2,847.35") == Decimal("2847.35")
        assert amount.clean("1,000,000") == Decimal("1000000")
        assert rate.clean("0.00035") == Decimal("0.00035")
        for bad in ("2,847,35", "45,50", "1,0000", "12,34.5", ",847.35", "2,847.3,5"):
            with pytest.raises(ValidationError) as exc:
                amount.clean(bad)
            assert exc.value.code == "invalid", bad
    with translation.override("fr"):
        assert amount.clean("2 847,35") == Decimal("2847.35")
        assert rate.clean("0,00035") == Decimal("0.00035")
        for bad in ("2,847,35", "2.847,35", "2,847.35"):
            with pytest.raises(ValidationError) as exc:
                rate.clean(bad)
            assert exc.value.code == "invalid", bad
