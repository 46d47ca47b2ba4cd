"""Services about members, called directly."""

import datetime as dt

import pytest
from django.db import transaction

from mupaka.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from mupaka.core.models import AuditLog
from mupaka.members import selectors, services
from mupaka.members.models import Member, MemberNameToken, MemberNumberCounter, TraderProfile
from mupaka.members.services import DuplicateMembers, TraderProfileData

pytestmark = pytest.mark.django_db


def furaha(**extra):
    values = {
        "first_name": "Furaha",
        "last_name": "Mapendo",
        "sex": "F",
        "birth_date": dt.date(1992, 3, 14),
        "phone": "+243 97 000 0001",
        "language": "sw",
        "id_type": "voter_card",
        "id_number": "SK-0123 456",
    }
    values.update(extra)
    return values


def counts():
    return (Member.objects.count(), AuditLog.objects.count(), TraderProfile.objects.count())


# --- registration -------------------------------------------------------------


def test_register_gives_number_normalizes_and_audits(staff, branch):
    m = services.member_register(
        actor=staff["officer"],
        branch=branch,
        trader_profile=TraderProfileData(
            goods_traded="tomates, farine de manioc",
            crossings_per_week=21,
            currencies=["usd", "CDF", "RWF"],
            daily_turnover="85.50",
            daily_turnover_currency="USD",
        ),
        **furaha(),
    )
    assert m.number == "BKV-000001"
    assert m.phone == "+243970000001"
    assert m.status == "pending"
    assert m.id_number == "SK0123456"
    assert m.languages == ["sw"]
    assert m.registered_date == dt.date(2026, 11, 2)
    assert m.search_name == "furaha mapendo"
    profile = m.trader_profile
    assert profile.daily_turnover_minor == 8550
    assert profile.currencies == ["USD", "CDF", "RWF"]
    entry = AuditLog.objects.get(action="member.create")
    assert entry.actor == staff["officer"]
    assert entry.object_id == str(m.pk) and entry.object_type == "members.member"
    assert entry.before is None
    assert entry.after["number"] == "BKV-000001"
    assert entry.after["phone"] == "+243970000001"
    assert entry.after["trader_profile"]["daily_turnover_minor"] == 8550


def test_numbers_follow_a_sequence_per_branch(register, other_branch, staff):
    a, b = register(), register()
    admin = staff["admin"]
    c = register(actor=admin, branch=other_branch)
    assert [a.number, b.number, c.number] == ["BKV-000001", "BKV-000002", "GOM-000001"]
    assert MemberNumberCounter.objects.get(branch=a.branch).last_value == 2


def test_failed_registration_does_not_consume_a_number(register):
    register()
    with pytest.raises(ValidationFailed):
        register(phone="not a phone")
    assert register().number == "BKV-000002"


def test_duplicate_member_number_from_a_counter_behind_is_a_conflict(register, branch):
    register()
    MemberNumberCounter.objects.filter(branch=branch).update(last_value=0)
    before = counts()
    with pytest.raises(Conflict) as exc:
        register()
    assert exc.value.code == "member_number_taken"
    assert "BKV-000001" in exc.value.message
    assert counts() == before


@pytest.mark.parametrize(
    ("raw", "region_branch_country", "expected"),
    [
        ("0970000009", "CD", "+243970000009"),
        ("970000009", "CD", "+243970000009"),
        ("+250 788 123 456", "CD", "+250788123456"),
        ("+257 79 12 34 56", "CD", "+25779123456"),
    ],
)
def test_phone_stored_e164(register, raw, region_branch_country, expected):
    assert register(phone=raw).phone == expected


def test_local_number_read_in_the_branch_country(staff, institution):
    from mupaka.core.models import Branch

    rusizi = Branch.objects.create(institution=institution, code="RSZ", name="Rusizi", country="RW")
    m = services.member_register(
        actor=staff["admin"], branch=rusizi, **furaha(phone="0788123456", id_type="none")
    )
    assert m.phone == "+250788123456"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phone", "12345"),
        ("phone", "+243 12"),
        ("phone_secondary", "abc"),
        ("next_of_kin_phone", "0"),
    ],
)
def test_bad_phone_refused_per_field(register, field, value):
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        register(**{field: value})
    assert field in exc.value.errors
    assert "phone" in exc.value.errors[field][0]
    assert counts() == before


