"""What a pending member has to do before she is active (README, Members; shares).

Joining is paying: the entry fee (droit d'adhésion) and the minimum number of member
shares (parts sociales) turn a pending member into an active member. The shares app
activates her itself when the teller takes the payment (``shares_purchase`` calls
``member_status_change``); the members screens and API may activate her too, but only
once both are paid. ``member_status_change`` asks every registered activation check
before a pending member becomes active: ``fn(member) -> message or None``; the first
message refuses the activation and nothing is changed.

The members app registers :func:`entry_fee_and_shares_paid` at start-up (apps.py). It
reads the institution's share product and her holding through the shares app's public
selectors (as her page does): the product's entry fee (0: no fee to pay) and minimum
number of shares; without a share product in use the institution asks for neither.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from mupaka.core.money import Money
from mupaka.core.money_format import format_money
from mupaka.members.models import Member

ActivationCheck = Callable[[Member], "str | None"]
_ACTIVATION_CHECKS: list[ActivationCheck] = []


def register_activation_check(check: ActivationCheck) -> None:
    """Another app refuses the activation of a pending member while she has not done
    what joining asks of her: ``fn(member) -> message or None``."""
    if check not in _ACTIVATION_CHECKS:
        _ACTIVATION_CHECKS.append(check)


def unregister_activation_check(check: ActivationCheck) -> None:
    if check in _ACTIVATION_CHECKS:
        _ACTIVATION_CHECKS.remove(check)


def activation_problem(member: Member) -> str | None:
    """Why this pending member cannot be made active now (None: she can)."""
    for check in list(_ACTIVATION_CHECKS):
        problem = check(member)
        if problem:
            return problem
    return None


def entry_fee_and_shares_paid(member: Member) -> str | None:
    """The entry fee and the minimum member shares of the share product in use."""
    from mupaka.shares.selectors import holding_for, share_product

    product = share_product()
    if product is None:
        return None
    holding = holding_for(member)
    fee_due = product.entry_fee_minor > 0 and (
        holding is None or holding.entry_fee_paid_date is None
    )
    held = holding.shares if holding is not None else 0
    shares_due = held < product.min_shares
    if not fee_due and not shares_due:
        return None
    values = {
        "name": member.full_name,
        "fee": format_money(Money.from_minor(product.entry_fee_minor, product.currency)),
        "held": held,
        "min": product.min_shares,
        "price": format_money(Money.from_minor(product.unit_price_minor, product.currency)),
    }
    if fee_due and shares_due:
        message = _(
            "%(name)s cannot be made active yet: her entry fee (%(fee)s) is not paid and "
            "she holds %(held)s of the %(min)s member shares required (%(price)s each). "
            "Both are paid at the counter; she becomes active when they are."
        )
    elif fee_due:
        message = _(
            "%(name)s cannot be made active yet: her entry fee (%(fee)s) is not paid. "
            "It is paid at the counter; she becomes active when it is."
        )
    else:
        message = _(
            "%(name)s cannot be made active yet: she holds %(held)s of the %(min)s member "
            "shares required (%(price)s each). They are paid at the counter; she becomes "
            "active when they are."
        )
    return message % values
