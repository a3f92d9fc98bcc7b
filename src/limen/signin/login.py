"""Starting and upgrading an SSO session. Only limen.signin.complete calls these (an
import-linter contract keeps everyone else out), so that every way in goes through complete()."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import SESSION_KEY as AUTH_KEY, login

from limen.audit.events import Event
from limen.audit.service import record
from limen.core import clock, sql
from limen.core.net import client_ip, user_agent

from .models import Level, SsoSession
from .sessions import SESSION_KEY, announce_end


def start(request, user, *, strengths: list[str], level: int = Level.BASIC, method: str = "") -> SsoSession:
    """Sign the user in; the session id changes (Django's login cycles the key).

    Signing in again in the same browser (e.g. an application asked for
    renewed credentials) keeps the same SsoSession record under the new key;
    another person signing in ends the previous person's session first.
    """
    old_key = request.session.session_key
    # Only a session someone signed in to has an SsoSession record: this function writes both under one
    # key, and a key changes with its data (cycle_key) or loses both (flush). A stranger's has none.
    previous = SsoSession.objects.filter(session_key=old_key).select_related("user").first() \
        if old_key and AUTH_KEY in request.session else None
    if previous is not None and previous.user_id != user.pk:
        announce_end(previous.session_key, previous.user)
        previous.delete()
        previous = None
    login(request, user, backend="limen.accounts.backends.EmailBackend")
    request.session.set_expiry(settings.SESSION_COOKIE_AGE)
    now = clock.now()
    request.session[SESSION_KEY] = {"auth_time": now.timestamp(), "seen": now.timestamp(),
                                    "started": now.timestamp(), "strengths": strengths, "level": int(level)}
    if request.session.session_key is None:
        request.session.save()  # login() flushed another person's session: the record needs the new key
    # Otherwise login() has stored the session under its new key already; the rest is saved once, with
    # the response (SessionMiddleware), instead of here and again there.
    record(Event.SIGNIN_SUCCEEDED, user=user, request=request, strengths=strengths, **_method(method))
    values = {"session_key": request.session.session_key, "created": now, "last_seen": now,
              "expires": now + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE),
              "ip": client_ip(request), "user_agent": user_agent(request), "strengths": strengths, "level": level}
    if previous is not None:
        for name, value in values.items():
            setattr(previous, name, value)
        previous.save(update_fields=list(values))
        return previous
    return sql.create(SsoSession(user=user, **values))  # one INSERT written once: no signal, no auto_now


def _method(key: str) -> dict:
    """The method that completed the sign-in, in the audit event's data (and so in the metrics)."""
    return {"method": key} if key else {}


def upgrade(request, *, strengths: list[str], level: int, method: str = "") -> None:
    """Step-up: the same person proved more; new session key, stronger record."""
    old_key = request.session.session_key
    request.session.cycle_key()
    data = dict(request.session.get(SESSION_KEY) or {})
    data.update({"strengths": strengths, "level": int(level), "auth_time": clock.now().timestamp()})
    request.session[SESSION_KEY] = data  # saved with the response: cycle_key stored it under its new key
    SsoSession.objects.filter(session_key=old_key).update(
        session_key=request.session.session_key, strengths=strengths, level=level)
    record(Event.STEPPED_UP, user=request.user, request=request, strengths=strengths, **_method(method))
