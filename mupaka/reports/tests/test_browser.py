"""The manager reads PAR30 by branch on the dashboard, in a real Chromium, then on a
phone-sized screen, and drills down to the portfolio page by branch."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_reads_par30_by_branch_on_the_dashboard(page, login, make_user, portfolio):
    make_user("manager", username="directrice", all_branches=True)
    login("directrice")
    page.goto("/reports/dashboard/")
    assert page.locator("html").get_attribute("lang") == "fr"
    rows = page.locator("#par30-by-branch tbody tr")
    assert rows.count() == 2
    text = page.text_content("#par30-by-branch")
    # BKV: 1,150.00 at risk of 2,650.00; GOM: every loan more than 30 days late
    assert re.search(r"BKV · Bukavu\s*43,40\s*%", text)
    assert re.search(r"GOM · Goma\s*100,00\s*%", text)
    # charts are inline SVG: nothing fetched from outside
    assert page.locator("#chart-par30_branch svg rect").count() == 2
    assert page.locator("#chart-glp svg").count() == 1

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.reload()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    box = page.locator("#chart-par30_branch svg").bounding_box()
    assert box["width"] <= 390

    page.goto("/reports/portfolio/?by=branch")
    assert "PAR30" in page.text_content("main")
    assert page.locator("section.report-table").count() == 3
