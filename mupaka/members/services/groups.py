"""Writes about solidarity groups and savings groups (AVEC)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from mupaka.core.audit import audit_record, snapshot
from mupaka.core.exceptions import Conflict, ValidationFailed
from mupaka.core.models import Branch, User
from mupaka.core.permissions import require_branch, require_perm
from mupaka.core.selectors import business_date_get
from mupaka.members.models import (
    GroupStatus,
    Member,
    MemberStatus,
    SavingsGroup,
    SavingsGroupMembership,
    SavingsGroupRole,
    SolidarityGroup,
    SolidarityGroupMembership,
    Weekday,
)

GROUP_FIELDS = [
    "name",
    "branch_id",
    "joint_liability",
    "meeting_day",
    "meeting_place",
    "leader_id",
    "secretary_id",
    "status",
    "formed_date",
    "dissolved_date",
]
SAVINGS_GROUP_FIELDS = [
    "name",
    "branch_id",
    "meeting_day",
    "meeting_place",
    "facilitator",
    "status",
    "formed_date",
]
JOINABLE = frozenset({MemberStatus.PENDING, MemberStatus.ACTIVE})

# Later apps (loans) register checks that refuse a dissolution while the group owes a
# group loan: fn(group) -> message or None (as the members' exit checks).
DissolveCheck = Callable[[SolidarityGroup], "str | None"]
_DISSOLVE_CHECKS: list[DissolveCheck] = []


def register_dissolve_check(check: DissolveCheck) -> None:
    if check not in _DISSOLVE_CHECKS:
        _DISSOLVE_CHECKS.append(check)


def _clean_group_fields(
    *, name: str, meeting_day: Any, meeting_place: str, errors: dict[str, list[str]]
) -> tuple[str, int | None, str]:
    name = " ".join((name or "").split())[:120]
    if not name:
        errors.setdefault("name", []).append(_("The group needs a name."))
    day = None
    if meeting_day not in (None, ""):
        try:
            day = int(meeting_day)
        except (TypeError, ValueError):
            day = 0
        if day not in Weekday.values:
            errors.setdefault("meeting_day", []).append(_("Choose a day of the week."))
    return name, day, " ".join((meeting_place or "").split())[:160]


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], errors=errors)


def _check_joinable(member: Member, *, branch_id: int, field: str = "members") -> None:
    if member.branch_id != branch_id:
        raise ValidationFailed(
            _("%(member)s belongs to another branch.") % {"member": member.number}, field=field
        )
    if member.status not in JOINABLE:
        raise ValidationFailed(
            _("%(member)s is %(status)s and cannot join a group.")
            % {"member": member.number, "status": MemberStatus(member.status).label.lower()},
            field=field,
        )


def _check_no_other_solidarity_group(member: Member, *, field: str = "members") -> None:
    current = (
        SolidarityGroupMembership.objects.select_related("group")
        .filter(member=member, left_date__isnull=True)
        .first()
    )
    if current is not None:
        raise Conflict(
            _("%(member)s is already in the solidarity group “%(group)s”.")
            % {"member": member.number, "group": current.group.name},
            code="already_in_group",
            field=field,
        )


def _active_count(group: SolidarityGroup) -> int:
    return SolidarityGroupMembership.objects.filter(group=group, left_date__isnull=True).count()


def _active_member_ids(group) -> list[int]:
    return sorted(
        group.memberships.filter(left_date__isnull=True).values_list("member_id", flat=True)
    )


def _insert_membership(model, **values):
    """Insert a membership; the partial unique index (one active group per member)
    turns a concurrent double booking into a Conflict rather than a 500."""
    try:
        with transaction.atomic():
            return model.objects.create(**values)
    except IntegrityError:
        raise Conflict(
            _("%(member)s is already in an active group of this kind.")
            % {"member": values["member"].number},
            code="already_in_group",
            field="members",
        )


# --- solidarity groups --------------------------------------------------------


@transaction.atomic
def solidarity_group_create(
    *,
    actor: User,
    branch: Branch,
    name: str,
    members: Sequence[Member],
    leader: Member,
    secretary: Member,
    joint_liability: bool = True,
    meeting_day: int | None = None,
    meeting_place: str = "",
) -> SolidarityGroup:
    """Form a solidarity group of 3 to 10 members of ``branch``, none already in
    another solidarity group, with a leader and a secretary chosen among them."""
    require_perm(actor, "group.manage")
    if branch is None:
        raise ValidationFailed(_("Choose the group's branch."), field="branch")
    require_branch(actor, branch.pk)
    errors: dict[str, list[str]] = {}
    name, day, place = _clean_group_fields(
        name=name, meeting_day=meeting_day, meeting_place=meeting_place, errors=errors
    )
    unique = list({m.pk: m for m in members}.values())
    if not SolidarityGroup.MIN_MEMBERS <= len(unique) <= SolidarityGroup.MAX_MEMBERS:
        errors.setdefault("members", []).append(
            _("A solidarity group has %(min)d to %(max)d members; %(n)d given.")
            % {
                "min": SolidarityGroup.MIN_MEMBERS,
                "max": SolidarityGroup.MAX_MEMBERS,
                "n": len(unique),
            }
        )
    ids = {m.pk for m in unique}
    if leader is None or leader.pk not in ids:
        errors.setdefault("leader", []).append(_("The leader must be one of the group's members."))
    if secretary is None or secretary.pk not in ids:
        errors.setdefault("secretary", []).append(
            _("The secretary must be one of the group's members.")
        )
    if leader is not None and secretary is not None and leader.pk == secretary.pk:
        errors.setdefault("secretary", []).append(
            _("The leader and the secretary must be two different people.")
        )
    if (
        name
        and SolidarityGroup.objects.filter(
            branch=branch, name__iexact=name, status="active"
        ).exists()
    ):
        errors.setdefault("name", []).append(_("An active group of this branch has this name."))
    _raise(errors)
    # Lock the members so two officers cannot put one member into two groups.
    locked = list(Member.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    for member in locked:
        _check_joinable(member, branch_id=branch.pk)
        _check_no_other_solidarity_group(member)
    on_date = business_date_get()
    group = SolidarityGroup.objects.create(
        branch=branch,
        name=name,
        joint_liability=bool(joint_liability),
        meeting_day=day,
        meeting_place=place,
        formed_date=on_date,
        created_by=actor,
    )
    for member in locked:
        _insert_membership(
            SolidarityGroupMembership, group=group, member=member, joined_date=on_date
        )
    group.leader, group.secretary = leader, secretary
    group.save(update_fields=["leader", "secretary"])
    after = snapshot(group, GROUP_FIELDS)
    after["member_ids"] = sorted(ids)
    audit_record(actor=actor, action="solidarity_group.create", obj=group, after=after)
    return group


def _lock_group(actor: User, group: SolidarityGroup) -> SolidarityGroup:
    require_perm(actor, "group.manage")
    group = SolidarityGroup.objects.select_for_update().get(pk=group.pk)
    require_branch(actor, group.branch_id)
    if group.status != GroupStatus.ACTIVE:
        raise ValidationFailed(_("This group is dissolved; it can no longer be changed."))
    return group


@transaction.atomic
def solidarity_group_update(
    *,
    actor: User,
    group: SolidarityGroup,
    name: str,
    joint_liability: bool,
    meeting_day: int | None,
    meeting_place: str,
) -> SolidarityGroup:
    group = _lock_group(actor, group)
    before = snapshot(group, GROUP_FIELDS)
    errors: dict[str, list[str]] = {}
    name, day, place = _clean_group_fields(
        name=name, meeting_day=meeting_day, meeting_place=meeting_place, errors=errors
    )
    if (
        name
        and SolidarityGroup.objects.filter(
            branch_id=group.branch_id, name__iexact=name, status="active"
        )
        .exclude(pk=group.pk)
        .exists()
    ):
        errors.setdefault("name", []).append(_("An active group of this branch has this name."))
    _raise(errors)
    group.name, group.joint_liability, group.meeting_day, group.meeting_place = (
        name,
        bool(joint_liability),
        day,
        place,
    )
    group.save()
    audit_record(
        actor=actor,
        action="solidarity_group.update",
        obj=group,
        before=before,
        after=snapshot(group, GROUP_FIELDS),
    )
    return group


@transaction.atomic
def group_member_add(
    *, actor: User, group: SolidarityGroup, member: Member
) -> SolidarityGroupMembership:
    """Add a member to a solidarity group (10 members at most; she must not be in
    another solidarity group)."""
    group = _lock_group(actor, group)
    member = Member.objects.select_for_update().get(pk=member.pk)
    _check_joinable(member, branch_id=group.branch_id, field="member")
    _check_no_other_solidarity_group(member, field="member")
    before_ids = _active_member_ids(group)
    if len(before_ids) >= SolidarityGroup.MAX_MEMBERS:
        raise ValidationFailed(
            _("The group already has %(max)d members, the most allowed.")
            % {"max": SolidarityGroup.MAX_MEMBERS},
            field="member",
            code="group_full",
        )
    membership = _insert_membership(
        SolidarityGroupMembership, group=group, member=member, joined_date=business_date_get()
    )
    audit_record(
        actor=actor,
        action="solidarity_group.member_add",
        obj=group,
        before={"member_ids": before_ids},
        after={"member_ids": _active_member_ids(group)},
        reason=member.number,
    )
    return membership


@transaction.atomic
def group_member_remove(
    *, actor: User, group: SolidarityGroup, member: Member, reason: str
) -> SolidarityGroupMembership:
    """Take a member out of a solidarity group; her membership stays in the history.
    Refused when the group would fall under 3 members or while she is its leader or
    secretary (choose others first)."""
    group = _lock_group(actor, group)
    reason = " ".join((reason or "").split())[:200]
    if not reason:
        raise ValidationFailed(_("Give the reason she leaves the group."), field="reason")
    membership = (
        SolidarityGroupMembership.objects.select_for_update()
        .filter(group=group, member_id=member.pk, left_date__isnull=True)
        .first()
    )
    if membership is None:
        raise ValidationFailed(
            _("%(member)s is not a member of this group.") % {"member": member.number},
            field="member",
        )
    if member.pk in (group.leader_id, group.secretary_id):
        raise ValidationFailed(
            _("She is the group's leader or secretary: choose someone else for that role first."),
            field="member",
        )
    before_ids = _active_member_ids(group)
    if len(before_ids) <= SolidarityGroup.MIN_MEMBERS:
        raise ValidationFailed(
            _(
                "A solidarity group keeps at least %(min)d members; add someone first "
                "or dissolve the group."
            )
            % {"min": SolidarityGroup.MIN_MEMBERS},
            field="member",
            code="group_too_small",
        )
    membership.left_date = max(business_date_get(), membership.joined_date)
    membership.left_reason = reason
    membership.save(update_fields=["left_date", "left_reason"])
    audit_record(
        actor=actor,
        action="solidarity_group.member_remove",
        obj=group,
        before={"member_ids": before_ids},
        after={"member_ids": _active_member_ids(group)},
        reason=f"{member.number}: {reason}",
    )
    return membership


@transaction.atomic
def group_officers_set(
    *, actor: User, group: SolidarityGroup, leader: Member, secretary: Member
) -> SolidarityGroup:
    """Choose the group's leader and secretary among its current members."""
    group = _lock_group(actor, group)
    ids = set(_active_member_ids(group))
    errors: dict[str, list[str]] = {}
    if leader is None or leader.pk not in ids:
        errors.setdefault("leader", []).append(_("The leader must be one of the group's members."))
    if secretary is None or secretary.pk not in ids:
        errors.setdefault("secretary", []).append(
            _("The secretary must be one of the group's members.")
        )
    if leader is not None and secretary is not None and leader.pk == secretary.pk:
        errors.setdefault("secretary", []).append(
            _("The leader and the secretary must be two different people.")
        )
    _raise(errors)
    before = snapshot(group, ["leader_id", "secretary_id"])
    group.leader, group.secretary = leader, secretary
    group.save(update_fields=["leader", "secretary"])
    audit_record(
        actor=actor,
        action="solidarity_group.officers_set",
        obj=group,
        before=before,
        after=snapshot(group, ["leader_id", "secretary_id"]),
    )
    return group


