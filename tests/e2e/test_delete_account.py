"""Delete my account, as its owner does it: read what happens, confirm with the password; the account is
gone, the owner is told by e-mail, and the address cannot sign in any more."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .flows import PASSWORD, create_account, heading, sign_in

pytestmark = pytest.mark.e2e


def test_delete_my_account(site):
    email = create_account(site)
    page = site.page
    page.get_by_role("link", name="Delete my account").click()
    expect(heading(page, "Delete my account")).to_be_visible()
    expect(page.get_by_text("You can create a new account later, but it starts empty.")).to_be_visible()
    site.check("delete my account")

    # Not ticked, wrong password: nothing happens, the mistakes are named.
    page.get_by_label("Current password").fill("Not-My-Password-9")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("alert")).to_contain_text("Tick the box")
    expect(page.locator("#id_confirm")).to_be_focused()  # set by limen.js once the page has loaded
    page.get_by_label("I understand that my account").check()
    page.get_by_label("Current password").fill("Not-My-Password-9")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("alert")).to_contain_text("The current password is not correct.")
    expect(page.locator("#id_password")).to_be_focused()
    site.check("delete my account, wrong password")

    page.get_by_label("I understand that my account").check()
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(heading(page, "Your account is deleted")).to_be_visible()
    expect(page.get_by_text(email)).to_be_visible()
    expect(page.get_by_role("banner").get_by_role("button", name="Sign out")).to_have_count(0)
    site.check("account deleted")

    mail = site.mailbox.wait_for(email, subject="was deleted")
    assert "was deleted on" in mail.body and "Every session ended" in mail.body

    sign_in(site, email, PASSWORD, check=False, expect_success=False)
    expect(page.get_by_text("The e-mail address or the password is not correct.").first).to_be_visible()
