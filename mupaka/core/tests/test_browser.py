"""Core pages in a real Chromium: log in, switch language, be refused a page."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_switch_language_and_refusal(page, login, staff):
    login("teller")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("button", name="Déconnexion").is_visible()

    page.click("button[data-lang=en]")
    page.wait_for_selector("html[lang=en]")
    assert page.get_by_role("button", name="Log out").is_visible()

    page.goto("/admin/staff/")
    assert "Access refused" in page.text_content("h1")
    assert "Administrator" in page.text_content("#refusal")

    page.click("button[data-lang=fr]")
    page.wait_for_selector("html[lang=fr]")
    page.get_by_role("button", name="Déconnexion").click()
    page.wait_for_url("**/login/")


def test_wrong_password_shows_message(page, staff):
    page.goto("/login/")
    page.fill("input[name=username]", "teller")
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit].primary")
    assert "incorrect" in page.text_content(".error")