def test_missing_required_fields_listed_together(register):
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        register(first_name="", last_name=" ", sex="", birth_date=None, phone="")
    assert set(exc.value.errors) == {"first_name", "last_name", "sex", "birth_date", "phone"}
    assert counts() == before


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"birth_date": dt.date(2026, 11, 3)}, "birth_date"),
        ({"birth_date": dt.date(1890, 1, 1)}, "birth_date"),
        (
            {
                "id_type": "passport",
                "id_number": "OP123",
                "id_issue_date": dt.date(2024, 5, 1),
                "id_expiry_date": dt.date(2024, 4, 30),
            },
            "id_expiry_date",
        ),
        (
            {"id_type": "passport", "id_number": "OP123", "id_issue_date": dt.date(2027, 1, 1)},
            "id_issue_date",
        ),
        ({"id_type": "passport", "id_number": ""}, "id_number"),
        ({"id_type": "driving_licence", "id_number": "1"}, "id_type"),
        ({"birth_date": "1990-02-30"}, "birth_date"),
        ({"language": "de"}, "language"),
        ({"first_name": "1234"}, "first_name"),
    ],
)
def test_impossible_values_refused(register, extra, field):
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        register(**extra)
    assert field in exc.value.errors
    assert counts() == before


def test_french_message_by_default(register):
    from django.utils import translation

    with translation.override("fr"), pytest.raises(ValidationFailed) as exc:
        register(birth_date=dt.date(2030, 1, 1))
    assert exc.value.errors["birth_date"] == [
        "La date de naissance ne peut pas être dans le futur."
    ]


def test_no_document_clears_number_and_dates(register):
    m = register(id_type="none", id_number="123", id_expiry_date=dt.date(2030, 1, 1))
    assert (m.id_number, m.id_expiry_date) == ("", None)


def test_kyc_tier_from_document(register):
    on = dt.date(2026, 11, 2)
    assert selectors.member_kyc_tier(register(), on_date=on) == 0
    assert selectors.member_kyc_tier(register(id_type="voter_card", id_number="1"), on_date=on) == 1
    expired = register(
        id_type="passport",
        id_number="OP9",
        id_issue_date=dt.date(2016, 1, 1),
        id_expiry_date=dt.date(2026, 1, 1),
    )
    assert selectors.member_kyc_tier(expired, on_date=on) == 0


def test_refused_roles(register, staff):
    for role in ["teller", "auditor", "committee", "accountant", "coordinator"]:
        with pytest.raises(PermissionDenied):
            register(actor=staff[role])
    assert Member.objects.count() == 0
    assert AuditLog.objects.count() == 0


def test_officer_cannot_register_into_another_branch(register, other_branch):
    with pytest.raises(PermissionDenied):
        register(branch=other_branch)


def test_trader_profile_bad_values_change_nothing(register):
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        register(
            trader_profile=TraderProfileData(
                border_post_ids=[999999],
                crossings_per_week=500,
                currencies=["XYZ"],
                daily_turnover="12.5",
                daily_turnover_currency="RWF",
            )
        )
    assert set(exc.value.errors) == {
        "border_posts",
        "crossings_per_week",
        "currencies",
        "daily_turnover",
    }
    assert counts() == before


# --- duplicates -----------------------------------------------------------------


