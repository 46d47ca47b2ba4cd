"""JSON API: run end of day (a job), follow it, read the business date; roles and
validation errors field by field."""

from __future__ import annotations

import datetime as dt
import time
import uuid

import pytest

from mupaka.cob.models import CobJob, CobRun
from mupaka.cob.services import runner
from mupaka.cob.services.runner import lock_acquire, steps
from mupaka.core.models import Institution


@pytest.fixture
def inline_jobs(monkeypatch):
    monkeypatch.setattr(runner, "INLINE", True)


def _post(client, body=None, key=None):
    return client.post(
        "/api/v1/cob", body or {}, format="json", HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4())
    )


@pytest.mark.parametrize("role", ["manager", "accountant", "admin"])
def test_allowed_roles_run_end_of_day(role, hand_made, staff, api_client_for, inline_jobs):
    response = _post(api_client_for(staff[role]))
    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["status"] == "done" and body["percent"] == 100
    assert body["from_date"] == "2026-11-02" and body["business_date"] == "2026-11-03"
    assert body["steps_done"] == body["steps_total"] == len(steps())
    follow = api_client_for(staff["auditor"]).get(f"/api/v1/cob/{body['job']}")
    assert follow.status_code == 200 and follow.json()["status"] == "done"


@pytest.mark.parametrize("role", ["teller", "officer", "committee", "auditor", "coordinator"])
def test_other_roles_are_refused(role, bands, staff, api_client_for, inline_jobs):
    response = _post(api_client_for(staff[role]))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not CobJob.objects.exists() and not CobRun.objects.exists()


def test_catch_up_until_a_date(hand_made, staff, api_client_for, inline_jobs):
    body = _post(api_client_for(staff["manager"]), {"until": "2026-11-04"}).json()
    assert body["dates_total"] == body["dates_done"] == 3
    assert Institution.objects.get().business_date == dt.date(2026, 11, 5)


def test_validation_errors_by_field(bands, staff, api_client_for, inline_jobs):
    client = api_client_for(staff["manager"])
    response = _post(client, {"until": "2026-11-01"})
    assert response.status_code == 400
    assert response.json()["code"] == "bad_until" and "until" in response.json()["errors"]
    response = _post(client, {"until": "not-a-date"})
    assert response.status_code == 400 and "until" in response.json()["errors"]
    response = _post(client, {"date": "2026-11-02"})
    assert response.status_code == 400 and "date" in response.json()["errors"]
    response = client.post("/api/v1/cob", {}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["Idempotency-Key"]
    assert not CobJob.objects.exists()


def test_a_second_run_is_refused_with_409(bands, staff, api_client_for, inline_jobs):
    lock_acquire(dt.date(2026, 11, 2))
    response = _post(api_client_for(staff["manager"]))
    assert response.status_code == 409 and response.json()["code"] == "cob_running"
    assert not CobJob.objects.exists()


def test_the_same_key_returns_the_same_job(hand_made, staff, api_client_for, inline_jobs):
    client = api_client_for(staff["manager"])
    first = _post(client, key="same-key").json()
    second = _post(client, key="same-key").json()
    assert first["job"] == second["job"] and CobJob.objects.count() == 1
    assert CobRun.objects.count() == 1


def test_unknown_job_is_404(bands, staff, api_client_for):
    response = api_client_for(staff["manager"]).get(f"/api/v1/cob/{uuid.uuid4()}")
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["teller", "officer", "auditor", "coordinator", "manager"])
def test_everyone_reads_the_business_date(role, bands, staff, api_client_for):
    body = api_client_for(staff[role]).get("/api/v1/business-date").json()
    assert body == {
        "business_date": "2026-11-02",
        "next_date": "2026-11-03",
        "closing": False,
        "last_closed": None,
    }


def test_business_date_needs_a_login(bands, client):
    assert client.get("/api/v1/business-date").status_code in (401, 403)


def test_the_job_runs_in_a_background_thread(committing_db, hand_made, staff, api_client_for):
    client = api_client_for(staff["manager"])
    body = _post(client).json()
    assert body["status"] in ("queued", "running", "done")
    deadline = time.monotonic() + 60
    while body["status"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.2)
        body = client.get(f"/api/v1/cob/{body['job']}").json()
    assert body["status"] == "done", body
    assert client.get("/api/v1/business-date").json()["business_date"] == "2026-11-03"
