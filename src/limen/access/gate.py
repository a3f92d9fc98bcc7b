"""What the protocols ask before an application gets a ticket or a code, and what they release after.

``redirect_for`` is called once the requirement evaluator has said the person
may proceed: an application that requires validation gets them only once
their access is active; until then they go to the application's request page
(which shows the form, where their request stands, or the code entry).
``released`` gives the validated details an application receives, and only
that application.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode

from .applications import AppRef
from .models import AccessRequest, Status
from .policies import fields_of, policy_of
from .requests import is_active


def redirect_for(request, ref: AppRef, *, return_to: str) -> str | None:
    """None if the person may go on to the application; else where to send them first."""
    policy = policy_of(ref)
    if policy is None or is_active(request.user, policy):
        return None
    return reverse("access:request", args=[policy.slug]) + "?" + urlencode({"next": return_to})


def requires_validation(ref: AppRef) -> bool:
    return policy_of(ref) is not None


def released(user, ref: AppRef) -> dict[str, str]:
    """The validated details of an active access to this application ({} otherwise)."""
    policy = policy_of(ref)
    if policy is None or user is None:
        return {}
    active = AccessRequest.objects.filter(policy=policy, user_id=user.pk, status=Status.ACTIVE).first()
    if active is None:
        return {}
    names = [spec.name for spec in fields_of(policy) if spec.released]
    return {name: str(active.values[name]) for name in names if active.values.get(name) not in (None, "")}
