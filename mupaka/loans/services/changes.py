"""Putting a loan right: reschedule (once), and the acts that need a second person —
write-off, waiver of interest or charges, reversal of a repayment.

A write-off, a waiver or a reversal is first *requested* (with a reason) by one person,
then *approved* by another allowed to approve it (``LoanRequest``; the database refuses
the same person on both sides). The act is carried out on approval.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mupaka.core.audit import audit_record
from mupaka.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from mupaka.core.idempotency import idempotent
from mupaka.core.money import Money, to_decimal
from mupaka.core.money_format import format_money
from mupaka.core.permissions import require_branch, require_perm
from mupaka.core.selectors import business_date_get
from mupaka.ledger.selectors import role_balance
from mupaka.ledger.services import LineSpec, journal_post, journal_reverse
from mupaka.loans import channels, engine
from mupaka.loans import domain as d
from mupaka.loans.domain.snapshot import snapshot as terms_snapshot
from mupaka.loans.models import (
    Channel,
    Loan,
    LoanInstallment,
    LoanRequest,
    LoanStatus,
    LoanTransaction,
    RequestKind,
    RequestStatus,
    TxKind,
)
from mupaka.loans.services.common import (
    apply_caches,
    check_amount,
    component_lines,
    line,
    loan_snapshot,
    lock_loan,
    require_status,
)
from mupaka.loans.services.repayments import (
    _allocated,
    group_status_follow,
    replay_or_refuse,
    settle_status,
    sync_allocations,
)

WAIVABLE = ("interest", "fees", "penalties")


# --- reschedule -----------------------------------------------------------------------
def outstanding_interest(view: engine.LoanView, on: dt.date) -> Decimal:
    """Interest owed on ``on``: unpaid interest of instalments already due, plus interest
    earned since the last due date, less interest paid ahead on future instalments."""
    state, schedule = view.state, view.schedule
    past = [r for r in state.installments if r.due_date <= on]
    future = [r for r in state.installments if r.due_date > on]
    scheduled_past = sum((r.due.interest for r in past), Decimal(0))
    earned = d.interest_earned_to(schedule, on)
    accrued = max(earned - scheduled_past, Decimal(0))
    paid_ahead = sum((r.paid.interest + r.waived.interest for r in future), Decimal(0))
    owed = sum((r.outstanding.interest for r in past), Decimal(0)) + accrued - paid_ahead
    return max(owed, Decimal(0))


@transaction.atomic
def loan_reschedule(
    *,
    actor,
    loan: Loan,
    installments: int,
    reason: str,
    annual_rate: Decimal | str | None = None,
    grace_principal: int = 0,
    grace_interest_payment: int = 0,
    grace_interest_free: int = 0,
    first_due_date: dt.date | None = None,
) -> Loan:
    """Reschedule an active loan from what it owes today: a new schedule (version 2) for
    the outstanding principal, the interest owed carried (not capitalised: on the cash
    basis interest never becomes principal) and due with the first new instalment that
    pays interest; unpaid fees and penalties of past instalments move to the first new
    instalment. The loan is flagged restructured for ever; the BCC allows one
    prorogation, so a second is refused. Nothing is posted: no money moves."""
    require_perm(actor, "loan.reschedule")
    loan = lock_loan(actor, loan)
    require_status(loan, LoanStatus.ACTIVE)
    if loan.reschedule_count >= 1:
        raise ValidationFailed(
            _(
                "Loan %(number)s was already rescheduled once: the BCC allows a single "
                "prorogation. Write it off or recover it instead."
            )
            % {"number": loan.number},
            code="already_rescheduled",
        )
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [_("Give the reason for the reschedule.")]
    if not isinstance(installments, int) or installments < 1:
        errors["installments"] = [_("A loan needs at least one instalment.")]
    rate = engine.loan_terms(loan).annual_rate
    if annual_rate not in (None, ""):
        try:
            rate = to_decimal(annual_rate)
        except (TypeError, ValueError):
            errors["annual_rate"] = [_("The rate must be a number, e.g. 24 for 24 % a year.")]
        else:
            if rate < 0 or rate > engine.dec(loan.product.max_rate):
                errors["annual_rate"] = [
                    _("The rate must be between 0 %% and %(max)s %% a year.")
                    % {"max": engine.pct_text(engine.dec(loan.product.max_rate))}
                ]
    for name, value in (
        ("grace_principal", grace_principal),
        ("grace_interest_payment", grace_interest_payment),
        ("grace_interest_free", grace_interest_free),
    ):
        if not isinstance(value, int) or value < 0:
            errors[name] = [_("Give zero or a positive number of periods.")]
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, errors=errors)
    on = business_date_get()
    before = loan_snapshot(loan)
    view = replay_or_refuse(loan)
    cur = loan.currency
    principal = view.state.outstanding().principal
    if principal <= 0:
        raise ValidationFailed(
            _("Loan %(number)s has no principal left to reschedule.") % {"number": loan.number},
            code="nothing_to_reschedule",
        )
    interest = outstanding_interest(view, on)
    past = [r for r in view.state.installments if r.due_date <= on]
    fees = sum((r.outstanding.fees for r in past), Decimal(0))
    penalties = sum((r.outstanding.penalties for r in past), Decimal(0))
    try:
        terms = d.reschedule_terms(
            engine.loan_terms(loan),
            on_date=on,
            outstanding_principal=principal,
            outstanding_interest=interest,
            installments=installments,
            annual_rate=rate,
            grace_principal=grace_principal,
            grace_interest_payment=grace_interest_payment,
            grace_interest_free=grace_interest_free,
            first_due_date=first_due_date,
        )
        schedule = d.generate_schedule(terms)
    except d.InvalidTerms as exc:
        raise ValidationFailed(
            _("These terms cannot make a schedule: %(why)s.") % {"why": exc}, code="invalid_terms"
        )
    version = loan.schedule_version + 1
    loan.terms = terms_snapshot(terms, engine.loan_rules(loan), engine.loan_penalty(loan))
    loan.schedule_version = version
    loan.installments = installments
    loan.annual_rate = str(rate)
    loan.maturity_date = schedule.maturity_date
    loan.restructured = True
    loan.reschedule_count += 1
    rows = LoanInstallment.objects.bulk_create(engine.installment_rows(loan, schedule, version))
    LoanTransaction.objects.create(
        loan=loan,
        kind=TxKind.RESCHEDULE,
        on_date=on,
        currency=cur,
        amount_minor=engine.minor(principal, cur),
        principal_minor=engine.minor(principal, cur),
        interest_minor=engine.minor(interest, cur),
        fees_minor=engine.minor(fees, cur),
        penalties_minor=engine.minor(penalties, cur),
        schedule_version=version,
        memo=reason[:300],
        created_by=actor,
    )
    carried = []
    for component, amount in (("fees", fees), ("penalties", penalties)):
        if amount > 0:
            carried.append(
                LoanTransaction.objects.create(
                    loan=loan,
                    kind=TxKind.CHARGE,
                    on_date=on,
                    currency=cur,
                    amount_minor=engine.minor(amount, cur),
                    **{f"{component}_minor": engine.minor(amount, cur)},
                    component=component,
                    installment=1,
                    schedule_version=version,
                    memo=_("Carried over from the schedule before the reschedule"),
                    created_by=actor,
                )
            )
    new_view = replay_or_refuse(loan, rows=rows, transactions=carried)
    apply_caches(loan, new_view, on_date=on)
    loan.save()
    audit_record(
        actor=actor,
        action="loan.reschedule",
        obj=loan,
        before=before,
        after=loan_snapshot(loan)
        | {
            "principal": str(principal),
            "carried_interest": str(interest),
            "carried_fees": str(fees),
            "carried_penalties": str(penalties),
            "grace_principal": grace_principal,
            "grace_interest_payment": grace_interest_payment,
            "grace_interest_free": grace_interest_free,
        },
        reason=reason,
    )
    return loan


# --- requests for a second person ----------------------------------------------------------
_REQUEST_PERMS = {
    RequestKind.WRITE_OFF: ("loan.write_off.request", "loan.write_off.approve"),
    RequestKind.WAIVER: ("loan.waiver.request", "loan.waiver.approve"),
    RequestKind.REVERSAL: ("loan.reversal.request", "loan.reversal.approve"),
}


def _reversible(loan: Loan, tx_id: Any) -> LoanTransaction:
    tx = LoanTransaction.objects.filter(pk=tx_id, loan=loan).first() if tx_id else None
    if tx is None or tx.kind != TxKind.REPAYMENT:
        raise ValidationFailed(
            _("Choose a repayment of this loan to reverse."),
            field="transaction",
            code="not_repayment",
        )
    if tx.reversed:
        raise ValidationFailed(
            _("This repayment was already reversed."), field="transaction", code="already_reversed"
        )
    if tx.schedule_version != loan.schedule_version:
        raise ValidationFailed(
            _(
                "This repayment was made before the loan was rescheduled: the new schedule "
                "starts from what was owed then, so it cannot be reversed any more."
            ),
            field="transaction",
            code="before_reschedule",
        )
    if loan.status not in (LoanStatus.ACTIVE, LoanStatus.CLOSED):
        raise ValidationFailed(
            _("Loan %(number)s is %(status)s: its repayments cannot be reversed.")
            % {"number": loan.number, "status": LoanStatus(loan.status).label.lower()},
            code="wrong_status",
        )
    if loan.guarantee_released:
        raise ValidationFailed(
            _(
                "The guarantee savings of this loan were released at closure: reverse the release first."
            ),
            code="guarantee_released",
        )
    if tx.credit_minor and tx.credit_minor > loan.credit_minor:
        raise ValidationFailed(
            _("Part of this repayment's credit balance was refunded: it cannot be reversed."),
            code="credit_refunded",
        )
    return tx


def _waiver_payload(loan: Loan, payload: dict) -> dict:
    component = payload.get("component")
    if component not in WAIVABLE:
        raise ValidationFailed(
            _("Interest, fees or penalties may be waived; principal is written off instead."),
            field="component",
        )
    amount = payload.get("amount")
    if not isinstance(amount, Money):
        raise ValidationFailed(_("Give the amount to waive."), field="amount")
    check_amount(loan, amount)
    installment = payload.get("installment")
    if installment is not None and not isinstance(installment, int):
        raise ValidationFailed(_("Choose an instalment number."), field="installment")
    outstanding = {
        "interest": loan.interest_outstanding_minor,
        "fees": loan.fees_outstanding_minor,
        "penalties": loan.penalties_outstanding_minor,
    }[component]
    if amount.minor > outstanding:
        raise ValidationFailed(
            _("Only %(left)s of %(component)s is outstanding.")
            % {
                "left": format_money(engine.money(outstanding, loan.currency)),
                "component": _(component),
            },
            field="amount",
            code="above_outstanding",
        )
    return {
        "component": component,
        "amount_minor": amount.minor,
        "currency": amount.currency,
        "installment": installment,
    }


@transaction.atomic
def loan_request_create(
    *, actor, loan: Loan, kind: str, reason: str, **payload: Any
) -> LoanRequest:
    """Ask for a write-off, a waiver (``component``, ``amount``: Money, ``installment``
    optional) or the reversal of a repayment (``transaction``: its id). Another person
    approves it with :func:`loan_request_approve`."""
    if kind not in RequestKind.values:
        raise ValidationFailed(_("Unknown kind of request."), field="kind")
    require_perm(actor, _REQUEST_PERMS[RequestKind(kind)][0])
    loan = lock_loan(actor, loan)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give the reason."), field="reason")
    stored: dict[str, Any] = {}
    if kind == RequestKind.WRITE_OFF:
        require_status(loan, LoanStatus.ACTIVE)
        if loan.principal_outstanding_minor <= 0:
            raise ValidationFailed(_("Nothing is left to write off."), code="nothing_to_write_off")
    elif kind == RequestKind.WAIVER:
        require_status(loan, LoanStatus.ACTIVE)
        stored = _waiver_payload(loan, payload)
    else:
        tx = _reversible(loan, payload.get("transaction"))
        stored = {"transaction": tx.pk}
    if LoanRequest.objects.filter(loan=loan, kind=kind, status=RequestStatus.PENDING).exists():
        raise ValidationFailed(
            _("A request of this kind is already waiting for approval on this loan."),
            code="request_pending",
        )
    request = LoanRequest.objects.create(
        loan=loan, kind=kind, reason=reason, payload=stored, requested_by=actor
    )
    audit_record(
        actor=actor,
        action=f"loan.{kind}_request",
        obj=loan,
        after={"request": request.pk, **stored},
        reason=reason,
    )
    return request


def _lock_request(actor, request: LoanRequest | int) -> LoanRequest:
    pk = request.pk if isinstance(request, LoanRequest) else request
    found = LoanRequest.objects.select_for_update().filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No such request."))
    require_perm(actor, _REQUEST_PERMS[RequestKind(found.kind)][1])
    if found.status != RequestStatus.PENDING:
        raise ValidationFailed(
            _("This request was already decided."), code="request_decided", field="status"
        )
    if found.requested_by_id == getattr(actor, "pk", None):
        raise PermissionDenied(
            _("You made this request: another person must approve it."), code="maker_checker"
        )
    return found


def loan_request_approve(
    *, actor, request: LoanRequest, idempotency_key: str, note: str = ""
) -> LoanRequest:
    """Approve and carry out a pending request (money may move: idempotent)."""
    payload = {"request": request.pk, "note": note}

    def run() -> dict:
        locked = _lock_request(actor, request)
        loan = lock_loan(actor, locked.loan_id)
        maker = locked.requested_by
        if locked.kind == RequestKind.WRITE_OFF:
            tx = _write_off(
                maker=maker, checker=actor, loan=loan, reason=locked.reason, key=idempotency_key
            )
        elif locked.kind == RequestKind.WAIVER:
            tx = _waive(
                maker=maker,
                checker=actor,
                loan=loan,
                payload=locked.payload,
                reason=locked.reason,
                key=idempotency_key,
            )
        else:
            tx = _reverse(
                maker=maker,
                checker=actor,
                loan=loan,
                tx=_reversible(loan, locked.payload.get("transaction")),
                reason=locked.reason,
                key=idempotency_key,
            )
        locked.status = RequestStatus.APPROVED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_note = (note or "").strip()
        locked.transaction = tx
        locked.save()
        return {"request": locked.pk}

    with transaction.atomic():
        result = idempotent(
            key=idempotency_key,
            scope="loans.request_approve",
            actor=actor,
            payload=payload,
            run=run,
        )
    return LoanRequest.objects.get(pk=result.response["request"])


@transaction.atomic
def loan_request_reject(*, actor, request: LoanRequest, note: str) -> LoanRequest:
    locked = _lock_request(actor, request)
    require_branch(actor, locked.loan.branch_id)
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("Give the reason for refusing."), field="note")
    locked.status = RequestStatus.REJECTED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_note = note
    locked.save()
    audit_record(
        actor=actor,
        action=f"loan.{locked.kind}_reject",
        obj=locked.loan,
        after={"request": locked.pk},
        reason=note,
    )
    return locked


# --- the acts ----------------------------------------------------------------------------
def provision_split(loan: Loan, principal_minor: int) -> tuple[int, int]:
    """How a write-off of ``principal_minor`` is charged: first to the provision for loan
    losses already built (its credit balance in the currency), the rest straight to the
    provision expense. Returns (from provision, to expense)."""
    try:
        balance = role_balance("loan_loss_provision", loan.currency, product=loan.product)
    except ValidationFailed:
        return 0, principal_minor
    available = max(-balance.net_minor, 0)  # a contra-asset: credit balance
    from_provision = min(available, principal_minor)
    return from_provision, principal_minor - from_provision


def _apply_guarantee(
    *, maker, checker, loan: Loan, key: str, on: dt.date
) -> LoanTransaction | None:
    """Before a write-off, the loan's blocked guarantee savings pay what they can (the
    checker of the write-off approves this use too)."""
    if not loan.guarantee_minor or loan.guarantee_released:
        return None
    view = replay_or_refuse(loan)
    owed = engine.minor(view.state.outstanding().total, loan.currency)
    use = min(loan.guarantee_minor, owed)
    if use <= 0:
        return None
    amount = engine.money(use, loan.currency)
    g_line = channels.guarantee_apply_line(
        actor=maker, approved_by=checker, loan=loan, amount=amount, business_date=on
    )
    loan.guarantee_released = True
    if g_line is None:
        return None
    tx = LoanTransaction.objects.create(
        loan=loan,
        kind=TxKind.REPAYMENT,
        on_date=on,
        currency=loan.currency,
        amount_minor=use,
        channel=Channel.GUARANTEE,
        schedule_version=loan.schedule_version,
        memo=_("Guarantee savings applied before write-off"),
        created_by=maker,
        approved_by=checker,
    )
    view = replay_or_refuse(loan)
    amounts = _allocated(view, tx)
    for k, v in amounts.items():
        setattr(tx, k, v)
    lines = [g_line, *component_lines(loan, amounts, side="cr", memo=loan.number)]
    entry = journal_post(
        actor=maker,
        approved_by=checker,
        business_date=on,
        narrative=(_("Loan %(number)s paid from its guarantee savings") % {"number": loan.number})[
            :300
        ],
        lines=lines,
        source_type="loans.repayment",
        source_id=str(tx.pk),
        idempotency_key=f"{key}:guarantee",
        branch=loan.branch_id,
    )
    channels.after_post(entry, lines)
    tx.journal_entry = entry
    tx.save()
    apply_caches(loan, view, on_date=on)
    settle_status(actor=checker, loan=loan, view=view, on=on, key=key)
    loan.save()
    return tx


def _write_off(*, maker, checker, loan: Loan, reason: str, key: str) -> LoanTransaction:
    require_status(loan, LoanStatus.ACTIVE)
    on = business_date_get()
    before = loan_snapshot(loan)
    paid = _apply_guarantee(maker=maker, checker=checker, loan=loan, key=key, on=on)
    if paid is not None and loan.status == LoanStatus.CLOSED:
        audit_record(
            actor=checker,
            action="loan.write_off",
            obj=loan,
            before=before,
            after=loan_snapshot(loan) | {"paid_from_guarantee": paid.amount_minor},
            reason=reason,
        )
        return paid
    view = replay_or_refuse(loan)
    out = engine.components_minor(view.state.outstanding(), loan.currency)
    principal = out["principal_minor"]
    if principal <= 0:
        raise ValidationFailed(_("Nothing is left to write off."), code="nothing_to_write_off")
    tx = LoanTransaction.objects.create(
        loan=loan,
        kind=TxKind.WRITE_OFF,
        on_date=on,
        currency=loan.currency,
        amount_minor=sum(out.values()),
        schedule_version=loan.schedule_version,
        memo=reason[:300],
        created_by=maker,
        approved_by=checker,
        **out,
    )
    from_provision, to_expense = provision_split(loan, principal)
    lines = []
    if from_provision:
        lines.append(line("loan_loss_provision", loan, from_provision, "dr", loan.number))
    if to_expense:
        lines.append(line("provision_expense", loan, to_expense, "dr", loan.number))
    lines.append(line("loan_portfolio", loan, principal, "cr", loan.number))
    entry = journal_post(
        actor=maker,
        approved_by=checker,
        business_date=on,
        narrative=(
            _("Write-off of loan %(number)s (%(member)s)")
            % {"number": loan.number, "member": loan.member.full_name}
        )[:300],
        lines=lines,
        source_type="loans.write_off",
        source_id=str(tx.pk),
        idempotency_key=f"{key}:journal",
        branch=loan.branch_id,
    )
    tx.journal_entry = entry
    tx.save(update_fields=["journal_entry"])
    loan.status = LoanStatus.WRITTEN_OFF
    loan.written_off_on = on
    for field in (
        "principal_outstanding_minor",
        "interest_outstanding_minor",
        "fees_outstanding_minor",
        "penalties_outstanding_minor",
        "overdue_minor",
        "next_due_minor",
    ):
        setattr(loan, field, 0)
    loan.next_due_date = None
    loan.save()
    group_status_follow(loan)
    audit_record(
        actor=checker,
        action="loan.write_off",
        obj=loan,
        before=before,
        after=loan_snapshot(loan)
        | {"transaction": tx.pk, "from_provision": from_provision, "to_expense": to_expense},
        reason=reason,
    )
    return tx


def _waive(*, maker, checker, loan: Loan, payload: dict, reason: str, key: str) -> LoanTransaction:
    require_status(loan, LoanStatus.ACTIVE)
    on = business_date_get()
    before = loan_snapshot(loan)
    amount = payload["amount_minor"]
    component = payload["component"]
    tx = LoanTransaction.objects.create(
        loan=loan,
        kind=TxKind.WAIVER,
        on_date=on,
        currency=loan.currency,
        amount_minor=amount,
        component=component,
        installment=payload.get("installment"),
        schedule_version=loan.schedule_version,
        memo=reason[:300],
        created_by=maker,
        approved_by=checker,
        **{f"{component}_minor": amount},
    )
    view = replay_or_refuse(loan)
    sync_allocations(actor=checker, loan=loan, view=view, key=key, on=on)
    apply_caches(loan, view, on_date=on)
    settle_status(actor=checker, loan=loan, view=view, on=on, key=key)
    loan.save()
    audit_record(
        actor=checker,
        action="loan.waive",
        obj=loan,
        before=before,
        after=loan_snapshot(loan)
        | {"transaction": tx.pk, "component": component, "amount_minor": amount},
        reason=reason,
    )
    return tx


def _mirror_with_savings(*, maker, checker, loan, tx, reason, key, on):
    """A repayment taken from savings is undone by a mirror entry whose savings side is a
    savings movement back into her account (so the savings sub-ledger follows); the
    journal's own reversal would move the ledger account without her savings account."""
    from mupaka.savings.services import savings_movement_line

    lines = []
    for original in tx.journal_entry.lines.select_related("account").order_by("line_no"):
        amount = engine.money(original.debit_minor or original.credit_minor, original.currency)
        if original.subledger_type == "savings.account":
            lines.append(
                savings_movement_line(
                    actor=maker,
                    account=int(original.subledger_id),
                    amount=amount,
                    direction="in" if original.debit_minor else "out",
                    kind="transfer",
                    business_date=on,
                    memo=_("Reversal of a loan repayment"),
                    reference=channels.reference(loan),
                    customer=False,
                )
            )
            continue
        lines.append(
            LineSpec(
                account=original.account,
                debit=amount if original.credit_minor else None,
                credit=amount if original.debit_minor else None,
                member_id=original.member_id,
                subledger_type=original.subledger_type,
                subledger_id=original.subledger_id,
                memo=original.memo,
            )
        )
    entry = journal_post(
        actor=maker,
        approved_by=checker,
        business_date=on,
        narrative=(
            _("Reversal of entry %(number)s: %(reason)s")
            % {"number": tx.journal_entry_id, "reason": reason}
        )[:300],
        lines=lines,
        source_type="loans.repayment",
        source_id=str(tx.pk),
        idempotency_key=f"{key}:journal",
        branch=loan.branch_id,
    )
    channels.after_post(entry, lines)
    return entry


