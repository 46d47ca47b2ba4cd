"""Where a loan's money comes from or goes to: the teller's till, a savings account, or
the loan's blocked guarantee savings.

A thin adapter over the tellers' and the savings engineer's public APIs
(``mupaka/tellers/API.md``, ``mupaka/savings/API.md``). Each function runs inside the loan
service's transaction and returns the journal line(s) of the other side of the loan's
entry, so the till or savings checks and the loan's own writes commit or roll back
together. After posting, :func:`after_post` links the savings movements to the entry
(the savings API requires it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

from django.utils.translation import gettext as _

from mupaka.core.exceptions import NotFound, ValidationFailed
from mupaka.core.money import Money
from mupaka.ledger.services import LineSpec
from mupaka.loans.models import Channel, Loan


def reference(loan: Loan) -> str:
    """How the savings side names the loan."""
    return f"loans.loan:{loan.pk}"


def cash_line(
    *, actor, amount: Money, side: Literal["dr", "cr"], member_id: int | None, memo: str
) -> LineSpec:
    """Cash in (``dr``) or out (``cr``) of the actor's open till."""
    from mupaka.tellers.cash import till_cash_line

    return till_cash_line(actor=actor, amount=amount, side=side, member_id=member_id, memo=memo)


def savings_account_of(loan: Loan, account=None):
    """The savings account the money goes to or comes from: the one given (it must be
    hers), else her only open voluntary account in the loan's currency."""
    from mupaka.savings.models import AccountStatus, ProductKind, SavingsAccount

    if account is not None:
        pk = getattr(account, "pk", account)
        found = SavingsAccount.objects.filter(pk=pk).first()
        if found is None or found.member_id != loan.member_id:
            raise ValidationFailed(
                _("Choose one of the borrower's own savings accounts."), field="savings_account"
            )
        return found
    candidates = list(
        SavingsAccount.objects.filter(
            member_id=loan.member_id,
            currency=loan.currency,
            product__kind=ProductKind.VOLUNTARY,
            status=AccountStatus.ACTIVE,
        ).order_by("id")[:2]
    )
    if not candidates:
        raise ValidationFailed(
            _("She has no open savings account in %(currency)s.") % {"currency": loan.currency},
            field="savings_account",
            code="no_savings_account",
        )
    if len(candidates) > 1:
        raise ValidationFailed(
            _("She has several savings accounts in %(currency)s: choose one.")
            % {"currency": loan.currency},
            field="savings_account",
            code="choose_savings_account",
        )
    return candidates[0]


def channel_line(
    *,
    actor,
    loan: Loan,
    channel: str,
    amount: Money,
    side: Literal["dr", "cr"],
    memo: str,
    business_date: dt.date,
    kind: str,
    savings_account=None,
) -> LineSpec:
    """The line of ``channel`` for ``amount``: ``dr`` money comes in to the loan
    (repayment, recovery: her savings are debited), ``cr`` money goes out to the member
    (disbursement, refund: her savings are credited). ``kind`` is the savings movement
    kind (``loan_repayment``, ``loan_disbursement``, ``transfer``)."""
    if channel == Channel.CASH:
        return cash_line(actor=actor, amount=amount, side=side, member_id=loan.member_id, memo=memo)
    if channel == Channel.SAVINGS:
        from mupaka.savings.services import savings_movement_line

        return savings_movement_line(
            actor=actor,
            account=savings_account_of(loan, savings_account),
            amount=amount,
            direction="out" if side == "dr" else "in",
            kind=kind,
            business_date=business_date,
            memo=memo,
            reference=reference(loan),
            customer=True,
        )
    raise ValidationFailed(
        _("Choose how the money moves: cash at the till or a savings account."),
        field="channel",
        code="unknown_channel",
    )


def after_post(entry, lines: Sequence[LineSpec]) -> None:
    """Link the savings movements among ``lines`` to ``entry`` (required by savings)."""
    from mupaka.savings.services import SavingsLineSpec, savings_entry_link

    if any(isinstance(line, SavingsLineSpec) for line in lines):
        savings_entry_link(entry=entry, lines=list(lines))


def guarantee_line(*, actor, loan: Loan, amount: Money, business_date: dt.date) -> LineSpec:
    """The compulsory guarantee savings taken at disbursement: credited to her guarantee
    savings account (opened if she has none). Block it with :func:`guarantee_hold` once
    the entry is posted."""
    from mupaka.savings.services import guarantee_account_for, savings_movement_line

    account = guarantee_account_for(actor=actor, member=loan.member, currency=loan.currency)
    return savings_movement_line(
        actor=actor,
        account=account,
        amount=amount,
        direction="in",
        kind="deposit",
        business_date=business_date,
        memo=_("Guarantee savings of loan %(number)s") % {"number": loan.number},
        reference=reference(loan),
        customer=False,
    )


def guarantee_hold(*, actor, loan: Loan, line: LineSpec, amount: Money, business_date: dt.date):
    from mupaka.savings.services import guarantee_block

    return guarantee_block(
        actor=actor,
        account=line.savings_account_id,
        amount=amount,
        reference=reference(loan),
        business_date=business_date,
        note=loan.number,
    )


def guarantee_release(*, actor, loan: Loan, business_date: dt.date) -> list:
    """The loan is closed: her guarantee savings become available again (no money
    moves)."""
    from mupaka.savings.services import guarantee_release as release

    return release(
        actor=actor, reference=reference(loan), business_date=business_date, note=loan.number
    )


def guarantee_apply_line(
    *, actor, approved_by, loan: Loan, amount: Money, business_date: dt.date
) -> LineSpec | None:
    """Use (part of) the blocked guarantee to pay the loan (approved by a second person);
    None when the loan has no active guarantee."""
    from mupaka.savings.services import guarantee_apply_line as apply_line

    try:
        return apply_line(
            actor=actor,
            approved_by=approved_by,
            reference=reference(loan),
            amount=amount,
            business_date=business_date,
            memo=_("Guarantee of loan %(number)s applied before write-off")
            % {"number": loan.number},
        )
    except NotFound:
        return None
