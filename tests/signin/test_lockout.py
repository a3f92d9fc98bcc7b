"""Lockout after failed sign-ins, for real accounts and unknown addresses alike."""

from __future__ import annotations

import pytest
from django.test import Client

from limen.accounts.models import User
from limen.audit.events import Event
from limen.audit.models import AuditEvent
from limen.core import clock

from ..conftest import DEFAULT_PASSWORD
from .helpers import WRONG, attempt, errors_of, signed_in

pytestmark = pytest.mark.django_db

GENERIC = "The e-mail address or the password is not correct."


def locked_message(minutes: int = 15) -> str:
    return (f"Too many failed attempts: signing in to this account is paused for {minutes} minutes. "
            "Try again later.")


def fail(client: Client, email: str, times: int) -> list:
    client.post("/login/", {"email": email})
    return [client.post("/login/password/", {"password": WRONG}) for _ in range(times)]


def test_defaults(settings):
    assert settings.LOCKOUT_THRESHOLD == 5
    assert settings.LOCKOUT_MINUTES == 15


def test_locked_after_five_failures(client, user, outbox):
    responses = fail(client, user.email, 5)
    assert [errors_of(r) for r in responses[:4]] == [[GENERIC]] * 4
    assert responses[4].status_code == 400
    assert errors_of(responses[4]) == [locked_message()]
    user.refresh_from_db()
    assert user.is_locked
    assert user.failed_signins == 0  # the count starts again after the lock
    # Audit: five failures and one lock.
    assert AuditEvent.objects.filter(event=Event.SIGNIN_FAILED, user=user).count() == 5
    locked = AuditEvent.objects.get(event=Event.LOCKED, user=user)
    assert locked.ip == "127.0.0.1" and locked.data["minutes"] == 15
    # The owner is told, with a way to choose a new password.
    message = outbox.last(user.email)
    assert message.kind == "account_locked"
    assert "15 minutes" in message.body
    assert "/password/lost/" in message.body
    assert len([m for m in outbox.all() if m.kind == "account_locked"]) == 1


def test_right_password_refused_while_locked(client, user):
    fail(client, user.email, 5)
    other = Client()
    response = attempt(other, user.email, DEFAULT_PASSWORD)
    assert response.status_code == 400
    assert errors_of(response) == [locked_message()]
    assert not signed_in(other)
    assert AuditEvent.objects.filter(event=Event.SIGNIN_REFUSED_LOCKED, user=user).count() == 1


def test_lock_expires_after_fifteen_minutes(client, user):
    fail(client, user.email, 5)
    clock.advance(minutes=14, seconds=50)
    assert errors_of(attempt(Client(), user.email, DEFAULT_PASSWORD))[0].startswith("Too many failed attempts")
    clock.advance(seconds=11)
    other = Client()
    assert attempt(other, user.email, DEFAULT_PASSWORD).status_code == 302
    assert signed_in(other)


def test_remaining_minutes_shown_later_in_the_lock(client, user):
    fail(client, user.email, 5)
    clock.advance(minutes=10, seconds=30)
    assert errors_of(attempt(Client(), user.email, DEFAULT_PASSWORD)) == [locked_message(5)]


def test_success_resets_the_count(client, user):
    fail(client, user.email, 4)
    assert attempt(Client(), user.email, DEFAULT_PASSWORD).status_code == 302
    assert User.objects.get(pk=user.pk).failed_signins == 0
    responses = fail(Client(), user.email, 4)
    assert errors_of(responses[-1]) == [GENERIC]
    assert not User.objects.get(pk=user.pk).is_locked


def test_failures_from_several_browsers_add_up(user):
    for _ in range(5):
        last = fail(Client(), user.email, 1)[0]
    assert errors_of(last) == [locked_message()]


def test_lock_is_per_account(user, make_user):
    other = make_user()
    fail(Client(), user.email, 5)
    assert attempt(Client(), other.email, DEFAULT_PASSWORD).status_code == 302


def test_settings_change_threshold_and_duration(settings, user):
    settings.LOCKOUT_THRESHOLD = 3
    settings.LOCKOUT_MINUTES = 2
    responses = fail(Client(), user.email, 3)
    assert errors_of(responses[1]) == [GENERIC]
    assert errors_of(responses[2]) == [locked_message(2)]
    clock.advance(minutes=2, seconds=1)
    assert attempt(Client(), user.email, DEFAULT_PASSWORD).status_code == 302


def test_operator_unlock_lifts_the_lock(user):
    from limen.signin.services import unlock

    fail(Client(), user.email, 5)
    unlock(User.objects.get(pk=user.pk))
    assert attempt(Client(), user.email, DEFAULT_PASSWORD).status_code == 302
    assert AuditEvent.objects.filter(event=Event.UNLOCKED, user=user).exists()


# --- unknown addresses: the same answers, so nobody learns which addresses exist ----

def test_unknown_address_gets_the_same_lock_message(user):
    known = fail(Client(), user.email, 6)
    unknown = fail(Client(), "nobody@example.org", 6)
    assert [errors_of(r) for r in known] == [errors_of(r) for r in unknown]
    assert [r.status_code for r in known] == [r.status_code for r in unknown]
    assert errors_of(unknown[4]) == [locked_message()]
    assert errors_of(unknown[5]) == [locked_message()]


def test_unknown_address_lock_counts_any_case():
    fail(Client(), "Nobody@Example.org", 3)
    responses = fail(Client(), "nobody@example.org", 2)
    assert errors_of(responses[-1]) == [locked_message()]


def test_unknown_address_lock_lasts_as_long_as_a_real_one(user):
    fail(Client(), user.email, 5)
    fail(Client(), "nobody@example.org", 5)
    clock.advance(minutes=10, seconds=30)
    known = attempt(Client(), user.email, WRONG)
    unknown = attempt(Client(), "nobody@example.org", WRONG)
    assert errors_of(known) == errors_of(unknown) == [locked_message(5)]
    clock.advance(minutes=5)
    known = attempt(Client(), user.email, WRONG)
    unknown = attempt(Client(), "nobody@example.org", WRONG)
    assert errors_of(known) == errors_of(unknown) == [GENERIC]


def test_unknown_address_failures_add_up_over_time_like_a_real_account(user):
    # A real account counts failures in a row, however far apart; so must an unknown address.
    fail(Client(), user.email, 3)
    fail(Client(), "nobody@example.org", 3)
    clock.advance(minutes=40)
    known = fail(Client(), user.email, 2)
    unknown = fail(Client(), "nobody@example.org", 2)
    assert errors_of(known[-1]) == errors_of(unknown[-1]) == [locked_message()]
