"""My Account's "Access requests": where each of the person's requests stands, with its dates."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from .models import AccessRequest, Status
from .policies import display_name, validated_by

# What a person reads for each status, and whether they can still withdraw.
WITHDRAWABLE = (Status.PENDING, Status.CODE_SENT, Status.ACTIVE)


def tile(user) -> dict | None:
    """The tile on My Account, once the person has asked for access somewhere."""
    requests = list(AccessRequest.objects.filter(user=user).select_related("policy").order_by("-submitted")[:3])
    if not requests:
        return None
    summary = "; ".join(f"{display_name(r.policy)}: {r.get_status_display()}" for r in requests)
    return {"url": reverse("access:mine"), "label": _("Access requests"), "description": summary}


def validator_tile(user) -> dict | None:
    """For validators: the way to the requests waiting for them."""
    policies = validated_by(user)
    if not policies:
        return None
    waiting = AccessRequest.objects.filter(policy__in=policies, status=Status.PENDING).count()
    return {"url": reverse("access:validators"), "label": _("Access requests to validate"),
            "description": _("Waiting for a decision: %(count)d") % {"count": waiting}}


def rows(requests: list[AccessRequest]) -> list[dict]:
    """One row per request; "ask again" only where no other request of that application is still open."""
    open_policies = {r.policy_id for r in requests if r.status in WITHDRAWABLE}
    return [{"request": r, "application": display_name(r.policy), "withdrawable": r.status in WITHDRAWABLE,
             "locked": r.code_locked, "ask_again": r.status not in WITHDRAWABLE and r.policy_id not in open_policies}
            for r in requests]
