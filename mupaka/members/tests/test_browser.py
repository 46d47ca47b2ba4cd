"""In Chromium: the officer registers a trader with her profile, is warned that her
sister uses the same phone, goes on with a reason, finds her by phone from the
search box; the auditor then sees the registration in the audit log."""

import datetime as dt

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_register_duplicate_phone_search_and_audit(page, login, staff, branch):
    from playwright.sync_api import expect

    from mupaka.members.models import Member
    from mupaka.members.services import member_register

    sister = member_register(
        actor=staff["officer"],
        branch=branch,
        first_name="Neema",
        last_name="M'Bisimwa",
        sex="F",
        birth_date=dt.date(1996, 9, 2),
        phone="+243970000001",
    )

    login("officer")
    page.goto("/members/")
    page.click("#new-member")
    page.fill("#id_first_name", "Furaha")
    page.fill("#id_last_name", "M'Bisimwa")
    page.select_option("#id_sex", "F")
    page.fill("#id_birth_date", "1992-04-18")
    page.fill("#id_phone", "+243 97 000 0001")
    page.select_option("#id_language", "sw")
    page.select_option("#id_id_type", "voter_card")
    page.fill("#id_id_number", "SK-0412-7731")
    page.fill("#id_town", "Bukavu")
    page.check("#id_trader-is_trader")
    page.get_by_label("Ruzizi I / Rusizi I").check()
    page.fill("#id_trader-goods_traded", "tomates, farine de manioc")
    page.fill("#id_trader-crossings_per_week", "18")
    page.check("input[name='trader-currencies'][value='USD']")
    page.check("input[name='trader-currencies'][value='RWF']")
    page.fill("#id_trader-daily_turnover", "60")
    page.select_option("#id_trader-daily_turnover_currency", "USD")
    page.click("#save-member")

    warning = page.locator("#duplicate-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text(sister.number)
    assert Member.objects.count() == 1

    page.fill("#id_duplicate_reason", "Sa sœur, elles partagent le même téléphone")
    page.click("#save-member")
    expect(page.locator("#member-number")).to_have_text("BKV-000002")
    furaha = Member.objects.get(first_name="Furaha")
    assert furaha.trader_profile.daily_turnover_minor == 6000
    assert furaha.duplicate_reason.startswith("Sa sœur")

    page.goto("/members/")
    page.fill("#member-search", "0970000001")
    results = page.locator("#member-results")
    expect(results).to_contain_text("BKV-000002")
    expect(results).to_contain_text(sister.number)
    page.fill("#member-search", "furaha bisim")
    expect(results).not_to_contain_text(sister.number)
    expect(results).to_contain_text("BKV-000002")
    results.get_by_text("BKV-000002").click()
    expect(page.locator("#member-phone")).to_have_text("+243 970 000 001")

    page.context.clear_cookies()
    login("auditor")
    page.goto(f"/admin/audit/?object_type=members.member&object_id={furaha.pk}")
    table = page.locator("#audit-table")
    expect(table).to_contain_text("member.create")
    expect(table).to_contain_text("BKV-000002 · Furaha M'Bisimwa")
    expect(table).to_contain_text("Sa sœur, elles partagent le même téléphone")


def test_teller_refused_border_posts_page(page, login, staff):
    from playwright.sync_api import expect

    login("teller")
    page.goto("/members/border-posts/")
    expect(page.locator("#refusal")).to_contain_text("Administrat")
