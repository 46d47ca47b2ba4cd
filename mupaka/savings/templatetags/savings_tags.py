from django import template

from mupaka.core.money import Money
from mupaka.savings.services.messages import money_text

register = template.Library()


@register.filter
def money(value) -> str:
    """A Money as people read it in the page's language: 50 000,00 CDF."""
    if value is None or value == "":
        return ""
    return money_text(value)


@register.filter
def minor(value, currency: str) -> str:
    """Integer minor units of ``currency`` as money text."""
    if value is None:
        return ""
    return money_text(Money.from_minor(int(value), currency))


@register.filter
def ppm_percent(value) -> str:
    """Millionths as a percentage: 60000 → "6 %"."""
    from decimal import Decimal

    from babel.numbers import format_decimal
    from django.utils.translation import get_language

    if value is None:
        return ""
    pct = (Decimal(int(value)) / Decimal(10_000)).normalize()
    return f"{format_decimal(pct, locale=(get_language() or 'fr').split('-')[0])} %"
