"""PIN push end to end through the demo portal, with the web app as the phone: the Europass-like portal
requires MEDIUM, the person steps up with *Mobile app PIN code*, the app (open, at phone size) shows the
portal's name and approves, and the portal's ticket validation reports PASSWORD_MOBILE_APP at MEDIUM."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import _Browser
from .flows import heading
from .phone import Phone, PhoneBrowser, screenshots_dir
from .test_mobile_cas_step_up import MobileDemo, password_only, sign_out_of_limen
from .test_webapp import PIN


@pytest.fixture(scope="module")
def webapp_demo(tmp_path_factory):
    demo = MobileDemo(tmp_path_factory.mktemp("webapp-demo"))
    yield demo
    demo.stop()


def test_the_portal_steps_up_with_the_web_app(request, webapp_demo, page):
    demo = webapp_demo
    _Browser.get()
    phones = PhoneBrowser(_Browser.playwright)
    phone = Phone(phones, demo.limen_url, screenshots_dir(request))
    app = phone.page
    try:
        page.goto(demo.limen_url + "/account/")
        password_only(page, demo)
        page.get_by_role("link", name="Manage my mobile devices").click()
        page.get_by_role("link", name="Add a mobile device").click()
        page.get_by_label("Your device name").fill("Dana's phone")
        page.get_by_label("Your 4-digit PIN code").fill(PIN)
        page.get_by_label("Confirm your PIN code").fill(PIN)
        page.get_by_role("button", name="Submit").click()
        phone.open()
        phone.add_account_by_paste(page.locator("#enrol-payload").input_value(), PIN)
        expect(phone.heading("Your account is ready")).to_be_visible()
        app.get_by_role("button", name="Continue").click()
        expect(page.get_by_text("Your mobile device “Dana's phone” has been added.")).to_be_visible(timeout=10_000)
        sign_out_of_limen(page, demo)
        demo.require("MEDIUM")

        page.goto(demo.portal_url + "/")
        page.get_by_role("link", name="Sign in with Limen").click()
        password_only(page, demo)
        expect(heading(page, "Extra verification needed")).to_be_visible()
        page.get_by_label("Mobile app PIN code").check()
        page.get_by_role("button", name="Continue").click()
        number = page.locator(".match-number").text_content().strip()
        expect(phone.heading("Sign-in request")).to_be_visible(timeout=10_000)
        expect(app.get_by_text("Europass (demo)")).to_be_visible()
        app.get_by_label("Or type the number").fill(number)
        app.get_by_label("Your 4-digit PIN code").fill(PIN)
        app.get_by_role("button", name="Approve", exact=True).click()
        expect(heading(page, "Welcome, Dana")).to_be_visible(timeout=10_000)
        expect(page.locator("#attr-authenticationLevel")).to_have_text("MEDIUM")
        expect(page.locator("#attr-strengths")).to_have_text(re.compile(r"\bPASSWORD_MOBILE_APP\b"))
    finally:
        phone.close()
        phones.close()
