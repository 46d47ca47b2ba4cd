"""Services about solidarity groups, savings groups (AVEC) and border posts."""

import pytest
from django.db import IntegrityError, transaction

from mupaka.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from mupaka.core.models import AuditLog
from mupaka.members import selectors, services
from mupaka.members.models import (
    BorderPost,
    SavingsGroupMembership,
    SolidarityGroup,
    SolidarityGroupMembership,
)

pytestmark = pytest.mark.django_db


def make_group(staff, branch, members, **extra):
    values = {
        "actor": staff["officer"],
        "branch": branch,
        "name": "Umoja Ruzizi",
        "members": members,
        "leader": members[0],
        "secretary": members[1],
        "meeting_day": 3,
        "meeting_place": "Marché de Kadutu",
    }
    values.update(extra)
    return services.solidarity_group_create(**values)


def test_create_group_with_leader_and_secretary(staff, branch, register):
    five = [register() for _ in range(5)]
    group = make_group(staff, branch, five)
    assert group.leader == five[0] and group.secretary == five[1]
    assert {m.pk for m in selectors.group_active_members(group)} == {m.pk for m in five}
    entry = AuditLog.objects.get(action="solidarity_group.create")
    assert entry.after["member_ids"] == sorted(m.pk for m in five)
    assert entry.after["leader_id"] == five[0].pk


@pytest.mark.parametrize("size", [2, 11])
def test_group_size_3_to_10(staff, branch, register, size):
    members = [register() for _ in range(size)]
    with pytest.raises(ValidationFailed) as exc:
        make_group(staff, branch, members)
    assert "members" in exc.value.errors
    assert SolidarityGroup.objects.count() == 0
    assert AuditLog.objects.filter(action__startswith="solidarity").count() == 0


def test_leader_and_secretary_must_be_members(staff, branch, register, trio):
    outsider = register()
    with pytest.raises(ValidationFailed) as exc:
        make_group(staff, branch, trio, leader=outsider, secretary=trio[0])
    assert "leader" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        make_group(staff, branch, trio, leader=trio[0], secretary=trio[0])
    assert "secretary" in exc.value.errors


def test_one_solidarity_group_at_a_time(staff, branch, register, trio):
    make_group(staff, branch, trio)
    others = [register(), register()]
    with pytest.raises(Conflict) as exc:
        make_group(
            staff, branch, [trio[0], *others], name="Tujenge", leader=others[0], secretary=others[1]
        )
    assert "Umoja Ruzizi" in exc.value.message
    assert SolidarityGroup.objects.count() == 1


