"""The waiting endpoints under `limen serve`'s asynchronous worker (limen.server in the test process):
woken on approval (in this process, from another through the database, through Redis), timeouts,
the long poll's ``seen``, refusals exactly as the synchronous path gives them, the browser's status
endpoints bound to their sign-in transaction, clients that leave, a full server."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time

import pytest
import requests

from limen.core import clock
from limen.factors.mobile_app import channel, relay
from limen.factors.mobile_app.aiohub import hub
from limen.factors.mobile_app.models import PushChallenge, Wakeup
from limen_authenticator.keys import DeviceKey
from limen_protocol import signing

from tests.support.async_server import AsyncServer

from .conftest import API, sign_in

HEADERS_COMPARED = ("Content-Type", "Cache-Control", "Retry-After", "X-Content-Type-Options", "Referrer-Policy",
                    "X-Frame-Options", "Content-Security-Policy")


@pytest.fixture
def server(live_db, settings):
    settings.PUSH_POLL_MS = 50
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    with AsyncServer() as running:
        yield running
    assert hub.waiting() == 0


def signed(phone, method: str, path: str, *, key: DeviceKey | None = None, device_id: str | None = None,
           nonce: str | None = None, timestamp: int | None = None, sign_path: str | None = None, body: bytes = b"",
           omit: tuple = ()) -> dict:
    """The headers an app sends (conftest.Api does the same for Django's test client)."""
    path = path if path.startswith("/") else f"{API}/{path}"
    device_id = phone.device_id if device_id is None else device_id
    ts = int(clock.now().timestamp()) if timestamp is None else timestamp
    nonce = nonce or signing.new_nonce()
    headers = {"Limen-Timestamp": str(ts), "Limen-Nonce": nonce, "Limen-Device": device_id}
    canonical = signing.canonical_request(method=method, path=sign_path or path, device_id=device_id, timestamp=ts,
                                          nonce=nonce, body=body)
    headers["Limen-Signature"] = (key or phone.key).sign(canonical)
    return {k: v for k, v in headers.items() if k not in omit}


def wait_call(server, phone, query: str, *, timeout: float = 30, **kwargs) -> requests.Response:
    path = f"{API}/challenges/wait?{query}"
    return requests.get(server.url + path, headers=signed(phone, "GET", path, **kwargs), timeout=timeout)


def in_background(fn):
    result = {}

    def run():
        start = time.monotonic()
        try:
            result["response"] = fn()
        finally:
            result["returned"] = time.monotonic()
            result["waited"] = result["returned"] - start

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.02)


def other_process_creates_a_request(phone) -> PushChallenge:
    """What another process or instance does: the rows, and no wake-up in this process."""
    now = clock.now()
    challenge = PushChallenge.objects.create(user=phone.user, device=phone.model, number="42", application="Elsewhere",
                                             browser="", ip="", created=now,
                                             expires=now + dt.timedelta(seconds=120))
    Wakeup.objects.create(key=channel.device_key(phone.model.pk))
    return challenge


# --- waking ------------------------------------------------------------------------------------

def test_a_new_request_in_this_process_wakes_the_waiting_app_at_once(server, client, phone, settings):
    settings.PUSH_POLL_MS = 5000  # so that only the in-process wake-up can be this fast
    thread, result = in_background(lambda: wait_call(server, phone, "timeout=10"))
    until(lambda: hub.waiting() == 1)
    time.sleep(0.3)
    sign_in(client, phone.user, "mobile_app_pin")
    sent = time.monotonic()
    client.get("/login/mobile/")  # creates the request
    thread.join(10)
    response = result["response"]
    assert response.status_code == 200 and len(response.json()["challenges"]) == 1
    assert result["waited"] >= 0.3 and result["returned"] - sent < 1.0
    assert response.headers["Cache-Control"] == "no-store"


def test_a_request_made_by_another_process_wakes_the_app_through_the_database(server, phone):
    thread, result = in_background(lambda: wait_call(server, phone, "timeout=10"))
    until(lambda: hub.waiting() == 1)
    time.sleep(0.3)
    made = other_process_creates_a_request(phone)
    sent = time.monotonic()
    thread.join(10)
    assert [c["id"] for c in result["response"].json()["challenges"]] == [made.public_id]
    assert result["returned"] - sent < 1.0


