"""First contact: `limen demo` (what `make run` starts) tried as a newcomer would, in Chromium.

The demo runs on its default host (only ports are given), the newcomer makes
an account through the pages, reads the verification e-mail on the
development outbox page, and uses what the demo offers.
"""

from __future__ import annotations

import re
import shutil
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.support.demo import LimenDemo

from .conftest import SCREENSHOTS, Site, _slug
from .factors.conftest import VirtualAuthenticator
from .factors.steps import press, register_key
from .flows import PASSWORD, choose_password, fill_registration, heading, new_address, sign_out


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    started = LimenDemo(tmp_path_factory.mktemp("first-contact"))
    yield started
    started.stop()


@pytest.fixture
def demo_site(request, page, demo) -> Site:
    shots = SCREENSHOTS / ("first-contact-" + _slug(request.node.name))
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True, exist_ok=True)
    return Site(page, demo, None, shots)


def create_account_through_the_outbox(site) -> str:
    """Register, open the e-mail on the development outbox page, follow its link, choose a password."""
    page, email = site.page, new_address("newcomer")
    site.goto("/register/")
    fill_registration(page, first="Nina", last="Newcomer", email=email)
    page.get_by_role("button", name="Create an account").click()
    expect(heading(page, "Check your e-mail")).to_be_visible()
    site.goto("/dev/outbox/")
    page.get_by_role("row").filter(has_text=email).get_by_role("link").first.click()
    page.get_by_role("link", name="/verify/").first.click()
    choose_password(site, PASSWORD, title="Choose your password", check=False)
    expect(heading(page, "My Account")).to_be_visible()
    return email


def test_the_demo_runs_at_an_address_where_every_method_works(demo, demo_site):
    assert urlsplit(demo.limen_url).hostname == "localhost"
    assert {urlsplit(u).hostname for u in (demo.portal_url, demo.oidc_url, demo.eid_url)} == {"localhost"}
    banner = "".join(demo.output)
    assert "will not work" not in banner and "127.0.0.1" not in banner
    # Out of habit, someone types 127.0.0.1: they land at localhost, where security keys work.
    demo_site.goto(demo.limen_url.replace("localhost", "127.0.0.1") + "/register/")
    assert demo_site.page.url == demo.limen_url + "/register/"


def test_a_security_key_registers_at_the_demos_default_address(demo, demo_site, context):
    site, page = demo_site, demo_site.page
    key = VirtualAuthenticator(context, page, transport="usb", resident=False)
    create_account_through_the_outbox(site)
    page.get_by_role("link", name="Manage my security keys and trusted platforms").click()
    register_key(site, kind="Security key", name="Demo key", button="Use my security key", check=True)
    expect(page.get_by_text("“Demo key” is registered.")).to_be_visible()
    expect(page.get_by_role("cell", name="Demo key", exact=True)).to_be_visible()
    site.check("security key registered in the demo")
    (credential,) = key.credentials()
    assert credential["rpId"] == "localhost"


def test_link_an_eid_at_the_demo_provider_then_sign_in_with_it(demo, demo_site):
    site, page = demo_site, demo_site.page
    email = create_account_through_the_outbox(site)
    page.get_by_role("link", name="Manage my eIDs").click()
    expect(heading(page, "Manage my eIDs")).to_be_visible()
    page.get_by_role("button", name="Link my eID at Demo national eID").click()

    # The demo provider: marked as a demonstration, fictional people to choose from.
    expect(heading(page, "Sign in with your eID")).to_be_visible()
    assert page.url.startswith(demo.eid_url + "/authorize")
    expect(page.get_by_role("note")).to_have_text(re.compile("Demonstration only: not a real eID"))
    site.check("demo eID provider: who are you")
    page.get_by_label("Erika Mustermann").check()
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Your eID at Demo national eID is linked.")).to_be_visible()
    expect(page.get_by_role("cell", name="Demo national eID", exact=True)).to_be_visible()
    site.check("demo eID linked")

    # Another time: no password, only the eID.
    sign_out(site, check=False)
    site.goto("/login/")
    page.get_by_role("link", name="Sign in with eID").click()
    expect(heading(page, "Sign in with your eID")).to_be_visible()
    page.get_by_label("Erika Mustermann").check()
    page.get_by_role("button", name="Sign in").click()
    expect(heading(page, "My Account")).to_be_visible()
    expect(page.get_by_text(email)).to_be_visible()


def test_the_demo_provider_explains_itself(demo, demo_site):
    site, page = demo_site, demo_site.page
    page.goto(demo.eid_url + "/")
    expect(heading(page, "A demonstration eID provider")).to_be_visible()
    expect(page.get_by_role("note")).to_have_text(re.compile("The people here are fictional"))
    for name, born, identifier in (("Erika Mustermann", "12 August 1964", "XX/DEMO/0001"),
                                   ("Maria Rossi", "23 November 1990", "XX/DEMO/0003")):
        row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=name))
        expect(row).to_contain_text(born)
        expect(row).to_contain_text(identifier)
    site.check("demo eID provider home")
