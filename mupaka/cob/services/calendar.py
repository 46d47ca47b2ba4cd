"""The institution's holidays (the manager keeps them)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from mupaka.cob.models import Holiday
from mupaka.core.audit import audit_record, snapshot
from mupaka.core.exceptions import NotFound, ValidationFailed
from mupaka.core.permissions import require_perm
from mupaka.core.selectors import institution_get


@transaction.atomic
def holiday_create(*, actor, date: dt.date, name: str) -> Holiday:
    """A day the institution is closed. The business date itself cannot be made a
    holiday (end of day is about to close it), nor a date already closed."""
    require_perm(actor, "holiday.manage")
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the holiday a name.")]
    if not isinstance(date, dt.date):
        errors["date"] = [_("Give a date.")]
    elif date <= institution_get().business_date:
        errors["date"] = [
            _("A holiday must come after the business date (%(date)s).")
            % {"date": institution_get().business_date.strftime("%d/%m/%Y")}
        ]
    elif Holiday.objects.filter(date=date).exists():
        errors["date"] = [_("This day is already a holiday.")]
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, errors=errors)
    holiday = Holiday.objects.create(date=date, name=name[:120], created_by=actor)
    audit_record(
        actor=actor,
        action="holiday.create",
        obj=holiday,
        after=snapshot(holiday, ["date", "name"]),
    )
    return holiday


@transaction.atomic
def holiday_delete(*, actor, holiday_id: int) -> None:
    require_perm(actor, "holiday.manage")
    holiday = Holiday.objects.filter(pk=holiday_id).first()
    if holiday is None:
        raise NotFound(_("There is no such holiday."))
    if holiday.date <= institution_get().business_date:
        raise ValidationFailed(
            _("A holiday on or before the business date is history and stays."), field="date"
        )
    before = snapshot(holiday, ["date", "name"])
    audit_record(actor=actor, action="holiday.delete", obj=holiday, before=before)
    holiday.delete()
