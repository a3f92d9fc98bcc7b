"""OpenID Connect in Chromium: the demo application from `limen demo`, and the provider's own pages.

The demo is the Authlib application in demo/oidc_app, registered and started
by `limen demo` exactly as a newcomer would run it. The provider's pages
(errors, sign-out confirmation, "an application asks who you are", the page
that continues to the application) are checked like every page: axe-core at
desktop and phone width, screenshots, no CSP violation.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from tests.support import a11y

from .flows import heading, sign_in
from .test_cas_demo import Demo



@pytest.fixture(scope="module")
def oidc_demo(tmp_path_factory):
    demo = Demo(tmp_path_factory.mktemp("oidc-demo"))
    yield demo
    demo.stop()


@pytest.fixture
def demo_page(browser):
    context = browser.new_context(locale="en-GB")
    a11y.serve_axe(context)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def sign_in_on_limen(page, demo):
    expect(heading(page, "Sign in to continue")).to_be_visible()
    page.wait_for_load_state("networkidle")  # the passkey options request saves the session (see test_eid.py)
    page.get_by_label("E-mail", exact=True).fill(demo.email)
    page.get_by_role("button", name="Next").click()
    expect(heading(page, "Welcome back")).to_be_visible()
    page.get_by_label("Password", exact=True).fill(demo.password)
    page.get_by_role("button", name="Sign in").click()


def test_the_openid_connect_demo_signs_in_shows_the_claims_and_signs_out(oidc_demo, demo_page):
    page, demo = demo_page, oidc_demo
    page.goto(demo.oidc_url + "/")
    expect(heading(page, "OpenID Connect demo")).to_be_visible()
    a11y.assert_accessible(page, "OIDC demo home")
    page.get_by_role("link", name="Sign in with Limen", exact=True).click()
    sign_in_on_limen(page, demo)
    # Limen continued to the application by itself (the "Continuing" page) and it validated the ID token.
    expect(heading(page, "Hello Dana")).to_be_visible()
    assert page.url == demo.oidc_url + "/"
    expect(page.get_by_text("Level: BASIC")).to_be_visible()
    expect(page.get_by_role("cell", name=demo.email).first).to_be_visible()
    a11y.assert_accessible(page, "OIDC demo claims")

    # Asking for MEDIUM sends the person to Limen's step-up page (the demo account has no second factor).
    page.get_by_role("link", name="Ask for level MEDIUM (step-up)").click()
    expect(heading(page, "Extra verification needed")).to_be_visible()

    # Signing out in the application signs out of Limen too (RP-initiated logout with id_token_hint).
    page.goto(demo.oidc_url + "/")
    expect(heading(page, "Hello Dana")).to_be_visible()
    page.get_by_role("link", name="Sign out").click()
    expect(heading(page, "You are signed out")).to_be_visible()
    assert page.url.startswith(demo.oidc_url + "/signed-out?state=")
    page.goto(demo.limen_url + "/account/")
    expect(heading(page, "Sign in to continue")).to_be_visible()


def test_signing_out_at_limen_signs_out_of_the_demo_by_back_channel(oidc_demo, demo_page):
    page, demo = demo_page, oidc_demo
    page.goto(demo.oidc_url + "/login")
    sign_in_on_limen(page, demo)
    expect(heading(page, "Hello Dana")).to_be_visible()
    page.goto(demo.limen_url + "/account/")
    page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    expect(heading(page, "You are signed out")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="OpenID Connect demo")).to_be_visible()
    for _ in range(50):  # the logout token is posted in the background
        page.goto(demo.oidc_url + "/")
        if page.get_by_role("heading", name="OpenID Connect demo").count():
            break
        time.sleep(0.2)
    expect(heading(page, "OpenID Connect demo")).to_be_visible()


# ------------------------------------------------------------------ the provider's pages


class Application:
    """Where the application receives people back: a tiny real web server that answers 200."""

    def __init__(self):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        from tests.oidc.live import free_port

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(b"<!DOCTYPE html><title>Staff portal</title><h1>Staff portal</h1>")

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def register_client(server, redirect: str) -> tuple[str, str]:
    out = subprocess.run([sys.executable, "-m", "limen.cli", "oidc_client", "add", "--name", "Staff portal",
                          "--redirect-uri", redirect + "/callback", "--post-logout-redirect-uri", redirect + "/bye"],
                         env=server.env, cwd=server.data_dir, capture_output=True, text=True, check=True).stdout
    client_id = re.search(r"client ID: (\S+)", out).group(1)
    secret = re.search(r"client secret: (\S+)", out).group(1)
    return client_id, secret


@pytest.fixture(scope="module")
def staff_portal(limen_server):
    application = Application()
    yield (*register_client(limen_server, application.url), application.url)
    application.server.shutdown()


def authorize_url(site, client_id: str, redirect: str, **extra) -> str:
    query = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect + "/callback",
             "scope": "openid email",
             "state": "st", "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
             "code_challenge_method": "S256", **extra}
    return site.url + "/oidc/authorize?" + urlencode(query)


def test_provider_pages(site, staff_portal):
    from .flows import create_account

    page = site.page
    client_id, _secret, app = staff_portal
    # A wrong redirect URI: an explanation, never a redirect.
    site.goto(authorize_url(site, client_id, app, redirect_uri="https://evil.example/"))
    expect(heading(page, "The application's request cannot be completed")).to_be_visible()
    expect(page.get_by_text("For your safety, you are not sent there.")).to_be_visible()
    site.check("authorization error")

    email = create_account(site)
    # Sign-in through the authorization endpoint: back to the application with a code.
    site.goto(authorize_url(site, client_id, app))
    expect(page).to_have_url(re.compile(re.escape(app) + r"/callback\?code=.*&state=st"))

    # The person asked to be warned: a confirmation page first.
    site.goto("/account/details/")
    page.get_by_label("Warn me each time an application asks for my identity").check()
    page.get_by_role("button", name="Save").click()
    site.goto(authorize_url(site, client_id, app))
    expect(heading(page, "An application asks who you are")).to_be_visible()
    expect(page.get_by_text("Staff portal wants to sign you in")).to_be_visible()
    site.check("warn before single sign-on")
    page.get_by_role("button", name="Continue to Staff portal").click()
    # After a form of ours Limen continues with a page of its own (CSP form-action), then the application.
    expect(page).to_have_url(re.compile(re.escape(app) + r"/callback\?code="))

    # RP-initiated logout without an ID token: the person confirms.
    site.goto(site.url + "/oidc/logout?" + urlencode({"client_id": client_id,
                                                     "post_logout_redirect_uri": app + "/bye"}))
    expect(heading(page, "Do you want to sign out?")).to_be_visible()
    expect(page.get_by_text("Staff portal asks you to sign out.")).to_be_visible()
    site.check("sign-out confirmation")
    page.get_by_role("main").get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(app + "/bye")
    sign_in(site, email, "Quiet-Lantern-58", check=False)  # signed out indeed: the password is needed again