def test_a_wakeup_published_on_redis_wakes_the_app_and_the_database_covers_for_redis(server, phone, settings):
    from tests.support.redis_server import RedisServer

    with RedisServer() as redis_server:
        settings.REDIS_URL = redis_server.url
        settings.PUSH_POLL_MS = 1000  # with Redis up the database is read every 4 s: only Redis can be fast
        relay._client, relay._paused_until = None, 0.0
        try:
            thread, result = in_background(lambda: wait_call(server, phone, "timeout=20"))
            until(lambda: hub.waiting() == 1 and hub._redis_up)
            made = other_process_creates_a_request(phone)
            sent = time.monotonic()
            relay.publish([channel.device_key(phone.model.pk)])  # what the other instance does after its commit
            thread.join(20)
            assert [c["id"] for c in result["response"].json()["challenges"]] == [made.public_id]
            assert result["returned"] - sent < 1.0
            # Redis goes away: the database poll takes over, at its full rate.
            redis_server.stop()
            thread, result = in_background(lambda: wait_call(server, phone, f"timeout=20&seen={made.public_id}"))
            until(lambda: hub.waiting() == 1 and not hub._redis_up, timeout=15)
            second = other_process_creates_a_request(phone)
            sent = time.monotonic()
            relay.publish([channel.device_key(phone.model.pk)])  # fails quietly
            thread.join(20)
            assert [c["id"] for c in result["response"].json()["challenges"]] == [second.public_id]
            assert result["returned"] - sent < 2.5
        finally:
            relay._client, relay._paused_until = None, 0.0
            settings.REDIS_URL = ""


def test_the_wait_ends_at_its_timeout_with_nothing(server, phone):
    start = time.monotonic()
    response = wait_call(server, phone, "timeout=1")
    assert response.status_code == 200 and response.json() == {"challenges": []}
    assert 0.9 < time.monotonic() - start < 5


def test_a_request_the_app_has_seen_does_not_end_the_wait(server, client, phone):
    sign_in(client, phone.user, "mobile_app_pin")
    client.get("/login/mobile/")
    pending = phone.pending()[0]["id"]
    start = time.monotonic()
    assert wait_call(server, phone, f"timeout=1&seen={pending}").json() == {"challenges": []}
    assert time.monotonic() - start > 0.9
    start = time.monotonic()
    assert [c["id"] for c in wait_call(server, phone, "timeout=10").json()["challenges"]] == [pending]
    assert time.monotonic() - start < 1.0


# --- refusals: the same answers as the synchronous path --------------------------------------------

def _cases(phone, other: DeviceKey):
    wait = f"{API}/challenges/wait?timeout=1"
    stale = int(clock.now().timestamp()) - 3600
    return {
        "no headers": ("GET", wait, {}),
        "no signature": ("GET", wait, signed(phone, "GET", wait, omit=("Limen-Signature",))),
        "unknown device": ("GET", wait, signed(phone, "GET", wait, device_id="nosuchdevice")),
        "forged signature": ("GET", wait, signed(phone, "GET", wait, key=other)),
        "signed for another path": ("GET", wait, signed(phone, "GET", wait, sign_path=f"{API}/challenges")),
        "stale timestamp": ("GET", wait, signed(phone, "GET", wait, timestamp=stale)),
        "bad timeout": ("GET", f"{API}/challenges/wait?timeout=x",
                        signed(phone, "GET", f"{API}/challenges/wait?timeout=x")),
        "bad seen": ("GET", f"{API}/challenges/wait?seen=%2F%2F", signed(phone, "GET", f"{API}/challenges/wait?seen=%2F%2F")),
        "wrong method": ("POST", wait, signed(phone, "POST", wait)),
    }


def _same(sync, answer: requests.Response) -> None:
    assert answer.status_code == sync.status_code
    assert answer.json() == sync.json()
    for name in HEADERS_COMPARED:
        assert answer.headers.get(name) == sync.headers.get(name), name


def test_refusals_of_the_device_api_are_the_same_as_before(server, client, phone):
    other = DeviceKey.generate()
    # Each path gets its own request (same fields, its own nonce): a nonce works once.
    sync_cases, async_cases = _cases(phone, other), _cases(phone, other)
    for name in sync_cases:
        method, path, headers = sync_cases[name]
        sync = client.generic(method, path, headers=headers)
        method, path, headers = async_cases[name]
        answer = requests.request(method, server.url + path, headers=headers, timeout=10)
        assert answer.status_code in {400, 401, 405}, name
        _same(sync, answer)


