"""A sign-in cut off before its verdict (a database gone mid-request, a killed worker) must not count
as a wrong guess, and places such requests leave behind must not lock an account for ever."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client

from limen.accounts.models import User
from limen.audit.events import Event
from limen.audit.models import AuditEvent
from limen.core import clock

from ..conftest import DEFAULT_PASSWORD
from .helpers import attempt, errors_of, signed_in

pytestmark = pytest.mark.django_db


def test_a_sign_in_cut_off_before_its_verdict_gives_its_place_back(user, monkeypatch):
    real = User.check_password

    def connection_lost(self, raw):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(User, "check_password", connection_lost)
    browser = Client(raise_request_exception=False)
    for _ in range(6):  # more than the threshold
        assert attempt(browser, user.email, DEFAULT_PASSWORD).status_code == 500
    user.refresh_from_db()
    assert (user.failed_signins, user.locked_until) == (0, None)
    monkeypatch.setattr(User, "check_password", real)
    browser = Client()
    assert attempt(browser, user.email, DEFAULT_PASSWORD).status_code == 302 and signed_in(browser)


def test_places_left_by_requests_that_died_lock_for_the_window_not_for_ever(user, settings):
    User.objects.filter(pk=user.pk).update(failed_signins=settings.LOCKOUT_THRESHOLD, locked_until=None)
    refused = attempt(Client(), user.email, DEFAULT_PASSWORD)
    assert refused.status_code == 400 and "paused" in errors_of(refused)[0]
    user.refresh_from_db()
    assert user.locked_until is not None  # a lock that ends, not a count that never does
    assert AuditEvent.objects.filter(event=Event.LOCKED, user=user).count() == 1
    clock.advance(minutes=settings.LOCKOUT_MINUTES + 1)
    browser = Client()
    assert attempt(browser, user.email, DEFAULT_PASSWORD).status_code == 302 and signed_in(browser)


def test_places_taken_moments_ago_are_refused_but_do_not_lock(user, settings):
    """They may be guesses still being checked: a right password among them (a double click after a few
    typos) must not turn into a lock of its owner's account."""
    User.objects.filter(pk=user.pk).update(failed_signins=settings.LOCKOUT_THRESHOLD, locked_until=None,
                                           guess_reserved_at=clock.now())
    refused = attempt(Client(), user.email, DEFAULT_PASSWORD)
    assert refused.status_code == 400
    user.refresh_from_db()
    assert user.locked_until is None and not AuditEvent.objects.filter(event=Event.LOCKED, user=user).exists()
    clock.advance(seconds=121)  # longer than any request lasts: those requests are over
    assert attempt(Client(), user.email, DEFAULT_PASSWORD).status_code == 400
    user.refresh_from_db()
    assert user.locked_until is not None


def test_a_guess_records_when_it_took_its_place(user):
    before = clock.now()
    attempt(Client(), user.email, "Wrong-Password-1")
    user.refresh_from_db()
    assert before <= user.guess_reserved_at <= clock.now()
