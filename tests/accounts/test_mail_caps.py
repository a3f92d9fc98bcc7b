"""At most LIMEN_EMAIL_CAP_PER_ADDRESS account e-mails per address, and LIMEN_EMAIL_CAP_PER_IP per IP, an hour."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from limen.accounts.errors import TooManyEmails
from limen.core import clock, ratelimit
from limen.notify.models import DeferredJob, OutboxMessage
from tests.support.pow import fresh

from .helpers import registration_data

pytestmark = pytest.mark.django_db

MESSAGE = str(TooManyEmails.default_message)


def ask(path: str, email: str, ip: str = "192.0.2.1"):
    data = registration_data(email=email, email_confirm=email) if path == "/register/" else {"email": email}
    return Client(REMOTE_ADDR=ip).post(path, {**data, **fresh()})


def refused(response) -> bool:
    return response.status_code == 429 and MESSAGE in response.content.decode()


@pytest.fixture(autouse=True)
def caps(settings):
    settings.EMAIL_CAP_PER_ADDRESS, settings.EMAIL_CAP_PER_IP = 5, 30


def test_five_emails_per_address_per_hour_whatever_the_form(user, outbox):
    paths = ["/password/lost/", "/register/", "/verify-again/", "/password/lost/", "/password/lost/"]
    for index, path in enumerate(paths):
        assert not refused(ask(path, user.email, ip=f"192.0.2.{index + 1}"))
    sent = len(outbox.all())
    for path in ("/password/lost/", "/register/", "/verify-again/"):
        assert refused(ask(path, user.email.upper(), ip="198.51.100.7"))  # any network, any spelling
    assert len(outbox.all()) == sent
    assert not DeferredJob.objects.exists()
    # Another address is not affected; the next hour starts afresh.
    assert not refused(ask("/password/lost/", "other@example.org"))
    clock.advance(hours=1)
    assert not refused(ask("/password/lost/", user.email))


def test_the_refusal_is_the_same_for_an_address_with_or_without_an_account(user):
    pages = {}
    for email in (user.email, "nobody@example.org"):
        for attempt in range(6):
            response = ask("/password/lost/", email, ip=f"192.0.2.{attempt + 1}")
        assert refused(response)
        page = response.content.decode().replace(email, "ADDRESS")
        pages[email] = re.sub(r'(data-pow-challenge|value)="[^"]*"', "", page)
    assert pages[user.email] == pages["nobody@example.org"]


def test_one_network_may_ask_for_a_limited_number_of_emails(settings):
    settings.EMAIL_CAP_PER_IP = 3
    for n in range(3):
        assert not refused(ask("/password/lost/", f"person{n}@example.org", ip="203.0.113.5"))
    assert refused(ask("/register/", "person9@example.org", ip="203.0.113.5"))
    assert not refused(ask("/register/", "person9@example.org", ip="203.0.113.6"))
    # The refused request from the busy network did not use up person9's own allowance.
    for n in range(4):
        assert not refused(ask("/password/lost/", "person9@example.org", ip=f"198.51.100.{n + 1}"))
    assert refused(ask("/password/lost/", "person9@example.org", ip="198.51.100.50"))


def test_take_counts_up_to_the_limit_and_no_further():
    limit = ratelimit.Limit("test", 3, 3600)
    assert [ratelimit.take(limit, "a") for _ in range(5)] == [True, True, True, False, False]
    assert ratelimit.take(limit, "b")


def test_take_does_not_trust_its_hint_to_skip_free_slots(settings):
    from django.core.cache import cache

    limit = ratelimit.Limit("test", 3, 3600)
    assert ratelimit.take(limit, "a")
    key, _ = ratelimit._key(limit, "a")
    cache.set(f"{key}:next", 0, 60)  # a stale hint: slot 0 is taken, the search goes on
    assert [ratelimit.take(limit, "a") for _ in range(3)] == [True, True, False]
