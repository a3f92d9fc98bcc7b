"""The answer to reset, registration and "send a new link" does the same work for every address.

Whether the address has an account (and what to send) is decided after the
response (limen.notify.deferred). Here the work left for after the response
is held back while the answer's own database queries are captured: they
must be the same, apart from the values, for every kind of address. The
timing itself is measured against a real server in
test_enumeration_timing_live.py.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from django.core.signals import request_finished
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from limen.core import after_response
from tests.support.pow import fresh

from .helpers import registration_data

pytestmark = pytest.mark.django_db

_VALUES = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b|\"s\d+_x\d+\"")


def shape(queries) -> list[str]:
    return [_VALUES.sub("?", q["sql"]) for q in queries]


@contextmanager
def answer_only():
    """Capture the queries of the answer; the work it leaves for later runs only at the end."""
    request_finished.disconnect(dispatch_uid="limen.core.after_response")
    try:
        with CaptureQueriesContext(connection) as queries:
            yield queries
    finally:
        request_finished.connect(after_response.run_pending, dispatch_uid="limen.core.after_response")
    after_response.run_pending()


def answer(path: str, data: dict) -> tuple[list[str], int, bytes]:
    client = Client()
    data = {**data, **fresh()}  # solved before: the answer's queries are what is compared
    with answer_only() as queries:
        response = client.post(path, data)
    page = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content)
    return shape(queries), response.status_code, page


def test_password_reset(make_user, outbox):
    active = make_user(email="active@example.org")
    make_user(email="disabled@example.org", is_active=False)
    results = {email: answer("/password/lost/", {"email": email})
               for email in ("active@example.org", "disabled@example.org", "nobody@example.org")}
    shapes = {email: q for email, (q, _, _) in results.items()}
    assert shapes["active@example.org"] == shapes["nobody@example.org"] == shapes["disabled@example.org"]
    assert len({status for _, status, _ in results.values()}) == 1
    # The deciding happened after the answer: only the account's owner got a link.
    assert [m.recipient for m in outbox.all()] == [active.email]


def test_registration(make_user, outbox):
    make_user(email="taken@example.org")
    make_user(email="unfinished@example.org", password=None, verified=False)
    shapes = {}
    for email in ("taken@example.org", "unfinished@example.org", "new@example.org"):
        queries, status, _ = answer("/register/", registration_data(email=email, email_confirm=email))
        assert status == 302
        shapes[email] = queries
    assert shapes["taken@example.org"] == shapes["unfinished@example.org"] == shapes["new@example.org"]
    assert sorted(m.kind for m in outbox.all()) == ["already_registered", "verify_email", "verify_email"]


def test_new_verification_link(make_user, outbox):
    make_user(email="verified@example.org")
    make_user(email="unfinished@example.org", password=None, verified=False)
    shapes = {email: answer("/verify-again/", {"email": email})[0]
              for email in ("verified@example.org", "unfinished@example.org", "nobody@example.org")}
    assert shapes["verified@example.org"] == shapes["unfinished@example.org"] == shapes["nobody@example.org"]
    assert [m.recipient for m in outbox.all()] == ["unfinished@example.org"]
