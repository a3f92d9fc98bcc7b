"""Push requests sent, approved, denied and expired, and how long people take to answer."""

from __future__ import annotations

import pytest

from limen.core import clock
from tests.ops.metrics_support import Delta

from .conftest import sign_in

PUSH, ANSWER = "limen_push_requests_total", "limen_push_answer_seconds"


@pytest.fixture
def waiting(client, phone):
    with Delta(PUSH, outcome="sent") as sent:
        assert sign_in(client, phone.user, "mobile_app_pin")["Location"] == "/login/mobile/"
        client.get("/login/mobile/")
    assert sent.value == 1
    return client


def test_approved_with_the_time_it_took(waiting, phone):
    challenge = phone.pending()[0]
    clock.advance(seconds=4)
    with Delta(PUSH, outcome="approved") as approved, Delta(f"{ANSWER}_count", decision="approved") as timed, \
            Delta(f"{ANSWER}_sum", decision="approved") as seconds, \
            Delta(f"{ANSWER}_bucket", decision="approved", le="5.0") as under_five:
        assert phone.answer(challenge).status_code == 200
    assert (approved.value, timed.value, under_five.value) == (1, 1, 1)
    assert 4 <= seconds.value < 5


def test_denied(waiting, phone):
    with Delta(PUSH, outcome="denied") as denied, Delta(f"{ANSWER}_count", decision="denied") as timed:
        assert phone.answer(phone.pending()[0], "deny").status_code == 200
    assert (denied.value, timed.value) == (1, 1)


def test_expired_counted_once_when_the_page_shows_it(waiting, phone):
    clock.advance(seconds=121)
    with Delta(PUSH, outcome="expired") as expired:
        for _ in range(3):  # the page reloads: still one request that expired
            assert "expired" in waiting.get("/login/mobile/").content.decode()
    assert expired.value == 1
