import pytest
from django.urls import reverse

from mupaka.core.models import AuditLog, User
from mupaka.core.tests.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url_name", "allowed", "refused"),
    [
        ("core:audit", ["auditor", "admin", "manager"], ["teller", "officer", "coordinator"]),
        ("core:staff_list", ["admin"], ["teller", "manager", "auditor"]),
        ("core:staff_create", ["admin"], ["teller", "accountant"]),
        ("core:institution", ["admin"], ["teller", "manager", "committee"]),
    ],
)
def test_pages_allow_and_refuse_by_role(staff, url_name, allowed, refused):
    for role in allowed:
        assert client_for(staff[role]).get(reverse(url_name)).status_code == 200, role
    for role in refused:
        response = client_for(staff[role]).get(reverse(url_name))
        assert response.status_code == 403, role
        assert "réservée aux rôles" in response.content.decode()  # French message with the reason


def test_anonymous_is_sent_to_login(client, institution):
    response = client.get(reverse("core:audit"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_home_lists_only_permitted_menu(staff):
    html = client_for(staff["teller"]).get("/").content.decode()
    assert reverse("core:staff_list") not in html
    html = client_for(staff["admin"]).get("/").content.decode()
    assert reverse("core:staff_list") in html


def test_staff_create_through_the_page(staff, branch):
    c = client_for(staff["admin"])
    response = c.post(
        reverse("core:staff_create"),
        {
            "username": "bahati",
            "first_name": "Bahati",
            "role": "officer",
            "branch": branch.pk,
            "language": "fr",
            "is_active": "on",
            "password": "kivu-lake-2026",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="bahati").role == "officer"
    assert AuditLog.objects.filter(action="staff.create").count() == 1


def test_staff_create_bad_input_shows_message_and_changes_nothing(staff, branch):
    c = client_for(staff["admin"])
    n = User.objects.count()
    response = c.post(
        reverse("core:staff_create"),
        {
            "username": "teller",
            "role": "officer",
            "branch": branch.pk,
            "language": "fr",
            "password": "kivu-lake-2026",
        },
    )
    assert response.status_code == 200
    assert "déjà pris" in response.content.decode()
    assert User.objects.count() == n


def test_audit_page_filters_by_object_and_actor(staff, branch):
    from mupaka.core import services

    services.staff_update(actor=staff["admin"], user=staff["teller"], phone="+243970000002")
    c = client_for(staff["auditor"])
    html = c.get(
        reverse("core:audit"), {"object_type": "core.user", "object_id": staff["teller"].pk}
    ).content.decode()
    assert "staff.update" in html and "+243970000002" in html
    html = c.get(reverse("core:audit"), {"actor": staff["auditor"].pk}).content.decode()
    assert "staff.update" not in html


def test_language_switch_sets_english(staff):
    c = client_for(staff["teller"])
    assert "Déconnexion" in c.get("/").content.decode()
    c.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = c.get("/").content.decode()
    assert "Log out" in html
    assert 'lang="en"' in html


def test_french_is_default_whatever_the_browser_asks(staff):
    c = client_for(staff["teller"])
    html = c.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="fr"' in html


def test_login_locks_out_after_repeated_failures(client, staff):
    for _ in range(5):
        client.post(reverse("login"), {"username": "teller", "password": "wrong"})
    response = client.post(
        reverse("login"), {"username": "teller", "password": "test-password-2026"}
    )
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_works_with_the_right_password(client, staff):
    response = client.post(
        reverse("login"), {"username": "teller", "password": "test-password-2026"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff["teller"].pk)


def test_passwords_are_hashed_with_argon2_in_production():
    from django.conf import settings

    assert "Argon2PasswordHasher" in [h.rsplit(".", 1)[-1] for h in settings.PASSWORD_HASHERS][:2]


def test_csrf_is_enforced(staff):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    c.force_login(staff["admin"])
    response = c.post(reverse("core:staff_create"), {"username": "x"})
    assert response.status_code == 403


def test_a_refusal_reaching_a_page_is_shown_with_its_status(rf, staff):
    from mupaka.core.exceptions import NotFound
    from mupaka.core.middleware import ErrorPageMiddleware

    request = rf.get("/members/999999/")
    request.user = staff["teller"]
    response = ErrorPageMiddleware(lambda r: None).process_exception(
        request, NotFound("Membre introuvable.")
    )
    assert response.status_code == 404
    assert "Membre introuvable." in response.content.decode()
    api = rf.get("/api/v1/members/1")
    assert ErrorPageMiddleware(lambda r: None).process_exception(api, NotFound("x")) is None


def test_snapshot_of_an_empty_file_field():
    from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: F401
    from django.db.models.fields.files import FieldFile, FileField

    from mupaka.core.audit import _jsonable

    field = FileField(name="photo")
    assert _jsonable(FieldFile(None, field, "")) is None
    assert _jsonable(FieldFile(None, field, "photos/a.jpg")) == "photos/a.jpg"


def test_every_menu_entry_resolves_and_names_a_known_permission():
    from django.urls import reverse

    from mupaka.core.permissions import menu_items, roles_for

    for item in menu_items():
        assert reverse(item.url_name)
        assert roles_for(item.perm)


def test_an_unknown_page_answers_in_the_users_language_inside_the_layout(staff):
    c = client_for(staff["teller"])
    response = c.get("/members/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Introuvable</h1>" in html
    assert "Cette page n&#x27;existe pas" in html and "Déconnexion" in html  # the usual layout
    c.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = c.get("/members/no-such-page/").content.decode()
    assert "This page does not exist" in html and "Log out" in html


def test_an_unexpected_error_says_the_operation_may_not_be_done(rf, staff):
    from django.utils import translation

    from mupaka.core.views import server_error

    request = rf.get("/tellers/counter/")
    request.user = staff["teller"]
    with translation.override("fr"):
        response = server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert "Erreur inattendue" in html and "n'a peut-être pas été fait" in html
