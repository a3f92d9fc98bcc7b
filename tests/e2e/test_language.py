"""The language switcher in the page header."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_switch_to_french_and_back(site):
    page = site.page
    site.goto("/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_label("Language").select_option(label="français")
    page.get_by_role("button", name="Change language").click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert site.path() == "/login/"  # the same page, in the new language
    site.check("identify (fr)")

    # The choice sticks for the next pages.
    site.goto("/register/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    site.check("register (fr)")

    page.locator("#language-switch").select_option("en")
    page.locator(".lang-form button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "en")
