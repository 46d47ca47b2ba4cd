"""What people read: amounts in the locale's conventions (babel/CLDR)."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from mupaka.core.money import Money
from mupaka.core.money_format import format_amount, format_money, locale_for

NNBSP, NBSP = "\u202f", "\xa0"


@pytest.mark.parametrize(
    "amount,currency,locale,trim,expected",
    [
        ("1234.50", "USD", "fr_CD", False, f"1{NNBSP}234,50{NBSP}$US"),
        ("12500", "CDF", "fr_CD", True, f"12{NNBSP}500{NBSP}FC"),
        ("12500", "CDF", "fr_CD", False, f"12{NNBSP}500,00{NBSP}FC"),
        ("12500.50", "CDF", "fr_CD", True, f"12{NNBSP}500,50{NBSP}FC"),
        ("12500", "BIF", "fr_BI", False, f"12{NNBSP}500{NBSP}FBu"),
        ("12500", "RWF", "fr_RW", False, f"12,500{NBSP}RF"),
        ("1234.5", "USD", "en", False, "$1,234.50"),
        ("-45.83", "USD", "fr_CD", False, f"-45,83{NBSP}$US"),
    ],
)
def test_format_money(amount, currency, locale, trim, expected):
    assert format_money(Money.of(amount, currency), locale, trim=trim) == expected


def test_format_amount_keeps_the_currency_decimals():
    assert format_amount(Money.of("1234.5", "USD"), "fr_CD") == f"1{NNBSP}234,50"
    assert format_amount(Money.of("12500", "RWF"), "fr_RW") == "12,500"
    assert format_amount(Money.of("-3", "USD"), "en") == "-3.00"


def test_locale_for_falls_back_to_the_language():
    assert locale_for("fr", "CD") == "fr_CD"
    assert locale_for("en", "CD") == "en"
    assert locale_for("fr-fr", None) == "fr"


@pytest.mark.django_db
def test_template_filters_follow_the_active_language(institution):
    template = Template(
        "{% load money %}{{ m|money }}|{{ m|money_short }}|{{ m|amount }}|{{ 125000|money_minor:'CDF' }}"
    )
    with translation.override("fr"):
        out = template.render(Context({"m": Money.of("20", "USD")}))
    assert out == f"20,00{NBSP}$US|20{NBSP}$US|20,00|1{NNBSP}250,00{NBSP}FC"
    with translation.override("en"):
        out = template.render(Context({"m": Money.of("20", "USD")}))
    assert out.startswith("$20.00|$20|20.00|")
