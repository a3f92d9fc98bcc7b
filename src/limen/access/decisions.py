"""Deciding requests: approve (a code is sent), refuse with a reason, send a new code, revoke access.

The same use cases serve the validators' page, the API of a back-office system
and the operators (command line, operators' site); ``Decider`` says who acted,
for the audit trail and the request's record. Each change of status is one
conditional UPDATE, so two validators deciding at the same moment cannot both
win.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from limen.audit.events import Event
from limen.audit.service import record
from limen.core import clock
from limen.core.forms import has_control_characters

from . import issue, notices
from .errors import NoCodeToSend, NotDecidable, NotRevocable, NotValidator, ReasonInvalid, ReasonRequired
from .models import AccessPolicy, AccessRequest, Status
from .policies import display_name, validates

MAX_REASON = 1000


@dataclass(frozen=True)
class Decider:
    label: str          # the validator's e-mail, "API token <name> (<id>)", "operator <e-mail>"
    via: str            # "page", "api", "command", "admin"
    user: object = None  # the validator or operator, when a person acted
    policy: AccessPolicy | None = None  # an API token acts for one application only

    def may_decide(self, access_request: AccessRequest) -> bool:
        if self.policy is not None:
            return self.policy.pk == access_request.policy_id
        if self.via == "page":
            return validates(self.user, access_request.policy)
        return bool(self.user is None or getattr(self.user, "is_staff", False))


def check_reason(reason, *, required: bool = True) -> str:
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason and required:
        raise ReasonRequired()
    if len(reason) > MAX_REASON or has_control_characters(reason.replace("\n", " ").replace("\r", " ")):
        raise ReasonInvalid()
    return reason


def guard(access_request: AccessRequest, decider: Decider, request, action: str) -> None:
    if not decider.may_decide(access_request):
        record(Event.ACCESS_DECISION_REFUSED, user=decider.user, request=request, action=action,
               application=display_name(access_request.policy), access_request=str(access_request.public_id),
               by=decider.label, via=decider.via)
        raise NotValidator()


def _audit(event, access_request: AccessRequest, decider: Decider, request, **data) -> None:
    record(event, user=access_request.user, request=request, application=display_name(access_request.policy),
           access_request=str(access_request.public_id), by=decider.label, via=decider.via, **data)


def approve(access_request: AccessRequest, decider: Decider, *, request=None) -> AccessRequest:
    """The details are right: the person is sent a validation code."""
    guard(access_request, decider, request, "approve")
    now = clock.now()
    with transaction.atomic():
        if not AccessRequest.objects.filter(pk=access_request.pk, status=Status.PENDING).update(
                status=Status.CODE_SENT, decided=now, decided_by=decider.label[:254]):
            raise NotDecidable()
        access_request.refresh_from_db()
        channel = issue.issue_and_send(access_request)
    _audit(Event.ACCESS_APPROVED, access_request, decider, request, sent_by=channel)
    return access_request


def refuse(access_request: AccessRequest, decider: Decider, reason: str, *, request=None) -> AccessRequest:
    guard(access_request, decider, request, "refuse")
    reason = check_reason(reason)
    now = clock.now()
    if not AccessRequest.objects.filter(pk=access_request.pk, status=Status.PENDING).update(
            status=Status.REFUSED, decided=now, decided_by=decider.label[:254], reason=reason, ended=now):
        raise NotDecidable()
    access_request.refresh_from_db()
    _audit(Event.ACCESS_REFUSED, access_request, decider, request, reason=reason)
    notices.refused(access_request)
    return access_request


def resend_code(access_request: AccessRequest, decider: Decider, *, request=None) -> AccessRequest:
    """A new code (the previous one stops working); also unlocks a code locked by wrong tries."""
    guard(access_request, decider, request, "resend_code")
    with transaction.atomic():
        locked = AccessRequest.objects.select_for_update().filter(pk=access_request.pk,
                                                                 status=Status.CODE_SENT).first()
        if locked is None:
            raise NoCodeToSend()
        channel = issue.issue_and_send(locked)
    access_request.refresh_from_db()
    _audit(Event.ACCESS_CODE_SENT, access_request, decider, request, sent_by=channel)
    return access_request


def revoke(access_request: AccessRequest, decider: Decider, reason: str, *, request=None) -> AccessRequest:
    """End an active access (or one waiting for its code); the person is told why."""
    guard(access_request, decider, request, "revoke")
    reason = check_reason(reason)
    now = clock.now()
    if not AccessRequest.objects.filter(pk=access_request.pk, status__in=[Status.ACTIVE, Status.CODE_SENT]).update(
            status=Status.REVOKED, reason=reason, ended=now, code_digest=""):
        raise NotRevocable()
    access_request.refresh_from_db()
    _audit(Event.ACCESS_REVOKED, access_request, decider, request, reason=reason)
    notices.revoked(access_request)
    return access_request
