"""National eID in Chromium, as a person does it. A second Limen on http://localhost plays the national
eID provider (its own cookies), over real HTTP; the Limen under test runs on 127.0.0.1."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.oidc.live import PASSWORD as UPSTREAM_PASSWORD
from tests.oidc.live import LimenServer as UpstreamServer

from .conftest import SCREENSHOTS, Site, _slug
from .flows import create_account, heading, new_address, sign_out


@pytest.fixture(scope="module")
def national_eid(tmp_path_factory):
    upstream = UpstreamServer(tmp_path_factory.mktemp("national-eid"), host="localhost").start()
    yield upstream
    upstream.stop()


@pytest.fixture(scope="module")
def eid_limen(make_server, national_eid):
    """A Limen whose operators configured the national eID provider."""
    server = make_server("eid")
    client = national_eid.register_client(name="Limen", redirect_uris=[server.url + "/login/eid/callback/"])
    subprocess.run([sys.executable, "-m", "limen.cli", "eid_provider", "add", "--name", "Test national eID",
                    "--slug", "national", "--issuer", national_eid.base_url, "--client-id", client["client_id"],
                    "--client-secret", client["client_secret"]],
                   env=server.env, cwd=server.data_dir, check=True, capture_output=True)
    return server


@pytest.fixture
def eid_site(request, page, eid_limen, mailbox):
    shots = SCREENSHOTS / _slug(request.node.name)
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True, exist_ok=True)
    return Site(page, eid_limen, mailbox, shots)


def sign_in_at_the_eid_provider(page, national_eid, email: str):
    expect(heading(page, "Sign in to continue")).to_be_visible()
    # The sign-in page asks for passkey options in the background, and that request saves the session;
    # pressing Next before it finished can lose the e-mail step (see the report to the WebAuthn area).
    page.wait_for_load_state("networkidle")
    assert page.url.startswith(national_eid.base_url)
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Password", exact=True).fill(UPSTREAM_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_link_my_eid_then_sign_in_with_it_then_unlink(eid_site, national_eid):
    site, page = eid_site, eid_site.page
    citizen = new_address("citizen")
    national_eid.make_user(citizen, first_name="Erika", last_name="Mustermann")
    email = create_account(site)
    page.get_by_role("link", name="Manage my eIDs").click()
    expect(heading(page, "Manage my eIDs")).to_be_visible()
    expect(page.get_by_text("No eID is linked to your account.")).to_be_visible()
    site.check("manage my eIDs")
    page.get_by_role("button", name="Link my eID at Test national eID").click()
    sign_in_at_the_eid_provider(page, national_eid, citizen)
    expect(page.get_by_text("Your eID at Test national eID is linked.")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Test national eID", exact=True)).to_be_visible()
    site.check("eID linked")
    site.mailbox.wait_for(email, subject="An eID was linked")

    sign_out(site, check=False)
    site.goto("/login/")
    site.check("sign-in page with eID")
    page.get_by_role("link", name="Sign in with eID").click()
    # Still signed in at the eID provider: straight back, signed in without a password.
    expect(heading(page, "My Account")).to_be_visible()
    expect(page.get_by_text(email)).to_be_visible()

    page.get_by_role("link", name="Manage my eIDs").click()
    page.get_by_role("button", name="Unlink my eID at Test national eID").click()
    expect(page.get_by_text("Your eID at Test national eID is unlinked.")).to_be_visible()
    expect(page.get_by_text("No eID is linked to your account.")).to_be_visible()


def test_an_eid_only_account(eid_site, national_eid):
    site, page = eid_site, eid_site.page
    citizen = new_address("newcomer")
    national_eid.make_user(citizen, first_name="Max", last_name="Muster")
    site.goto("/login/")
    page.get_by_role("link", name="Sign in with eID").click()
    sign_in_at_the_eid_provider(page, national_eid, citizen)
    expect(heading(page, "Your eID is not linked to an account yet")).to_be_visible()
    expect(page.get_by_label("First name")).to_have_value("Max")
    site.check("eID not linked")
    address = new_address("max")
    page.get_by_label("E-mail", exact=True).fill(address)
    page.get_by_label("I have read and understood").check()
    page.get_by_role("button", name="Create an eID-only account").click()
    expect(heading(page, "Check your e-mail")).to_be_visible()
    site.check("eID account requested")
    mail = site.mailbox.wait_for(address, subject="Confirm your new")
    site.goto(mail.link_to("/login/eid/confirm/"))
    expect(heading(page, "Create your eID-only account")).to_be_visible()
    site.check("confirm eID account")
    page.get_by_role("button", name="Create my account").click()
    expect(heading(page, "Your account is ready")).to_be_visible()
    site.check("eID account ready")
    page.get_by_role("link", name="Sign in with eID").click()
    expect(heading(page, "My Account")).to_be_visible()
    expect(page.get_by_text(address)).to_be_visible()
