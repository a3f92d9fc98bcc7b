"""The request id: believed from a trusted proxy only, checked, returned, in the audit trail."""

from __future__ import annotations

import pytest

from limen.audit.events import Event
from limen.audit.models import AuditEvent
from limen.core import request_id
from tests.support.pages import sign_in

PROXY_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"


def test_a_new_id_for_every_request(client, db):
    first = client.get("/login/")["X-Request-ID"]
    second = client.get("/login/")["X-Request-ID"]
    assert request_id.valid(first) and request_id.valid(second)
    assert first != second


def test_the_id_of_a_trusted_proxy_is_kept(client, db, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    response = client.get("/login/", HTTP_X_REQUEST_ID=PROXY_ID, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response["X-Request-ID"] == PROXY_ID


def test_an_id_from_an_untrusted_address_is_not_believed(client, db, settings):
    settings.TRUSTED_PROXY_COUNT = 0  # no proxy declared: anyone can send these headers
    response = client.get("/login/", HTTP_X_REQUEST_ID=PROXY_ID, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response["X-Request-ID"] != PROXY_ID


def test_an_id_that_bypassed_the_proxy_is_not_believed(client, db, settings):
    """With one trusted proxy, a request without X-Forwarded-For did not come through it."""
    settings.TRUSTED_PROXY_COUNT = 1
    response = client.get("/login/", HTTP_X_REQUEST_ID=PROXY_ID)
    assert response["X-Request-ID"] != PROXY_ID


@pytest.mark.parametrize("offered", [
    "short",                               # too short
    "x" * 129,                             # too long
    "abc def ghi",                         # spaces
    'abcdefgh"injected',                   # quotes would break log lines
    "abcdefgh\nFAKE LOG LINE",             # a new line, to forge a log line
    "-abcdefgh",                           # must start with a letter or digit
    "abcdefgh<script>",
])
def test_malformed_ids_are_replaced(client, db, settings, offered):
    settings.TRUSTED_PROXY_COUNT = 1
    response = client.get("/login/", HTTP_X_REQUEST_ID=offered, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response["X-Request-ID"] != offered
    assert request_id.valid(response["X-Request-ID"])


def test_audit_events_carry_the_request_id(client, db):
    response = sign_in(client, "nobody@example.org", "Whatever-pass-1")
    event = AuditEvent.objects.get(event=Event.SIGNIN_FAILED)
    assert event.data["request_id"] == response["X-Request-ID"]


def test_no_id_outside_requests(client, db):
    client.get("/login/")
    assert request_id.current() is None  # cleared once the response and the work after it are done
