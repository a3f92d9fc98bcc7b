"""Rules that protect adding and removing second factors."""

from __future__ import annotations

import functools

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from limen.signin import flow, levels, sessions
from limen.signin.models import Level

from .base import registry


def enrolment_gate(request, next_url: str):
    """None if the person may add a factor now, else a redirect that makes it so.

    An account that already has a second factor must prove one in this
    session first: a stolen password alone cannot add the thief's device.
    After PANIC, the first new factor needs a link sent to the account's
    e-mail address (limen.factors.panic) for the same reason.
    """
    if not request.user.is_authenticated:
        return flow.ensure(request, next_url)
    if not registry.has_second_factor(request.user):
        from limen.factors.panic import services as panic

        if panic.active_hold(request.user) is not None:
            return redirect(reverse("factors_panic:hold") + "?" + urlencode({"next": next_url}))
        return None
    strengths = (sessions.current(request) or {}).get("strengths", [])
    if levels.level_of(strengths) >= Level.MEDIUM:
        return None
    return flow.ensure(request, next_url, level=Level.MEDIUM)


def enrolment_required(back_to: str | None = None):
    """View decorator: ``enrolment_gate`` before the view runs.

    ``back_to`` names the URL the person returns to after proving a factor
    (for the later steps of an adding flow, its first page); by default the
    page itself.
    """
    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            gate = enrolment_gate(request, reverse(back_to) if back_to else request.path)
            if gate is not None:
                return gate
            return view(request, *args, **kwargs)
        return wrapped
    return decorate
