from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from mupaka.core.exceptions import NotFound
from mupaka.core.models import AuditLog, Branch, Institution, User
from mupaka.core.permissions import require_perm


def institution_get() -> Institution:
    inst = Institution.objects.order_by("id").first()
    if inst is None:
        raise NotFound(_("No institution is set up yet. Run 'mupaka demo' or 'mupaka setup'."))
    return inst


def business_date_get() -> dt.date:
    return institution_get().business_date


def branch_list(*, user: User):
    qs = Branch.objects.filter(is_active=True)
    if user.sees_all_branches:
        return qs
    return qs.filter(id=user.branch_id)


def audit_list(
    *,
    user: User,
    object_type: str = "",
    object_id: str = "",
    actor_id: int | None = None,
    action: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
):
    require_perm(user, "audit.view")
    qs = AuditLog.objects.select_related("actor")
    if not user.sees_all_branches:
        qs = qs.filter(branch_id=user.branch_id)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if actor_id:
        qs = qs.filter(actor_id=actor_id)
    if action:
        qs = qs.filter(action=action)
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
    return qs
