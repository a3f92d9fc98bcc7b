"""Form pages open with the focus in the field where a person starts; other pages leave it alone.

Before, every step of signing in took four or five Tabs (past the header's links and language switch)
before the first keystroke reached a field.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .flows import PASSWORD, create_account, heading, new_address, sign_out

pytestmark = pytest.mark.e2e


def focused(page) -> str:
    """The id of the element with the focus ('BODY' when nothing has it)."""
    return page.evaluate("() => document.activeElement.id || document.activeElement.tagName")


def test_signing_in_needs_no_tab(site):
    email = create_account(site)
    sign_out(site, check=False)
    page = site.page
    site.goto("/login/")
    expect(page.locator("#id_email")).to_be_focused()
    page.keyboard.type(email)
    page.keyboard.press("Enter")
    expect(heading(page, "Welcome back")).to_be_visible()
    expect(page.locator("#id_password")).to_be_focused()
    page.keyboard.type("Not-The-Password-1")
    page.keyboard.press("Enter")
    expect(page.locator("#id_password_error")).to_be_visible()
    expect(page.locator("#id_password")).to_be_focused()  # the field with the error
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(heading(page, "My Account")).to_be_visible()
    assert focused(page) == "BODY"  # not a form: nothing taken


def test_the_first_field_or_the_first_field_with_an_error(site):
    page = site.page
    site.goto("/register/")
    expect(page.locator("#id_first_name")).to_be_focused()
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Lovelace")
    page.get_by_role("button", name="Create an account").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("#id_email")).to_be_focused()  # the first field the person has to correct
    site.goto("/password/lost/")
    expect(page.locator("#id_email")).to_be_focused()
    site.goto("/privacy/")
    assert focused(page) == "BODY"


def test_account_forms_and_pages(site):
    email = create_account(site, new_address("focus"))
    page = site.page
    for path, field in [("/account/details/", "id_first_name"), ("/account/password/", "id_current_password"),
                        ("/account/email/", "id_new_email"),
                        ("/account/preferences/", "id_require_second_factor")]:
        site.goto(path)
        assert focused(page) == field, path
    for path in ("/account/", "/account/activity/", "/logout/"):
        site.goto(path)
        assert focused(page) == "BODY", path
    # A link to a part of a page goes there, not to a field.
    site.goto("/account/details/#main")
    assert focused(page) != "id_first_name"
    site.goto("/account/email/")
    page.get_by_label("New e-mail address", exact=True).fill(email)
    page.get_by_label("Confirm new e-mail address").fill(email)
    page.get_by_label("Current password").fill("Wrong-Password-77")
    page.get_by_role("button", name="Send the confirmation link").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("#id_password")).to_be_focused()
