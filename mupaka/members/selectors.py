"""Reads of members and groups, scoped to what the user may see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mupaka.core.exceptions import NotFound
from mupaka.core.models import Branch, Country, User
from mupaka.core.permissions import branch_scope, require_branch, require_perm
from mupaka.members.domain.kyc import IdDocument, kyc_tier
from mupaka.members.domain.numbers import member_number_format, member_number_parse
from mupaka.members.domain.phones import phone_search_candidates
from mupaka.members.domain.text import (
    id_number_normalize,
    name_key,
    prefix_upper_bound,
    words,
)
from mupaka.members.models import (
    BorderPost,
    IdType,
    Member,
    MemberNameToken,
    SavingsGroup,
    SavingsGroupMembership,
    SolidarityGroup,
    SolidarityGroupMembership,
)

# --- members ------------------------------------------------------------------


def member_get(*, user: User, member_id: int) -> Member:
    """The member, if the user may see her: NotFound, or PermissionDenied for
    another branch's member."""
    require_perm(user, "member.view")
    try:
        member = Member.objects.select_related("branch", "created_by").get(pk=member_id)
    except (Member.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No member with this id."))
    require_branch(user, member.branch_id)
    return member


def member_get_by_number(*, user: User, number: str) -> Member:
    require_perm(user, "member.view")
    parsed = member_number_parse(number)
    member = None
    if parsed is not None and parsed.branch_code:
        member = (
            Member.objects.select_related("branch")
            .filter(number=member_number_format(parsed.branch_code, parsed.sequence))
            .first()
        )
    elif parsed is not None and user.branch_id and not user.sees_all_branches:
        member = Member.objects.filter(branch_id=user.branch_id, sequence=parsed.sequence).first()
    if member is None:
        raise NotFound(
            _("No member with the number %(number)s.") % {"number": number.strip()},
            field="member_number",
        )
    require_branch(user, member.branch_id)
    return member


def _phone_regions(user: User) -> list[str]:
    regions: list[str] = []
    if user.branch_id:
        regions.append(user.branch.country)
    for code in Country.values:
        if code not in regions:
            regions.append(code)
    return regions


def _name_condition(query_words: Iterable[str]) -> Q | None:
    """Every word must be the start of one of the member's name tokens."""
    cond: Q | None = None
    for word in query_words:
        tokens = MemberNameToken.objects.filter(token__gte=word)
        upper = prefix_upper_bound(word)
        if upper is not None:
            tokens = tokens.filter(token__lt=upper)
        part = Q(pk__in=tokens.values("member_id"))
        cond = part if cond is None else cond & part
    return cond


def member_search(
    *, user: User, query: str = "", status: str = "", branch_id: int | None = None
) -> QuerySet[Member]:
    """Members matching one search box entry: a member number (``BKV-000123`` or its
    digits), a phone number in any usual form, or words of the name in any order,
    each the start of a name (accent-insensitive). Empty query: every member."""
    require_perm(user, "member.view")
    qs = branch_scope(user, Member.objects.select_related("branch"))
    if status:
        qs = qs.filter(status=status)
    if branch_id:
        qs = qs.filter(branch_id=branch_id)
    text = (query or "").strip()[:100]
    if not text:
        return qs.order_by("-id")
    cond = Q(pk__in=[])
    parsed = member_number_parse(text)
    if parsed is not None:
        if parsed.branch_code:
            cond |= Q(number=member_number_format(parsed.branch_code, parsed.sequence))
        else:
            cond |= Q(sequence=parsed.sequence)
    phones = phone_search_candidates(text, regions=_phone_regions(user))
    if phones:
        cond |= Q(phone__in=phones) | Q(phone_secondary__in=phones)
    query_words = words(text)[:6]
    if query_words and any(c.isalpha() for c in text):
        name = _name_condition(query_words)
        if name is not None:
            cond |= name
    # The matches are found first through their own indexes (number, phones, name
    # tokens), then limited to the user's branch: filtering the other way round
    # would walk every member of the branch.
    matches = Member.objects.filter(cond).values("pk")
    return qs.filter(pk__in=matches).order_by("last_name", "first_name", "id")


def member_kyc_tier(member: Member, *, on_date: dt.date) -> int:
    return kyc_tier(
        IdDocument(member.id_type, member.id_number, member.id_expiry_date), on_date=on_date
    )


def member_solidarity_membership(member: Member) -> SolidarityGroupMembership | None:
    return (
        SolidarityGroupMembership.objects.select_related("group")
        .filter(member=member, left_date__isnull=True)
        .first()
    )


def member_savings_membership(member: Member) -> SavingsGroupMembership | None:
    return (
        SavingsGroupMembership.objects.select_related("group")
        .filter(member=member, left_date__isnull=True)
        .first()
    )


def member_group_history(member: Member):
    return {
        "solidarity": SolidarityGroupMembership.objects.select_related("group")
        .filter(member=member)
        .order_by("-joined_date", "-id"),
        "savings": SavingsGroupMembership.objects.select_related("group")
        .filter(member=member)
        .order_by("-joined_date", "-id"),
    }


# --- duplicates ---------------------------------------------------------------

DUPLICATE_REASONS = {
    "phone": gettext_lazy("same phone number"),
    "id_number": gettext_lazy("same identity document"),
    "name_birth_date": gettext_lazy("same name and birth date"),
}


@dataclass(frozen=True)
class DuplicateMatch:
    member_id: int
    number: str
    full_name: str
    branch_code: str
    status: str
    reasons: tuple[str, ...]

    @property
    def reason_labels(self) -> list[str]:
        return [str(DUPLICATE_REASONS[r]) for r in self.reasons]

    def as_dict(self) -> dict:
        return {
            "id": self.member_id,
            "number": self.number,
            "full_name": self.full_name,
            "branch": self.branch_code,
            "status": self.status,
            "reasons": list(self.reasons),
            "reason_labels": self.reason_labels,
        }


def member_duplicates_find(
    *,
    phones: Iterable[str] = (),
    id_type: str = IdType.NONE,
    id_number: str = "",
    first_name: str = "",
    last_name: str = "",
    birth_date: dt.date | None = None,
    exclude_id: int | None = None,
) -> list[DuplicateMatch]:
    """Members, in any branch, who may be the same person: same phone (either
    number), same identity document (type and number), or same first and last
    name (in any order, accents ignored) with the same birth date.

    Searches the whole institution on purpose: a person registering again at
    another branch is the case that matters. Only the number, name, branch and
    status of a match are returned. Phones must already be in E.164."""
    reasons: dict[int, list[str]] = {}

    def add(ids: Iterable[int], reason: str) -> None:
        for pk in ids:
            if pk != exclude_id and reason not in reasons.setdefault(pk, []):
                reasons[pk].append(reason)

    phone_list = [p for p in phones if p]
    if phone_list:
        add(
            Member.objects.filter(
                Q(phone__in=phone_list) | Q(phone_secondary__in=phone_list)
            ).values_list("pk", flat=True),
            "phone",
        )
    number = id_number_normalize(id_number)
    if id_type and id_type != IdType.NONE and number:
        add(
            Member.objects.filter(id_type=id_type, id_number=number).values_list("pk", flat=True),
            "id_number",
        )
    if birth_date is not None and (first_name or last_name):
        key = name_key(first_name, last_name)
        same_day = Member.objects.filter(birth_date=birth_date).values_list(
            "pk", "first_name", "last_name"
        )
        add((pk for pk, f, la in same_day if name_key(f, la) == key), "name_birth_date")
    if not reasons:
        return []
    members = Member.objects.select_related("branch").filter(pk__in=reasons).order_by("id")
    return [
        DuplicateMatch(
            member_id=m.pk,
            number=m.number,
            full_name=m.full_name,
            branch_code=m.branch.code,
            status=m.status,
            reasons=tuple(reasons[m.pk]),
        )
        for m in members
    ]


# --- groups -------------------------------------------------------------------


def _active_memberships(model):
    return Prefetch(
        "memberships",
        queryset=model.objects.filter(left_date__isnull=True)
        .select_related("member")
        .order_by("member__last_name", "member__first_name"),
        to_attr="active_memberships",
    )


def group_list(*, user: User, query: str = "", include_dissolved: bool = False):
    require_perm(user, "group.view")
    qs = branch_scope(user, SolidarityGroup.objects.select_related("branch", "leader"))
    if not include_dissolved:
        qs = qs.filter(status="active")
    if query.strip():
        qs = qs.filter(name__icontains=query.strip())
    return qs.prefetch_related(_active_memberships(SolidarityGroupMembership)).order_by("name")


def group_get(*, user: User, group_id: int) -> SolidarityGroup:
    require_perm(user, "group.view")
    try:
        group = SolidarityGroup.objects.select_related("branch", "leader", "secretary").get(
            pk=group_id
        )
    except (SolidarityGroup.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No solidarity group with this id."))
    require_branch(user, group.branch_id)
    return group


def group_active_members(group: SolidarityGroup) -> list[Member]:
    return [
        m.member
        for m in SolidarityGroupMembership.objects.select_related("member")
        .filter(group=group, left_date__isnull=True)
        .order_by("member__last_name", "member__first_name")
    ]


def group_history(group: SolidarityGroup):
    return (
        SolidarityGroupMembership.objects.select_related("member")
        .filter(group=group)
        .order_by("left_date", "member__last_name")
    )


def savings_group_list(*, user: User, query: str = ""):
    require_perm(user, "group.view")
    qs = branch_scope(user, SavingsGroup.objects.select_related("branch"))
    if query.strip():
        qs = qs.filter(name__icontains=query.strip())
    return qs.prefetch_related(_active_memberships(SavingsGroupMembership)).order_by("name")


def savings_group_get(*, user: User, group_id: int) -> SavingsGroup:
    require_perm(user, "group.view")
    try:
        group = SavingsGroup.objects.select_related("branch").get(pk=group_id)
    except (SavingsGroup.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No savings group with this id."))
    require_branch(user, group.branch_id)
    return group


def savings_group_members(group: SavingsGroup):
    return (
        SavingsGroupMembership.objects.select_related("member")
        .filter(group=group, left_date__isnull=True)
        .order_by("member__last_name", "member__first_name")
    )


# --- reference data -------------------------------------------------------------


def border_post_list(*, include_inactive: bool = False):
    qs = BorderPost.objects.all()
    return qs if include_inactive else qs.filter(is_active=True)


def branches_for(user: User):
    qs = Branch.objects.filter(is_active=True).order_by("code")
    return qs if user.sees_all_branches else qs.filter(pk=user.branch_id)