def _reverse(
    *, maker, checker, loan: Loan, tx: LoanTransaction, reason: str, key: str
) -> LoanTransaction:
    on = business_date_get()
    before = loan_snapshot(loan)
    if tx.channel == Channel.SAVINGS:
        reversal_entry = _mirror_with_savings(
            maker=maker, checker=checker, loan=loan, tx=tx, reason=reason, key=key, on=on
        )
    else:
        reversal_entry = journal_reverse(
            actor=maker,
            entry=tx.journal_entry,
            reason=reason[:200],
            idempotency_key=f"{key}:journal",
            approved_by=checker,
        )
    tx.reversed = True
    tx.save(update_fields=["reversed"])
    for realloc in LoanTransaction.objects.filter(
        target=tx, kind=TxKind.REALLOCATION, reversed=False
    ).select_related("journal_entry"):
        journal_reverse(
            actor=maker,
            entry=realloc.journal_entry,
            reason=reason[:200],
            idempotency_key=f"{key}:realloc-reversal:{realloc.pk}",
            approved_by=checker,
        )
        realloc.reversed = True
        realloc.save(update_fields=["reversed"])
    row = LoanTransaction.objects.create(
        loan=loan,
        kind=TxKind.REVERSAL,
        on_date=on,
        currency=loan.currency,
        amount_minor=tx.amount_minor,
        principal_minor=tx.principal_minor,
        interest_minor=tx.interest_minor,
        fees_minor=tx.fees_minor,
        penalties_minor=tx.penalties_minor,
        credit_minor=tx.credit_minor,
        channel=tx.channel,
        schedule_version=tx.schedule_version,
        journal_entry=reversal_entry,
        target=tx,
        memo=reason[:300],
        created_by=maker,
        approved_by=checker,
    )
    view = replay_or_refuse(loan)
    sync_allocations(actor=checker, loan=loan, view=view, key=key, on=on)
    apply_caches(loan, view, on_date=on)
    settle_status(actor=checker, loan=loan, view=view, on=on, key=key)
    loan.save()
    audit_record(
        actor=checker,
        action="loan.reverse",
        obj=loan,
        before=before,
        after=loan_snapshot(loan)
        | {"reversed": tx.pk, "reversal_entry": reversal_entry.pk, "amount_minor": tx.amount_minor},
        reason=reason,
    )
    return row
