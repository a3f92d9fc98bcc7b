"""The SSO session as applications see it (sid), and signing out.

Each SSO session gets a random ``sid`` the first time an application signs
in through it; ID tokens and logout tokens carry it. When the session ends,
for whatever reason, ``on_sso_session_ending`` revokes the tokens issued in it
and sends back-channel logouts (services.end_session).
"""

from __future__ import annotations

import datetime as dt
import secrets
from importlib import import_module

from django.conf import settings

from limen.signin import sessions

from . import claims, services

SID_KEY = "limen.oidc.sid"


def sid_for(request) -> str:
    sid = request.session.get(SID_KEY)
    if not sid:
        sid = secrets.token_urlsafe(24)
        request.session[SID_KEY] = sid
    return sid


def current_sid(request) -> str | None:
    return request.session.get(SID_KEY) if request.user.is_authenticated else None


def session_info(request) -> dict:
    """How and when the person signed in, for the authorization code."""
    data = sessions.current(request) or {}
    strengths = list(data.get("strengths") or ["PASSWORD"])
    return {
        "sid": sid_for(request),
        "acr": claims.acr_for(strengths),
        "amr": claims.amr_for(strengths),
        "strengths": strengths,
        "auth_time": dt.datetime.fromtimestamp(data.get("auth_time", 0), tz=dt.timezone.utc),
    }


def _sid_of(session_key: str) -> str | None:
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)
    try:
        return store.get(SID_KEY)
    except Exception:  # an unreadable session has no applications to tell
        return None


def on_sso_session_ending(sender, session_key: str, user=None, **kwargs) -> list[str]:
    sid = _sid_of(session_key)
    if not sid or user is None:
        return []
    return services.end_session(sid, user)


def verify_id_token_hint(token: str) -> dict | None:
    """Claims of an ID token Limen issued (signature and issuer checked; may be expired)."""
    from . import keys
    from .internal import jose

    try:
        data = jose.verify(token, keys.verification_keys(), algs=keys.ALGORITHMS)
    except jose.JoseError:
        return None
    if data.get("iss") != settings.BASE_URL or not isinstance(data.get("sub"), str):
        return None
    return data
