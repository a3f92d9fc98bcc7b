"""Start, touch and end SSO sessions.

The Django session (database-backed, so every process sees it) carries the
login; SsoSession mirrors it so that sessions can be listed and ended for an
account, e.g. after a password reset.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.sessions.models import Session
from django.db.models import Q

from limen.audit.events import Event
from limen.audit.service import record
from limen.core import clock
from limen.core.net import client_ip, user_agent

from .models import Level, SsoSession
from .signals import sso_session_ending

SESSION_KEY = "limen.sso"


def start(request, user, *, strengths: list[str], level: int = Level.BASIC) -> SsoSession:
    """Sign the user in; the session id changes (Django's login cycles the key).

    Signing in again in the same browser (e.g. an application asked for
    renewed credentials) keeps the same SsoSession record under the new key;
    another person signing in ends the previous person's session first.
    """
    old_key = request.session.session_key
    previous = SsoSession.objects.filter(session_key=old_key).select_related("user").first() if old_key else None
    if previous is not None and previous.user_id != user.pk:
        _ending(previous.session_key, previous.user)
        previous.delete()
        previous = None
    login(request, user, backend="limen.accounts.backends.EmailBackend")
    request.session.set_expiry(settings.SESSION_COOKIE_AGE)
    now = clock.now()
    request.session[SESSION_KEY] = {"auth_time": now.timestamp(), "seen": now.timestamp(),
                                    "started": now.timestamp(), "strengths": strengths, "level": int(level)}
    request.session.save()
    record(Event.SIGNIN_SUCCEEDED, user=user, request=request, strengths=strengths)
    values = {"session_key": request.session.session_key, "created": now, "last_seen": now,
              "expires": now + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE),
              "ip": client_ip(request), "user_agent": user_agent(request), "strengths": strengths, "level": level}
    if previous is not None:
        for name, value in values.items():
            setattr(previous, name, value)
        previous.save(update_fields=list(values))
        return previous
    return SsoSession.objects.create(user=user, **values)


def current(request) -> dict | None:
    if not request.user.is_authenticated:
        return None
    return request.session.get(SESSION_KEY)


def _ending(key: str, user) -> list[str]:
    names: list[str] = []
    for _receiver, response in sso_session_ending.send(sender=SsoSession, session_key=key, user=user):
        names.extend(response or [])
    return names


def end(request) -> list[str]:
    """Sign out here; returns the applications the person was signed out of."""
    key = request.session.session_key
    names: list[str] = []
    if key:
        names = _ending(key, request.user if request.user.is_authenticated else None)
        SsoSession.objects.filter(session_key=key).delete()
    logout(request)
    return names


def end_all(user, *, keep: str | None = None) -> int:
    """End every session of the account, except ``keep`` (the caller's own)."""
    keys = list(SsoSession.objects.filter(user=user).exclude(session_key=keep or "").values_list("session_key", flat=True))
    for key in keys:
        _ending(key, user)
    Session.objects.filter(session_key__in=keys).delete()
    SsoSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


def end_expired() -> int:
    """End the sessions past their absolute or idle lifetime that nobody came back to,
    so that receivers (single logout) hear of them too. Run by the background worker."""
    now = clock.now()
    stale = SsoSession.objects.filter(
        Q(expires__lte=now) | Q(last_seen__lte=now - dt.timedelta(seconds=settings.SESSION_IDLE_SECONDS))
    ).select_related("user")
    ended = list(stale)
    for entry in ended:
        _ending(entry.session_key, entry.user)
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
    from django.contrib.auth import update_session_auth_hash

    old_key = request.session.session_key
    end_all(user, keep=old_key)
    update_session_auth_hash(request, user)
    SsoSession.objects.filter(session_key=old_key).update(session_key=request.session.session_key)


def upgrade(request, *, strengths: list[str], level: int) -> None:
    """Step-up: the same person proved more; new session key, stronger record."""
    old_key = request.session.session_key
    request.session.cycle_key()
    data = dict(request.session.get(SESSION_KEY) or {})
    data.update({"strengths": strengths, "level": int(level), "auth_time": clock.now().timestamp()})
    request.session[SESSION_KEY] = data
    request.session.save()
    SsoSession.objects.filter(session_key=old_key).update(
        session_key=request.session.session_key, strengths=strengths, level=level)
    record(Event.STEPPED_UP, user=request.user, request=request, strengths=strengths)
