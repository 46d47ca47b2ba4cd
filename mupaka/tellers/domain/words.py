"""Amounts in words, in French, for receipts ("deux cent quatre-vingt-quatre mille sept
cents francs congolais"). Pure; the number words come from num2words, which follows
the French rules (quatre-vingts, vingt et un, mille, cents with an s only at the end)."""

from __future__ import annotations

from decimal import Decimal

from num2words import num2words

from mupaka.core.money import Money

# currency → (singular, plural, minor singular, minor plural)
NAMES_FR = {
    "USD": ("dollar américain", "dollars américains", "cent", "cents"),
    "CDF": ("franc congolais", "francs congolais", "centime", "centimes"),
    "RWF": ("franc rwandais", "francs rwandais", "", ""),
    "BIF": ("franc burundais", "francs burundais", "", ""),
    "EUR": ("euro", "euros", "centime", "centimes"),
}


def _unit(n: int, singular: str, plural: str) -> str:
    words = num2words(n, lang="fr")
    if n >= 1_000_000 and n % 1_000_000 == 0:
        # "un million de francs", "deux millions de francs"
        return f"{words} de {plural}"
    return f"{words} {singular if n in (0, 1) else plural}"


def amount_in_words_fr(money: Money) -> str:
    """``Money.of("45.50", "USD")`` → ``quarante-cinq dollars américains et cinquante cents``."""
    if money.amount < 0:
        return "moins " + amount_in_words_fr(-money)
    money = money.round()
    singular, plural, minor_s, minor_p = NAMES_FR.get(
        money.currency, (money.currency, money.currency, "", "")
    )
    whole = int(money.amount)
    text = _unit(whole, singular, plural)
    cents = int((money.amount - Decimal(whole)).scaleb(money.exponent))
    if cents:
        text += f" et {num2words(cents, lang='fr')} {minor_s if cents == 1 else minor_p}"
    return text
