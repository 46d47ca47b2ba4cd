"""``{% load loan_tags %}``: ``{{ money|m }}`` (a Money), ``{{ minor|mm:"USD" }}`` (minor
units), ``{{ decimal|amt }}`` (a plain amount) — French spacing, the currency's decimals."""

from __future__ import annotations

from decimal import Decimal

from django import template

from mupaka.core.money import Money
from mupaka.core.money_format import format_amount, format_money

register = template.Library()


def _plain(amount: Decimal, decimals: int) -> str:
    text = f"{amount:,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def _format(value: Money) -> str:
    return format_money(value)


@register.filter
def m(value) -> str:
    return _format(value) if isinstance(value, Money) else ""


@register.filter
def mm(value, currency: str) -> str:
    if value is None or value == "":
        return ""
    return _format(Money.from_minor(int(value), currency))


@register.filter
def amt(value, currency: str = "") -> str:
    if isinstance(value, Money):
        return format_amount(value)
    if value is None or value == "":
        return ""
    if currency:
        return format_amount(Money(Decimal(value), currency))
    return _plain(Decimal(value), 2)


@register.filter
def amt_minor(value, currency: str) -> str:
    if value is None or value == "":
        return ""
    return format_amount(Money.from_minor(int(value), currency))
