"""Repayments, refunds of a credit balance and recoveries after a write-off.

A repayment is allocated by replaying the loan's schedule with all its transactions
(the product's order, oldest instalment first); the entry posts what replay gave each
component:

    Dr till cash / savings       amount
    Cr loan_portfolio            principal
    Cr interest_income           interest      (cash basis: income when paid)
    Cr fee_income                fees
    Cr penalty_income            penalties
    Cr overpayment_liability     what is left once the loan is paid off (credit balance)
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from mupaka.core.audit import audit_record
from mupaka.core.commit_group import grouped
from mupaka.core.exceptions import ValidationFailed
from mupaka.core.idempotency import idempotent
from mupaka.core.money import Money
from mupaka.core.money_format import format_money
from mupaka.core.permissions import require_perm
from mupaka.core.selectors import business_date_get
from mupaka.ledger.services import journal_post
from mupaka.loans import channels, engine
from mupaka.loans import domain as d
from mupaka.loans.models import Channel, Loan, LoanStatus, LoanTransaction, TxKind
from mupaka.loans.selectors import write_off_left_minor
from mupaka.loans.services.common import (
    apply_caches,
    check_amount,
    component_lines,
    line,
    loan_snapshot,
    lock_loan,
    require_status,
)
from mupaka.members.models import Member

COMPONENT_KEYS = (
    "principal_minor",
    "interest_minor",
    "fees_minor",
    "penalties_minor",
    "credit_minor",
)


def replay_or_refuse(loan: Loan, **kwargs) -> engine.LoanView:
    try:
        return engine.replay_loan(loan, **kwargs)
    except d.AllocationError as exc:
        raise ValidationFailed(
            _("This cannot apply to the loan: %(why)s.") % {"why": exc}, code="allocation"
        )


def _allocated(view: engine.LoanView, tx: LoanTransaction) -> dict[str, int]:
    allocation = view.allocation(tx)
    amounts = engine.components_minor(allocation.amounts, tx.currency)
    amounts["credit_minor"] = engine.minor(allocation.credit, tx.currency)
    return amounts


def sync_allocations(
    *, actor, loan: Loan, view: engine.LoanView, key: str, on: dt.date, skip: int | None = None
) -> list[LoanTransaction]:
    """Repayments whose allocation replay has changed (an earlier one was reversed, a
    penalty was dated before them) get their components rewritten and one REALLOCATION
    entry each, moving the difference between the component accounts."""
    moved = []
    for tx, _allocation in view.pairs():
        if tx.kind != TxKind.REPAYMENT or tx.pk == skip:
            continue
        new = _allocated(view, tx)
        old = {k: getattr(tx, k) for k in COMPONENT_KEYS}
        if new == old:
            continue
        delta = {k: new[k] - old[k] for k in COMPONENT_KEYS}
        row = LoanTransaction.objects.create(
            loan=loan,
            kind=TxKind.REALLOCATION,
            on_date=on,
            currency=loan.currency,
            amount_minor=0,
            schedule_version=loan.schedule_version,
            target=tx,
            memo=_("Repayment of %(date)s reallocated") % {"date": tx.on_date.strftime("%d/%m/%Y")},
            created_by=actor,
            **delta,
        )
        entry = journal_post(
            actor=actor,
            business_date=on,
            narrative=(
                _("Loan %(number)s: repayment of %(date)s reallocated after a correction")
                % {"number": loan.number, "date": tx.on_date.strftime("%d/%m/%Y")}
            )[:300],
            lines=component_lines(loan, delta, side="cr", memo=loan.number),
            source_type="loans.reallocation",
            source_id=str(row.pk),
            idempotency_key=f"{key}:realloc:{tx.pk}",
            branch=loan.branch_id,
        )
        row.journal_entry = entry
        row.save(update_fields=["journal_entry"])
        for k in COMPONENT_KEYS:
            setattr(tx, k, new[k])
        tx.save(update_fields=list(COMPONENT_KEYS))
        moved.append(row)
    return moved


def settle_status(*, actor, loan: Loan, view: engine.LoanView, on: dt.date, key: str) -> None:
    """Close a loan replay says is paid off (releasing its guarantee savings), or reopen
    a closed one a correction has left owing."""
    if loan.status == LoanStatus.ACTIVE and view.state.closed_on is not None:
        loan.status = LoanStatus.CLOSED
        loan.closed_on = on
        if loan.guarantee_minor and not loan.guarantee_released:
            channels.guarantee_release(actor=actor, loan=loan, business_date=on)
            LoanTransaction.objects.create(
                loan=loan,
                kind=TxKind.GUARANTEE_RELEASE,
                on_date=on,
                currency=loan.currency,
                amount_minor=loan.guarantee_minor,
                guarantee_minor=loan.guarantee_minor,
                schedule_version=loan.schedule_version,
                memo=_("Guarantee savings available again"),
                created_by=actor,
            )
            loan.guarantee_released = True
    elif loan.status == LoanStatus.CLOSED and view.state.closed_on is None:
        loan.status = LoanStatus.ACTIVE
        loan.closed_on = None
    group_status_follow(loan)


def group_status_follow(loan: Loan) -> None:
    """A group loan is closed when none of its shares is active any more (and active
    again if a correction reopens one)."""
    if not loan.group_loan_id:
        return
    from mupaka.loans.models import GroupLoan

    others = (
        Loan.objects.filter(group_loan_id=loan.group_loan_id)
        .exclude(pk=loan.pk)
        .values_list("status", flat=True)
    )
    statuses = [*others, loan.status]
    if LoanStatus.ACTIVE in statuses:
        target = LoanStatus.ACTIVE
    elif any(s in (LoanStatus.CLOSED, LoanStatus.WRITTEN_OFF) for s in statuses):
        target = LoanStatus.CLOSED
    else:
        return
    GroupLoan.objects.filter(
        pk=loan.group_loan_id, status__in=[LoanStatus.ACTIVE, LoanStatus.CLOSED]
    ).exclude(status=target).update(status=target)


def _check_payer(loan: Loan, paid_by: Member | None) -> None:
    if paid_by is None or paid_by.pk == loan.member_id:
        return
    if loan.group_loan_id:
        from mupaka.members.models import SolidarityGroupMembership

        in_group = SolidarityGroupMembership.objects.filter(
            group_id=loan.group_loan.group_id, member=paid_by, left_date__isnull=True
        ).exists()
        if in_group:
            return
    raise ValidationFailed(
        _("Only the borrower, or a member of her solidarity group, pays this loan."),
        field="paid_by",
    )


def _repay(
    *,
    actor,
    loan: Loan,
    amount: Money,
    channel: str,
    key: str,
    savings_account,
    paid_by: Member | None,
    memo: str,
) -> LoanTransaction:
    loan = lock_loan(actor, loan)
    check_amount(loan, amount)
    require_status(
        loan,
        LoanStatus.ACTIVE,
        message=_("Loan %(number)s is %(status)s: a repayment on it is refused.")
        % {"number": loan.number, "status": LoanStatus(loan.status).label.lower()},
    )
    _check_payer(loan, paid_by)
    on = business_date_get()
    before = loan_snapshot(loan)
    tx = LoanTransaction.objects.create(
        loan=loan,
        kind=TxKind.REPAYMENT,
        on_date=on,
        currency=loan.currency,
        amount_minor=amount.minor,
        channel=channel,
        schedule_version=loan.schedule_version,
        paid_by=paid_by if paid_by and paid_by.pk != loan.member_id else None,
        memo=(memo or "").strip()[:300],
        created_by=actor,
    )
    view = replay_or_refuse(loan)
    amounts = _allocated(view, tx)
    for k, v in amounts.items():
        setattr(tx, k, v)
    payer = paid_by.full_name if paid_by and paid_by.pk != loan.member_id else ""
    lines = [
        channels.channel_line(
            actor=actor,
            loan=loan,
            channel=channel,
            amount=amount,
            side="dr",
            memo=loan.number,
            business_date=on,
            kind="loan_repayment",
            savings_account=savings_account,
        ),
        *component_lines(loan, amounts, side="cr", memo=loan.number),
    ]
    narrative = _("Repayment of loan %(number)s (%(member)s)") % {
        "number": loan.number,
        "member": loan.member.full_name,
    }
    if payer:
        narrative += " — " + _("paid by %(payer)s") % {"payer": payer}
    entry = journal_post(
        actor=actor,
        business_date=on,
        narrative=narrative[:300],
        lines=lines,
        source_type="loans.repayment",
        source_id=str(tx.pk),
        idempotency_key=f"{key}:journal",
        branch=loan.branch_id,
    )
    channels.after_post(entry, lines)
    tx.journal_entry = entry
    tx.save()
    sync_allocations(actor=actor, loan=loan, view=view, key=key, on=on, skip=tx.pk)
    apply_caches(loan, view, on_date=on)
    settle_status(actor=actor, loan=loan, view=view, on=on, key=key)
    loan.save()
    audit_record(
        actor=actor,
        action="loan.repay",
        obj=loan,
        before=before,
        after=loan_snapshot(loan)
        | {"transaction": tx.pk, "amount_minor": tx.amount_minor, "channel": channel, **amounts},
    )
    return tx


@grouped
def loan_repay(
    *,
    actor,
    loan: Loan,
    amount: Money,
    idempotency_key: str,
    channel: str = Channel.CASH,
    savings_account=None,
    paid_by: Member | None = None,
    memo: str = "",
) -> LoanTransaction:
    """Take a repayment on an active loan, in cash at the actor's till or from the
    member's savings account, on the business date. Partial, late and early payments
    are allocated by the product's order; what is left after the loan is paid off
    becomes a credit balance (refundable). ``paid_by``: another member of her solidarity
    group who pays for her. Idempotent under ``idempotency_key``."""
    require_perm(actor, "loan.repay")
    payload = {
        "loan": getattr(loan, "pk", loan),
        "amount": str(getattr(amount, "amount", amount)),
        "currency": getattr(amount, "currency", ""),
        "channel": channel,
        "savings_account": getattr(savings_account, "pk", None),
        "paid_by": getattr(paid_by, "pk", None),
        "memo": memo,
    }

    def run() -> dict:
        tx = _repay(
            actor=actor,
            loan=loan,
            amount=amount,
            channel=channel,
            key=idempotency_key,
            savings_account=savings_account,
            paid_by=paid_by,
            memo=memo,
        )
        return {"transaction": tx.pk}

    with transaction.atomic():
        result = idempotent(
            key=idempotency_key, scope="loans.repayment", actor=actor, payload=payload, run=run
        )
    return LoanTransaction.objects.get(pk=result.response["transaction"])


def loan_credit_refund(
    *,
    actor,
    loan: Loan,
    amount: Money,
    idempotency_key: str,
    channel: str = Channel.CASH,
    savings_account=None,
) -> LoanTransaction:
    """Pay back (part of) a loan's credit balance: Dr overpayment_liability, Cr till
    cash or savings."""
    require_perm(actor, "loan.refund")
    payload = {
        "loan": loan.pk,
        "amount": str(getattr(amount, "amount", amount)),
        "currency": getattr(amount, "currency", ""),
        "channel": channel,
        "savings_account": getattr(savings_account, "pk", None),
    }

    def run() -> dict:
        locked = lock_loan(actor, loan)
        check_amount(locked, amount)
        if amount.minor > locked.credit_minor:
            raise ValidationFailed(
                _(
                    "Loan %(number)s has a credit balance of %(credit)s: %(amount)s cannot be refunded."
                )
                % {
                    "number": locked.number,
                    "credit": format_money(engine.money(locked.credit_minor, locked.currency)),
                    "amount": format_money(amount),
                },
                field="amount",
                code="above_credit",
            )
        on = business_date_get()
        before = loan_snapshot(locked)
        tx = LoanTransaction.objects.create(
            loan=locked,
            kind=TxKind.REFUND,
            on_date=on,
            currency=locked.currency,
            amount_minor=amount.minor,
            credit_minor=-amount.minor,
            channel=channel,
            schedule_version=locked.schedule_version,
            created_by=actor,
        )
        lines = [
            line("overpayment_liability", locked, amount.minor, "dr", locked.number),
            channels.channel_line(
                actor=actor,
                loan=locked,
                channel=channel,
                amount=amount,
                side="cr",
                memo=locked.number,
                business_date=on,
                kind="transfer",
                savings_account=savings_account,
            ),
        ]
        entry = journal_post(
            actor=actor,
            business_date=on,
            narrative=(
                _("Refund of the credit balance of loan %(number)s (%(member)s)")
                % {"number": locked.number, "member": locked.member.full_name}
            )[:300],
            lines=lines,
            source_type="loans.refund",
            source_id=str(tx.pk),
            idempotency_key=f"{idempotency_key}:journal",
            branch=locked.branch_id,
        )
        channels.after_post(entry, lines)
        tx.journal_entry = entry
        tx.save(update_fields=["journal_entry"])
        locked.credit_minor -= amount.minor
        locked.save(update_fields=["credit_minor", "updated_at"])
        audit_record(
            actor=actor,
            action="loan.refund",
            obj=locked,
            before=before,
            after=loan_snapshot(locked) | {"transaction": tx.pk},
        )
        return {"transaction": tx.pk}

    with transaction.atomic():
        result = idempotent(
            key=idempotency_key, scope="loans.refund", actor=actor, payload=payload, run=run
        )
    return LoanTransaction.objects.get(pk=result.response["transaction"])


def loan_recovery(
    *,
    actor,
    loan: Loan,
    amount: Money,
    idempotency_key: str,
    channel: str = Channel.CASH,
    savings_account=None,
) -> LoanTransaction:
    """Money recovered on a written-off loan: income (Cr write_off_recoveries), up to
    what was written off."""
    require_perm(actor, "loan.recovery")
    payload = {
        "loan": loan.pk,
        "amount": str(getattr(amount, "amount", amount)),
        "currency": getattr(amount, "currency", ""),
        "channel": channel,
    }

    def run() -> dict:
        locked = lock_loan(actor, loan)
        check_amount(locked, amount)
        require_status(
            locked,
            LoanStatus.WRITTEN_OFF,
            message=_("Recoveries are posted on written-off loans only; take a repayment instead."),
        )
        left = write_off_left_minor(locked)
        if amount.minor > left:
            raise ValidationFailed(
                _("Only %(left)s is left to recover on loan %(number)s.")
                % {
                    "left": format_money(engine.money(left, locked.currency)),
                    "number": locked.number,
                },
                field="amount",
                code="above_written_off",
            )
        on = business_date_get()
        lines = [
            channels.channel_line(
                actor=actor,
                loan=locked,
                channel=channel,
                amount=amount,
                side="dr",
                memo=locked.number,
                business_date=on,
                kind="loan_repayment",
                savings_account=savings_account,
            ),
            line("write_off_recoveries", locked, amount.minor, "cr", locked.number),
        ]
        tx = LoanTransaction.objects.create(
            loan=locked,
            kind=TxKind.RECOVERY,
            on_date=on,
            currency=locked.currency,
            amount_minor=amount.minor,
            channel=channel,
            schedule_version=locked.schedule_version,
            created_by=actor,
        )
        entry = journal_post(
            actor=actor,
            business_date=on,
            narrative=(
                _("Recovery on written-off loan %(number)s (%(member)s)")
                % {"number": locked.number, "member": locked.member.full_name}
            )[:300],
            lines=lines,
            source_type="loans.recovery",
            source_id=str(tx.pk),
            idempotency_key=f"{idempotency_key}:journal",
            branch=locked.branch_id,
        )
        channels.after_post(entry, lines)
        tx.journal_entry = entry
        tx.save(update_fields=["journal_entry"])
        audit_record(
            actor=actor,
            action="loan.recovery",
            obj=locked,
            after={"transaction": tx.pk, "amount_minor": amount.minor},
        )
        return {"transaction": tx.pk}

    with transaction.atomic():
        result = idempotent(
            key=idempotency_key, scope="loans.recovery", actor=actor, payload=payload, run=run
        )
    return LoanTransaction.objects.get(pk=result.response["transaction"])
