"""The challenge of a WebAuthn ceremony outside sign-in (adding a key; a passkey beside the sign-in form),
kept until the answer comes back (once). During sign-in it lives in the transaction (method.py)."""

from __future__ import annotations

import base64
import secrets

from django.conf import settings
from django.core.cache import cache

from limen.core import clock
from limen.core.ratelimit import fail_closed

PREFIX = "limen.webauthn."


def remember(request, ceremony: str, challenge: bytes, **extra) -> None:
    request.session[PREFIX + ceremony] = {
        "challenge": base64.b64encode(challenge).decode(), "at": clock.now().timestamp(), **extra,
    }


def take(request, ceremony: str) -> dict | None:
    """The remembered ceremony, removed from the session; None if absent or too old."""
    data = request.session.pop(PREFIX + ceremony, None)
    if not data:
        return None
    if clock.now().timestamp() - data.get("at", 0) > settings.WEBAUTHN_TIMEOUT_SECONDS + 60:
        return None
    data["challenge"] = base64.b64decode(data["challenge"])
    return data


# The passkey ceremony starts in the background while the person may be
# typing an e-mail address on the same page. Saving it in the session would
# race with the sign-in step (each request saves the whole session, and the
# later save wins), so it lives in the shared cache under a random id kept in
# its own cookie, and the session is never touched.
DETACHED_COOKIE = "limen_passkey"


@fail_closed
def remember_detached(response, ceremony: str, challenge: bytes) -> None:
    handle = secrets.token_urlsafe(24)
    cache.set(f"{PREFIX}{ceremony}:{handle}", base64.b64encode(challenge).decode(),
              settings.WEBAUTHN_TIMEOUT_SECONDS + 60)
    response.set_cookie(DETACHED_COOKIE, handle, max_age=settings.WEBAUTHN_TIMEOUT_SECONDS + 60,
                        secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax")


@fail_closed
def take_detached(request, ceremony: str) -> dict | None:
    """The challenge, used up (single use); None if absent or expired."""
    handle = request.COOKIES.get(DETACHED_COOKIE, "")
    if not handle or len(handle) > 64:
        return None
    key = f"{PREFIX}{ceremony}:{handle}"
    encoded = cache.get(key)
    cache.delete(key)
    if not encoded:
        return None
    return {"challenge": base64.b64decode(encoded)}
