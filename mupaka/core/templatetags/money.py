"""``{% load money %}``: ``{{ amount|money }}`` → "1 234,50 $US" in the user's language and
the institution's country; ``{{ amount|money_short }}`` drops ",00" of whole amounts;
``{{ amount|amount }}`` gives the number alone; ``{{ minor|money_minor:"USD" }}`` and
``{{ minor|amount_minor:"USD" }}`` take integer minor units."""

from __future__ import annotations

from django import template

from mupaka.core.money import Money
from mupaka.core.money_format import format_amount, format_money

register = template.Library()


@register.filter
def money(value) -> str:
    return format_money(value) if isinstance(value, Money) else ""


@register.filter
def money_short(value) -> str:
    return format_money(value, trim=True) if isinstance(value, Money) else ""


@register.filter
def amount(value) -> str:
    return format_amount(value) if isinstance(value, Money) else ""


@register.filter
def money_minor(value, currency: str) -> str:
    if value is None or value == "":
        return ""
    return format_money(Money.from_minor(int(value), currency))


@register.filter
def amount_minor(value, currency: str) -> str:
    if value is None or value == "":
        return ""
    return format_amount(Money.from_minor(int(value), currency))
