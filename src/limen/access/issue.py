"""Making and sending validation codes, and the person's "send me a new code".

A new code replaces the previous one (only its keyed hash is stored) and
resets the count of tries. A person may ask for a new code a few times a day
unless the code is locked by wrong tries: then only a validator can send one,
or the tries would be unlimited.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction

from limen.audit.events import Event
from limen.audit.service import record
from limen.core import clock, ratelimit

from . import codes, notices
from .errors import CodeLocked, NoCode, TooManyResends
from .models import AccessRequest, Status
from .policies import display_name


def issue_and_send(access_request: AccessRequest) -> str:
    """Give the request a fresh code and send it; returns the channel (email or sms)."""
    raw = codes.new_code()
    now = clock.now()
    access_request.code_digest = codes.digest(raw, request_id=access_request.public_id)
    access_request.code_sent = now
    access_request.code_expires = now + dt.timedelta(days=settings.ACCESS_CODE_DAYS)
    access_request.code_attempts = 0
    access_request.save(update_fields=["code_digest", "code_sent", "code_expires", "code_attempts"])
    return notices.send_code(access_request, raw)


def resend_limit() -> ratelimit.Limit:
    return ratelimit.Limit("access-resend", settings.ACCESS_CODE_RESENDS_PER_DAY, 24 * 3600)


def resend_for_person(user, access_request: AccessRequest, *, request=None) -> str:
    """The person asks for a new code (the previous one was lost or has expired)."""
    with transaction.atomic():
        current = AccessRequest.objects.select_for_update().filter(pk=access_request.pk, user=user).first()
        if current is None or current.status != Status.CODE_SENT:
            raise NoCode()
        if current.code_locked:
            raise CodeLocked()
        if not ratelimit.take(resend_limit(), str(current.pk)):
            raise TooManyResends(retry_after=ratelimit.retry_after(resend_limit()))
        channel = issue_and_send(current)
    record(Event.ACCESS_CODE_SENT, user=user, request=request, application=display_name(current.policy),
           access_request=str(current.public_id), by=user.email, via="person", sent_by=channel)
    return channel