def test_same_phone_refused_then_accepted_with_reason(staff, branch):
    """Scenario 1: Furaha's sister uses the same phone."""
    officer = staff["officer"]
    first = services.member_register(actor=officer, branch=branch, **furaha())
    sister = furaha(first_name="Riziki", birth_date=dt.date(1995, 6, 1), id_number="SK-999")
    before = counts()
    with pytest.raises(DuplicateMembers) as exc:
        services.member_register(actor=officer, branch=branch, **sister)
    assert exc.value.status == 409
    body = exc.value.as_dict()
    assert body["matches"][0]["number"] == first.number
    assert body["matches"][0]["reasons"] == ["phone"]
    assert "duplicate_reason" in body["errors"]
    assert counts() == before

    m = services.member_register(
        actor=officer, branch=branch, duplicate_reason="Sa sœur, même téléphone", **sister
    )
    assert m.duplicate_reason == "Sa sœur, même téléphone"
    entry = AuditLog.objects.filter(action="member.create", object_id=str(m.pk)).get()
    assert entry.reason == "Sa sœur, même téléphone"
    assert entry.after["possible_duplicates"] == [first.number]


def test_duplicate_by_id_document_and_by_name_and_birth_date(register):
    a = register(
        first_name="Zawadi",
        last_name="Cirhuza",
        birth_date=dt.date(1988, 5, 5),
        id_type="national_id",
        id_number="AB 12",
    )
    found = selectors.member_duplicates_find(id_type="national_id", id_number="ab-12")
    assert [(d.number, d.reasons) for d in found] == [(a.number, ("id_number",))]
    assert selectors.member_duplicates_find(id_type="passport", id_number="AB12") == []
    found = selectors.member_duplicates_find(
        first_name="CIRHUZA", last_name="Zawádi", birth_date=dt.date(1988, 5, 5)
    )
    assert [d.reasons for d in found] == [("name_birth_date",)]
    assert (
        selectors.member_duplicates_find(
            first_name="Zawadi", last_name="Cirhuza", birth_date=dt.date(1988, 5, 6)
        )
        == []
    )
    with pytest.raises(DuplicateMembers):
        register(first_name="Zawadi", last_name="Cirhuza", birth_date=dt.date(1988, 5, 5))


def test_duplicate_reason_of_spaces_is_no_reason(register):
    register(phone="+243970000777")
    with pytest.raises(DuplicateMembers):
        register(phone="0970000777", duplicate_reason="   ")


# --- update -------------------------------------------------------------------


def test_update_records_before_and_after(register, staff):
    m = register(town="Bukavu")
    services.member_update(actor=staff["manager"], member=m, town="Uvira", quarter="Kalundu")
    entry = AuditLog.objects.get(action="member.update")
    assert entry.before == {"town": "Bukavu", "quarter": ""}
    assert entry.after == {"town": "Uvira", "quarter": "Kalundu"}


def test_update_renames_search_tokens(register, staff):
    m = register(first_name="Neema", last_name="Bahati")
    services.member_update(actor=staff["officer"], member=m, last_name="M'Bisimwa")
    tokens = set(MemberNameToken.objects.filter(member=m).values_list("token", flat=True))
    assert tokens == {"neema", "m", "bisimwa", "mbisimwa"}


def test_update_refuses_unknown_or_locked_fields(register, staff):
    m = register()
    with pytest.raises(ValidationFailed) as exc:
        services.member_update(
            actor=staff["officer"], member=m, number="BKV-999999", status="active"
        )
    assert set(exc.value.errors) == {"number", "status"}


def test_update_bad_input_changes_nothing(register, staff):
    m = register()
    before = counts()
    with pytest.raises(ValidationFailed):
        services.member_update(actor=staff["officer"], member=m, phone="12", town="Goma")
    m.refresh_from_db()
    assert m.town == "" and counts() == before


def test_update_to_a_duplicate_phone_needs_a_reason(register, staff):
    a = register()
    b = register()
    with pytest.raises(DuplicateMembers):
        services.member_update(actor=staff["officer"], member=b, phone=a.phone)
    services.member_update(
        actor=staff["officer"], member=b, phone=a.phone, duplicate_reason="Même ménage"
    )
    b.refresh_from_db()
    assert b.phone == a.phone and b.duplicate_reason == "Même ménage"


def test_teller_cannot_update(register, staff):
    with pytest.raises(PermissionDenied):
        services.member_update(actor=staff["teller"], member=register(), town="Goma")


# --- status -------------------------------------------------------------------


