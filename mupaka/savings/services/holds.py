"""Blocked amounts: holds placed by a manager, and loan guarantees placed by loans.

A hold makes part of an account's balance unavailable (``blocked_minor`` is the sum of
the account's active holds); it moves no money, so it posts no journal entry, but it
is written in the account's history (``block`` / ``unblock`` transactions).

Guarantee savings for loans (how much is the loan product's business: its guarantee
savings percentage; savings keeps the money and blocks it)::

    # at disbursement, inside the loans service's transaction
    acct = guarantee_account_for(actor=teller, member=member, currency="USD")
    g = Money.of("20", "USD")  # the loan product's 10 % of a USD 200 loan
    line = savings_movement_line(actor=teller, account=acct, amount=g, direction="in",
                                 kind="deposit", business_date=bd, customer=False,
                                 reference=f"loans.loan:{loan.pk}")
    entry = journal_post(..., lines=[..., line]);  savings_entry_link(entry=entry, lines=[line])
    guarantee_block(actor=teller, account=acct, amount=g, reference=f"loans.loan:{loan.pk}",
                    business_date=bd)

    # when the loan is closed
    guarantee_release(actor=officer, reference=f"loans.loan:{loan.pk}", business_date=bd)

    # or, with a second person's approval, to settle arrears (a line of the repayment entry)
    line = guarantee_apply_line(actor=officer, approved_by=manager,
                                reference=f"loans.loan:{loan.pk}", amount=..., business_date=bd)
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils.translation import gettext as _

from mupaka.core.audit import audit_record
from mupaka.core.exceptions import NotFound, ValidationFailed
from mupaka.core.money import Money
from mupaka.core.permissions import has_perm, require_branch, require_perm
from mupaka.members.models import Member
from mupaka.savings.models import (
    AccountStatus,
    Channel,
    HoldReason,
    HoldStatus,
    ProductKind,
    SavingsAccount,
    SavingsHold,
    SavingsProduct,
    TxnKind,
)
from mupaka.savings.services.accounts import account_create
from mupaka.savings.services.messages import money_text
from mupaka.savings.services.movements import (
    Locked,
    SavingsLineSpec,
    business_date_now,
    check_amount,
    lock_account,
    movement,
    record,
)


def _place(
    *,
    actor,
    acct: Locked,
    amount: Money,
    reason: str,
    reference: str,
    note: str,
    business_date: dt.date,
) -> SavingsHold:
    amount_minor = check_amount(acct, amount)
    reference = (reference or "").strip()[:60]
    if not reference:
        raise ValidationFailed(_("Give the reference of the hold."), field="reference")
    if acct.status == AccountStatus.CLOSED:
        raise ValidationFailed(_("Account %(number)s is closed.") % {"number": acct.number})
    free = acct.balance_minor - acct.blocked_minor
    if amount_minor > free:
        raise ValidationFailed(
            _("Only %(free)s of account %(number)s can be blocked.")
            % {"free": money_text(acct.money(max(free, 0))), "number": acct.number},
            field="amount",
            code="insufficient_available",
        )
    if SavingsHold.objects.filter(
        account_id=acct.id, reference=reference, status=HoldStatus.ACTIVE
    ).exists():
        raise ValidationFailed(
            _("Account %(number)s already has an active hold for %(reference)s.")
            % {"number": acct.number, "reference": reference},
            field="reference",
            code="hold_exists",
        )
    hold = SavingsHold.objects.create(
        account_id=acct.id,
        reason=reason,
        reference=reference,
        amount_minor=amount_minor,
        note=(note or "")[:200],
        placed_date=business_date,
        placed_by=actor if getattr(actor, "pk", None) else None,
    )
    record(
        acct,
        kind=TxnKind.BLOCK,
        direction="none",
        amount_minor=amount_minor,
        business_date=business_date,
        channel=Channel.OTHER,
        customer=False,
        actor=actor,
        memo=note or reference,
        reference=reference,
        blocked_delta_minor=amount_minor,
    )
    audit_record(
        actor=actor,
        action="savings.hold_place",
        obj=hold,
        object_repr=f"{acct.number} {reference}",
        after={"amount_minor": amount_minor, "reason": reason, "reference": reference},
        branch_id=acct.branch_id,
    )
    return hold


def _release(
    *, actor, hold: SavingsHold, business_date: dt.date, note: str, applied_minor: int = 0
):
    """Release an active hold (the caller holds the account's lock)."""
    acct = lock_account(hold.account_id)
    hold = SavingsHold.objects.select_for_update().get(pk=hold.pk)
    if hold.status != HoldStatus.ACTIVE:
        raise ValidationFailed(_("This hold was already released."), code="hold_released")
    hold.status = HoldStatus.APPLIED if applied_minor else HoldStatus.RELEASED
    hold.applied_minor = applied_minor
    hold.released_date = business_date
    hold.released_by = actor if getattr(actor, "pk", None) else None
    hold.save(update_fields=["status", "applied_minor", "released_date", "released_by"])
    _id, after = (
        record(
            acct,
            kind=TxnKind.UNBLOCK,
            direction="none",
            amount_minor=hold.amount_minor,
            business_date=business_date,
            channel=Channel.OTHER,
            customer=False,
            actor=actor,
            memo=note or hold.reference,
            reference=hold.reference,
            blocked_delta_minor=-hold.amount_minor,
        )
        if hold.amount_minor
        else (None, acct)
    )
    audit_record(
        actor=actor,
        action="savings.hold_release",
        obj=hold,
        object_repr=f"{acct.number} {hold.reference}",
        before={"status": HoldStatus.ACTIVE},
        after={"status": hold.status, "applied_minor": applied_minor},
        reason=note,
        branch_id=acct.branch_id,
    )
    return hold, after


@transaction.atomic
def savings_hold_place(
    *,
    actor,
    account: SavingsAccount,
    amount: Money,
    reference: str,
    note: str = "",
    reason: str = HoldReason.LEGAL,
) -> SavingsHold:
    """A manager blocks part of an account (court order, pledge...)."""
    require_perm(actor, "savings.hold")
    if reason not in HoldReason.values:
        raise ValidationFailed(_("Unknown reason."), field="reason")
    acct = lock_account(account)
    require_branch(actor, acct.branch_id)
    return _place(
        actor=actor,
        acct=acct,
        amount=amount,
        reason=reason,
        reference=reference,
        note=note,
        business_date=business_date_now(),
    )


@transaction.atomic
def savings_hold_release(*, actor, hold: SavingsHold, note: str = "") -> SavingsHold:
    require_perm(actor, "savings.hold")
    require_branch(actor, hold.account.branch_id)
    if hold.reason == HoldReason.GUARANTEE:
        raise ValidationFailed(
            _("A loan guarantee is released when the loan is closed."), code="guarantee_hold"
        )
    released, _after = _release(
        actor=actor, hold=hold, business_date=business_date_now(), note=note
    )
    return released


# --- guarantee savings for loans ------------------------------------------------------------------
def guarantee_product_for(currency: str) -> SavingsProduct:
    product = (
        SavingsProduct.objects.filter(kind=ProductKind.GUARANTEE, currency=currency, is_active=True)
        .order_by("id")
        .first()
    )
    if product is None:
        raise ValidationFailed(
            _("There is no guarantee savings product in %(currency)s: the manager creates one.")
            % {"currency": currency},
            code="no_guarantee_product",
        )
    return product


def guarantee_account_for(
    *, actor, member: Member, currency: str, product: SavingsProduct | None = None
) -> SavingsAccount:
    """The member's open guarantee savings account in ``currency``, opened if she has none.
    Joins the caller's transaction; no permission check (the loans service checked its)."""
    product = product or guarantee_product_for(currency)
    account = (
        SavingsAccount.objects.filter(
            member=member,
            product=product,
            currency=currency,
            status__in=[AccountStatus.ACTIVE, AccountStatus.DORMANT],
        )
        .order_by("id")
        .first()
    )
    if account is not None:
        return account
    with transaction.atomic():
        return account_create(
            actor=actor, member=member, product=product, on_date=business_date_now()
        )


def guarantee_block(
    *,
    actor,
    account: SavingsAccount | int,
    amount: Money,
    reference: str,
    business_date: dt.date,
    note: str = "",
) -> SavingsHold:
    """Block ``amount`` of the account as the guarantee of the loan ``reference``
    (e.g. ``"loans.loan:17"``), until :func:`guarantee_release`. The money must already
    be in the account (post the guarantee deposit first, in the same transaction).
    Runs inside the caller's transaction; the caller checks its own permission."""
    if not connection.in_atomic_block:
        raise RuntimeError("guarantee_block must run inside the caller's transaction")
    acct = lock_account(account)
    return _place(
        actor=actor,
        acct=acct,
        amount=amount,
        reason=HoldReason.GUARANTEE,
        reference=reference,
        note=note,
        business_date=business_date,
    )


def _guarantee_holds(reference: str, account=None) -> list[SavingsHold]:
    qs = SavingsHold.objects.filter(
        reason=HoldReason.GUARANTEE, reference=reference, status=HoldStatus.ACTIVE
    )
    if account is not None:
        qs = qs.filter(account_id=getattr(account, "pk", account))
    return list(qs.order_by("account_id", "id"))


def guarantee_release(
    *, actor, reference: str, business_date: dt.date, account=None, note: str = ""
) -> list[SavingsHold]:
    """Release every active guarantee hold of the loan ``reference`` (the loan is closed):
    the money becomes available to the member. Returns the released holds (none: [])."""
    if not connection.in_atomic_block:
        raise RuntimeError("guarantee_release must run inside the caller's transaction")
    released = []
    for hold in _guarantee_holds(reference, account):
        done, _after = _release(actor=actor, hold=hold, business_date=business_date, note=note)
        released.append(done)
    return released


def guarantee_apply_line(
    *,
    actor,
    reference: str,
    amount: Money,
    approved_by,
    business_date: dt.date,
    memo: str = "",
) -> SavingsLineSpec:
    """Use (part of) the guarantee of loan ``reference`` to settle its arrears: releases
    the hold and returns the savings line (money out of the guarantee account) for the
    loans service's repayment entry; link it with ``savings_entry_link`` afterwards.

    Needs the approval of a second person allowed ``savings.guarantee.apply`` (committee
    or manager). What is left of the guarantee after the amount used stays in the
    account, no longer blocked."""
    if not connection.in_atomic_block:
        raise RuntimeError("guarantee_apply_line must run inside the caller's transaction")
    if approved_by is None or getattr(approved_by, "pk", None) == getattr(actor, "pk", None):
        raise ValidationFailed(
            _("Using a guarantee to settle arrears needs the approval of a second person."),
            field="approved_by",
            code="second_person_required",
        )
    if not has_perm(approved_by, "savings.guarantee.apply"):
        raise ValidationFailed(
            _("The approver is not allowed to use guarantees (committee or manager)."),
            field="approved_by",
            code="approver_not_allowed",
        )
    holds = _guarantee_holds(reference)
    if not holds:
        raise NotFound(
            _("No active guarantee for %(reference)s.") % {"reference": reference},
            field="reference",
        )
    hold = holds[0]
    acct = lock_account(hold.account_id)
    amount_minor = check_amount(acct, amount)
    if amount_minor > hold.amount_minor:
        raise ValidationFailed(
            _("The guarantee is %(held)s: it cannot settle %(amount)s.")
            % {"held": money_text(acct.money(hold.amount_minor)), "amount": money_text(amount)},
            field="amount",
        )
    _hold, after = _release(
        actor=actor,
        hold=hold,
        business_date=business_date,
        note=memo or _("Guarantee used to settle arrears"),
        applied_minor=amount_minor,
    )
    line, _after = movement(
        after,
        actor=actor,
        amount=amount,
        direction="out",
        kind=TxnKind.LOAN_REPAYMENT,
        business_date=business_date,
        memo=memo or _("Guarantee used to settle arrears"),
        reference=reference,
        customer=False,
        channel=Channel.OTHER,
        below_minimum=True,
    )
    audit_record(
        actor=actor,
        action="savings.guarantee_apply",
        obj=hold,
        object_repr=f"{acct.number} {reference}",
        after={"amount_minor": amount_minor, "approved_by": approved_by.pk},
        branch_id=acct.branch_id,
    )
    return line


@transaction.atomic
def guarantee_release_by_manager(*, actor, hold: SavingsHold, note: str) -> SavingsHold:
    """A manager releases a guarantee by hand (the loan was closed outside Mupaka)."""
    require_perm(actor, "savings.hold")
    require_branch(actor, hold.account.branch_id)
    if not (note or "").strip():
        raise ValidationFailed(_("Give the reason for this change."), field="note")
    released, _after = _release(
        actor=actor, hold=hold, business_date=business_date_now(), note=note
    )
    return released
