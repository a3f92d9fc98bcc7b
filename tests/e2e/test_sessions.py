"""Where am I signed in? Signing out the other sessions from My Account, as a person does it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP
from .flows import PASSWORD, create_account, heading

pytestmark = pytest.mark.e2e


def sign_in_elsewhere(browser, site, email: str):
    """Another browser (its own cookies), signed in; returns (context, page)."""
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    page.goto(site.url + "/login/")
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(heading(page, "My Account")).to_be_visible()
    return context, page


def test_sign_out_my_other_sessions(site, browser):
    email = create_account(site)
    page = site.page
    laptop, laptop_page = sign_in_elsewhere(browser, site, email)
    tablet, tablet_page = sign_in_elsewhere(browser, site, email)
    try:
        page.get_by_role("link", name="My recent activity").click()
        expect(heading(page, "My recent activity")).to_be_visible()
        sessions = page.get_by_role("table", name="Where you are signed in")
        expect(sessions.get_by_role("row")).to_have_count(4)  # the header and three sessions
        expect(sessions.get_by_text("this browser", exact=True)).to_have_count(1)
        site.check("activity with three sessions")

        # One of them by itself.
        sessions.get_by_role("button", name="Sign out").first.click()
        expect(page.get_by_text("That session is signed out.")).to_be_visible()
        expect(sessions.get_by_role("row")).to_have_count(3)
        site.check("activity, one session signed out")

        page.get_by_role("button", name="Sign out my other sessions").click()
        expect(page.get_by_text("You are signed out of 1 other session.")).to_be_visible()
        expect(sessions.get_by_role("row")).to_have_count(2)
        expect(page.get_by_role("button", name="Sign out my other sessions")).to_have_count(0)
        expect(page.get_by_role("cell", name="Every other session signed out from My Account")).to_be_visible()
        site.check("activity, other sessions signed out")

        for elsewhere in (laptop_page, tablet_page):
            elsewhere.goto(site.url + "/account/")
            expect(heading(elsewhere, "Sign in to continue")).to_be_visible()
        page.goto(site.url + "/account/")
        expect(heading(page, "My Account")).to_be_visible()
    finally:
        laptop.close()
        tablet.close()
