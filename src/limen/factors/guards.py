"""Rules that protect adding and removing second factors."""

from __future__ import annotations

from limen.signin import flow, levels, sessions
from limen.signin.models import Level

from .base import registry


def enrolment_gate(request, next_url: str):
    """None if the person may add a factor now, else a redirect that makes it so.

    An account that already has a second factor must prove one in this
    session first: a stolen password alone cannot add the thief's device.
    """
    if not request.user.is_authenticated:
        return flow.ensure(request, next_url)
    if not registry.has_second_factor(request.user):
        return None
    strengths = (sessions.current(request) or {}).get("strengths", [])
    if levels.level_of(strengths) >= Level.MEDIUM:
        return None
    return flow.ensure(request, next_url, level=Level.MEDIUM)
