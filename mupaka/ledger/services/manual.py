"""Manual journal entries and reversals, with a second person (maker-checker).

An accountant prepares a draft (checked now against the chart, the balance and the
open period, so mistakes show at once); another accountant or a manager approves it,
and only then is it posted through ``journal_post``. Drafts live apart from the
journal, which stays immutable. A reversal requested from the ledger's pages follows
the same path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mupaka.core.audit import audit_record, snapshot
from mupaka.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from mupaka.core.money import Money
from mupaka.core.permissions import require_perm
from mupaka.ledger.models import DraftKind, DraftStatus, JournalEntry, LedgerState, ManualEntryDraft
from mupaka.ledger.services.posting import (
    LineSpec,
    _check_key,
    check_open_date,
    journal_post,
    journal_reverse,
    prepare_lines,
    request_digest,
)

DRAFT_FIELDS = [
    "kind",
    "status",
    "maker_id",
    "business_date",
    "narrative",
    "lines",
    "reverse_entry_id",
    "checker_id",
    "decided_at",
    "decision_note",
    "posted_entry_id",
]


def _lines_json(lines: Sequence[LineSpec]) -> list[dict]:
    out = []
    for spec in lines:
        amount = spec.amount
        out.append(
            {
                "account": spec.account_number,
                "currency": amount.currency,
                "debit_minor": amount.minor if spec.debit is not None else 0,
                "credit_minor": amount.minor if spec.credit is not None else 0,
                "memo": spec.memo or "",
            }
        )
    return out


def draft_lines(draft: ManualEntryDraft) -> list[LineSpec]:
    return [
        LineSpec(
            account=ln["account"],
            debit=Money.from_minor(ln["debit_minor"], ln["currency"])
            if ln["debit_minor"]
            else None,
            credit=Money.from_minor(ln["credit_minor"], ln["currency"])
            if ln["credit_minor"]
            else None,
            memo=ln.get("memo", ""),
        )
        for ln in draft.lines
    ]


def _today_and_closed() -> tuple[dt.date, dt.date | None]:
    from mupaka.core.selectors import business_date_get

    state = LedgerState.objects.filter(id=1).first()
    return business_date_get(), state.closed_through if state else None


def _replay_draft(key: str, digest: str) -> ManualEntryDraft | None:
    existing = ManualEntryDraft.objects.filter(idempotency_key=key).first()
    if existing is None:
        return None
    if existing.request_digest != digest:
        raise Conflict(
            _("This idempotency key was already used for a different request."),
            code="idempotency_conflict",
        )
    return existing


@transaction.atomic
def manual_entry_create(
    *,
    actor,
    business_date: dt.date,
    narrative: str,
    lines: Sequence[LineSpec],
    idempotency_key: str,
) -> ManualEntryDraft:
    """Prepare a manual entry; it posts when another person approves it."""
    require_perm(actor, "ledger.entry.create")
    key = _check_key(idempotency_key)
    narrative = (narrative or "").strip()
    if not narrative:
        raise ValidationFailed(_("A narrative is required."), field="narrative")
    if len(narrative) > 300:
        raise ValidationFailed(
            _("The narrative is too long (300 characters at most)."), field="narrative"
        )
    lines = list(lines)
    digest = request_digest(
        business_date=business_date,
        narrative=narrative,
        lines=lines,
        source_type="manual",
        source_id="",
        branch_id=None,
        reversal_of=None,
    )
    replay = _replay_draft(key, digest)
    if replay is not None:
        return replay
    today, closed = _today_and_closed()
    check_open_date(business_date, closed_through=closed, today=today)
    prepare_lines(lines)
    draft = ManualEntryDraft.objects.create(
        kind=DraftKind.ENTRY,
        maker=actor,
        business_date=business_date,
        narrative=narrative,
        lines=_lines_json(lines),
        idempotency_key=key,
        request_digest=digest,
    )
    audit_record(
        actor=actor,
        action="ledger.manual_entry_create",
        obj=draft,
        after=snapshot(draft, DRAFT_FIELDS),
    )
    return draft


@transaction.atomic
def reversal_request_create(
    *, actor, entry: JournalEntry | int, reason: str, idempotency_key: str
) -> ManualEntryDraft:
    """Ask for an entry to be reversed; another person approves before it posts."""
    require_perm(actor, "ledger.entry.reverse")
    key = _check_key(idempotency_key)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give the reason for the reversal."), field="reason")
    number = entry.pk if isinstance(entry, JournalEntry) else int(entry)
    original = JournalEntry.objects.filter(number=number).first()
    if original is None:
        raise NotFound(_("There is no journal entry %(number)s.") % {"number": number})
    digest = request_digest(
        business_date=dt.date.min,
        narrative=reason,
        lines=[],
        source_type="reversal",
        source_id=str(number),
        branch_id=None,
        reversal_of=number,
    )
    replay = _replay_draft(key, digest)
    if replay is not None:
        return replay
    if original.reversal_of_id is not None:
        raise ValidationFailed(
            _(
                "Entry %(number)s is itself a reversal and cannot be reversed; post the correct entry instead."
            )
            % {"number": number},
            code="reverse_reversal",
        )
    if JournalEntry.objects.filter(reversal_of=original).exists():
        raise Conflict(
            _("Entry %(number)s was already reversed.") % {"number": number},
            code="already_reversed",
        )
    if ManualEntryDraft.objects.filter(reverse_entry=original, status=DraftStatus.PENDING).exists():
        raise Conflict(
            _("A reversal of entry %(number)s is already waiting for approval.")
            % {"number": number},
            code="reversal_pending",
        )
    draft = ManualEntryDraft.objects.create(
        kind=DraftKind.REVERSAL,
        maker=actor,
        narrative=reason[:300],
        reverse_entry=original,
        idempotency_key=key,
        request_digest=digest,
    )
    audit_record(
        actor=actor,
        action="ledger.reversal_request",
        obj=draft,
        after=snapshot(draft, DRAFT_FIELDS),
    )
    return draft


def _lock_pending(draft: ManualEntryDraft | int) -> ManualEntryDraft:
    pk = draft.pk if isinstance(draft, ManualEntryDraft) else int(draft)
    locked = ManualEntryDraft.objects.select_for_update().filter(pk=pk).first()
    if locked is None:
        raise NotFound(_("There is no such draft."))
    if locked.status != DraftStatus.PENDING:
        raise Conflict(
            _("This draft is no longer waiting for approval (%(status)s).")
            % {"status": locked.get_status_display()},
            code="draft_decided",
        )
    return locked


@transaction.atomic
def manual_entry_approve(*, actor, draft: ManualEntryDraft | int) -> JournalEntry:
    """The second person approves: the entry (or the reversal) is posted now."""
    require_perm(actor, "ledger.entry.approve")
    pk = draft.pk if isinstance(draft, ManualEntryDraft) else int(draft)
    done = ManualEntryDraft.objects.filter(pk=pk, status=DraftStatus.POSTED, checker=actor).first()
    if done is not None:  # the same approver pressed twice: the entry is already posted
        entry = done.posted_entry
        entry.replayed = True  # type: ignore[attr-defined]
        return entry
    draft = _lock_pending(pk)
    if draft.maker_id == actor.pk:
        raise PermissionDenied(
            _("You prepared this entry: another accountant or a manager must approve it."),
            code="same_person",
        )
    before = snapshot(draft, DRAFT_FIELDS)
    if draft.kind == DraftKind.REVERSAL:
        entry = journal_reverse(
            actor=draft.maker,
            entry=draft.reverse_entry_id,
            reason=draft.narrative,
            idempotency_key=f"ledger.reversal:{draft.pk}",
            approved_by=actor,
        )
    else:
        entry = journal_post(
            actor=draft.maker,
            business_date=draft.business_date,
            narrative=draft.narrative,
            lines=draft_lines(draft),
            source_type="manual",
            source_id=str(draft.pk),
            idempotency_key=f"ledger.manual:{draft.pk}",
            approved_by=actor,
        )
    draft.status = DraftStatus.POSTED
    draft.checker = actor
    draft.decided_at = timezone.now()
    draft.posted_entry = entry
    draft.save(update_fields=["status", "checker", "decided_at", "posted_entry"])
    audit_record(
        actor=actor,
        action="ledger.manual_entry_approve",
        obj=draft,
        before=before,
        after=snapshot(draft, DRAFT_FIELDS),
    )
    return entry


@transaction.atomic
def manual_entry_reject(*, actor, draft: ManualEntryDraft | int, reason: str) -> ManualEntryDraft:
    """A checker refuses a draft, or its maker withdraws it; nothing is posted."""
    draft = _lock_pending(draft)
    if draft.maker_id != actor.pk:
        require_perm(actor, "ledger.entry.approve")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give the reason for the rejection."), field="reason")
    before = snapshot(draft, DRAFT_FIELDS)
    draft.status = DraftStatus.REJECTED
    draft.checker = actor
    draft.decided_at = timezone.now()
    draft.decision_note = reason
    draft.save(update_fields=["status", "checker", "decided_at", "decision_note"])
    audit_record(
        actor=actor,
        action="ledger.manual_entry_reject",
        obj=draft,
        before=before,
        after=snapshot(draft, DRAFT_FIELDS),
        reason=reason,
    )
    return draft


def lines_from_input(rows: Sequence[dict]) -> list[LineSpec]:
    """Lines typed by a person (page or API): ``{"account": "5710-USD", "debit": "12.50",
    "credit": "", "memo": ""}``; the currency is the account's. Empty rows are skipped.
    Raises ValidationFailed with one message per bad line."""
    from mupaka.core.money import to_decimal
    from mupaka.ledger.models import Account

    errors: list[str] = []
    specs: list[LineSpec] = []
    wanted = [str(r.get("account") or "").strip() for r in rows]
    currencies = dict(
        Account.objects.filter(number__in=[w for w in wanted if w]).values_list(
            "number", "currency"
        )
    )
    for index, (row, number) in enumerate(zip(rows, wanted, strict=True), start=1):
        debit_text = str(row.get("debit") or "").strip()
        credit_text = str(row.get("credit") or "").strip()
        if not number and not debit_text and not credit_text:
            continue
        if number not in currencies:
            errors.append(
                _("Line %(n)s: there is no account %(account)s in the chart.")
                % {"n": index, "account": number or "?"}
            )
            continue
        currency = currencies[number]
        if not currency:
            errors.append(
                _(
                    "Line %(n)s: account %(account)s is a header; post to one of its accounts (one per currency, e.g. %(account)s-%(currency)s)."
                )
                % {"n": index, "account": number, "currency": "USD"}
            )
            continue
        try:
            debit = Money(to_decimal(debit_text), currency) if debit_text else None
            credit = Money(to_decimal(credit_text), currency) if credit_text else None
        except (TypeError, ValueError):
            errors.append(_("Line %(n)s: the amount is not a number.") % {"n": index})
            continue
        specs.append(
            LineSpec(
                account=number, debit=debit, credit=credit, memo=str(row.get("memo") or "")[:200]
            )
        )
    if errors:
        raise ValidationFailed(errors[0], errors={"lines": errors}, code="invalid_lines")
    return specs
