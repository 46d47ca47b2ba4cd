"""Reversing a savings operation posted by mistake (maker-checker)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mupaka.core.audit import audit_record
from mupaka.core.exceptions import Conflict, ValidationFailed
from mupaka.core.permissions import has_perm, require_branch, require_perm
from mupaka.ledger.models import JournalEntry
from mupaka.ledger.services import journal_reverse
from mupaka.savings import hooks
from mupaka.savings.models import (
    ReversalStatus,
    SavingsReversalRequest,
    SavingsTransaction,
    TxnKind,
)
from mupaka.savings.services.movements import (
    business_date_now,
    check_key,
    digest,
    lock_accounts,
    movement,
    savings_entry_link,
)

# The operations savings posts itself; the others (loans, shares, end of day) are
# reversed through the app that posted them.
REVERSIBLE_SOURCES = frozenset({"savings.deposit", "savings.withdrawal", "savings.transfer"})


@transaction.atomic
def savings_transaction_reverse(
    *,
    actor,
    transaction_id: int,
    reason: str,
    approved_by,
    idempotency_key: str,
) -> list[int]:
    """Reverse the whole operation a savings transaction belongs to (a deposit, a
    withdrawal with its fee, a transfer): the journal entry is reversed (approved by a
    second person allowed ``savings.reverse.approve``) and each account gets a
    ``reversal`` transaction. Refused when the money is no longer there (a reversed
    deposit already withdrawn). Returns the ids of the reversal transactions."""
    require_perm(actor, "savings.reverse")
    key = check_key(idempotency_key)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed(_("Give the reason for the reversal."), field="reason")
    if approved_by is None or approved_by.pk == actor.pk:
        raise ValidationFailed(
            _("A reversal needs the approval of a second person."),
            field="approved_by",
            code="second_person_required",
        )
    if not has_perm(approved_by, "savings.reverse.approve"):
        raise ValidationFailed(
            _("The approver is not allowed to approve reversals (manager or accountant)."),
            field="approved_by",
            code="approver_not_allowed",
        )
    request = digest("savings.reverse", txn=int(transaction_id), reason=reason)
    first = SavingsTransaction.objects.filter(idempotency_key=key).first()
    if first is not None:
        if first.request_digest != request:
            raise Conflict(
                _("This idempotency key was already used for a different request."),
                code="idempotency_conflict",
            )
        return list(
            SavingsTransaction.objects.filter(entry_id=first.entry_id).values_list("id", flat=True)
        )
    txn = SavingsTransaction.objects.select_related("account").filter(pk=transaction_id).first()
    if txn is None:
        raise ValidationFailed(_("No savings transaction with this id."), field="transaction")
    require_branch(actor, txn.account.branch_id)
    entry = JournalEntry.objects.filter(number=txn.entry_id).first() if txn.entry_id else None
    if entry is None or entry.source_type not in REVERSIBLE_SOURCES:
        raise ValidationFailed(
            _(
                "Only deposits, withdrawals and transfers are reversed here; reverse the other "
                "operations where they were made (loans, shares, end of day)."
            ),
            code="not_reversible",
        )
    if JournalEntry.objects.filter(reversal_of=entry).exists():
        raise Conflict(_("This operation was already reversed."), code="already_reversed")
    originals = list(SavingsTransaction.objects.filter(entry_id=entry.number).order_by("id"))
    locked = lock_accounts([t.account_id for t in originals])
    bdate = business_date_now()
    lines = []
    for index, original in enumerate(originals):
        acct = locked[original.account_id]
        direction = "out" if original.direction == "in" else "in"
        line, locked[acct.id] = movement(
            acct,
            actor=actor,
            amount=acct.money(original.amount_minor),
            direction=direction,
            kind=TxnKind.REVERSAL,
            business_date=bdate,
            memo=_("Reversal: %(reason)s") % {"reason": reason},
            reference=f"savings.transaction:{original.pk}",
            customer=False,
            below_minimum=True,
            reversal_of=original.pk,
            idempotency_key=key if index == 0 else None,
            request_digest=request if index == 0 else "",
        )
        lines.append(line)
    reversal = journal_reverse(
        actor=actor,
        entry=entry,
        reason=reason,
        idempotency_key=f"savings.reverse:{key}",
        approved_by=approved_by,
    )
    savings_entry_link(entry=reversal, lines=lines)
    audit_record(
        actor=actor,
        action="savings.reverse",
        object_type="ledger.journalentry",
        object_id=entry.number,
        object_repr=f"#{entry.number} {entry.narrative}"[:200],
        after={"reversal": reversal.number, "approved_by": approved_by.pk},
        reason=reason,
        branch_id=txn.account.branch_id,
    )
    ids = [ln.savings_transaction_id for ln in lines]
    hooks.on_commit(ids)
    return ids


# --- maker-checker through a request: one person asks, another approves -------------------
def _reversible_entry(txn: SavingsTransaction) -> JournalEntry:
    entry = JournalEntry.objects.filter(number=txn.entry_id).first() if txn.entry_id else None
    if entry is None or entry.source_type not in REVERSIBLE_SOURCES:
        raise ValidationFailed(
            _(
                "Only deposits, withdrawals and transfers are reversed here; reverse the other "
                "operations where they were made (loans, shares, end of day)."
            ),
            code="not_reversible",
        )
    if JournalEntry.objects.filter(reversal_of=entry).exists():
        raise Conflict(_("This operation was already reversed."), code="already_reversed")
    return entry


@transaction.atomic
def savings_reversal_request(*, actor, transaction_id: int, reason: str) -> SavingsReversalRequest:
    """Ask for the reversal of a deposit, withdrawal or transfer posted by mistake; a
    second person allowed ``savings.reverse.approve`` carries it out
    (:func:`savings_reversal_approve`) or rejects it. Nothing moves until then."""
    require_perm(actor, "savings.reverse")
    reason = " ".join((reason or "").split())[:500]
    if not reason:
        raise ValidationFailed(_("Give the reason for the reversal."), field="reason")
    txn = SavingsTransaction.objects.select_related("account").filter(pk=transaction_id).first()
    if txn is None:
        raise ValidationFailed(_("No savings transaction with this id."), field="transaction")
    require_branch(actor, txn.account.branch_id)
    _reversible_entry(txn)
    # the whole operation is reversed: one request per entry, on its first transaction
    first = SavingsTransaction.objects.filter(entry_id=txn.entry_id).order_by("id").first()
    if SavingsReversalRequest.objects.filter(
        transaction__entry_id=txn.entry_id, status=ReversalStatus.PENDING
    ).exists():
        raise Conflict(
            _("A reversal of this operation is already waiting for approval."),
            code="reversal_pending",
        )
    try:
        with transaction.atomic():
            request = SavingsReversalRequest.objects.create(
                transaction=first,
                account_id=first.account_id,
                branch_id=txn.account.branch_id,
                reason=reason,
                requested_by=actor,
            )
    except IntegrityError:
        raise Conflict(
            _("A reversal of this operation is already waiting for approval."),
            code="reversal_pending",
        )
    audit_record(
        actor=actor,
        action="savings.reversal_request",
        obj=request,
        object_repr=f"#{txn.entry_id} {txn.account.number}",
        after={"transaction": first.pk, "entry": txn.entry_id},
        reason=reason,
    )
    return request


def _lock_request(actor, request: SavingsReversalRequest) -> SavingsReversalRequest:
    request = (
        SavingsReversalRequest.objects.select_for_update(of=("self",))
        .select_related("requested_by")
        .get(pk=request.pk)
    )
    require_branch(actor, request.branch_id)
    return request


@transaction.atomic
def savings_reversal_approve(
    *, actor, request: SavingsReversalRequest, idempotency_key: str, note: str = ""
) -> SavingsReversalRequest:
    """The second person approves: the operation is reversed (the journal entry by a
    reversing entry, each account by a ``reversal`` transaction), on behalf of the person
    who asked, approved by ``actor``. A replay of the key returns the request as done."""
    require_perm(actor, "savings.reverse.approve")
    key = check_key(idempotency_key)
    request = _lock_request(actor, request)
    if request.status != ReversalStatus.PENDING:
        done = SavingsTransaction.objects.filter(idempotency_key=key).first()
        if request.status == ReversalStatus.APPROVED and done is not None:
            return request  # the same approval, pressed twice
        raise Conflict(_("This request was already decided."), code="already_decided")
    if request.requested_by_id == actor.pk:
        raise ValidationFailed(
            _("A reversal needs the approval of a second person."),
            field="approved_by",
            code="second_person_required",
        )
    ids = savings_transaction_reverse(
        actor=request.requested_by,
        transaction_id=request.transaction_id,
        reason=request.reason,
        approved_by=actor,
        idempotency_key=key,
    )
    entry = SavingsTransaction.objects.filter(pk=ids[0]).values_list("entry_id", flat=True).first()
    before = {"status": request.status}
    request.status = ReversalStatus.APPROVED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = " ".join((note or "").split())[:500]
    request.reversal_entry = entry
    request.save(
        update_fields=["status", "decided_by", "decided_at", "decision_note", "reversal_entry"]
    )
    audit_record(
        actor=actor,
        action="savings.reversal_approve",
        obj=request,
        object_repr=f"#{request.transaction_id}",
        before=before,
        after={"status": request.status, "reversal_entry": entry},
        reason=request.decision_note,
    )
    return request


@transaction.atomic
def savings_reversal_reject(
    *, actor, request: SavingsReversalRequest, note: str
) -> SavingsReversalRequest:
    """A person allowed to approve reversals refuses the request; nothing moves."""
    require_perm(actor, "savings.reverse.approve")
    request = _lock_request(actor, request)
    note = " ".join((note or "").split())[:500]
    if not note:
        raise ValidationFailed(_("Give the reason for the rejection."), field="note")
    if request.status != ReversalStatus.PENDING:
        raise Conflict(_("This request was already decided."), code="already_decided")
    before = {"status": request.status}
    request.status = ReversalStatus.REJECTED
    request.decided_by = actor if actor.pk != request.requested_by_id else None
    request.decided_at = timezone.now()
    request.decision_note = note
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        actor=actor,
        action="savings.reversal_reject",
        obj=request,
        object_repr=f"#{request.transaction_id}",
        before=before,
        after={"status": request.status},
        reason=note,
    )
    return request
