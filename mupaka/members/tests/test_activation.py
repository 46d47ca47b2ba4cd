"""Pending → active is joining: her entry fee and the minimum member shares are paid
first (README, Members; shares). Nobody activates her before, through the service, the
member page or the API; the counter's payment makes her active."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.utils import translation

from mupaka.core.exceptions import ValidationFailed
from mupaka.core.models import AuditLog
from mupaka.core.money import Money
from mupaka.members import services
from mupaka.members.models import Member

pytestmark = pytest.mark.django_db


def client_for(user, language="en"):
    client = Client()
    client.force_login(user)
    client.cookies["mupaka_language"] = language
    return client


def key() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def till(staff, chart):
    from mupaka.tellers.testing import open_till_with_cash

    return open_till_with_cash(
        teller=staff["teller"], manager=staff["manager"], floats=[Money.of("500", "USD")]
    )


@pytest.fixture
def free_entry(chart, staff):
    """An institution that asks for member shares but no entry fee."""
    from mupaka.shares.services import share_product_set

    return share_product_set(
        actor=staff["manager"],
        name="Parts sociales",
        currency="USD",
        unit_price="10",
        min_shares=2,
        max_shares=50,
        entry_fee="0",
    )


def status_changes(member) -> int:
    return AuditLog.objects.filter(action="member.status_change", object_id=str(member.pk)).count()


def assert_still_pending(member) -> None:
    member.refresh_from_db()
    assert member.status == "pending"
    assert status_changes(member) == 0


# --- the service -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["officer", "teller", "manager", "admin"])
def test_nobody_activates_her_before_she_pays(staff, register, share_product, role):
    member = register(first_name="Furaha", last_name="M'Bisimwa")
    with pytest.raises(ValidationFailed) as exc:
        services.member_status_change(actor=staff[role], member=member, status="active")
    assert exc.value.code == "joining_not_paid"
    assert exc.value.errors == {"status": [exc.value.message]}
    assert_still_pending(member)


def test_the_refusal_says_what_is_missing_in_french_and_english(staff, register, share_product):
    member = register(first_name="Furaha", last_name="M'Bisimwa")
    with translation.override("en"), pytest.raises(ValidationFailed) as exc:
        services.member_status_change(actor=staff["officer"], member=member, status="active")
    assert exc.value.message == (
        "Furaha M'Bisimwa cannot be made active yet: her entry fee ($5.00) is not paid and "
        "she holds 0 of the 2 member shares required ($10.00 each). Both are paid at the "
        "counter; she becomes active when they are."
    )
    with translation.override("fr"), pytest.raises(ValidationFailed) as exc:
        services.member_status_change(actor=staff["officer"], member=member, status="active")
    assert exc.value.message == (
        "Furaha M'Bisimwa ne peut pas encore devenir membre active : son droit d’adhésion "
        "(5,00\xa0$US) n’est pas payé et elle détient 0 des 2 parts sociales exigées "
        "(10,00\xa0$US chacune). Les deux se paient au guichet ; elle devient active dès "
        "qu’ils sont payés."
    )
    assert_still_pending(member)


def test_entry_fee_paid_alone_is_not_enough(staff, register, share_product, till):
    from mupaka.shares.services import shares_purchase

    member = register(first_name="Neema", last_name="Cikuru")
    paid = shares_purchase(actor=staff["teller"], member=member, shares=0, idempotency_key=key())
    assert paid.entry_fee_minor == 500 and not paid.member_activated
    with translation.override("en"), pytest.raises(ValidationFailed) as exc:
        services.member_status_change(actor=staff["officer"], member=member, status="active")
    assert exc.value.message == (
        "Neema Cikuru cannot be made active yet: she holds 0 of the 2 member shares required "
        "($10.00 each). They are paid at the counter; she becomes active when they are."
    )
    assert "entry fee" not in exc.value.message
    with translation.override("fr"), pytest.raises(ValidationFailed) as exc:
        services.member_status_change(actor=staff["officer"], member=member, status="active")
    assert exc.value.message.startswith(
        "Neema Cikuru ne peut pas encore devenir membre active : elle détient 0 des 2 parts "
        "sociales exigées"
    )
    assert_still_pending(member)


def test_the_counter_makes_her_active_once_she_has_paid(staff, register, share_product, till):
    """The normal path: the teller takes the entry fee and two shares, she is active
    (the shares app calls member_status_change; the check finds both paid)."""
    from mupaka.shares.services import shares_purchase

    member = register(first_name="Furaha", last_name="M'Bisimwa")
    assert services.activation_problem(member)
    paid = shares_purchase(actor=staff["teller"], member=member, shares=2, idempotency_key=key())
    assert paid.member_activated and (paid.entry_fee_minor, paid.shares_minor) == (500, 2_000)
    member.refresh_from_db()
    assert member.status == "active"
    assert services.activation_problem(member) is None
    row = AuditLog.objects.get(action="member.status_change", object_id=str(member.pk))
    assert (row.before, row.after, row.actor_id) == (
        {"status": "pending"},
        {"status": "active"},
        staff["teller"].pk,
    )


def test_no_entry_fee_in_the_settings(staff, register, free_entry, till):
    """An institution without an entry fee asks only for the minimum shares."""
    from mupaka.shares.services import shares_purchase

    member = register(first_name="Imani", last_name="Nabintu")
    with translation.override("en"), pytest.raises(ValidationFailed) as exc:
        services.member_status_change(actor=staff["officer"], member=member, status="active")
    assert "entry fee" not in exc.value.message and "0 of the 2" in exc.value.message
    assert_still_pending(member)
    shares_purchase(actor=staff["teller"], member=member, shares=2, idempotency_key=key())
    assert services.activation_problem(member) is None
    member.refresh_from_db()
    if member.status == "pending":  # the counter did not make her active: the officer can
        services.member_status_change(actor=staff["officer"], member=member, status="active")
    member.refresh_from_db()
    assert member.status == "active"


def test_no_member_shares_in_the_settings(staff, register):
    """Without a share product in use there is neither fee nor shares to pay: she is
    activated by the officer or the teller."""
    member = register()
    assert services.activation_problem(member) is None
    services.member_status_change(actor=staff["teller"], member=member, status="active")
    member.refresh_from_db()
    assert member.status == "active"


def test_other_moves_are_not_checked(staff, register, share_product):
    """Leaving while pending, or coming back from inactive, asks for no payment."""
    member = register()
    services.member_status_change(
        actor=staff["officer"], member=member, status="exited", reason="Elle renonce"
    )
    member.refresh_from_db()
    assert member.status == "exited"


def test_checks_registered_by_other_apps(staff, register):
    def no_photo(member):
        return "Pas de photo." if not member.photo else None

    member = register()
    services.register_activation_check(no_photo)
    try:
        with pytest.raises(ValidationFailed) as exc:
            services.member_status_change(actor=staff["officer"], member=member, status="active")
        assert exc.value.message == "Pas de photo."
    finally:
        services.unregister_activation_check(no_photo)
    assert_still_pending(member)


# --- the member page -------------------------------------------------------------------


def test_the_page_offers_no_activation_before_payment(staff, register, share_product):
    member = register(first_name="Furaha", last_name="M'Bisimwa")
    for role in ("officer", "teller"):
        page = client_for(staff[role]).get(f"/members/{member.pk}/").content.decode()
        assert 'id="activation-refused"' in page
        assert "her entry fee ($5.00) is not paid" in page.replace("&#x27;", "'")
        assert 'data-status="active"' not in page
    page = client_for(staff["officer"]).get(f"/members/{member.pk}/").content.decode()
    assert 'data-status="exited"' in page  # the officer may still record that she leaves
    page = client_for(staff["officer"], "fr").get(f"/members/{member.pk}/").content.decode()
    assert "ne peut pas encore devenir membre active" in page


def test_a_forged_activation_on_the_page_is_refused(staff, register, share_product):
    member = register(first_name="Furaha", last_name="M'Bisimwa")
    for language, text in (
        ("en", "cannot be made active yet"),
        ("fr", "ne peut pas encore devenir membre active"),
    ):
        response = client_for(staff["teller"], language).post(
            f"/members/{member.pk}/status/", {"status": "active"}, follow=True
        )
        assert response.status_code == 200
        assert text in response.content.decode()
    assert_still_pending(member)


def test_the_page_activates_her_once_she_has_paid(staff, register, free_entry, till):
    from mupaka.shares.services import shares_purchase

    member = register()
    shares_purchase(actor=staff["teller"], member=member, shares=2, idempotency_key=key())
    member.refresh_from_db()
    if member.status == "pending":
        page = client_for(staff["officer"]).get(f"/members/{member.pk}/").content.decode()
        assert 'data-status="active"' in page and 'id="activation-refused"' not in page
        client_for(staff["officer"]).post(f"/members/{member.pk}/status/", {"status": "active"})
    member.refresh_from_db()
    assert member.status == "active"


def test_page_with_no_share_product_keeps_the_button(staff, register):
    member = register()
    page = client_for(staff["teller"]).get(f"/members/{member.pk}/").content.decode()
    assert 'data-status="active"' in page and 'id="activation-refused"' not in page


# --- the API ---------------------------------------------------------------------------


def test_the_api_refuses_the_activation_and_changes_nothing(
    staff, register, share_product, api_client_for
):
    member = register(first_name="Furaha", last_name="M'Bisimwa", town="Bukavu")
    client = api_client_for(staff["officer"])
    response = client.patch(
        f"/api/v1/members/{member.pk}",
        {"status": "active", "town": "Uvira", "consent_sms": True},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "joining_not_paid"
    assert list(body["errors"]) == ["status"]
    assert body["detail"].startswith("Furaha M'Bisimwa cannot be made active yet")
    # all or nothing: neither the town nor the consent was saved
    member.refresh_from_db()
    assert (member.status, member.town, member.consent_sms) == ("pending", "Bukavu", False)
    rows = AuditLog.objects.filter(object_type="members.member", object_id=str(member.pk))
    assert list(rows.values_list("action", flat=True)) == ["member.create"]
    response = api_client_for(staff["teller"]).patch(
        f"/api/v1/members/{member.pk}", {"status": "active"}, format="json"
    )
    assert response.status_code == 400
    assert "droit d’adhésion" in response.json()["detail"]
    assert_still_pending(member)


def test_the_api_shows_her_active_after_the_counter(
    staff, register, share_product, till, api_client_for
):
    member = register()
    client = api_client_for(staff["teller"])
    response = client.post(
        f"/api/v1/members/{member.pk}/shares",
        {"shares": 2},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key(),
    )
    assert response.status_code == 201, response.json()
    assert response.json()["member_activated"] is True
    assert client.get(f"/api/v1/members/{member.pk}").json()["status"] == "active"
    assert Member.objects.get(pk=member.pk).status == "active"
