"""Lockout and the per-IP limit hold when guesses race, on a real server (gunicorn, several threads).

Sixteen browsers each do the identifier step, then fifteen send a wrong password at the same moment
and the right one follows a few milliseconds later, while the wrong ones are still being checked (as
an attacker with a list of likely passwords would). The count and the decision are atomic: no more
than the lockout threshold of guesses is ever checked, the account locks, and the right password,
arriving after the threshold was reached, does not yield a session. Realistic argon2 parameters keep
each check long enough (~20 ms) for the requests to overlap. The server's database is of the same
kind as the run's: SQLite in the SQLite run, PostgreSQL in the PostgreSQL run.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
import urllib.parse

import pytest

from tests.support.limen_server import LimenServer, same_database_kind
from tests.support.smtp import Mailbox

EMAIL, PASSWORD, THRESHOLD = "racer@example.org", "Right-Horse-77", 5
GUESSES, RIGHT_AT = 16, 11


class Browser:
    def __init__(self, server: LimenServer):
        self.connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = urllib.parse.urlencode(data) if data is not None else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        page = response.read().decode()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";")[0]
        return response.status, page, response.getheader("Location") or ""

    def token(self, path: str) -> str:
        _status, page, _ = self.request("GET", path)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def identify(self) -> str:
        status, _, location = self.request("POST", "/login/", {"csrfmiddlewaretoken": self.token("/login/"),
                                                               "email": EMAIL})
        assert status == 302 and location.startswith("/login/password/"), (status, location)
        return self.token("/login/password/")


@pytest.fixture(scope="module")
def mailbox():
    with Mailbox() as box:
        yield box


@pytest.fixture(scope="module")
def server(mailbox):
    env = {"LIMEN_ARGON2_MEMORY_KIB": "19456", "LIMEN_ARGON2_TIME_COST": "2",
           "LIMEN_LOCKOUT_THRESHOLD": str(THRESHOLD)}
    with LimenServer(name="lockout-race", email_url=mailbox.url, workers=2, threads=8, env=env,
                     database_url=same_database_kind("lockout")) as running:
        running.manage("shell", "-c", "from limen.accounts.models import User; "
                       f"User.objects.create_user({EMAIL!r}, {PASSWORD!r}, first_name='Rae', email_verified=True)")
        yield running


def audit_counts(server: LimenServer) -> dict:
    script = ("import json; from limen.audit.models import AuditEvent as A; "
              "print(json.dumps({'wrong': A.objects.filter(event='signin.failed', data__reason='wrong_password').count(),"
              " 'refused': A.objects.filter(event='signin.refused_locked').count(),"
              " 'locked': A.objects.filter(event='account.locked').count(),"
              " 'signed_in': A.objects.filter(event='signin.succeeded').count()}))")
    return json.loads(server.manage("shell", "-c", script).strip().splitlines()[-1])


def test_racing_guesses_never_pass_the_lockout(server, mailbox):
    browsers = [Browser(server) for _ in range(GUESSES)]
    tokens = [b.identify() for b in browsers]
    start, results = threading.Barrier(GUESSES), [None] * GUESSES

    def guess(index: int) -> None:
        password = PASSWORD if index == RIGHT_AT else f"Wrong-Guess-{index:02d}"
        start.wait()
        if index == RIGHT_AT:
            time.sleep(0.03)  # just behind the others, long before they are all checked
        results[index] = browsers[index].request(
            "POST", "/login/password/", {"csrfmiddlewaretoken": tokens[index], "password": password})

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(GUESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    statuses = [(status, location) for status, _page, location in results]
    assert (302, "/account/") not in statuses, statuses  # the right password did not sign in
    counts = audit_counts(server)
    assert counts["signed_in"] == 0, counts
    assert counts["wrong"] <= THRESHOLD, counts  # no more guesses checked than the threshold
    assert counts["locked"] == 1, counts
    assert counts["wrong"] + counts["refused"] >= GUESSES - 1, counts
    mailbox.wait_for(EMAIL, subject="paused")
    mailbox.assert_nothing_new_for(EMAIL, within=2)  # one lock, one e-mail


def test_successes_do_not_use_up_the_per_ip_limit(mailbox):
    """Everyone behind one address (an office, a NAT) signs in: only failures count against it."""
    env = {"LIMEN_RATE_LIMIT_SIGNIN_PER_IP": "3"}
    with LimenServer(name="per-ip", email_url=mailbox.url, env=env,
                     database_url=same_database_kind("perip")) as server:
        server.manage("shell", "-c", "from limen.accounts.models import User; "
                      "[User.objects.create_user(f'colleague{i}@example.org', 'Office-Horse-42', "
                      "email_verified=True) for i in range(6)]")

        def attempt(email: str, password: str) -> int:
            browser = Browser(server)
            token = browser.token("/login/")
            browser.request("POST", "/login/", {"csrfmiddlewaretoken": token, "email": email})
            status, _, _ = browser.request("POST", "/login/password/", {
                "csrfmiddlewaretoken": browser.token("/login/password/"), "password": password})
            return status

        assert [attempt(f"colleague{i}@example.org", "Office-Horse-42") for i in range(6)] == [302] * 6
        assert [attempt("colleague0@example.org", "Wrong-Horse-1") for _ in range(3)] == [400] * 3
        assert attempt("colleague1@example.org", "Office-Horse-42") == 429  # three failures: the limit
