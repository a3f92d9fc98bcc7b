"""Per-IP rate limit on password checks, and the fixed-window counters behind it."""

from __future__ import annotations

import pytest
from django.test import Client

from limen.core import clock, ratelimit

from ..conftest import DEFAULT_PASSWORD
from .helpers import WRONG, attempt, errors_of, signed_in

TOO_MANY = "Too many attempts from your network. Wait a few minutes and try again."


@pytest.fixture
def low_limit(settings):
    settings.RATE_LIMIT_SIGNIN_PER_IP = 3
    settings.RATE_LIMIT_WINDOW_SECONDS = 600
    settings.LOCKOUT_THRESHOLD = 50  # keep the account lock out of the way


@pytest.mark.django_db
def test_per_ip_limit_gives_429(low_limit, user, make_user):
    client = Client()
    others = [make_user() for _ in range(3)]
    # Spread over several accounts and unknown addresses: the limit is per IP.
    for email in (others[0].email, others[1].email, "nobody@example.org"):
        assert attempt(client, email, WRONG).status_code == 400
    response = attempt(client, user.email, DEFAULT_PASSWORD)  # even the right password
    assert response.status_code == 429
    assert errors_of(response) == [TOO_MANY]
    assert TOO_MANY in response.content.decode()
    assert not signed_in(client)


@pytest.mark.django_db
def test_other_ips_are_not_affected(low_limit, user):
    for _ in range(3):
        attempt(Client(), user.email, WRONG, REMOTE_ADDR="198.51.100.1")
    assert attempt(Client(), user.email, WRONG, REMOTE_ADDR="198.51.100.1").status_code == 429
    assert attempt(Client(), user.email, DEFAULT_PASSWORD, REMOTE_ADDR="198.51.100.2").status_code == 302


@pytest.mark.django_db
def test_limit_lifts_in_the_next_window(low_limit, user):
    for _ in range(3):
        attempt(Client(), user.email, WRONG)
    assert attempt(Client(), user.email, DEFAULT_PASSWORD).status_code == 429
    clock.advance(seconds=601)
    assert attempt(Client(), user.email, DEFAULT_PASSWORD).status_code == 302


@pytest.mark.django_db
def test_rate_limited_attempts_do_not_count_against_the_account(low_limit, user):
    from limen.accounts.models import User

    for _ in range(10):
        attempt(Client(), user.email, WRONG)
    assert User.objects.get(pk=user.pk).failed_signins == 3


@pytest.mark.django_db
def test_limit_uses_the_forwarded_address_only_behind_trusted_proxies(low_limit, settings, user):
    settings.TRUSTED_PROXY_COUNT = 1
    for i in range(3):
        attempt(Client(), user.email, WRONG, HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert attempt(Client(), user.email, WRONG, HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 429
    # Another client behind the same proxy is its own subject.
    assert attempt(Client(), user.email, DEFAULT_PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 302


# --- the counters -----------------------------------------------------------------

def test_counter_counts_and_resets():
    limit = ratelimit.Limit("test", 3, 60)
    assert ratelimit.count(limit, "a") == 0
    assert [ratelimit.hit(limit, "a") for _ in range(3)] == [1, 2, 3]
    assert ratelimit.exceeded(limit, "a")
    assert not ratelimit.exceeded(limit, "b")
    ratelimit.clear(limit, "a")
    assert ratelimit.count(limit, "a") == 0


def test_counter_window_follows_the_clock():
    limit = ratelimit.Limit("test-window", 2, 60)
    ratelimit.hit(limit, "a")
    ratelimit.hit(limit, "a")
    assert ratelimit.exceeded(limit, "a")
    assert 0 < ratelimit.retry_after(limit) <= 60
    clock.advance(seconds=61)
    assert not ratelimit.exceeded(limit, "a")


def test_scopes_are_separate():
    a, b = ratelimit.Limit("scope-a", 1, 60), ratelimit.Limit("scope-b", 1, 60)
    ratelimit.hit(a, "x")
    assert ratelimit.exceeded(a, "x") and not ratelimit.exceeded(b, "x")


@pytest.mark.parametrize("backend", ["locmem", "database"])
@pytest.mark.django_db
def test_slots_given_back_are_found_again_wherever_the_hint_points(backend, settings):
    """release() only frees its slot; reserve() goes round to it (on Limen's database cache too)."""
    if backend == "database":
        settings.CACHES = {"default": {"BACKEND": "limen.core.dbcache.DatabaseCache", "LOCATION": "limen_cache"}}
    limit = ratelimit.Limit("test-slots", 3, 600)
    for _ in range(10):  # successes: each takes a slot and gives it back
        ratelimit.release(ratelimit.reserve(limit, "10.0.0.1"))
    held = [ratelimit.reserve(limit, "10.0.0.1") for _ in range(3)]  # failures keep theirs
    assert all(held) and len({slot.number for slot in held}) == 3
    assert ratelimit.reserve(limit, "10.0.0.1") is None
    ratelimit.release(held[1])
    assert ratelimit.reserve(limit, "10.0.0.1").number == held[1].number