@transaction.atomic
def solidarity_group_dissolve(
    *, actor: User, group: SolidarityGroup, reason: str
) -> SolidarityGroup:
    """Dissolve a group: every current membership ends today (business date), so
    its members are free to join another group. Refused while a registered check objects
    (loans: the group has a group loan not yet closed)."""
    group = _lock_group(actor, group)
    reason = " ".join((reason or "").split())[:200]
    if not reason:
        raise ValidationFailed(_("Give the reason the group is dissolved."), field="reason")
    for check in _DISSOLVE_CHECKS:
        problem = check(group)
        if problem:
            raise ValidationFailed(problem, field="group", code="group_loan_open")
    on_date = business_date_get()
    before = snapshot(group, GROUP_FIELDS)
    before["member_ids"] = _active_member_ids(group)
    for membership in group.memberships.select_for_update().filter(left_date__isnull=True):
        membership.left_date = max(on_date, membership.joined_date)
        membership.left_reason = reason
        membership.save(update_fields=["left_date", "left_reason"])
    group.status = GroupStatus.DISSOLVED
    group.dissolved_date = on_date
    group.save(update_fields=["status", "dissolved_date"])
    after = snapshot(group, GROUP_FIELDS)
    after["member_ids"] = []
    audit_record(
        actor=actor,
        action="solidarity_group.dissolve",
        obj=group,
        before=before,
        after=after,
        reason=reason,
    )
    return group


