"""Two Limen instances behind nginx, sharing PostgreSQL and Redis, as an operator scales out.

nginx balances round-robin with no stickiness, so a browser's requests alternate between the
instances; where a check needs "the other instance" for sure, the test talks to one instance
directly. Everything real: PostgreSQL (its own throw-away cluster), redis-server, nginx, two
`limen serve` (gunicorn), an SMTP server, the reference authenticator, python-cas, Authlib.

Runs in the PostgreSQL run of the test command (the SQLite run skips it: several instances need a
database server).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from cas import CASClientV3

from tests.oidc.live import PASSWORD, Browser, next_url
from tests.support.limen_server import LimenServer
from tests.support.nginx import Nginx
from tests.support.pgserver import PostgresServer
from tests.support.redis_server import RedisServer
from tests.support.smtp import Mailbox

pytestmark = pytest.mark.skipif(not os.environ.get("LIMEN_DATABASE_URL", "").startswith("postgres"),
                                reason="runs in the PostgreSQL run of the test command (several instances need a "
                                       "database server)")

AUTHENTICATOR = str(Path(sys.executable).with_name("limen-authenticator"))
PIN = "4706"
SERVICE = "http://127.0.0.1:9/portal/"
SMS_CODE = re.compile(r"\b([A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3})\b")


class Stack:
    def __init__(self, pg: PostgresServer, redis: RedisServer, mailbox: Mailbox):
        self.pg, self.redis, self.mailbox = pg, redis, mailbox
        shared = {"LIMEN_SECRET_KEY": "scale-test-" + "k" * 50, "LIMEN_REDIS_URL": redis.url,
                  "LIMEN_TRUSTED_PROXIES": "1", "LIMEN_SMS_URL": "console:"}
        self.a = LimenServer(name="scale-a", email_url=mailbox.url, database_url=pg.url(), host="localhost",
                             env={**shared, "LIMEN_INSTANCE": "a"})
        self.b = LimenServer(name="scale-b", email_url=mailbox.url, database_url=pg.url(), host="localhost",
                             env={**shared, "LIMEN_INSTANCE": "b"})
        self.nginx = Nginx([self.a.port, self.b.port])
        for server in (self.a, self.b):
            server.env["LIMEN_BASE_URL"] = self.nginx.url  # what people and applications see

    def start(self):
        self.a.start()
        self.b.start()  # its migrate finds everything done
        self.nginx.start()
        return self

    def stop(self):
        for part in (self.nginx, self.b, self.a):
            part.stop()

    @property
    def url(self) -> str:
        return self.nginx.url

    def served(self, server: LimenServer, since: int, pattern: str) -> int:
        """How many requests matching ``pattern`` ``server`` answered since log position ``since``."""
        return len(re.findall(pattern, server.log(since, max_chars=10 ** 7)))


@pytest.fixture(scope="module")
def stack():
    with Mailbox() as mailbox, PostgresServer() as pg, RedisServer() as redis:
        running = Stack(pg, redis, mailbox).start()
        try:
            yield running
        finally:
            running.stop()


@pytest.fixture(scope="module")
def person(stack) -> dict:
    return stack.a.python(f"""
        from limen.accounts.models import User
        u = User.objects.create_user("scale@example.org", {PASSWORD!r}, email_verified=True, first_name="Sam")
        result = {{"email": u.email, "uid": str(u.uid)}}
    """)


def sign_in(browser: Browser, base: str, email: str, *, method: str = "") -> requests.Response:
    response = browser.post_form(base + "/login/", {"email": email})
    assert response.status_code == 302, response.text[:500]
    data = {"password": PASSWORD, **({"method": method} if method else {})}
    return browser.post_form(base + response.headers["Location"], data)


# --- item 1: any instance serves any request ------------------------------------------------------

def test_a_sign_in_alternates_between_the_instances(stack, person):
    marks = (stack.a.log_size(), stack.b.log_size())
    browser = Browser()
    response = sign_in(browser, stack.url, person["email"])
    assert response.status_code == 302 and response.headers["Location"] == "/account/"
    for _ in range(4):
        assert browser.get(stack.url + "/account/").status_code == 200  # the session on either instance
    assert stack.served(stack.a, marks[0], r'"(GET|POST) /(login|account)/') >= 2
    assert stack.served(stack.b, marks[1], r'"(GET|POST) /(login|account)/') >= 2


def test_a_cas_ticket_from_one_instance_validates_on_the_other_after_a_step_up_by_sms(stack, person):
    stack.a.manage("cas_service", "add", "--name", "Portal", "--url-pattern", SERVICE, "--level", "MEDIUM",
                   "--attributes", "all")
    stack.a.python(f"""
        from limen.accounts.models import User
        from limen.factors.sms.models import PhoneNumber
        from limen.core import clock
        PhoneNumber.objects.create(user=User.objects.get(email={person['email']!r}), number="+46701234567",
                                   added=clock.now())
    """)
    browser = Browser()
    sign_in(browser, stack.url, person["email"])
    # A password session, an application that needs MEDIUM: step up with an SMS code, no password.
    start = browser.get(stack.a.url + "/cas/login?" + urlencode({"service": SERVICE}))  # instance A
    step_up = next_url(start)
    assert urlsplit(step_up).path == "/login/step-up/"
    chosen = browser.post_form(stack.url + urlsplit(step_up).path + "?" + urlsplit(step_up).query,
                               {"method": "sms"})
    sent = browser.post_form(stack.url + chosen.headers["Location"], {"phone": ""} | {"typed": "+46701234567"})
    assert sent.status_code == 302, sent.text[:500]
    code = sms_code(stack)
    back = browser.post_form(stack.url + sent.headers["Location"], {"code": code})
    assert back.status_code == 302
    issued = browser.get(stack.a.url + back.headers["Location"])  # the ticket from instance A
    ticket = parse_qs(urlsplit(issued.headers["Location"]).query)["ticket"][0]
    client = CASClientV3(server_url=stack.b.url + "/cas/", service_url=SERVICE)  # validated on B
    user, attributes, _pgtiou = client.verify_ticket(ticket)
    assert user == person["uid"]
    assert attributes["authenticationLevel"] == "MEDIUM" and "PASSWORD_SMS" in attributes["strengths"]


def sms_code(stack: Stack) -> str:
    messages = stack.a.python("""
        from limen.notify.models import OutboxMessage
        result = [m.body for m in OutboxMessage.objects.filter(channel="sms").order_by("-id")[:1]]
    """)
    return SMS_CODE.search(messages[0]).group(1)


def test_failed_guesses_count_across_instances(stack):
    stack.a.python(f"""
        from limen.accounts.models import User
        User.objects.create_user("guessed@example.org", {PASSWORD!r}, email_verified=True)
    """)
    for attempt in range(5):
        server = (stack.a, stack.b)[attempt % 2]
        browser = Browser()
        first = browser.post_form(server.url + "/login/", {"email": "guessed@example.org"})
        response = browser.post_form(server.url + first.headers["Location"], {"password": "Wrong-Horse-1"})
        assert response.status_code == 400
    browser = Browser()
    response = sign_in(browser, stack.b.url, "guessed@example.org")
    assert response.status_code == 400 and "paused" in unescape(response.text)
    stack.mailbox.wait_for("guessed@example.org", subject="paused")
    stack.mailbox.assert_nothing_new_for("guessed@example.org", within=3)  # one lock, one e-mail, two workers


def test_proof_of_work_and_webauthn_state_are_shared(stack):
    """A challenge handed out by one instance is accepted (once) by the other."""
    browser = Browser()
    page = browser.get(stack.a.url + "/password/lost/").text
    from tests.support import pow as proof_of_work

    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    solved = proof_of_work.solved_field(page)
    fields = {"csrfmiddlewaretoken": token, "email": "nobody@example.org", **solved}
    first = browser.session.post(stack.b.url + "/password/lost/", data=fields, allow_redirects=False,
                                 headers={"Referer": stack.b.url + "/password/lost/"})
    assert first.status_code == 200 and "Check your e-mail" in first.text
    replay = browser.session.post(stack.a.url + "/password/lost/", data=fields, allow_redirects=False,
                                  headers={"Referer": stack.a.url + "/password/lost/"})
    assert "Check your e-mail" not in replay.text  # spent on B, known as spent on A
    assert "did not pass" in unescape(replay.text)
    # A passkey ceremony begun on A (its challenge in the shared cache) is answered on B.
    options = browser.session.post(stack.a.url + "/login/passkey/options/",
                                   headers={"X-CSRFToken": browser.session.cookies.get("csrftoken", ""),
                                            "Referer": stack.a.url + "/login/"})
    assert options.status_code == 200 and options.json()["challenge"]


def test_a_waiting_browser_is_woken_by_an_approval_on_the_other_instance(stack, tmp_path):
    person = stack.a.python(f"""
        from limen.accounts.models import User
        u = User.objects.create_user("phone@example.org", {PASSWORD!r}, email_verified=True, first_name="Pia")
        result = {{"email": u.email}}
    """)
    browser = Browser()
    sign_in(browser, stack.url, person["email"])
    app = {**os.environ, "LIMEN_AUTHENTICATOR_STATE": str(tmp_path / "phone.json")}
    added = browser.post_form(stack.url + "/account/mobile/add/", {"name": "Phone", "pin": PIN, "pin_confirm": PIN})
    assert added.status_code == 302, added.text[:800]
    enrol_page = browser.get(stack.url + added.headers["Location"]).text
    payload = unescape(re.search(r'<textarea[^>]*readonly[^>]*>([^<]+)</textarea>', enrol_page).group(1)).strip()
    run = subprocess.run([AUTHENTICATOR, "enrol", "--payload", payload, "--pin", PIN], env=app,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    # A new sign-in with the PIN push: the browser waits on both instances at once; the approval lands on one.
    browser = Browser()
    chosen = sign_in(browser, stack.url, person["email"], method="mobile_app_pin")
    assert browser.get(stack.url + chosen.headers["Location"]).status_code == 200  # the request is sent
    woken: dict[str, tuple[str, float]] = {}

    def wait(name: str, server: LimenServer):
        response = browser.session.get(server.url + "/login/mobile/status/?wait=20&known=pending", timeout=30)
        woken[name] = (response.json()["state"], time.monotonic())

    waiters = [threading.Thread(target=wait, args=(n, s)) for n, s in (("a", stack.a), ("b", stack.b))]
    for waiter in waiters:
        waiter.start()
    time.sleep(1.0)  # both are waiting
    approved_at = time.monotonic()
    run = subprocess.run([AUTHENTICATOR, "approve", "--pin", PIN, "--yes"], env=app, capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stderr + run.stdout
    for waiter in waiters:
        waiter.join(30)
    assert woken["a"][0] == woken["b"][0] == "approved", woken
    assert max(woken["a"][1], woken["b"][1]) - approved_at < 5  # the other instance woke too, promptly


def test_the_openid_connect_signing_key_is_shared(stack, person):
    from authlib.integrations.requests_client import OAuth2Session
    from authlib.jose import JsonWebKey, jwt

    registered = stack.a.python("""
        from limen.oidc import clients
        r = clients.register(name="Scale app", redirect_uris=["http://127.0.0.1:9/callback"])
        result = {"client_id": r.client.client_id, "client_secret": r.secret}
    """)
    session = OAuth2Session(registered["client_id"], registered["client_secret"], scope="openid email",
                            redirect_uri="http://127.0.0.1:9/callback", code_challenge_method="S256")
    verifier = "v" * 64
    url, state = session.create_authorization_url(stack.a.url + "/oidc/authorize", code_verifier=verifier)
    browser = Browser()
    sign_in(browser, stack.url, person["email"])
    callback = browser.follow(url, until="http://127.0.0.1:9/callback")
    token = session.fetch_token(stack.b.url + "/oidc/token", authorization_response=callback,
                                code_verifier=verifier)  # the code from A, exchanged on B
    keys = JsonWebKey.import_key_set(requests.get(stack.url + "/oidc/jwks", timeout=10).json())
    claims = jwt.decode(token["id_token"], keys)
    assert claims["sub"] == person["uid"] and claims["email"] == person["email"]


def test_background_work_is_done_once(stack):
    """Both instances run the delivery queue's worker: each message still goes out exactly once."""
    addresses = [f"once{i}@example.org" for i in range(6)]
    stack.a.python(f"""
        from limen.notify.outbox import enqueue
        from django.db import transaction
        with transaction.atomic():
            for address in {addresses!r}:
                enqueue(channel="email", recipient=address, subject="Once only", body="One of these.")
    """)
    for address in addresses:
        stack.mailbox.wait_for(address, subject="Once only", timeout=60)
    for address in addresses:
        stack.mailbox.assert_nothing_new_for(address, within=1)


