from decimal import Decimal

from django import template

from mupaka.core.money import Money
from mupaka.tellers.selectors import money_text, rate_from_e8, rate_text

register = template.Library()


@register.filter
def money(value):
    """``{{ m|money }}`` → ``284 700,00 CDF`` (the page's language)."""
    if not isinstance(value, Money):
        return ""
    return money_text(value)


@register.filter
def rate(value):
    """``{{ r.buy_e8|rate }}`` (a stored rate × 10⁸) or ``{{ quote.applied_rate|rate }}``
    (a Decimal) → ``2 847,35`` in French, ``2,847.35`` in English (the page's language)."""
    if not isinstance(value, Decimal):
        value = rate_from_e8(value)
    return "" if value is None else rate_text(value)


@register.filter
def minor(amounts, currency):
    """``{{ transfer.amounts|minor:"USD" }}`` → Money."""
    return Money.from_minor(int(amounts.get(currency, 0)), currency)


@register.filter
def amounts(value: dict):
    """``{"USD": 200000}`` → ``2 000,00 USD, ...``."""
    return ", ".join(
        money_text(Money.from_minor(int(v), c)) for c, v in sorted((value or {}).items())
    )


@register.filter
def get(mapping, key):
    return (mapping or {}).get(key)


@register.filter
def as_money(minor_units, currency):
    """``{{ line.debit_minor|as_money:line.currency }}`` → ``45,50 USD``."""
    if not minor_units:
        return ""
    return money_text(Money.from_minor(int(minor_units), currency))
