"""Read, touch and end SSO sessions (starting one is limen.signin.login's job, for complete()).

The Django session (database-backed, so every process sees it) carries the
login; SsoSession mirrors it so that sessions can be listed and ended for an
account, e.g. after a password reset.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.sessions.models import Session
from django.db.models import Q

from limen.audit.events import Event
from limen.audit.service import record
from limen.core import clock

from .models import SsoSession
from .signals import sso_session_ending

SESSION_KEY = "limen.sso"


def current(request) -> dict | None:
    if not request.user.is_authenticated:
        return None
    return request.session.get(SESSION_KEY)


def announce_end(key: str, user) -> list[str]:
    """Tell the areas that listen (single logout) that this session ends; returns the applications."""
    names: list[str] = []
    for _receiver, response in sso_session_ending.send(sender=SsoSession, session_key=key, user=user):
        names.extend(response or [])
    return names


def end(request) -> list[str]:
    """Sign out here; returns the applications the person was signed out of."""
    key = request.session.session_key
    names: list[str] = []
    if key:
        names = announce_end(key, request.user if request.user.is_authenticated else None)
        SsoSession.objects.filter(session_key=key).delete()
    logout(request)
    return names


def _end_keys(keys: list[str], user) -> list[str]:
    """End these sessions elsewhere: the applications are told (single logout), then the sessions go.
    Returns the applications told."""
    names: list[str] = []
    for key in keys:
        names.extend(announce_end(key, user))
    Session.objects.filter(session_key__in=keys).delete()
    SsoSession.objects.filter(session_key__in=keys).delete()
    return names


def end_all(user, *, keep: str | None = None) -> int:
    """End every session of the account, except ``keep`` (the caller's own)."""
    keys = list(SsoSession.objects.filter(user=user).exclude(session_key=keep or "").values_list("session_key", flat=True))
    _end_keys(keys, user)
    return len(keys)


def end_everywhere(request) -> list[str]:
    """End every session of the signed-in account, this browser's last (it is signed out); returns the
    applications told."""
    user = request.user
    keys = list(SsoSession.objects.filter(user=user).exclude(session_key=request.session.session_key or "")
                .values_list("session_key", flat=True))
    names = _end_keys(keys, user)
    names.extend(end(request))
    return sorted(set(names))


def end_one(user, session_id: int, *, keep: str | None = None) -> SsoSession | None:
    """End one session of the account, named by its row id (pages show that, never the key, which is the
    cookie's secret); not ``keep`` (the caller's own). Returns the session ended, None if there is none."""
    entry = SsoSession.objects.filter(user=user, pk=session_id).exclude(session_key=keep or "").first()
    if entry is not None:
        _end_keys([entry.session_key], user)
    return entry


def end_expired() -> int:
    """End the sessions past their absolute or idle lifetime that nobody came back to,
    so that receivers (single logout) hear of them too. Run by the background worker."""
    now = clock.now()
    stale = SsoSession.objects.filter(
        Q(expires__lte=now) | Q(last_seen__lte=now - dt.timedelta(seconds=settings.SESSION_IDLE_SECONDS))
    ).select_related("user")
    ended = list(stale)
    for entry in ended:
        announce_end(entry.session_key, entry.user)
    keys = [entry.session_key for entry in ended]
    Session.objects.filter(session_key__in=keys).delete()
    SsoSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


def touch(request) -> bool:
    """Apply the idle lifetime; returns False if the session had gone idle and was ended."""
    data = request.session.get(SESSION_KEY)
    if not data:
        return True
    now = clock.now().timestamp()
    if now - data.get("seen", 0) > settings.SESSION_IDLE_SECONDS:
        end(request)
        return False
    # Django slides the session's expiry at every save; the absolute lifetime is counted here.
    if now - data.get("started", data.get("auth_time", 0)) > settings.SESSION_COOKIE_AGE:
        end(request)
        return False
    if now - data.get("seen", 0) > 60:  # write at most once a minute
        data["seen"] = now
        request.session[SESSION_KEY] = data
        SsoSession.objects.filter(session_key=request.session.session_key).update(last_seen=clock.now())
    return True


def active_for(user):
    return SsoSession.objects.filter(user=user, expires__gt=clock.now())


def keep_after_password_change(request, user) -> None:
    """End the account's other sessions but keep this one, under a new key."""
    old_key = request.session.session_key
    end_all(user, keep=old_key)
    update_session_auth_hash(request, user)
    SsoSession.objects.filter(session_key=old_key).update(session_key=request.session.session_key)