def test_status_lifecycle_and_audit(register, staff):
    m = register()
    services.member_status_change(actor=staff["teller"], member=m, status="active")
    with pytest.raises(PermissionDenied):
        services.member_status_change(
            actor=staff["teller"], member=m, status="inactive", reason="x"
        )
    with pytest.raises(ValidationFailed) as exc:
        services.member_status_change(actor=staff["officer"], member=m, status="inactive")
    assert "reason" in exc.value.errors
    services.member_status_change(
        actor=staff["officer"], member=m, status="inactive", reason="Dormante depuis 6 mois"
    )
    services.member_status_change(
        actor=staff["officer"], member=m, status="exited", reason="Départ"
    )
    with pytest.raises(ValidationFailed) as exc:
        services.member_status_change(actor=staff["manager"], member=m, status="active")
    assert exc.value.code == "transition_refused"
    m.refresh_from_db()
    assert m.status == "exited"
    log = list(
        AuditLog.objects.filter(action="member.status_change")
        .order_by("id")
        .values_list("before", "after")
    )
    assert log == [
        ({"status": "pending"}, {"status": "active"}),
        ({"status": "active"}, {"status": "inactive"}),
        ({"status": "inactive"}, {"status": "exited"}),
    ]


def test_pending_cannot_become_inactive(register, staff):
    with pytest.raises(ValidationFailed):
        services.member_status_change(
            actor=staff["officer"], member=register(), status="inactive", reason="x"
        )


def test_exit_checks_registered_by_other_apps(register, staff):
    from mupaka.members.services import members as member_services

    m = register()

    def has_open_account(member):
        return "Elle a un compte d'épargne ouvert."

    member_services.register_exit_check(has_open_account)
    try:
        with pytest.raises(ValidationFailed) as exc:
            services.member_status_change(
                actor=staff["officer"], member=m, status="exited", reason="x"
            )
        assert exc.value.message == "Elle a un compte d'épargne ouvert."
    finally:
        member_services._EXIT_CHECKS.remove(has_open_account)


def test_member_cannot_be_deleted_while_referenced(register):
    from django.db.models import ProtectedError

    m = register(trader_profile=TraderProfileData(goods_traded="riz"))
    with pytest.raises(ProtectedError), transaction.atomic():
        m.delete()


# --- consent and trader profile -----------------------------------------------


def test_consent_is_dated_and_audited(register, staff):
    m = register()
    assert m.consent_sms is False and m.consent_sms_at is None
    services.member_consent_set(actor=staff["officer"], member=m, sms=True)
    m.refresh_from_db()
    assert m.consent_sms and m.consent_sms_at is not None and not m.consent_network
    entry = AuditLog.objects.get(action="member.consent_set")
    assert entry.before["consent_sms"] is False and entry.after["consent_sms"] is True
    services.member_consent_set(actor=staff["officer"], member=m, sms=True)
    assert AuditLog.objects.filter(action="member.consent_set").count() == 1


def test_trader_profile_set_replaces(register, staff):
    from mupaka.members.models import BorderPost

    m = register()
    posts = list(BorderPost.objects.filter(name__startswith="Ruzizi"))
    services.trader_profile_set(
        actor=staff["officer"],
        member=m,
        data=TraderProfileData(
            border_post_ids=[p.pk for p in posts],
            daily_turnover="12000",
            daily_turnover_currency="RWF",
        ),
    )
    profile = TraderProfile.objects.get(member=m)
    assert profile.daily_turnover_minor == 12000
    assert set(profile.border_posts.all()) == set(posts)
    entry = AuditLog.objects.get(action="member.trader_profile_set")
    assert entry.before is None
    assert sorted(entry.after["border_post_ids"]) == sorted(p.pk for p in posts)


def test_border_posts_seeded():
    from mupaka.members.models import BorderPost

    names = set(BorderPost.objects.values_list("name", flat=True))
    for expected in ["Ruzizi I / Rusizi I", "Kavimvira / Gatumba", "Akanyaru", "Bunagana"]:
        assert expected in names
