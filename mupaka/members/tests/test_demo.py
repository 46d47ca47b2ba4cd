"""The demo members: scenario people, groups, and number counters in step."""

import datetime as dt

import pytest

from mupaka.core.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def ctx():
    from mupaka.core.demo import build_core
    from mupaka.members import demo

    context = build_core(members=120, seed=7)
    demo.build(context)
    return context


def test_scenario_people(ctx):
    from mupaka.members.selectors import group_active_members

    furaha, sister = ctx.extra["furaha"], ctx.extra["furaha_sister"]
    assert furaha.phone == sister.phone == "+243970000001"
    assert furaha.language == "sw" and furaha.id_type == "voter_card"
    assert furaha.trader_profile.border_posts.get().name == "Ruzizi I / Rusizi I"
    assert sister.duplicate_reason
    group = ctx.extra["umoja_ruzizi"]
    members = group_active_members(group)
    assert group.name == "Umoja Ruzizi" and len(members) == 5
    assert all(m.status == "active" for m in members)
    assert group.leader in members and group.secretary in members
    # Registered through the services: each has its own audit row.
    assert AuditLog.objects.filter(action="member.create").count() == 7


def test_mass_members_groups_and_counters(ctx):
    from mupaka.members.models import (
        Member,
        MemberNumberCounter,
        SavingsGroup,
        SolidarityGroup,
        SolidarityGroupMembership,
    )
    from mupaka.members.selectors import member_search
    from mupaka.members.services import member_register

    members = Member.objects.all()
    assert members.count() == 120
    women = members.filter(sex="F").count()
    assert 0.75 < women / 120 < 0.95
    assert {p[:4] for p in members.values_list("phone", flat=True)} == {"+243", "+250", "+257"}
    assert SolidarityGroup.objects.count() >= 11
    assert SavingsGroup.objects.exists()
    for group in SolidarityGroup.objects.all():
        size = SolidarityGroupMembership.objects.filter(group=group, left_date__isnull=True).count()
        assert 3 <= size <= 10, group.name
    assert AuditLog.objects.filter(action="member.demo_load").count() == 1
    for counter in MemberNumberCounter.objects.all():
        top = Member.objects.filter(branch_id=counter.branch_id).order_by("-sequence").first()
        assert counter.last_value == top.sequence
    bkv = ctx.branches["BKV"]
    top = MemberNumberCounter.objects.get(branch=bkv).last_value
    new = member_register(
        actor=ctx.users["officer"],
        branch=bkv,
        first_name="Imani",
        last_name="Cirhuza",
        sex="F",
        birth_date=dt.date(2000, 1, 1),
        phone="+243 99 123 4567",
        duplicate_reason="démo",
    )
    assert new.sequence == top + 1
    # Bulk-loaded members are found by name like the others.
    someone = Member.objects.exclude(
        pk__in=[m.pk for m in ctx.extra["umoja_ruzizi_members"]]
    ).last()
    found = member_search(user=ctx.users["admin"], query=someone.last_name[:4])
    assert someone in found
