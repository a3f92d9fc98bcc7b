"""A stranger cannot tell from the response time whether an address has an account.

Against a real Limen (``limen serve``, gunicorn) and a real SMTP server
(aiosmtpd), requests for an address with an account and for addresses without
one alternate, in random order within each pair. Each request's time is the
server's own wall time for it, from gunicorn's access log (``%(D)s``: from
reading the request to the last byte of the response written, before any
work the response leaves for later). The client's wall clock is not used:
the SMTP server runs in this process, and its thread receiving a mail that
was sent after a response competes with the client for the interpreter, so
the client would see a delay that the server did not cause.

The paired differences must not show a leak (tests/support/timing.py): the
test fails only when the difference is both statistically clear and larger
than the tolerance, so noise from other work on the machine does not make it
fail. Between requests the test waits until the e-mail a request causes has
arrived, so that work never overlaps the next measurement.
"""

from __future__ import annotations

import http.client
import itertools
import random
import re
import time
import urllib.parse

import pytest

from tests.support import pow as proof_of_work
from tests.support.limen_server import ARTIFACTS, LimenServer
from tests.support.smtp import Mailbox
from tests.support.timing import Comparison

PAIRS = 40
PASSWORD = "Lantern-Orbit-77"
REPORT = ARTIFACTS / "timing" / "enumeration.txt"
# A leak must exceed this to fail the test (and be clear at 99.9 % confidence).
FLOOR_MS, SHARE = 0.5, 0.05
# gunicorn's access log line for each request: the request line and its time in microseconds.
ACCESS_LOG = "--access-logformat 'TIMED %(r)s %(s)s %(D)s'"
TIMED = re.compile(r"TIMED \S+ \S*[?&]sample=(\d+)\S* \S+ \d+ (\d+)")
_samples = itertools.count(1)


class Visitor:
    """One browser-like client: cookies, CSRF tokens, the proof of work, timed requests."""

    def __init__(self, server: LimenServer):
        self.server = server
        self.connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, str, float, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        content = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";")[0]
        return response.status, content.decode(), elapsed, response.getheader("Location") or ""

    def form(self, path: str) -> dict:
        """GET a form page: its CSRF token and, if it asks for one, a solved proof of work."""
        status, page, _, _ = self.request("GET", path)
        assert status == 200, (path, status)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return {"csrfmiddlewaretoken": token, **proof_of_work.solved_field(page)}

    def post(self, path: str, data: dict) -> tuple[int, int]:
        """POST a form (fetched just before); returns the status and the sample number that
        finds the request's time in the server's log (``server_ms``)."""
        fields = {**self.form(path), **data}
        sample = next(_samples)
        status, page, _, _ = self.request("POST", f"{path}?sample={sample}", fields)
        assert status in (200, 302), (path, status, page[:2000])
        return status, sample

    def get(self, path: str) -> tuple[int, int]:
        sample = next(_samples)
        status, _, _, _ = self.request("GET", f"{path}?sample={sample}")
        return status, sample


def server_ms(server: LimenServer, samples: list[int]) -> list[float]:
    """The server's wall time (ms) of each sampled request, from its access log."""
    deadline = time.monotonic() + 10
    while True:
        found = {int(m.group(1)): int(m.group(2)) / 1000 for m in TIMED.finditer(server.log_path.read_text())}
        if all(s in found for s in samples) or time.monotonic() > deadline:
            return [found[s] for s in samples]
        time.sleep(0.1)


@pytest.fixture(scope="module")
def mailbox():
    with Mailbox() as box:
        yield box


@pytest.fixture(scope="module")
def server(mailbox):
    # gunicorn's own workers (--server sync): their access line gives each request's time (%(D)s), which
    # uvicorn's, under the default async worker, does not. The work timed is Django's, the same under both.
    with LimenServer(name="timing", email_url=mailbox.url,
                     env={"GUNICORN_CMD_ARGS": ACCESS_LOG, "LIMEN_SERVER": "sync"}) as running:
        yield running


