"""Every page, for a role that may open it and one that may not."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from mupaka.core.models import AuditLog
from mupaka.members import services
from mupaka.members.models import BorderPost, Member, SavingsGroup, SolidarityGroup

pytestmark = pytest.mark.django_db


def client_for(user, language="en"):
    client = Client()
    client.force_login(user)
    client.cookies["mupaka_language"] = language
    return client


@pytest.fixture
def group(staff, branch, trio):
    return services.solidarity_group_create(
        actor=staff["officer"],
        branch=branch,
        name="Umoja Ruzizi",
        members=trio,
        leader=trio[0],
        secretary=trio[1],
    )


@pytest.fixture
def avec(staff, branch, trio):
    return services.savings_group_create(
        actor=staff["officer"], branch=branch, name="AVEC Tujenge", members=trio[:2]
    )


def page_urls(member, group, avec):
    post = BorderPost.objects.first()
    return {
        "members:member_list": ([], "member.view"),
        "members:member_create": ([], "member.create"),
        "members:member_detail": ([member.pk], "member.view"),
        "members:member_edit": ([member.pk], "member.update"),
        "members:trader_profile_edit": ([member.pk], "member.update"),
        "members:group_list": ([], "group.view"),
        "members:group_create": ([], "group.manage"),
        "members:group_detail": ([group.pk], "group.view"),
        "members:group_edit": ([group.pk], "group.manage"),
        "members:avec_list": ([], "group.view"),
        "members:avec_create": ([], "group.manage"),
        "members:avec_detail": ([avec.pk], "group.view"),
        "members:border_post_list": ([], "border_post.manage"),
        "members:border_post_edit": ([post.pk], "border_post.manage"),
    }


ALLOWED = {
    "member.view": "teller",
    "member.create": "officer",
    "member.update": "manager",
    "group.view": "committee",
    "group.manage": "officer",
    "border_post.manage": "admin",
}
REFUSED = {
    "member.view": "coordinator",
    "member.create": "teller",
    "member.update": "auditor",
    "group.view": "coordinator",
    "group.manage": "accountant",
    "border_post.manage": "teller",
}


def test_every_page_allowed_and_refused(staff, trio, group, avec):
    member = trio[0]
    for name, (args, perm) in page_urls(member, group, avec).items():
        url = reverse(name, args=args)
        ok = client_for(staff[ALLOWED[perm]]).get(url)
        assert ok.status_code == 200, (name, ok.status_code)
        refused = client_for(staff[REFUSED[perm]]).get(url)
        assert refused.status_code == 403, (name, refused.status_code)
        assert b"It is reserved to" in refused.content, name


def test_post_only_actions_refused_for_wrong_roles(staff, trio, group, avec):
    member = trio[0]
    posts = [
        (reverse("members:member_status", args=[member.pk]), {"status": "inactive"}, "committee"),
        (reverse("members:member_consent", args=[member.pk]), {"consent_sms": "on"}, "teller"),
        (reverse("members:group_member_add", args=[group.pk]), {"member": member.number}, "teller"),
        (
            reverse("members:group_member_remove", args=[group.pk, member.pk]),
            {"reason": "x"},
            "auditor",
        ),
        (reverse("members:group_officers", args=[group.pk]), {}, "committee"),
        (reverse("members:group_dissolve", args=[group.pk]), {"reason": "x"}, "teller"),
        (reverse("members:avec_member_add", args=[avec.pk]), {"member": "x"}, "accountant"),
        (reverse("members:avec_member_remove", args=[avec.pk, member.pk]), {}, "coordinator"),
    ]
    before = AuditLog.objects.count()
    for url, data, role in posts:
        response = client_for(staff[role]).post(url, data)
        assert response.status_code == 403, url
    assert AuditLog.objects.count() == before


def test_anonymous_is_sent_to_login():
    response = Client().get(reverse("members:member_list"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_other_branch_member_refused(staff, register, other_branch):
    far = register(actor=staff["admin"], branch=other_branch)
    response = client_for(staff["teller"]).get(reverse("members:member_detail", args=[far.pk]))
    assert response.status_code == 403
    assert b"another branch" in response.content


def test_unknown_member_is_404(staff):
    response = client_for(staff["teller"]).get(reverse("members:member_detail", args=[999999]))
    assert response.status_code == 404


def test_menu_shows_members_to_teller_not_coordinator(staff):
    assert "/members/" in client_for(staff["teller"]).get("/").content.decode()
    assert "/members/" not in client_for(staff["coordinator"]).get("/").content.decode()


# --- registration page ------------------------------------------------------------


def form_data(**extra):
    data = {
        "first_name": "Furaha",
        "last_name": "Mapendo",
        "sex": "F",
        "birth_date": "1992-03-14",
        "phone": "+243 97 000 0001",
        "language": "sw",
        "languages": ["fr"],
        "id_type": "voter_card",
        "id_number": "SK 123",
        "trader-is_trader": "on",
        "trader-goods_traded": "tomates, farine de manioc",
        "trader-crossings_per_week": "21",
        "trader-currencies": ["USD", "CDF", "RWF"],
        "trader-daily_turnover": "85.50",
        "trader-daily_turnover_currency": "USD",
        "trader-border_posts": [BorderPost.objects.get(name="Ruzizi I / Rusizi I").pk],
    }
    data.update(extra)
    return data


def test_register_with_trader_profile_then_duplicate_with_reason(staff):
    client = client_for(staff["officer"])
    url = reverse("members:member_create")
    response = client.post(url, form_data())
    furaha = Member.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("members:member_detail", args=[furaha.pk])
    assert furaha.trader_profile.daily_turnover_minor == 8550
    assert furaha.languages == ["sw", "fr"]

    sister = form_data(first_name="Riziki", birth_date="1995-06-01", id_number="SK 999")
    response = client.post(url, sister)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="duplicate-warning"' in body and furaha.number in body
    assert Member.objects.count() == 1

    response = client.post(url, {**sister, "duplicate_reason": "Sa sœur, même téléphone"})
    assert response.status_code == 302
    riziki = Member.objects.get(first_name="Riziki")
    assert riziki.duplicate_reason == "Sa sœur, même téléphone"


def test_register_bad_input_shows_errors_in_french_and_saves_nothing(staff):
    client = client_for(staff["officer"], language="fr")
    response = client.post(
        reverse("members:member_create"),
        form_data(phone="12345", birth_date="2030-01-01", **{"trader-crossings_per_week": "5"}),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "La date de naissance ne peut pas être dans le futur." in body
    assert "n’est pas un numéro de téléphone valide" in body
    assert Member.objects.count() == 0 and AuditLog.objects.count() == 0


def test_register_missing_fields(staff):
    client = client_for(staff["officer"])
    response = client.post(reverse("members:member_create"), {"first_name": "Neema"})
    assert response.status_code == 200
    assert response.content.decode().count("This field is required.") >= 3
    assert Member.objects.count() == 0


def test_search_box_by_phone_number_and_name(staff, register):
    target = register(first_name="Mwamini", last_name="M'Bisimwa", phone="+243970000001")
    register(first_name="Mwamini", last_name="Nabintu")
    client = client_for(staff["teller"])
    url = reverse("members:member_list")
    for q in ["0970000001", "970000001", "+243 97 000 0001", target.number, "bisim mwam"]:
        body = client.get(url, {"q": q}).content.decode()
        assert target.number in body, q
    body = client.get(url, {"q": "mwamini"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in body and body.count("member-number") == 2


def test_member_detail_shows_everything(staff, register):
    from mupaka.members.services import TraderProfileData

    m = register(
        id_type="passport",
        id_number="OP1",
        id_expiry_date=dt.date(2026, 1, 1),
        trader_profile=TraderProfileData(daily_turnover="12000", daily_turnover_currency="RWF"),
    )
    body = client_for(staff["teller"], "fr").get(reverse("members:member_detail", args=[m.pk]))
    text = body.content.decode()
    assert m.number in text
    assert 'id="kyc-tier">0' in text  # expired passport
    assert "12\u202f000 RWF" in text
    # The teller may activate but not suspend.
    assert 'data-status="active"' in text and 'data-status="exited"' not in text


def test_status_change_by_page(staff, register):
    m = register()
    client = client_for(staff["officer"])
    url = reverse("members:member_status", args=[m.pk])
    client.post(url, {"status": "active"})
    m.refresh_from_db()
    assert m.status == "active"
    response = client.post(url, {"status": "exited"}, follow=True)
    assert "Give the reason" in response.content.decode()
    m.refresh_from_db()
    assert m.status == "active"


def test_consent_by_page(staff, register):
    m = register()
    client_for(staff["officer"]).post(
        reverse("members:member_consent", args=[m.pk]), {"consent_sms": "on"}
    )
    m.refresh_from_db()
    assert m.consent_sms and not m.consent_network


def test_edit_page(staff, register):
    m = register()
    client = client_for(staff["officer"])
    url = reverse("members:member_edit", args=[m.pk])
    initial = client.get(url).context["form"].initial
    data = {k: v for k, v in initial.items() if v is not None}
    data.update(birth_date=m.birth_date.isoformat(), town="Uvira")
    response = client.post(url, data)
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.town == "Uvira"


def test_trader_profile_page(staff, register):
    m = register()
    post = BorderPost.objects.get(name="Kavimvira / Gatumba")
    response = client_for(staff["officer"]).post(
        reverse("members:trader_profile_edit", args=[m.pk]),
        {"border_posts": [post.pk], "goods_traded": "poisson", "currencies": ["BIF"]},
    )
    assert response.status_code == 302
    assert list(m.trader_profile.border_posts.all()) == [post]


def test_group_pages(staff, trio, register):
    client = client_for(staff["officer"])
    numbers = " ".join(m.number for m in trio)
    response = client.post(
        reverse("members:group_create"),
        {
            "name": "Umoja Ruzizi",
            "members": numbers,
            "leader": trio[0].number,
            "secretary": trio[1].number,
            "joint_liability": "on",
            "meeting_day": "3",
        },
    )
    group = SolidarityGroup.objects.get()
    assert response.status_code == 302
    newcomer = register()
    client.post(reverse("members:group_member_add", args=[group.pk]), {"member": newcomer.number})
    assert group.memberships.filter(left_date__isnull=True).count() == 4
    client.post(
        reverse("members:group_officers", args=[group.pk]),
        {"leader": newcomer.pk, "secretary": trio[1].pk},
    )
    group.refresh_from_db()
    assert group.leader == newcomer
    client.post(
        reverse("members:group_member_remove", args=[group.pk, trio[0].pk]), {"reason": "Départ"}
    )
    assert group.memberships.filter(left_date__isnull=True).count() == 3
    page = client.get(reverse("members:group_detail", args=[group.pk])).content.decode()
    assert "Départ" in page and newcomer.number in page


def test_group_create_unknown_number_and_too_small(staff, trio):
    client = client_for(staff["officer"])
    response = client.post(
        reverse("members:group_create"),
        {"name": "Tujenge", "members": "BKV-999999", "leader": "x", "secretary": "y"},
    )
    assert "BKV-999999" in response.content.decode()
    response = client.post(
        reverse("members:group_create"),
        {
            "name": "Tujenge",
            "members": f"{trio[0].number} {trio[1].number}",
            "leader": trio[0].number,
            "secretary": trio[1].number,
        },
    )
    assert "3 to 10 members" in response.content.decode()
    assert SolidarityGroup.objects.count() == 0


def test_avec_pages(staff, trio):
    client = client_for(staff["officer"])
    response = client.post(
        reverse("members:avec_create"),
        {"name": "AVEC Tujenge", "members": trio[0].number, "facilitator": "CARE"},
    )
    avec = SavingsGroup.objects.get()
    assert response.status_code == 302
    client.post(
        reverse("members:avec_member_add", args=[avec.pk]),
        {"member": trio[1].number, "role": "treasurer"},
    )
    assert avec.memberships.filter(left_date__isnull=True).count() == 2
    client.post(reverse("members:avec_member_remove", args=[avec.pk, trio[0].pk]))
    assert avec.memberships.filter(left_date__isnull=True).count() == 1


def test_border_post_pages(staff):
    client = client_for(staff["admin"])
    response = client.post(
        reverse("members:border_post_list"),
        {"name": "Mugina", "country": "BI", "other_country": "TZ", "town": "Makamba"},
    )
    assert response.status_code == 302
    post = BorderPost.objects.get(name="Mugina")
    client.post(
        reverse("members:border_post_edit", args=[post.pk]),
        {"name": "Mugina", "country": "BI", "other_country": "TZ", "town": "Makamba"},
    )
    post.refresh_from_db()
    assert post.is_active is False  # unchecked box: no longer in use


def test_photo_is_served_to_staff_only(staff, register, tmp_path, settings):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    photo = SimpleUploadedFile("furaha.png", buffer.getvalue(), content_type="image/png")
    m = register(photo=photo)
    url = reverse("members:member_photo", args=[m.pk])
    response = client_for(staff["teller"]).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert client_for(staff["coordinator"]).get(url).status_code == 403
