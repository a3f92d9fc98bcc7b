"""Every security event the account and sign-in flows produce is recorded, with IP and browser."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest

from tests.support.pages import sign_in
from django.test import Client

from limen.accounts.models import User
from limen.audit.events import Event
from limen.audit.models import AuditEvent
from limen.audit.service import record, recent_for
from limen.core import clock
from tests.support.pow import fresh

from ..conftest import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

UA = "AuditBrowser/1.0 (X11)"
IP = "192.0.2.44"
OPERATOR_UA = "OperatorBrowser/9"
OPERATOR_IP = "192.0.2.200"

# The events of the flows in accounts/ and signin/ (second factors add their own).
FLOW_EVENTS = {
    Event.REGISTERED, Event.REGISTRATION_DUPLICATE, Event.EMAIL_VERIFIED, Event.SIGNIN_SUCCEEDED,
    Event.SIGNIN_FAILED, Event.SIGNIN_REFUSED_LOCKED, Event.SIGNIN_REFUSED_DISABLED, Event.SIGNED_OUT,
    Event.LOCKED, Event.UNLOCKED, Event.DISABLED, Event.ENABLED, Event.PASSWORD_SET, Event.PASSWORD_CHANGED,
    Event.PASSWORD_RESET_REQUESTED, Event.PASSWORD_RESET, Event.EMAIL_CHANGE_REQUESTED, Event.EMAIL_CHANGED,
    Event.PROFILE_UPDATED,
}


def _path(url: str) -> str:
    return urlsplit(url).path


def _link(outbox, to) -> str:
    match = re.search(r"https?://\S+", outbox.last(to).body)
    return _path(match.group(0))


def _sign_in(client, email, password):
    return sign_in(client, email, password)


def test_every_flow_event_is_recorded_with_ip_and_user_agent(make_user, outbox):
    c = Client(HTTP_USER_AGENT=UA, REMOTE_ADDR=IP)
    # Register, again (duplicate), verify and choose the password (signs in).
    form = {"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.org",
            "email_confirm": "grace@example.org", "email_language": "en", "privacy": "on"}
    c.post("/register/", {**form, **fresh()})
    verify = _link(outbox, "grace@example.org")
    c.post("/register/", {**form, **fresh()})  # unfinished: fresh link, recorded as a duplicate
    verify = _link(outbox, "grace@example.org")
    assert c.post(verify, {"new_password": "Lantern-Orbit-77", "confirm_password": "Lantern-Orbit-77"}).status_code == 302
    grace = User.objects.get(email="grace@example.org")
    # Details, password, e-mail change.
    c.post("/account/details/", {"first_name": "Grace B.", "last_name": "Hopper", "email_language": "en",
                                 "interface_language": ""})
    c.post("/account/password/", {"current_password": "Lantern-Orbit-77", "new_password": "Harbour-Kite-88",
                                  "confirm_password": "Harbour-Kite-88"})
    c.post("/account/email/", {"new_email": "grace@example.net", "new_email_confirm": "grace@example.net",
                               "password": "Harbour-Kite-88"})
    c.post(_link(outbox, "grace@example.net"))
    c.post("/logout/")
    # Lost password.
    c.post("/password/lost/", {**fresh(), "email": "grace@example.net"})
    c.post(_link(outbox, "grace@example.net"), {"new_password": "Meadow-Spark-99", "confirm_password": "Meadow-Spark-99"})
    # Failures, lock, refusal while locked.
    for _ in range(5):
        _sign_in(c, "grace@example.net", "Wrong-password-1")
    _sign_in(c, "grace@example.net", "Meadow-Spark-99")
    # Operator: unlock, disable, enable.
    operator = make_user(email="olive@example.org", is_staff=True, is_superuser=True)
    op = Client(HTTP_USER_AGENT=OPERATOR_UA, REMOTE_ADDR=OPERATOR_IP)
    assert _sign_in(op, operator.email, DEFAULT_PASSWORD).status_code == 302
    for action in ("unlock_accounts", "disable_accounts"):
        op.post("/admin/accounts/user/", {"action": action, "_selected_action": [grace.pk]})
    _sign_in(c, "grace@example.net", "Meadow-Spark-99")  # refused: disabled
    op.post("/admin/accounts/user/", {"action": "enable_accounts", "_selected_action": [grace.pk]})
    assert _sign_in(Client(HTTP_USER_AGENT=UA, REMOTE_ADDR=IP), "grace@example.net", "Meadow-Spark-99").status_code == 302

    events = AuditEvent.objects.filter(user=grace)
    recorded = set(events.values_list("event", flat=True))
    assert FLOW_EVENTS <= recorded, FLOW_EVENTS - recorded
    for event in events:
        assert event.time is not None
        if event.event in {Event.UNLOCKED, Event.DISABLED, Event.ENABLED}:
            assert (event.ip, event.user_agent) == (OPERATOR_IP, OPERATOR_UA), event
            assert event.data["operator"] == "olive@example.org"
        else:
            assert (event.ip, event.user_agent) == (IP, UA), event
        assert event.email  # the address at the time
    # The e-mail at the time is kept, even after the address changed.
    first = events.filter(event=Event.REGISTERED).get()
    assert first.email == "grace@example.org"
    changed = events.get(event=Event.EMAIL_CHANGED)
    assert changed.data["old_email"] == "grace@example.org"
    # A signed-in person sees the events as labels a person can read.
    html = Client(HTTP_USER_AGENT=UA, REMOTE_ADDR=IP)
    _sign_in(html, "grace@example.net", "Meadow-Spark-99")
    page = html.get("/account/activity/").content.decode()
    assert "Account locked after failed sign-ins" in page
    assert "Password changed" in page


def test_unknown_address_failure_is_recorded_without_an_account(client):
    _sign_in(client, "nobody@example.org", "Whatever-pass-1")
    event = AuditEvent.objects.get(event=Event.SIGNIN_FAILED)
    assert event.user_id is None
    assert event.email == "nobody@example.org"
    assert event.data == {"reason": "unknown_account", "request_id": event.data["request_id"]}


def test_record_without_a_request(user):
    entry = record(Event.UNLOCKED, user=user, operator="cli")
    assert entry.ip == "" and entry.user_agent == ""
    assert entry.email == user.email
    assert entry.time <= clock.now()


def test_history_outlives_the_account(make_user):
    user = make_user()
    record(Event.PROFILE_UPDATED, user=user, fields=["first_name"])
    pk = user.pk
    user.delete()
    assert AuditEvent.objects.filter(user_id=pk).count() == 1


def test_recent_for_is_newest_first_and_limited(user, make_user):
    other = make_user()
    for i in range(5):
        clock.advance(minutes=1)
        record(Event.PROFILE_UPDATED, user=user, n=i)
    record(Event.PROFILE_UPDATED, user=other)
    recent = list(recent_for(user, 3))
    assert [e.data["n"] for e in recent] == [4, 3, 2]
    assert all(e.user_id == user.pk for e in recent)
    assert dt.timedelta(minutes=1) <= recent[0].time - recent[1].time < dt.timedelta(minutes=1, seconds=5)
