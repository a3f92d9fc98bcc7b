"""Rules that protect adding and removing verification methods."""

from __future__ import annotations

import functools

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from limen.signin import guards
from limen.signin.methods import registry

from .panic import services as panic


def enrolment_gate(request, next_url: str):
    """None if the person may add or remove a method now, else a redirect that makes it so.

    An account that already has a second factor must prove one in this
    session first: a stolen password alone cannot add the thief's device.
    After PANIC, the first new method needs a link sent to the account's
    e-mail address (limen.factors.panic) for the same reason.
    """
    if request.user.is_authenticated and panic.active_hold(request.user) is not None \
            and not registry.has_second_factor(request.user):
        return redirect(reverse("factors_panic:hold") + "?" + urlencode({"next": next_url}))
    return guards.second_factor_proved(request, next_url)


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