@pytest.fixture(scope="module")
def account(server, mailbox) -> str:
    """An address with a verified account and a password, made through the pages."""
    email = "known.person@example.org"
    visitor = Visitor(server)
    visitor.post("/register/", registration(email))
    link = mailbox.wait_for(email, subject="Choose your").link_to("/verify/")
    path = urllib.parse.urlsplit(link).path
    status, _ = visitor.post(path, {"new_password": PASSWORD, "confirm_password": PASSWORD})
    assert status == 302
    return email


def registration(email: str) -> dict:
    return {"first_name": "Kim", "last_name": "Known", "email": email, "email_confirm": email,
            "email_language": "en", "privacy": "on"}


def unknown_address() -> str:
    return f"nobody-{random.randrange(10 ** 12)}@example.org"


def settle(mailbox: Mailbox, address: str, subject: str | None) -> None:
    """Let the work a request caused (its e-mail) finish before the next measurement."""
    if subject is not None:
        mailbox.wait_for(address, subject=subject, timeout=30)
    time.sleep(0.05)


def collect(measure) -> tuple[list[int], list[int]]:
    """``measure(known: bool) -> sample``, PAIRS times each, in random order within each pair."""
    known, unknown = [], []
    measure(True), measure(False)  # warm both paths up (imports, caches, template loading)
    for _ in range(PAIRS):
        for is_known in random.sample([True, False], 2):
            (known if is_known else unknown).append(measure(is_known))
    return known, unknown


def compare(server: LimenServer, name: str, measure) -> Comparison:
    known, unknown = collect(measure)
    return Comparison(name, server_ms(server, known), server_ms(server, unknown))


def check(comparison: Comparison) -> None:
    tolerance = comparison.tolerance(FLOOR_MS, SHARE)
    line = comparison.summary(tolerance)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    with open(REPORT, "a") as report:
        report.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {line}\n")
    print(line)
    assert not comparison.leaks(tolerance), "the time of the answer tells whether the address has an account:\n" + line


def test_password_reset_takes_as_long_for_any_address(server, mailbox, account):
    visitor = Visitor(server)

    def measure(is_known: bool) -> float:
        address = account if is_known else unknown_address()
        _, sample = visitor.post("/password/lost/", {"email": address})
        settle(mailbox, address, "Choose a new" if is_known else None)
        return sample

    check(compare(server, "password reset (A: account, B: no account)", measure))


def test_registration_takes_as_long_for_a_taken_address(server, mailbox, account):
    visitor = Visitor(server)

    def measure(is_known: bool) -> float:
        address = account if is_known else unknown_address()
        _, sample = visitor.post("/register/", registration(address))
        settle(mailbox, address, "")  # "you already have an account", or the verification link
        return sample

    check(compare(server, "registration (A: address taken, B: new address)", measure))


def test_signin_identifier_step_takes_as_long_for_any_address(server, mailbox, account):
    visitor = Visitor(server)
    password_page: dict[int, int] = {}

    def identify(is_known: bool) -> int:
        address = account if is_known else unknown_address()
        status, sample = visitor.post("/login/", {"email": address})
        assert status == 302
        status, password_page[sample] = visitor.get("/login/password/")
        assert status == 200
        time.sleep(0.02)
        return sample

    known, unknown = collect(identify)
    first = Comparison("sign-in identifier POST (A: account, B: no account)",
                       server_ms(server, known), server_ms(server, unknown))
    # The password page that follows each of those requests, paired the same way.
    second = Comparison("sign-in password page GET (A: account, B: no account)",
                        server_ms(server, [password_page[s] for s in known]),
                        server_ms(server, [password_page[s] for s in unknown]))
    failures = []
    for comparison in (first, second):
        try:
            check(comparison)
        except AssertionError as error:
            failures.append(str(error))
    assert not failures, "\n".join(failures)
