"""The translated message of each refusal of the domain rules."""

from __future__ import annotations

from babel.numbers import format_decimal
from django.utils import translation
from django.utils.translation import gettext as _

from mupaka.core.exceptions import ValidationFailed
from mupaka.core.money import Money
from mupaka.savings.domain.rules import Refusal


def money_text(m: Money, *, locale: str | None = None) -> str:
    """``50 000,00 CDF`` in French, ``50,000.00 CDF`` in English."""
    loc = (locale or translation.get_language() or "fr").split("-")[0]
    fmt = "#,##0" + ("." + "0" * m.exponent if m.exponent else "")
    return f"{format_decimal(m.amount, format=fmt, locale=loc)} {m.currency}"


def refusal_error(refusal: Refusal, acct) -> ValidationFailed:
    """``acct``: anything with ``number`` and ``money(minor)``."""
    p = refusal.params
    number = acct.number
    messages = {
        "amount_not_positive": _("The amount must be greater than zero."),
        "account_closed": _("Account %(number)s is closed.") % {"number": number},
        "account_blocked": _(
            "Account %(number)s is blocked: no money can go in or out until the manager "
            "lifts the block."
        )
        % {"number": number},
        "account_dormant": _(
            "Account %(number)s is dormant (no operation by the member for a long time): a "
            "manager must reactivate it first."
        )
        % {"number": number},
        "term_no_deposit": _(
            "Account %(number)s is a term deposit: it takes no deposit after opening."
        )
        % {"number": number},
        "term_not_matured": _(
            "Account %(number)s is a term deposit that has not matured: break it early (with "
            "the penalty) or wait for maturity."
        )
        % {"number": number},
    }
    if refusal.code in messages:
        return ValidationFailed(messages[refusal.code], field="amount", code=refusal.code)
    if refusal.code == "insufficient_available":
        blocked = p.get("blocked_minor", 0)
        minimum = p.get("min_balance_minor", 0)
        detail = []
        if blocked:
            detail.append(_("%(amount)s blocked") % {"amount": money_text(acct.money(blocked))})
        if minimum:
            detail.append(
                _("%(amount)s minimum balance") % {"amount": money_text(acct.money(minimum))}
            )
        message = _("Not enough available on account %(number)s: %(available)s available.") % {
            "number": number,
            "available": money_text(acct.money(p.get("available_minor", 0))),
        }
        if detail:
            message = f"{message[:-1]} ({', '.join(detail)})."
        return ValidationFailed(message, field="amount", code=refusal.code)
    if refusal.code == "tier_max_balance":
        return ValidationFailed(
            _(
                "Members of KYC tier %(tier)s may hold at most %(max)s; this deposit may be "
                "%(room)s at most. Record a valid identity document to lift the limit."
            )
            % {
                "tier": p["tier"],
                "max": money_text(acct.money(p["max_minor"])),
                "room": money_text(acct.money(p["room_minor"])),
            },
            field="amount",
            code=refusal.code,
        )
    if refusal.code == "tier_daily_withdrawal":
        return ValidationFailed(
            _(
                "Members of KYC tier %(tier)s may withdraw at most %(max)s a day; %(room)s "
                "is left today. Record a valid identity document to lift the limit."
            )
            % {
                "tier": p["tier"],
                "max": money_text(acct.money(p["max_minor"])),
                "room": money_text(acct.money(p["room_minor"])),
            },
            field="amount",
            code=refusal.code,
        )
    return ValidationFailed(_("This operation is refused."), field="amount", code=refusal.code)
