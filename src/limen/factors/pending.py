"""Shared by the challenge pages of every method: who is signing in, and the way back."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from limen.signin import flow


def pending(request, method: str):
    """(user, None) for the person between password and this factor, or (None, a redirect to start again)."""
    try:
        return flow.pending_user(request, method=method), None
    except flow.NoPendingSignin as error:
        messages.error(request, str(error.message))
        return None, redirect("signin:identify")


def context(request) -> dict:
    """What every challenge page shows around its form."""
    data = flow.state(request)
    next_url = data.get("next") or reverse("accounts:my_account")
    if data.get("step_up"):
        back = reverse("signin:step_up") + "?" + urlencode({"next": next_url})
    else:
        back = reverse("signin:password") + "?" + urlencode({"next": next_url})
    return {"signing_in_as": data.get("email", ""), "other_methods_url": back, "step_up": bool(data.get("step_up"))}
