"""The challenge of a WebAuthn ceremony, kept in the session until the answer comes back (once)."""

from __future__ import annotations

import base64
import time

from django.conf import settings

PREFIX = "limen.webauthn."


def remember(request, ceremony: str, challenge: bytes, **extra) -> None:
    request.session[PREFIX + ceremony] = {
        "challenge": base64.b64encode(challenge).decode(), "at": time.time(), **extra,
    }


def take(request, ceremony: str) -> dict | None:
    """The remembered ceremony, removed from the session; None if absent or too old."""
    data = request.session.pop(PREFIX + ceremony, None)
    if not data:
        return None
    if time.time() - data.get("at", 0) > settings.WEBAUTHN_TIMEOUT_SECONDS + 60:
        return None
    data["challenge"] = base64.b64decode(data["challenge"])
    return data
