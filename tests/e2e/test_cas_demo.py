"""Single sign-on through the demo application, in Chromium, as a newcomer would do it after `limen demo`.

The demo portal is the real django-cas-ng; Limen and the portal run as
`limen demo` starts them. Every Limen page the flow shows is checked like the
other browser tests' pages (axe-core, phone width, no CSP violation).
"""

from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS, Site, _slug
from tests.support.demo import LimenDemo


class Demo(LimenDemo):
    """`limen demo` on free ports of its default host (tests/support/demo.py)."""


@pytest.fixture(scope="module")
def cas_demo(tmp_path_factory):
    demo = Demo(tmp_path_factory.mktemp("cas-demo"))
    yield demo
    demo.stop()


@pytest.fixture
def cas_site(request, page, cas_demo):
    """The shared browser-test page checker (axe-core, phone width, CSP, screenshots), on the demo's Limen."""
    shots = SCREENSHOTS / ("cas-" + _slug(request.node.name))
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True, exist_ok=True)
    return Site(page, cas_demo, None, shots)


def heading(page, text):
    return page.get_by_role("heading", level=1, name=text)


def sign_in_on_limen(page, demo):
    expect(heading(page, "Sign in to continue")).to_be_visible()
    assert page.url.startswith(demo.limen_url + "/login/")
    page.get_by_label("E-mail", exact=True).fill(demo.email)
    page.get_by_role("button", name="Next").click()
    expect(heading(page, "Welcome back")).to_be_visible()
    page.get_by_label("Password").fill(demo.password)
    page.get_by_role("button", name="Sign in").click()


def test_single_sign_on_and_single_logout_through_the_demo_portal(cas_demo, cas_site):
    page, demo = cas_site.page, cas_demo
    page.goto(demo.portal_url + "/")
    cas_site.check("demo portal home")
    page.get_by_role("link", name="Sign in with Limen").click()
    sign_in_on_limen(page, demo)

    # Back in the portal, which shows what Limen released to it.
    expect(heading(page, "Welcome, Dana")).to_be_visible()
    assert page.url == demo.portal_url + "/profile/"
    expect(page.locator("#attr-email")).to_have_text(demo.email)
    expect(page.locator("#attr-authenticationLevel")).to_have_text("BASIC")
    expect(page.locator("#attr-strengths")).to_have_text("PASSWORD")
    expect(page.locator("#attr-sso")).to_have_text("false")
    expect(page.locator("#attr-user")).to_have_text(re.compile(r"^[0-9a-f-]{36}$"))
    cas_site.check("demo portal profile")

    # Single sign-on: Limen itself knows the person without asking again.
    page.goto(demo.limen_url + "/account/")
    expect(heading(page, "My Account")).to_be_visible()

    # Sign out on Limen: the page names the application, and the portal's session is gone too.
    page.get_by_role("button", name="Sign out").click()
    expect(heading(page, "You are signed out")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Europass (demo)")).to_be_visible()
    cas_site.check("signed out of the applications")
    page.goto(demo.portal_url + "/profile/")
    sign_in_on_limen(page, demo)  # the portal had to ask Limen again, and Limen had to ask the person
    expect(heading(page, "Welcome, Dana")).to_be_visible()

    # Sign out in the portal: back to its home page, signed out of both.
    page.get_by_role("link", name="Sign out").first.click()
    expect(heading(page, "Your skills and qualifications, understood across Europe")).to_be_visible()
    page.goto(demo.limen_url + "/account/")
    expect(heading(page, "Sign in to continue")).to_be_visible()


def test_an_unregistered_application_gets_an_explanation_not_a_redirect(cas_demo, cas_site):
    page = cas_site.page
    page.goto(cas_demo.limen_url + "/cas/login?service=https%3A%2F%2Fphishing.example.net%2F")
    expect(heading(page, "The application cannot sign you in")).to_be_visible()
    expect(page.get_by_text("INVALID_SERVICE")).to_be_visible()
    assert page.url.startswith(cas_demo.limen_url)
    cas_site.check("unknown application")


def test_warn_me_before_an_application_learns_who_i_am(cas_demo, cas_site):
    page, demo = cas_site.page, cas_demo
    page.goto(demo.limen_url + "/account/")
    sign_in_on_limen(page, demo)
    page.get_by_role("link", name="My personal details").click()
    page.get_by_label("Warn me each time an application asks for my identity").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your details have been saved.")).to_be_visible()
    try:
        page.goto(demo.portal_url + "/profile/")
        expect(heading(page, "An application asks who you are")).to_be_visible()
        expect(page.get_by_text("Europass (demo) wants to sign you in")).to_be_visible()
        cas_site.check("confirm before single sign-on")
        page.get_by_role("button", name="Continue to Europass (demo)").click()
        expect(heading(page, "Welcome, Dana")).to_be_visible()
        expect(page.locator("#attr-sso")).to_have_text("true")
    finally:
        page.goto(demo.limen_url + "/account/details/")
        page.get_by_label("Warn me each time an application asks for my identity").uncheck()
        page.get_by_role("button", name="Save").click()