# --- savings groups (AVEC) ----------------------------------------------------


@transaction.atomic
def savings_group_create(
    *,
    actor: User,
    branch: Branch,
    name: str,
    members: Sequence[Member] = (),
    meeting_day: int | None = None,
    meeting_place: str = "",
    facilitator: str = "",
) -> SavingsGroup:
    """Record a savings group (AVEC/VSLA) and those of its members who are members
    of the institution. A member belongs to one AVEC at a time."""
    require_perm(actor, "group.manage")
    if branch is None:
        raise ValidationFailed(_("Choose the group's branch."), field="branch")
    require_branch(actor, branch.pk)
    errors: dict[str, list[str]] = {}
    name, day, place = _clean_group_fields(
        name=name, meeting_day=meeting_day, meeting_place=meeting_place, errors=errors
    )
    if (
        name
        and SavingsGroup.objects.filter(branch=branch, name__iexact=name, status="active").exists()
    ):
        errors.setdefault("name", []).append(_("An active group of this branch has this name."))
    _raise(errors)
    on_date = business_date_get()
    group = SavingsGroup.objects.create(
        branch=branch,
        name=name,
        meeting_day=day,
        meeting_place=place,
        facilitator=" ".join((facilitator or "").split())[:160],
        formed_date=on_date,
        created_by=actor,
    )
    ids = sorted({m.pk for m in members})
    for member in Member.objects.select_for_update().filter(pk__in=ids).order_by("pk"):
        _savings_join(group, member, SavingsGroupRole.MEMBER, on_date)
    after = snapshot(group, SAVINGS_GROUP_FIELDS)
    after["member_ids"] = ids
    audit_record(actor=actor, action="savings_group.create", obj=group, after=after)
    return group


