"""Entering the validation code: the last step, after which the application gets access at once.

Each try reserves its place before the code is compared (a conditional
UPDATE of the count), so tries racing each other cannot get past the limit;
the code is used by a second conditional UPDATE, so it works once. A code
typed in a form that cannot be a code (a character codes never use, the wrong
length) is refused before it counts as a try.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.db.models import F

from limen.audit.events import Event
from limen.audit.service import record
from limen.core import clock

from . import codes
from .errors import CodeExpired, CodeForOtherApplication, CodeLocked, CodeUsed, NoCode, WrongCode
from .models import AccessPolicy, AccessRequest, Status
from .policies import display_name
from .requests import open_request


def _matches(access_request: AccessRequest, raw: str) -> bool:
    expected = codes.digest(raw, request_id=access_request.public_id)
    return bool(access_request.code_digest) and hmac.compare_digest(access_request.code_digest, expected)


def _other_application(user, policy: AccessPolicy, raw: str) -> str | None:
    """The application of another of the person's requests this code belongs to, if any."""
    others = AccessRequest.objects.filter(user=user, status=Status.CODE_SENT).exclude(policy=policy) \
        .select_related("policy")
    for other in others:
        if _matches(other, raw):
            return display_name(other.policy)
    return None


def redeem(user, policy: AccessPolicy, typed: str, *, request=None) -> AccessRequest:
    raw = codes.normalise(typed)
    current = open_request(user, policy)
    if current is None or current.status == Status.PENDING:
        raise NoCode()
    if current.status == Status.ACTIVE:
        raise CodeUsed()
    now = clock.now()
    if current.code_expires is None or current.code_expires <= now:
        raise CodeExpired()
    limit = settings.ACCESS_CODE_ATTEMPTS
    if not AccessRequest.objects.filter(pk=current.pk, status=Status.CODE_SENT, code_attempts__lt=limit) \
            .update(code_attempts=F("code_attempts") + 1):
        raise CodeLocked()
    name = display_name(policy)
    if _matches(current, raw):
        if not AccessRequest.objects.filter(pk=current.pk, status=Status.CODE_SENT,
                                            code_digest=current.code_digest).update(
                status=Status.ACTIVE, activated=now, code_digest=""):
            raise CodeUsed()
        current.refresh_from_db()
        record(Event.ACCESS_ACTIVATED, user=user, request=request, application=name,
               access_request=str(current.public_id))
        return current
    tries = AccessRequest.objects.filter(pk=current.pk).values_list("code_attempts", flat=True).first() or limit
    record(Event.ACCESS_CODE_FAILED, user=user, request=request, application=name,
           access_request=str(current.public_id), tries=tries)
    if tries >= limit:
        record(Event.ACCESS_CODE_LOCKED, user=user, request=request, application=name,
               access_request=str(current.public_id))
        raise CodeLocked()
    other = _other_application(user, policy, raw)
    if other:
        raise CodeForOtherApplication(other)
    raise WrongCode(left=limit - tries)
