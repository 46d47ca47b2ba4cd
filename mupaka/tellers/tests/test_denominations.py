"""The denomination tables are data: the manager (or the administrator) adds a note,
withdraws one and puts it back, each change audited; a till's count accepts the ones in
use only."""

from __future__ import annotations

import pytest
from django.test import Client

from mupaka.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from mupaka.core.models import AuditLog
from mupaka.tellers.models import Denomination
from mupaka.tellers.services import denomination_add, denomination_set_active, till_close


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    c.cookies["mupaka_language"] = "en"
    return c


def test_page_for_the_manager_and_the_admin_not_the_teller(chart, staff):
    for role in ("manager", "admin"):
        page = client_for(staff[role]).get("/tellers/denominations/")
        assert page.status_code == 200 and 'id="denominations-CDF"' in page.content.decode()
    assert client_for(staff["teller"]).get("/tellers/denominations/").status_code == 403
    assert client_for(staff["auditor"]).get("/tellers/denominations/").status_code == 403
    r = client_for(staff["teller"]).post(
        "/tellers/denominations/", {"currency": "CDF", "face_value": "2000", "kind": "note"}
    )
    assert r.status_code == 403 and not Denomination.objects.filter(value_minor=200_000).exists()


def test_manager_adds_a_note_through_the_page(chart, staff):
    c = client_for(staff["manager"])
    r = c.post(
        "/tellers/denominations/",
        {"currency": "CDF", "face_value": "2000", "kind": "note", "note": "Nouveau billet"},
    )
    assert r.status_code == 302
    added = Denomination.objects.get(currency="CDF", value_minor=200_000)
    assert added.is_active and added.note == "Nouveau billet"
    log = AuditLog.objects.get(action="denomination.add")
    assert log.actor == staff["manager"] and log.after["value_minor"] == 200_000
    # the same note again: refused on the form, nothing written
    again = c.post(
        "/tellers/denominations/", {"currency": "CDF", "face_value": "2000", "kind": "note"}
    )
    assert again.status_code == 400 and "already in the table" in again.content.decode()
    assert Denomination.objects.filter(currency="CDF", value_minor=200_000).count() == 1


def test_bad_face_values_are_refused(chart, staff):
    manager = staff["manager"]
    with pytest.raises(ValidationFailed) as exc:
        denomination_add(actor=manager, currency="RWF", face_value="0.5", kind="coin")
    assert exc.value.errors == {"face_value": ["RWF amounts have at most 0 decimals."]}
    with pytest.raises(ValidationFailed) as exc:
        denomination_add(actor=manager, currency="EUR", face_value="5", kind="note")
    assert "currency" in exc.value.errors
    with pytest.raises(PermissionDenied):
        denomination_add(actor=staff["teller"], currency="USD", face_value="200", kind="note")


def test_withdrawn_note_is_refused_in_a_count_then_back(open_till, staff):
    manager, teller = staff["manager"], staff["teller"]
    note = Denomination.objects.get(currency="RWF", value_minor=500)
    c = client_for(manager)
    r = c.post(
        f"/tellers/denominations/{note.pk}/status/", {"active": "0", "reason": "Retiré par la BNR"}
    )
    assert r.status_code == 302
    note.refresh_from_db()
    assert not note.is_active
    log = AuditLog.objects.get(action="denomination.deactivate")
    assert log.reason == "Retiré par la BNR" and log.after == {"is_active": False}
    # the teller's count form no longer lists it, and a count with it is refused
    form = client_for(teller).get("/tellers/counter/count/").content.decode()
    assert 'name="n_RWF_500"' not in form and 'name="n_RWF_1000"' in form
    with pytest.raises(ValidationFailed) as exc:
        till_close(actor=teller, till=open_till, counts={"RWF": {"500": 400}})
    assert exc.value.code == "invalid_count"
    # back in use
    denomination_set_active(actor=staff["admin"], denomination=note, active=True, reason="Erreur")
    form = client_for(teller).get("/tellers/counter/count/").content.decode()
    assert 'name="n_RWF_500"' in form


def test_the_last_note_in_use_is_not_withdrawn(chart, staff):
    manager = staff["manager"]
    notes = list(Denomination.objects.filter(currency="BIF", is_active=True))
    for d in notes[:-1]:
        denomination_set_active(actor=manager, denomination=d, active=False, reason="Essai")
    with pytest.raises(ValidationFailed) as exc:
        denomination_set_active(actor=manager, denomination=notes[-1], active=False, reason="Essai")
    assert exc.value.code == "last_denomination"
    with pytest.raises(ValidationFailed) as exc:
        denomination_set_active(actor=manager, denomination=notes[0], active=False, reason="Encore")
    assert exc.value.code == "unchanged"


def test_a_withdrawn_note_added_again_says_so(chart, staff):
    note = Denomination.objects.get(currency="USD", value_minor=200)
    denomination_set_active(actor=staff["manager"], denomination=note, active=False, reason="Rare")
    with pytest.raises(Conflict) as exc:
        denomination_add(actor=staff["manager"], currency="USD", face_value="2", kind="note")
    assert "put it back in use" in exc.value.message