def _savings_join(
    group: SavingsGroup, member: Member, role: str, on_date
) -> SavingsGroupMembership:
    _check_joinable(member, branch_id=group.branch_id, field="member")
    current = (
        SavingsGroupMembership.objects.select_related("group")
        .filter(member=member, left_date__isnull=True)
        .first()
    )
    if current is not None:
        raise Conflict(
            _("%(member)s is already in the savings group “%(group)s”.")
            % {"member": member.number, "group": current.group.name},
            code="already_in_group",
            field="member",
        )
    if role not in SavingsGroupRole.values:
        raise ValidationFailed(_("Unknown role in the group."), field="role")
    return _insert_membership(
        SavingsGroupMembership, group=group, member=member, role=role, joined_date=on_date
    )


def _lock_savings_group(actor: User, group: SavingsGroup) -> SavingsGroup:
    require_perm(actor, "group.manage")
    group = SavingsGroup.objects.select_for_update().get(pk=group.pk)
    require_branch(actor, group.branch_id)
    if group.status != GroupStatus.ACTIVE:
        raise ValidationFailed(_("This group is dissolved; it can no longer be changed."))
    return group


@transaction.atomic
def savings_group_member_add(
    *, actor: User, group: SavingsGroup, member: Member, role: str = SavingsGroupRole.MEMBER
) -> SavingsGroupMembership:
    group = _lock_savings_group(actor, group)
    member = Member.objects.select_for_update().get(pk=member.pk)
    before_ids = _active_member_ids(group)
    membership = _savings_join(group, member, role, business_date_get())
    audit_record(
        actor=actor,
        action="savings_group.member_add",
        obj=group,
        before={"member_ids": before_ids},
        after={"member_ids": _active_member_ids(group)},
        reason=f"{member.number} ({role})",
    )
    return membership


@transaction.atomic
def savings_group_member_remove(
    *, actor: User, group: SavingsGroup, member: Member
) -> SavingsGroupMembership:
    group = _lock_savings_group(actor, group)
    membership = (
        SavingsGroupMembership.objects.select_for_update()
        .filter(group=group, member_id=member.pk, left_date__isnull=True)
        .first()
    )
    if membership is None:
        raise ValidationFailed(
            _("%(member)s is not a member of this group.") % {"member": member.number},
            field="member",
        )
    before_ids = _active_member_ids(group)
    membership.left_date = max(business_date_get(), membership.joined_date)
    membership.save(update_fields=["left_date"])
    audit_record(
        actor=actor,
        action="savings_group.member_remove",
        obj=group,
        before={"member_ids": before_ids},
        after={"member_ids": _active_member_ids(group)},
        reason=member.number,
    )
    return membership
