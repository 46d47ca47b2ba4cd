from babel.numbers import format_decimal
from django import template
from django.utils.translation import get_language

from mupaka.members.domain.phones import phone_display

register = template.Library()


@register.filter
def phone(value: str) -> str:
    """+243970000001 → +243 970 000 001."""
    return phone_display(value or "")


@register.filter
def money(value) -> str:
    """A Money as people read it in the page's language: 85,50 USD, 12 000 RWF."""
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * value.exponent if value.exponent else "")
    text = format_decimal(value.amount, format=pattern, locale=get_language() or "fr")
    return f"{text} {value.currency}"
