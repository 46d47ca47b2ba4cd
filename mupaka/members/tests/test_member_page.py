"""The member page's contact and identity document cards: only what is known is shown."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def client_for(user, language="en"):
    client = Client()
    client.force_login(user)
    client.cookies["mupaka_language"] = language
    return client


def address_on_page(page: str) -> str:
    return re.search(r'<dd id="member-address">(.*?)</dd>', page).group(1)


@pytest.mark.parametrize(
    ("quarter", "town", "province", "shown"),
    [
        ("Nyawera", "Bukavu", "Sud-Kivu", "Nyawera, Bukavu, Sud-Kivu"),
        ("", "Bukavu", "", "Bukavu"),
        ("", "Bukavu", "Sud-Kivu", "Bukavu, Sud-Kivu"),
        ("Nyawera", "", "Sud-Kivu", "Nyawera, Sud-Kivu"),
        ("Nyawera", "Bukavu", "", "Nyawera, Bukavu"),
        ("", "", "", "—"),
    ],
)
def test_address_joins_only_the_parts_she_gave(staff, register, quarter, town, province, shown):
    member = register(quarter=quarter, town=town, province=province)
    assert member.address == ("" if shown == "—" else shown)
    page = client_for(staff["teller"]).get(f"/members/{member.pk}/").content.decode()
    assert address_on_page(page) == shown


def test_blank_parts_are_left_out(staff, register):
    member = register(town="Uvira")
    member.province = "   "  # an old row written before the service trimmed the fields
    assert member.address == "Uvira"


def test_identity_document_with_its_number(staff, register):
    member = register(id_type="voter_card", id_number="sk 123 456")
    page = client_for(staff["teller"]).get(f"/members/{member.pk}/").content.decode()
    assert '<dd id="member-id-type">Voter card</dd>' in page
    assert f'<dd id="member-id-number">{member.id_number}</dd>' in page
    assert "Document number" in page
    assert 'id="no-id-document"' not in page
    page = client_for(staff["teller"], "fr").get(f"/members/{member.pk}/").content.decode()
    assert '<dd id="member-id-type">Carte d’électeur</dd>' in page
    assert "Numéro de la pièce" in page


def test_no_identity_document_prints_no_type_nor_number(staff, register):
    member = register()  # registered without a document
    assert member.id_type == "none" and member.id_number == ""
    for language, note in (
        ("en", "No identity document recorded."),
        ("fr", "Aucune pièce d’identité enregistrée."),
    ):
        page = client_for(staff["teller"], language).get(f"/members/{member.pk}/").content.decode()
        assert note in page
        assert 'id="member-id-type"' not in page and 'id="member-id-number"' not in page
        assert 'id="kyc-tier">0' in page  # tier 0 still says why


def test_a_document_type_without_its_number(staff, register):
    """A type recorded without a number (rows older than the rule): the type alone."""
    from mupaka.members.models import Member

    member = register(id_type="passport", id_number="OP123456")
    Member.objects.filter(pk=member.pk).update(id_number="")
    page = client_for(staff["teller"]).get(f"/members/{member.pk}/").content.decode()
    assert '<dd id="member-id-type">Passport</dd>' in page
    assert 'id="member-id-number"' not in page and 'id="no-id-document"' not in page