def test_a_replayed_wait_is_refused_as_before(server, client, phone):
    for send in ("sync", "async"):
        path = f"{API}/challenges/wait?timeout=0"
        headers = signed(phone, "GET", path)
        if send == "sync":
            first, second = client.get(path, headers=headers), client.get(path, headers=headers)
        else:
            first = requests.get(server.url + path, headers=headers, timeout=10)
            second = requests.get(server.url + path, headers=headers, timeout=10)
        assert first.status_code == 200
        assert second.status_code == 401 and second.json()["error"]["code"] == "replayed"


def test_a_locked_device_is_refused_as_before(server, client, phone):
    device = phone.model
    device.failed_pins, device.locked_at = 99, clock.now()
    device.save()
    path = f"{API}/challenges/wait?timeout=1"
    sync = client.get(path, headers=signed(phone, "GET", path))
    _same(sync, requests.get(server.url + path, headers=signed(phone, "GET", path), timeout=10))
    assert sync.status_code == 423


# --- the browser's status endpoints ----------------------------------------------------------------

def _cookies(client) -> dict:
    return {name: morsel.value for name, morsel in client.cookies.items()}


def test_the_push_status_needs_its_sign_in_transaction(server, client, phone):
    stranger = requests.get(server.url + "/login/mobile/status/?known=pending&wait=5", timeout=10)
    assert stranger.status_code == 200 and stranger.json() == {"state": "none"}  # at once, as before
    assert client.get("/login/mobile/status/?known=pending&wait=5").json() == {"state": "none"}
    sign_in(client, phone.user, "mobile_app_pin")
    client.get("/login/mobile/")
    cookies = _cookies(client)
    thread, result = in_background(lambda: requests.get(
        server.url + "/login/mobile/status/?known=pending&wait=10", cookies=cookies, timeout=30))
    until(lambda: hub.waiting() == 1)
    time.sleep(0.3)
    approved = time.monotonic()
    assert phone.answer(phone.pending()[0]).status_code == 200
    thread.join(10)
    assert result["response"].json() == {"state": "approved"} and result["returned"] - approved < 1.0
    assert result["response"].headers["Cache-Control"] == "no-store"
    # Another browser (another session) gets nothing of this transaction.
    other = requests.get(server.url + "/login/mobile/status/?known=pending&wait=2", timeout=10)
    assert other.json() == {"state": "none"}


def test_the_enrolment_status_needs_its_owner(server, client, user, start_enrolment):
    record, _token = start_enrolment(user)
    path = f"/account/mobile/add/{record.public_id}/status/?known=waiting&wait=5"
    anonymous = requests.get(server.url + path, timeout=10, allow_redirects=False)
    sync = client.get(path)
    assert anonymous.status_code == sync.status_code == 302
    assert anonymous.headers["Location"] == sync["Location"]
    client.force_login(user)
    start = time.monotonic()
    owner = requests.get(server.url + path.replace("wait=5", "wait=1"), cookies=_cookies(client), timeout=10)
    assert owner.json() == {"state": "waiting"} and time.monotonic() - start > 0.9


# --- clients that leave, a full server ------------------------------------------------------------

def test_a_client_that_leaves_while_waiting_is_forgotten(server, phone):
    path = f"{API}/challenges/wait?timeout=20"
    head = "".join(f"{k}: {v}\r\n" for k, v in signed(phone, "GET", path).items())
    with socket.create_connection(("127.0.0.1", server.port)) as raw:
        raw.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}\r\n".encode())
        until(lambda: hub.waiting() == 1)
    until(lambda: hub.waiting() == 0, timeout=2)


def test_beyond_max_waits_the_server_says_busy(server, phone, make_phone, settings):
    settings.MAX_WAITS = 1
    thread, result = in_background(lambda: wait_call(server, phone, "timeout=3"))
    until(lambda: hub.waiting() == 1)
    busy = wait_call(server, phone, "timeout=3")
    assert busy.status_code == 503 and busy.json()["error"]["code"] == "busy"
    assert busy.headers["Retry-After"] == "5"
    status = requests.get(server.url + "/login/mobile/status/?known=pending&wait=5", timeout=10)
    assert status.json() == {"state": "none"}  # no transaction: answered before any wait
    thread.join(10)
    assert result["response"].status_code == 200
