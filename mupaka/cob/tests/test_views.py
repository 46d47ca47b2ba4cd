"""Pages: the manager's end-of-day button and its progress, holidays, provisioning bands;
each for a role allowed and a role refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from mupaka.cob.models import CobJob, Holiday, ProvisionBand
from mupaka.cob.services import runner
from mupaka.core.models import Institution


def client_for(user, language="en") -> Client:
    c = Client()
    c.force_login(user)
    c.cookies["mupaka_language"] = language
    return c


@pytest.mark.parametrize(
    "url_name, allowed, refused",
    [
        ("cob:home", "manager", "teller"),
        ("cob:home", "auditor", "officer"),
        ("cob:holidays", "accountant", "committee"),
        ("cob:bands", "accountant", "coordinator"),
    ],
)
def test_pages_allow_and_refuse(bands, staff, url_name, allowed, refused):
    assert client_for(staff[allowed]).get(reverse(url_name)).status_code == 200
    assert client_for(staff[refused]).get(reverse(url_name)).status_code == 403


def test_the_button_runs_end_of_day_and_shows_progress(hand_made, staff, monkeypatch):
    monkeypatch.setattr(runner, "INLINE", True)
    c = client_for(staff["manager"])
    page = c.get(reverse("cob:home"))
    assert b"Close 02/11/2026" in page.content
    response = c.post(reverse("cob:home"), {"idempotency_key": "k1", "until": ""})
    job = CobJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("cob:job", args=[job.pk])
    progress = c.get(reverse("cob:job_progress", args=[job.pk]))
    assert b"100 %" in progress.content and b"hx-trigger" not in progress.content
    assert b"2026-11-03" in progress.content
    # a double click (same form key) does not start a second job
    c.post(reverse("cob:home"), {"idempotency_key": "k1", "until": ""})
    assert CobJob.objects.count() == 1
    assert Institution.objects.get().business_date == dt.date(2026, 11, 3)
    assert b"02/11/2026" in c.get(reverse("cob:home")).content


def test_a_running_job_is_polled(bands, staff):
    job = CobJob.objects.create(
        from_date=dt.date(2026, 11, 2), until_date=dt.date(2026, 11, 2), status="running",
        steps_total=10, steps_done=4, dates_total=1, current_step="loan_penalties",
        current_date=dt.date(2026, 11, 2),
    )  # fmt: skip
    page = client_for(staff["manager"]).get(reverse("cob:job", args=[job.pk]))
    assert b'hx-trigger="every 1s"' in page.content and b"40 %" in page.content
    assert b"Late penalties" in page.content


def test_the_button_refuses_a_bad_date_on_the_form(bands, staff):
    c = client_for(staff["manager"])
    response = c.post(reverse("cob:home"), {"idempotency_key": "k2", "until": "2026-10-01"})
    assert response.status_code == 200 and b"on or after the business date" in response.content
    assert not CobJob.objects.exists()


def test_roles_that_only_read_have_no_button(bands, staff):
    page = client_for(staff["auditor"]).get(reverse("cob:home"))
    assert b'id="cob-form"' not in page.content
    assert client_for(staff["auditor"]).post(reverse("cob:home"), {}).status_code == 403


def test_manager_adds_and_removes_a_holiday(bands, staff):
    c = client_for(staff["manager"])
    c.post(reverse("cob:holidays"), {"date": "2026-11-10", "name": "Fête"})
    holiday = Holiday.objects.get()
    assert holiday.name == "Fête"
    response = c.post(reverse("cob:holidays"), {"date": "2026-11-01", "name": "Passé"})
    assert b"after the business date" in response.content and Holiday.objects.count() == 1
    c.post(reverse("cob:holiday_delete", args=[holiday.pk]))
    assert not Holiday.objects.exists()
    assert (
        client_for(staff["accountant"])
        .post(reverse("cob:holidays"), {"date": "2026-11-10", "name": "X"})
        .status_code
        == 403
    )


def _formset(rows):
    data = {
        "band-TOTAL_FORMS": str(len(rows)),
        "band-INITIAL_FORMS": "0",
        "band-MIN_NUM_FORMS": "0",
        "band-MAX_NUM_FORMS": "1000",
        "action": "save",
    }
    for i, (restructured, lo, hi, rate) in enumerate(rows):
        data[f"band-{i}-min_days"] = str(lo)
        data[f"band-{i}-max_days"] = "" if hi is None else str(hi)
        data[f"band-{i}-rate"] = rate
        data[f"band-{i}-category"] = "c"
        if restructured:
            data[f"band-{i}-restructured"] = "on"
    return data


def test_accountant_edits_the_bands_and_overlaps_are_refused(bands, staff):
    c = client_for(staff["accountant"])
    before = list(ProvisionBand.objects.values_list("min_days", "rate_ppm"))
    response = c.post(
        reverse("cob:bands"),
        _formset([(False, 0, 30, "0"), (False, 20, None, "50"), (True, 0, None, "100")]),
    )
    assert response.status_code == 200 and b"overlaps" in response.content
    assert list(ProvisionBand.objects.values_list("min_days", "rate_ppm")) == before
    response = c.post(
        reverse("cob:bands"),
        _formset([(False, 0, 30, "1"), (False, 31, None, "12.5"), (True, 0, None, "100")]),
    )
    assert response.status_code == 302
    assert list(ProvisionBand.objects.values_list("restructured", "min_days", "rate_ppm")) == [
        (False, 0, 10_000),
        (False, 31, 125_000),
        (True, 0, 1_000_000),
    ]
    assert b"12.5 %" in c.get(reverse("cob:bands")).content
    c.post(reverse("cob:bands"), {**_formset([]), "action": "load_preset"})
    assert ProvisionBand.objects.count() == 11
    assert (
        client_for(staff["manager"])
        .post(reverse("cob:bands"), _formset([(False, 0, None, "1")]))
        .status_code
        == 403
    )


def test_pages_in_french(bands, staff):
    page = client_for(staff["manager"], "fr").get(reverse("cob:home"))
    assert "Fin de journée".encode() in page.content
