"""Where a loan's money comes from or goes to: the teller's till, or a savings account.

A thin adapter over the tellers' and the savings engineer's public APIs
(``mupaka/tellers/API.md``, ``mupaka/savings/API.md``): each function returns the
journal line(s) of the other side of a loan's entry and runs inside the loan service's
transaction, so the till or savings checks and the loan's own writes commit or roll back
together.
"""

from __future__ import annotations

from typing import Literal

from django.utils.translation import gettext as _

from mupaka.core.exceptions import ValidationFailed
from mupaka.core.money import Money
from mupaka.ledger.services import LineSpec
from mupaka.loans.models import Channel, Loan


def cash_line(
    *, actor, amount: Money, side: Literal["dr", "cr"], member_id: int | None, memo: str
) -> LineSpec:
    """Cash in (``dr``) or out (``cr``) of the actor's open till."""
    from mupaka.tellers.cash import till_cash_line

    return till_cash_line(actor=actor, amount=amount, side=side, member_id=member_id, memo=memo)


def _savings_api():
    try:
        from mupaka.savings import loan_api  # type: ignore[attr-defined]
    except ImportError:
        loan_api = None
    if loan_api is None:
        raise ValidationFailed(
            _("Savings accounts cannot be used for loans yet: the savings module is not ready."),
            code="savings_unavailable",
            field="channel",
        )
    return loan_api


def channel_line(
    *,
    actor,
    loan: Loan,
    channel: str,
    amount: Money,
    side: Literal["dr", "cr"],
    memo: str,
    savings_account=None,
) -> LineSpec:
    """The line of ``channel`` for ``amount``: ``dr`` money comes in to the loan
    (a repayment), ``cr`` money goes out to the member (a disbursement, a refund)."""
    if channel == Channel.CASH:
        return cash_line(actor=actor, amount=amount, side=side, member_id=loan.member_id, memo=memo)
    if channel == Channel.SAVINGS:
        api = _savings_api()
        return api.savings_line(
            actor=actor,
            member=loan.member,
            account=savings_account,
            amount=amount,
            side=side,
            memo=memo,
        )
    raise ValidationFailed(
        _("Choose how the money moves: cash at the till or a savings account."),
        field="channel",
        code="unknown_channel",
    )


def guarantee_lines(*, actor, loan: Loan, amount: Money, memo: str) -> list[LineSpec]:
    """Block ``amount`` of compulsory guarantee savings at disbursement."""
    api = _savings_api()
    return list(
        api.guarantee_block_lines(actor=actor, member=loan.member, amount=amount, memo=memo)
    )


def guarantee_release_lines(*, actor, loan: Loan, amount: Money, memo: str) -> list[LineSpec]:
    """Release the guarantee savings when the loan is closed."""
    api = _savings_api()
    return list(
        api.guarantee_release_lines(actor=actor, member=loan.member, amount=amount, memo=memo)
    )
