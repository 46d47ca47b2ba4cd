"""Closing months. Once a month is closed nothing can be posted with a value date in
it (or before it): corrections and reversals go into the open period.

Closing is cumulative: the state keeps ``closed_through`` (the last day closed).
Reopening is possible for the LAST closed month only, by an administrator, with a
reason, and is audited (kept for a regulator's late adjustment; the journal itself
never changes, new entries simply become possible again for that month).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mupaka.core.audit import audit_record
from mupaka.core.exceptions import ValidationFailed
from mupaka.core.permissions import require_perm
from mupaka.ledger.models import DraftStatus, LedgerState, ManualEntryDraft, PeriodClose

# Other apps' conditions for closing a month (end of day: the month's last end of day
# has run and none is running). Each takes the month's last day and raises a
# MupakaError (translated message) to refuse; nothing is written then.
_CLOSE_CHECKS: list[Callable[[dt.date], None]] = []


def register_close_check(check: Callable[[dt.date], None]) -> None:
    if check not in _CLOSE_CHECKS:
        _CLOSE_CHECKS.append(check)


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _state() -> LedgerState:
    LedgerState.objects.get_or_create(id=1)
    return LedgerState.objects.select_for_update().get(id=1)


@transaction.atomic
def period_close(*, actor, year: int, month: int) -> PeriodClose:
    require_perm(actor, "ledger.period.close")
    if not (1 <= int(month) <= 12) or not (2000 <= int(year) <= 2100):
        raise ValidationFailed(_("Give a valid year and month."), field="month")
    from mupaka.core.selectors import business_date_get

    end = month_end(int(year), int(month))
    today = business_date_get()
    if end >= today:
        raise ValidationFailed(
            _("%(month)s/%(year)s is not over yet (business date %(today)s).")
            % {"month": f"{month:02d}", "year": year, "today": today.strftime("%d/%m/%Y")},
            field="month",
            code="period_not_over",
        )
    state = _state()
    if state.closed_through is not None and end <= state.closed_through:
        raise ValidationFailed(
            _("The books are already closed up to %(date)s.")
            % {"date": state.closed_through.strftime("%d/%m/%Y")},
            field="month",
            code="already_closed",
        )
    for check in _CLOSE_CHECKS:
        check(end)
    pending = ManualEntryDraft.objects.filter(
        status=DraftStatus.PENDING, business_date__lte=end
    ).count()
    if pending:
        raise ValidationFailed(
            _(
                "%(count)s manual entry(ies) dated in this period still wait for approval: "
                "approve or reject them first."
            )
            % {"count": pending},
            code="pending_drafts",
        )
    before = {"closed_through": state.closed_through}
    state.closed_through = end
    state.save(update_fields=["closed_through"])
    closing = PeriodClose.objects.create(
        year=year, month=month, closed_at=timezone.now(), closed_by=actor
    )
    audit_record(
        actor=actor,
        action="ledger.period_close",
        obj=closing,
        object_repr=f"{month:02d}/{year}",
        before=before,
        after={"closed_through": end},
    )
    return closing


@transaction.atomic
def period_reopen(*, actor, reason: str) -> PeriodClose:
    """Reopen the last closed month (administrator, with a reason)."""
    require_perm(actor, "ledger.period.reopen")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give the reason for reopening the month."), field="reason")
    state = _state()
    closing = (
        PeriodClose.objects.filter(reopened_at__isnull=True)
        .order_by("-year", "-month", "-id")
        .first()
    )
    if closing is None or state.closed_through is None:
        raise ValidationFailed(_("No month is closed."), code="nothing_closed")
    before = {"closed_through": state.closed_through}
    previous = (
        PeriodClose.objects.filter(reopened_at__isnull=True)
        .exclude(pk=closing.pk)
        .order_by("-year", "-month", "-id")
        .first()
    )
    # Closing is cumulative: what stays closed is what the previous closing covered.
    state.closed_through = month_end(previous.year, previous.month) if previous else None
    state.save(update_fields=["closed_through"])
    closing.reopened_at = timezone.now()
    closing.reopened_by = actor
    closing.reopen_reason = reason
    closing.save(update_fields=["reopened_at", "reopened_by", "reopen_reason"])
    audit_record(
        actor=actor,
        action="ledger.period_reopen",
        obj=closing,
        object_repr=f"{closing.month:02d}/{closing.year}",
        before=before,
        after={"closed_through": state.closed_through},
        reason=reason,
    )
    return closing
