"""``{% load loan_tags %}``: ``{{ money|m }}`` (a Money), ``{{ minor|mm:"USD" }}`` (minor
units), ``{{ decimal|amt }}`` (a plain amount) — French spacing, the currency's decimals."""

from __future__ import annotations

from decimal import Decimal

from django import template

from mupaka.core.money import Money, currency_exponent

register = template.Library()


def _plain(amount: Decimal, decimals: int) -> str:
    text = f"{amount:,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def _format(value: Money) -> str:
    try:
        from mupaka.core.money_format import format_money
    except ImportError:  # pragma: no cover - core's formatter not installed
        return f"{_plain(value.amount, value.exponent)}\u00a0{value.currency}"
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
        return _plain(value.amount, value.exponent)
    if value is None or value == "":
        return ""
    decimals = currency_exponent(currency) if currency else 2
    return _plain(Decimal(value), decimals)


@register.filter
def amt_minor(value, currency: str) -> str:
    if value is None or value == "":
        return ""
    money = Money.from_minor(int(value), currency)
    return _plain(money.amount, money.exponent)
