"""The SSO session: fixation, idle timeout, cookie flags, ending sessions."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from limen.core import clock
from limen.signin import sessions
from limen.signin.models import SsoSession
from limen.signin.signals import sso_session_ending

from ..conftest import DEFAULT_PASSWORD
from .helpers import sign_in, signed_in

pytestmark = pytest.mark.django_db


def test_session_key_changes_at_sign_in(client, user):
    client.post("/login/", {"email": user.email})
    before = client.session.session_key
    assert before and Session.objects.filter(session_key=before).exists()
    attacker = Client()
    attacker.cookies["limen_sso"] = before  # a planted session id
    response = client.post("/login/password/", {"password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    after = client.session.session_key
    assert after != before
    assert response.cookies["limen_sso"].value == after
    assert not Session.objects.filter(session_key=before).exists()
    assert signed_in(client)
    assert not signed_in(attacker)


def test_cookie_flags(client, user, settings):
    assert settings.SESSION_COOKIE_SECURE is False  # http base URL in tests
    client.post("/login/", {"email": user.email})
    response = client.post("/login/password/", {"password": DEFAULT_PASSWORD})
    cookie = response.cookies["limen_sso"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert not cookie["secure"]
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE == 8 * 3600


def test_secure_cookie_when_configured(client, user, settings):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    page = client.get("/login/")
    assert page.cookies["csrftoken"]["secure"] is True
    assert page.cookies["csrftoken"]["samesite"] == "Lax"
    assert page.cookies["csrftoken"]["httponly"] is True
    client.post("/login/", {"email": user.email})
    response = client.post("/login/password/", {"password": DEFAULT_PASSWORD})
    cookie = response.cookies["limen_sso"]
    assert cookie["secure"] is True and cookie["httponly"] is True and cookie["samesite"] == "Lax"


def test_https_base_url_makes_cookies_secure(monkeypatch):
    """LIMEN_BASE_URL https:// turns LIMEN_COOKIE_SECURE on by default (read at start)."""
    import importlib

    import limen.settings as live_settings

    monkeypatch.setenv("LIMEN_BASE_URL", "https://login.example.org")
    monkeypatch.delenv("LIMEN_COOKIE_SECURE", raising=False)
    try:
        fresh = importlib.reload(live_settings)
        assert fresh.SESSION_COOKIE_SECURE is True
        assert fresh.CSRF_COOKIE_SECURE is True
        assert fresh.LANGUAGE_COOKIE_SECURE is True
        assert fresh.SECURE_HSTS_SECONDS > 0
        monkeypatch.setenv("LIMEN_COOKIE_SECURE", "0")
        assert importlib.reload(live_settings).SESSION_COOKIE_SECURE is False
    finally:
        monkeypatch.undo()
        importlib.reload(live_settings)


def test_idle_session_ends(settings, user):
    settings.SESSION_IDLE_SECONDS = 120
    client = sign_in(user.email)
    key = client.session.session_key
    clock.advance(seconds=121)
    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/account/"
    assert not SsoSession.objects.filter(session_key=key).exists()
    assert not signed_in(client)


def test_activity_keeps_the_session_alive(settings, user):
    settings.SESSION_IDLE_SECONDS = 120
    client = sign_in(user.email)
    for _ in range(4):
        clock.advance(seconds=100)
        assert signed_in(client)
    sso = SsoSession.objects.get(session_key=client.session.session_key)
    assert sso.last_seen > sso.created


def test_idle_timeout_default(settings):
    assert settings.SESSION_IDLE_SECONDS == 2 * 3600


def test_sso_session_mirror(user):
    laptop = sign_in(user.email, HTTP_USER_AGENT="Laptop")
    phone = sign_in(user.email, HTTP_USER_AGENT="Phone", REMOTE_ADDR="192.0.2.8")
    mirrored = {s.session_key: s for s in sessions.active_for(user)}
    assert set(mirrored) == {laptop.session.session_key, phone.session.session_key}
    assert mirrored[phone.session.session_key].ip == "192.0.2.8"
    assert mirrored[laptop.session.session_key].user_agent == "Laptop"
    clock.advance(hours=8, seconds=1)
    assert list(sessions.active_for(user)) == []


def test_end_all_keeps_only_the_given_session(user):
    a, b, c = sign_in(user.email), sign_in(user.email), sign_in(user.email)
    assert sessions.end_all(user, keep=b.session.session_key) == 2
    assert [signed_in(x) for x in (a, b, c)] == [False, True, False]


def test_ending_a_session_is_announced(user):
    ended = []

    def receiver(sender, session_key, user, **kwargs):
        ended.append((session_key, user.pk if user else None))
        return ["Demo application"]

    sso_session_ending.connect(receiver)
    try:
        client = sign_in(user.email)
        key = client.session.session_key
        response = client.post("/logout/", follow=True)
        assert ended == [(key, user.pk)]
        assert "Demo application" in response.content.decode()
        other = sign_in(user.email)
        sessions.end_all(user)
        assert ended[-1] == (other.session.session_key, user.pk)
    finally:
        sso_session_ending.disconnect(receiver)


def test_absolute_lifetime_ends_even_an_active_session(settings, user):
    settings.SESSION_IDLE_SECONDS = 3600
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    client = sign_in(user.email)
    for _ in range(15):  # active every 30 minutes for 7.5 hours
        clock.advance(minutes=30)
        assert signed_in(client)
    clock.advance(minutes=31)  # 8 hours and a minute after signing in
    assert not signed_in(client)
    assert not SsoSession.objects.filter(user=user).exists()