def test_the_offline_one_time_password_through_the_balancer(stack, tmp_path):
    """QR code one-time password: the page's challenge (in the transaction, in PostgreSQL) is answered on
    whichever instance; the reference app computes the code offline from the QR code's content."""
    person = stack.a.python(f"""
        from limen.accounts.models import User
        u = User.objects.create_user("qr@example.org", {PASSWORD!r}, email_verified=True, first_name="Quinn")
        result = {{"email": u.email}}
    """)
    app = {**os.environ, "LIMEN_AUTHENTICATOR_STATE": str(tmp_path / "phone.json")}
    browser = Browser()
    sign_in(browser, stack.url, person["email"])
    added = browser.post_form(stack.url + "/account/mobile/add/", {"name": "Phone", "pin": PIN, "pin_confirm": PIN})
    enrol_page = browser.get(stack.url + added.headers["Location"]).text
    payload = unescape(re.search(r'<textarea[^>]*readonly[^>]*>([^<]+)</textarea>', enrol_page).group(1)).strip()
    assert subprocess.run([AUTHENTICATOR, "enrol", "--payload", payload, "--pin", PIN], env=app,
                          capture_output=True, text=True, timeout=60).returncode == 0
    browser = Browser()
    chosen = sign_in(browser, stack.url, person["email"], method="mobile_app_qr")
    assert browser.get(stack.url + chosen.headers["Location"]).status_code == 200  # the QR code is made
    qr_content = stack.a.python("""
        from limen.factors.mobile_app.models import OtpChallenge
        from limen.factors.mobile_app.services import otp
        result = otp.qr_payload(OtpChallenge.objects.order_by("-id").first())
    """)
    run = subprocess.run([AUTHENTICATOR, "otp", "--payload", qr_content, "--pin", PIN], env=app,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    code = re.search(r"\b(\d{6,10})\b", run.stdout).group(1)
    done = browser.post_form(stack.url + chosen.headers["Location"], {"code": code})
    assert done.status_code == 302 and done.headers["Location"] == "/account/"


def test_a_security_key_and_a_passkey_through_the_balancer(stack, browser):
    """WebAuthn: the registration and the passkey ceremonies' challenges are shared by the instances."""
    from playwright.sync_api import expect

    from tests.e2e.factors.conftest import VirtualAuthenticator
    from tests.e2e.flows import heading

    stack.a.python(f"""
        from limen.accounts.models import User
        User.objects.create_user("keys@example.org", {PASSWORD!r}, email_verified=True, first_name="Kim")
    """)
    context = browser.new_context(base_url=stack.url)
    page = context.new_page()
    VirtualAuthenticator(context, page, transport="internal", resident=True, uv=True)
    page.goto("/login/")
    page.get_by_label("E-mail").fill("keys@example.org")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(heading(page, "My Account")).to_be_visible()
    page.goto("/account/security-keys/add/")
    page.get_by_label("Trusted platform", exact=True).check()
    page.get_by_label("Name").fill("Laptop")
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Use this device").click()
    expect(page.get_by_text("“Laptop” is registered.")).to_be_visible()
    page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    expect(heading(page, "You are signed out")).to_be_visible()
    page.goto("/login/")  # the browser offers the passkey (autofill): signed in without a password
    expect(heading(page, "My Account")).to_be_visible()
    context.close()


# --- item 2: failures ------------------------------------------------------------------------------

def test_redis_stopped_for_a_while_gives_clear_errors_then_recovers(stack, person):
    stack.redis.down()
    try:
        browser = Browser()
        response = sign_in(browser, stack.url, person["email"])
        assert response.status_code == 503 and "cannot check its safety limits" in unescape(response.text)
    finally:
        stack.redis.start()
    browser = Browser()
    assert sign_in(browser, stack.url, person["email"]).status_code == 302  # by itself, no restart


def test_a_postgresql_restart_is_survived_without_restarting_limen(stack, person):
    stack.pg.restart()
    deadline = time.monotonic() + 30
    while True:  # the first requests may fail while connections are renewed; then it works again
        try:
            if sign_in(Browser(), stack.url, person["email"]).status_code == 302:
                break
        except (AssertionError, requests.RequestException):
            pass
        assert time.monotonic() < deadline, "Limen did not recover from the PostgreSQL restart"
        time.sleep(1)
    # Every connection PostgreSQL closed is replaced before it is used, on both instances: once one
    # sign-in works, the next ones do (a connection used just before the restart once gave a 500 here).
    for _ in range(6):
        assert sign_in(Browser(), stack.url, person["email"]).status_code == 302


def test_a_person_finishes_on_the_other_instance_when_one_dies_mid_flow(stack, person):
    browser = Browser()
    first = browser.post_form(stack.url + "/login/", {"email": person["email"]})
    assert first.status_code == 302
    stack.a.kill()  # the identifier step may have been on A: the transaction is in the database
    response = browser.post_form(stack.url + first.headers["Location"], {"password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/account/"
    assert browser.get(stack.url + "/account/").status_code == 200
