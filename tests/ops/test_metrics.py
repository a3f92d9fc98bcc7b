"""What /metrics tells an operator: sign-in outcomes, lockouts, the queue, sessions, requests by view."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from limen.audit.events import Event
from limen.audit.service import record
from limen.core import clock
from limen.notify.models import OutboxMessage, Status
from tests.support.pages import DEFAULT_PASSWORD, sign_in

from .metrics_support import Delta, value

pytestmark = pytest.mark.django_db

SIGNINS = "limen_signins_total"


def _scrape(client) -> str:
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    return response.content.decode()


def _gauge(text: str, name: str) -> float:
    match = re.search(rf"^{name} (\S+)$", text, re.M)
    assert match, f"{name} not in the scrape"
    return float(match.group(1))


def test_a_password_sign_in_that_succeeds(client, user):
    with Delta(SIGNINS, method="password", outcome="succeeded") as counted:
        sign_in(client, user, expect=302)
    assert counted.value == 1


def test_wrong_passwords_unknown_addresses_and_the_lockout(client, user, settings):
    settings.LOCKOUT_THRESHOLD = 2
    with Delta(SIGNINS, method="password", outcome="failed") as failed, \
            Delta(SIGNINS, method="password", outcome="refused_locked") as refused, \
            Delta("limen_lockouts_total", kind="account") as locked:
        sign_in(client, "nobody@example.org", "Whatever-pass-1")
        sign_in(client, user, "Wrong-password-1")
        sign_in(client, user, "Wrong-password-2")  # locks
        sign_in(client, user, DEFAULT_PASSWORD)    # refused: locked
    assert (failed.value, locked.value, refused.value) == (3, 1, 1)


def test_a_disabled_account(client, make_user):
    user = make_user(is_active=False)
    with Delta(SIGNINS, method="password", outcome="refused_disabled") as counted:
        sign_in(client, user)
    assert counted.value == 1


def test_rate_limited_attempts(client, user, settings):
    settings.RATE_LIMIT_SIGNIN_PER_IP = 1
    with Delta(SIGNINS, method="password", outcome="rate_limited") as counted:
        sign_in(client, user, "Wrong-password-1")
        sign_in(client, user, "Wrong-password-2")
    assert counted.value == 1


def test_second_factors_by_method_and_never_their_enrolment(user):
    with Delta(SIGNINS, method="sms", outcome="failed") as sms, \
            Delta(SIGNINS, method="recovery_code", outcome="failed") as recovery, \
            Delta(SIGNINS, method="webauthn", outcome="failed") as webauthn:
        record(Event.FACTOR_FAILED, user=user, method="sms", purpose="signin")
        record(Event.FACTOR_FAILED, user=user, method="sms", purpose="enrol")  # adding a phone
        record(Event.FACTOR_FAILED, user=user, method="recovery_code", reason="wrong")
        record(Event.FACTOR_FAILED, user=user, method="webauthn", stage="register")  # adding a key
    assert (sms.value, recovery.value, webauthn.value) == (1, 1, 0)


def test_a_completed_second_factor_counts_for_its_method(user):
    with Delta(SIGNINS, method="mobile_app_pin", outcome="succeeded") as counted:
        record(Event.SIGNIN_SUCCEEDED, user=user, strengths=["PASSWORD_MOBILE_APP"], method="mobile_app_pin")
    assert counted.value == 1


def test_labels_stay_within_known_values(user):
    with Delta(SIGNINS, method="other", outcome="failed") as counted:
        record(Event.FACTOR_FAILED, user=user, method="someone@example.org")
    assert counted.value == 1
    assert value(SIGNINS, method="someone@example.org", outcome="failed") == 0


def test_device_lockouts(user):
    with Delta("limen_lockouts_total", kind="mobile_device") as counted:
        record(Event.MOBILE_DEVICE_LOCKED, user=user, device="d")
    assert counted.value == 1


def test_the_delivery_queue_backlog_and_its_oldest_age(client):
    now = clock.now()
    for age in (30, 400):
        OutboxMessage.objects.create(created=now - dt.timedelta(seconds=age), recipient="a@example.org",
                                     subject="s", body="b", status=Status.PENDING, next_attempt=now)
    OutboxMessage.objects.create(created=now - dt.timedelta(days=3), recipient="b@example.org", subject="s",
                                 body="b", status=Status.SENT, next_attempt=now)
    text = _scrape(client)
    assert _gauge(text, "limen_delivery_queue_pending") == 2
    assert 400 <= _gauge(text, "limen_delivery_queue_oldest_age_seconds") < 460
    assert _gauge(text, "limen_metrics_database_up") == 1


def test_an_empty_queue(client):
    text = _scrape(client)
    assert _gauge(text, "limen_delivery_queue_pending") == 0
    assert _gauge(text, "limen_delivery_queue_oldest_age_seconds") == 0


def test_active_sso_sessions(client, make_user, settings):
    from django.test import Client

    assert _gauge(_scrape(client), "limen_sso_sessions_active") == 0
    for _ in range(2):
        sign_in(Client(), make_user(), expect=302)
    assert _gauge(_scrape(client), "limen_sso_sessions_active") == 2
    clock.advance(seconds=settings.SESSION_IDLE_SECONDS + 1)  # idle sessions are over
    assert _gauge(_scrape(client), "limen_sso_sessions_active") == 0


def test_requests_by_view_and_a_bounded_method_label(client):
    client.get("/login/")
    client.generic("BREW", "/login/")
    text = _scrape(client)
    assert re.search(r'django_http_requests_latency_seconds_by_view_method_count\{[^}]*view="signin:identify"', text)
    assert 'method="BREW"' not in text
    assert 'method="<invalid method>"' in text


def test_no_personal_data_in_any_label(client, make_user):
    user = make_user(email="marie.curie@example.org")
    sign_in(client, user, "Wrong-password-1")
    sign_in(client, user, expect=302)
    text = _scrape(client)
    assert "@" not in text
    assert str(user.uid) not in text
