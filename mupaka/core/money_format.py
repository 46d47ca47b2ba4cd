"""Amounts for people, with the locale's conventions (babel / CLDR).

What babel 2.19 prints (checked, and pinned by tests):

======================  ============================  ==========================
locale                  USD 1234.50                    CDF 12500
======================  ============================  ==========================
``fr_CD`` (DRC)         ``1 234,50 $US``               ``12 500,00 FC``
``fr`` (no country)     ``1 234,50 $US``               ``12 500,00 CDF``
``fr_BI`` (Burundi)     ``1 234,50 $US``               BIF 12500 → ``12 500 FBu``
``fr_RW`` (Rwanda)      ``1,234.50 $US``               RWF 12500 → ``12,500 RF``
``en``                  ``$1,234.50``                  ``CDF12,500.00``
======================  ============================  ==========================

The group separator in French is U+202F (narrow no-break space) and the symbol is
separated by U+00A0 (no-break space): amounts never wrap across lines.
CDF has two decimals in ISO 4217 but francs are never split at the counter:
``trim=True`` drops ",00" from whole amounts (``12 500 FC``), the form used on
receipts; reports keep every decimal so that columns line up.
"""

from __future__ import annotations

import time
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, format_decimal

from mupaka.core.money import Money

_COUNTRY_CACHE: tuple[float, str | None] = (0.0, None)
_COUNTRY_TTL = 30.0


def _institution_country() -> str | None:
    global _COUNTRY_CACHE
    now = time.monotonic()
    if _COUNTRY_CACHE[1] is None or now - _COUNTRY_CACHE[0] > _COUNTRY_TTL:
        from mupaka.core.models import Institution

        country = Institution.objects.order_by("id").values_list("country", flat=True).first()
        _COUNTRY_CACHE = (now, country)  # None (no institution yet) is asked again next time
    return _COUNTRY_CACHE[1]


def locale_for(language: str | None, country: str | None = None) -> str:
    """The most specific babel locale for a language and a country: ("fr", "CD") → "fr_CD";
    a pair CLDR does not know falls back to the language ("en", "CD") → "en"."""
    lang = (language or "fr").replace("-", "_").split("_")[0].lower() or "fr"
    if country:
        candidate = f"{lang}_{country.upper()}"
        try:
            Locale.parse(candidate)
            return candidate
        except (UnknownLocaleError, ValueError):
            pass
    return lang


def current_locale() -> str:
    """The active language with the institution's country."""
    from django.utils import translation

    return locale_for(translation.get_language(), _institution_country())


def format_money(money: Money, locale: str | None = None, *, trim: bool = False) -> str:
    """``1 234,50 $US`` (fr_CD). ``trim`` drops the decimals of a whole amount."""
    loc = locale or current_locale()
    if trim and money.amount == money.amount.to_integral_value():
        pattern = Locale.parse(loc).currency_formats["standard"].pattern
        pattern = pattern.replace(".00", "").replace(",##0.", ",##0")
        return format_currency(
            money.amount, money.currency, format=pattern, locale=loc, currency_digits=False
        )
    return format_currency(money.amount, money.currency, locale=loc)


def format_amount(money: Money, locale: str | None = None) -> str:
    """The number alone, with the currency's decimals (for columns headed by the currency):
    ``1 234,50`` (fr), ``1,234.50`` (en), ``12 500`` (RWF)."""
    places = money.exponent
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(
        money.amount.quantize(Decimal(1).scaleb(-places)),
        format=pattern,
        locale=locale or current_locale(),
    )