def test_one_active_group_is_a_database_constraint(staff, branch, register, trio):
    group = make_group(staff, branch, trio)
    other = SolidarityGroup.objects.create(
        branch=branch, name="Autre", formed_date=group.formed_date
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        SolidarityGroupMembership.objects.create(
            group=other, member=trio[0], joined_date=group.formed_date
        )


def test_add_and_remove_members(staff, branch, register, trio):
    group = make_group(staff, branch, trio)
    newcomer = register()
    services.group_member_add(actor=staff["officer"], group=group, member=newcomer)
    assert len(selectors.group_active_members(group)) == 4
    with pytest.raises(ValidationFailed) as exc:
        services.group_member_remove(
            actor=staff["officer"], group=group, member=newcomer, reason=""
        )
    assert "reason" in exc.value.errors
    services.group_member_remove(
        actor=staff["officer"], group=group, member=newcomer, reason="A déménagé à Goma"
    )
    assert len(selectors.group_active_members(group)) == 3
    assert SolidarityGroupMembership.objects.filter(member=newcomer).get().left_reason == (
        "A déménagé à Goma"
    )
    # She may now join another group.
    assert selectors.member_solidarity_membership(newcomer) is None
    actions = list(
        AuditLog.objects.filter(object_type="members.solidaritygroup")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "solidarity_group.create",
        "solidarity_group.member_add",
        "solidarity_group.member_remove",
    ]
    added = AuditLog.objects.get(action="solidarity_group.member_add")
    assert (
        newcomer.pk not in added.before["member_ids"] and newcomer.pk in added.after["member_ids"]
    )


def test_group_cannot_fall_under_three_or_lose_its_leader(staff, branch, trio, register):
    group = make_group(staff, branch, trio)
    with pytest.raises(ValidationFailed) as exc:
        services.group_member_remove(
            actor=staff["officer"], group=group, member=trio[2], reason="x"
        )
    assert exc.value.code == "group_too_small"
    services.group_member_add(actor=staff["officer"], group=group, member=register())
    with pytest.raises(ValidationFailed):
        services.group_member_remove(
            actor=staff["officer"], group=group, member=trio[0], reason="x"
        )


def test_group_at_most_ten(staff, branch, register):
    ten = [register() for _ in range(10)]
    group = make_group(staff, branch, ten)
    with pytest.raises(ValidationFailed) as exc:
        services.group_member_add(actor=staff["officer"], group=group, member=register())
    assert exc.value.code == "group_full"


def test_officers_set(staff, branch, trio, register):
    group = make_group(staff, branch, trio)
    outsider = register()
    with pytest.raises(ValidationFailed) as exc:
        services.group_officers_set(
            actor=staff["officer"], group=group, leader=outsider, secretary=trio[1]
        )
    assert "leader" in exc.value.errors
    services.group_officers_set(
        actor=staff["officer"], group=group, leader=trio[2], secretary=trio[0]
    )
    group.refresh_from_db()
    assert (group.leader, group.secretary) == (trio[2], trio[0])
    entry = AuditLog.objects.get(action="solidarity_group.officers_set")
    assert entry.before == {"leader_id": trio[0].pk, "secretary_id": trio[1].pk}


def test_exited_member_cannot_join_and_member_in_group_cannot_exit(staff, branch, register, trio):
    group = make_group(staff, branch, trio)
    with pytest.raises(ValidationFailed):
        services.member_status_change(
            actor=staff["officer"], member=trio[2], status="exited", reason="x"
        )
    gone = register()
    services.member_status_change(actor=staff["officer"], member=gone, status="exited", reason="x")
    with pytest.raises(ValidationFailed):
        services.group_member_add(actor=staff["officer"], group=group, member=gone)


def test_members_must_belong_to_the_group_branch(staff, branch, other_branch, register, trio):
    far = register(actor=staff["admin"], branch=other_branch)
    group = make_group(staff, branch, trio)
    with pytest.raises(ValidationFailed):
        services.group_member_add(actor=staff["admin"], group=group, member=far)


def test_dissolve_frees_members(staff, branch, trio):
    group = make_group(staff, branch, trio)
    services.solidarity_group_dissolve(actor=staff["manager"], group=group, reason="Fin du cycle")
    group.refresh_from_db()
    assert group.status == "dissolved"
    assert all(selectors.member_solidarity_membership(m) is None for m in trio)
    with pytest.raises(ValidationFailed):
        services.group_member_add(actor=staff["officer"], group=group, member=trio[0])


def test_group_refused_roles(staff, branch, trio):
    for role in ["teller", "auditor", "committee", "accountant", "coordinator"]:
        with pytest.raises(PermissionDenied):
            make_group(staff, branch, trio, actor=staff[role])


def test_savings_group_one_at_a_time(staff, branch, register):
    a, b = register(), register()
    avec = services.savings_group_create(
        actor=staff["officer"], branch=branch, name="AVEC Tujenge", members=[a, b], meeting_day=2
    )
    assert SavingsGroupMembership.objects.filter(group=avec, left_date__isnull=True).count() == 2
    other = services.savings_group_create(actor=staff["officer"], branch=branch, name="AVEC Amani")
    with pytest.raises(Conflict):
        services.savings_group_member_add(actor=staff["officer"], group=other, member=a)
    services.savings_group_member_remove(actor=staff["officer"], group=avec, member=a)
    services.savings_group_member_add(
        actor=staff["officer"], group=other, member=a, role="treasurer"
    )
    assert selectors.member_savings_membership(a).group == other
    # two creations, one removal, one addition; the refused addition left no row
    assert AuditLog.objects.filter(action__startswith="savings_group.").count() == 4


def test_savings_group_name_unique_in_branch(staff, branch):
    services.savings_group_create(actor=staff["officer"], branch=branch, name="AVEC Tujenge")
    with pytest.raises(ValidationFailed) as exc:
        services.savings_group_create(actor=staff["officer"], branch=branch, name="avec tujenge")
    assert "name" in exc.value.errors


def test_border_posts_admin_only(staff):
    with pytest.raises(PermissionDenied):
        services.border_post_create(
            actor=staff["manager"], name="Mugina", country="BI", other_country="TZ"
        )
    post = services.border_post_create(
        actor=staff["admin"], name="Mugina", country="BI", other_country="TZ", town="Makamba"
    )
    with pytest.raises(ValidationFailed) as exc:
        services.border_post_update(
            actor=staff["admin"], post=post, name="Mugina", country="BI", other_country="BI"
        )
    assert "other_country" in exc.value.errors
    services.border_post_update(
        actor=staff["admin"],
        post=post,
        name="Mugina",
        country="BI",
        other_country="TZ",
        is_active=False,
    )
    assert not BorderPost.objects.get(pk=post.pk).is_active
    assert AuditLog.objects.filter(action__startswith="border_post.").count() == 2
