"""Reads of member shares, scoped to what the user may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from mupaka.core.exceptions import NotFound
from mupaka.core.permissions import branch_scope, require_branch, require_perm
from mupaka.members.models import Member
from mupaka.shares.models import (
    RedemptionStatus,
    ShareHolding,
    ShareProduct,
    ShareRedemption,
    ShareTransaction,
)


def share_product() -> ShareProduct | None:
    return ShareProduct.objects.filter(is_active=True).first()


def holding_for(member: Member) -> ShareHolding | None:
    return ShareHolding.objects.filter(member=member).select_related("product").first()


def holding_list(*, user, query: str = "") -> QuerySet[ShareHolding]:
    require_perm(user, "shares.view")
    qs = branch_scope(
        user,
        ShareHolding.objects.select_related("member", "member__branch"),
        field="member__branch",
    )
    text = (query or "").strip()
    if text:
        qs = qs.filter(
            Q(member__number__istartswith=text)
            | Q(member__last_name__istartswith=text)
            | Q(member__first_name__istartswith=text)
        )
    return qs.order_by("member__number")


def holding_transactions(holding: ShareHolding) -> QuerySet[ShareTransaction]:
    return holding.transactions.select_related("actor").order_by("-id")


def redemptions_open(*, user) -> QuerySet[ShareRedemption]:
    require_perm(user, "shares.view")
    qs = ShareRedemption.objects.select_related("holding__member", "requested_by").filter(
        status__in=[RedemptionStatus.PENDING, RedemptionStatus.APPROVED]
    )
    return branch_scope(user, qs, field="holding__member__branch")


def redemption_get(*, user, redemption_id: int) -> ShareRedemption:
    require_perm(user, "shares.view")
    r = (
        ShareRedemption.objects.select_related("holding__member", "requested_by", "decided_by")
        .filter(pk=redemption_id)
        .first()
    )
    if r is None:
        raise NotFound(_("No redemption with this id."))
    require_branch(user, r.holding.member.branch_id)
    return r
