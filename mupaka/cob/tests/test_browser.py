"""In Chromium: the manager presses the end-of-day button and lands on the progress page;
the progress page polls (htmx) until the job is done.

(The live server's test database is SQLite in memory with a shared cache, where a write
waiting for another connection's transaction fails at once instead of waiting as it does
on a file: so the button's job runs in the request here, and the polling is shown by
moving a job's progress from the test.)"""

import datetime as dt
import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_closes_the_day_from_the_button(page, login, hand_made, staff, monkeypatch):
    from playwright.sync_api import expect

    from mupaka.cob.services import runner
    from mupaka.core.models import Institution

    monkeypatch.setattr(runner, "INLINE", True)
    login("manager")
    page.goto("/cob/")
    page.locator("#cob-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/cob/jobs/"))
    expect(page.locator("#cob-status")).to_have_text(re.compile("Done|Terminée"))
    expect(page.locator("#cob-progress")).to_contain_text("2026-11-03")
    assert Institution.objects.get().business_date.isoformat() == "2026-11-03"
    page.goto("/cob/")
    expect(page.locator("#runs")).to_contain_text("02/11/2026")


def test_the_progress_page_follows_the_job(page, login, bands, staff):
    from playwright.sync_api import expect

    from mupaka.cob.models import CobJob

    day = dt.date(2026, 11, 2)
    job = CobJob.objects.create(
        from_date=day, until_date=day, status="running", steps_total=10, steps_done=4,
        dates_total=1, current_step="loan_penalties", current_date=day,
    )  # fmt: skip
    login("manager")
    page.goto(f"/cob/jobs/{job.pk}/")
    expect(page.locator("#cob-progress")).to_contain_text("40 %")
    CobJob.objects.filter(pk=job.pk).update(steps_done=7, current_step="loan_provisions")
    expect(page.locator("#cob-progress")).to_contain_text("70 %", timeout=10_000)
    CobJob.objects.filter(pk=job.pk).update(
        status="done", steps_done=10, dates_done=1, business_date=dt.date(2026, 11, 3)
    )
    expect(page.locator("#cob-status")).to_have_text(re.compile("Done|Terminée"), timeout=10_000)
    expect(page.locator("#cob-progress")).to_contain_text("2026-11-03")
