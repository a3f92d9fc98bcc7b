"""Shared fixtures. Build users in one line: ``make_user(email=..., password=...)``."""

from __future__ import annotations

import itertools

import pytest

from limen.core import clock

from tests.support.pages import DEFAULT_PASSWORD, sign_in

pytest_plugins = ["tests.support.devices", "tests.support.keys"]
_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_state(settings):
    """Each test starts with an empty cache (rate limits), a true clock and the default language.

    A request through the test client leaves its page's language active in the thread (the locale
    middleware activates it and nothing turns it back): without the reset, a test that reads an
    English message failed when a Swedish page had been served before it on the same worker.
    """
    from django.core.cache import cache
    from django.utils import translation

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    clock.reset()
    translation.activate(settings.LANGUAGE_CODE)
    yield
    clock.reset()
    translation.deactivate()


@pytest.fixture(autouse=True)
def _audit_flushable(request):
    """Keep the append-only triggers on during tests, yet let transactional tests flush.

    Django empties the database after a transactional test (live_server too);
    on SQLite that is a DELETE the audit trigger refuses, so the flush is
    allowed through the audit_maintenance table, which the next test empties.
    """
    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    transactional = "transactional_db" in names or "live_server" in names or bool(
        marker and marker.kwargs.get("transaction"))
    if not (transactional or marker or "db" in names):
        yield
        return
    from django.db import connection

    request.getfixturevalue("transactional_db" if transactional else "db")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_maintenance")
    yield
    if transactional:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO audit_maintenance (reason) VALUES ('test flush')")


@pytest.fixture
def make_user(db):
    from limen.accounts.models import User

    def build(*, email: str | None = None, password: str | None = DEFAULT_PASSWORD, verified: bool = True,
              **fields) -> User:
        n = next(_counter)
        fields.setdefault("first_name", "Ada")
        fields.setdefault("last_name", "Lovelace")
        user = User.objects.create_user(email or f"person{n}@example.org", password, email_verified=verified, **fields)
        return user

    return build


@pytest.fixture
def user(make_user):
    return make_user()


@pytest.fixture
def signed_in_client(client, user):
    """A test client signed in through the real sign-in pages."""
    sign_in(client, user, expect=302)
    client.user = user
    return client


@pytest.fixture
def outbox(db):
    """Messages Limen queued, newest last."""
    from limen.notify.models import OutboxMessage

    class Box:
        def all(self):
            return list(OutboxMessage.objects.order_by("id"))

        def last(self, to: str | None = None):
            qs = OutboxMessage.objects.order_by("-id")
            if to:
                qs = qs.filter(recipient__iexact=to)
            return qs.first()

        def link(self, to: str | None = None) -> str:
            import re

            message = self.last(to)
            assert message is not None, "no message was sent"
            match = re.search(r"https?://\S+", message.body)
            assert match, message.body
            return match.group(0)

    return Box()
