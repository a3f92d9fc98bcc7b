"""End to end through the demo application: a CAS service that requires MEDIUM.

Approve, deny, and the QR one-time password, each through the portal.

`limen demo` runs Limen and the Europass-like portal (django-cas-ng). The demo
person adds limen-authenticator as a mobile device; the operator then raises
the portal's required level to MEDIUM. Signing in to the portal with the
password only sends the person through step-up with the mobile app, and the
portal's ticket validation reports the level and the strengths.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.demo import LimenDemo

from .flows import heading
from .test_mobile_app import PIN, App, read_qr


class MobileDemo(LimenDemo):
    """`limen demo` on free ports with a data directory of its own (tests/support/demo.py)."""

    def require(self, level: str) -> None:
        """The operator changes the portal's registration: it now needs ``level``."""
        self.limen("cas_service", "add", "--name", "Europass (demo)", "--url-pattern", self.portal_url + "/",
                   "--attributes", "all", "--level", level, "--slo-url", self.portal_url + "/accounts/callback/")


@pytest.fixture(scope="module")
def mobile_demo(tmp_path_factory):
    demo = MobileDemo(tmp_path_factory.mktemp("mobile-demo"))
    yield demo
    demo.stop()


def password_only(page, demo) -> None:
    expect(heading(page, "Sign in to continue")).to_be_visible()
    page.get_by_label("E-mail", exact=True).fill(demo.email)
    page.get_by_role("button", name="Next").click()
    expect(heading(page, "Welcome back")).to_be_visible()
    if page.get_by_label("Password only").count():
        page.get_by_label("Password only").check()
    page.get_by_label("Password", exact=True).fill(demo.password)
    page.get_by_role("button", name="Sign in").click()


def sign_out_of_limen(page, demo) -> None:
    page.goto(demo.limen_url + "/account/")
    page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    expect(heading(page, "You are signed out")).to_be_visible()


def test_a_medium_service_steps_a_password_session_up_with_the_mobile_app(mobile_demo, page, tmp_path):
    demo, app = mobile_demo, App(tmp_path / "phone.json")

    # The demo person adds the reference authenticator as a mobile device.
    page.goto(demo.limen_url + "/account/")
    password_only(page, demo)
    expect(heading(page, "My Account")).to_be_visible()
    page.get_by_role("link", name="Manage my mobile devices").click()
    page.get_by_role("link", name="Add a mobile device").click()
    page.get_by_label("Your device name").fill("Reference app")
    page.get_by_label("Your 4-digit PIN code").fill(PIN)
    page.get_by_label("Confirm your PIN code").fill(PIN)
    page.get_by_role("button", name="Submit").click()
    read_qr(page.locator("#enrol-qr"), tmp_path / "enrol.png")
    app.run("enrol", "--qr", str(tmp_path / "enrol.png"), "--pin", PIN)
    # Wait for the device list the enrolment page navigates to by itself, not for its own "added" message.
    expect(page.get_by_text("Your mobile device “Reference app” has been added.")).to_be_visible(timeout=10_000)
    sign_out_of_limen(page, demo)

    # The operator requires MEDIUM for the portal.
    demo.require("MEDIUM")

    # Password only is not enough: step-up with the mobile app PIN code.
    page.goto(demo.portal_url + "/")
    page.get_by_role("link", name="Sign in with Limen").click()
    password_only(page, demo)
    expect(heading(page, "Extra verification needed")).to_be_visible()
    page.get_by_label("Mobile app PIN code").check()
    page.get_by_role("button", name="Continue").click()
    expect(heading(page, "Confirm in the mobile app")).to_be_visible()
    number = page.locator(".match-number").text_content().strip()
    import json

    pending = json.loads(app.run("pending", "--json"))
    assert [(r["number"], r["application"]) for r in pending] == [(number, "Europass (demo)")]
    app.run("approve", "--pin", PIN, "--yes")

    # The browser goes on by itself, and the portal's validation reports the strength and level.
    expect(heading(page, "Welcome, Dana")).to_be_visible(timeout=10_000)
    assert page.url == demo.portal_url + "/profile/"
    expect(page.locator("#attr-authenticationLevel")).to_have_text("MEDIUM")
    expect(page.locator("#attr-strengths")).to_have_text(re.compile(r"\bPASSWORD_MOBILE_APP\b"))

    # Deny in the app: the attempt stops, the portal gets no ticket.
    page.get_by_role("link", name="Sign out").first.click()
    page.goto(demo.portal_url + "/profile/")
    password_only(page, demo)
    page.get_by_label("Mobile app PIN code").check()
    page.get_by_role("button", name="Continue").click()
    expect(heading(page, "Confirm in the mobile app")).to_be_visible()
    app.run("deny")
    expect(heading(page, "Sign-in refused")).to_be_visible(timeout=10_000)
    assert page.url.startswith(demo.limen_url)

    # Again with the offline QR one-time password: PASSWORD_SOFTWARE_TOKEN.
    sign_out_of_limen(page, demo)
    page.goto(demo.portal_url + "/profile/")
    password_only(page, demo)
    expect(heading(page, "Extra verification needed")).to_be_visible()
    page.get_by_label("Mobile app QR code").check()
    page.get_by_role("button", name="Continue").click()
    expect(heading(page, "QR code authentication")).to_be_visible()
    read_qr(page.locator("#otp-qr"), tmp_path / "otp.png")
    code = app.run("otp", "--qr", str(tmp_path / "otp.png"), "--pin", PIN).strip()
    page.get_by_label("Code generated by your app").fill(code)
    page.get_by_role("button", name="Sign in").click()
    expect(heading(page, "Welcome, Dana")).to_be_visible(timeout=10_000)
    expect(page.locator("#attr-authenticationLevel")).to_have_text("MEDIUM")
    expect(page.locator("#attr-strengths")).to_have_text(re.compile(r"\bPASSWORD_SOFTWARE_TOKEN\b"))
