"""The life of an "On Mobile" request: created by the browser's challenge page, answered by the app on the
same phone over the signed device API, used once by the browser.

The app proves it was handed the request by this very browser: the page
writes a secret into the storage it shares with the app (same origin), and
the answer must carry it. A link alone (sent by someone else, say) gives
the app no secret, so it cannot approve. Approving needs the PIN proof, or
an assertion of the device's biometric credential, exactly as PIN push does
(wrong PINs count towards the same lock).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction

from limen.audit.events import Event
from limen.audit.service import record
from limen.core import browsers, clock, ratelimit
from limen.core.net import client_ip, user_agent
from limen.factors.mobile_app import channel, sealing
from limen.factors.mobile_app.errors import (ChallengeAnswered, ChallengeExpired, ChallengeNotFound, DeviceLocked,
                                             TooManyRequests, WrongPin)
from limen.factors.mobile_app.services import biometric, devices
from limen_protocol import pin as pin_protocol

from .models import OnMobileRequest, Status

APPROVE, DENY = "approve", "deny"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def request_limit() -> ratelimit.Limit:
    return ratelimit.Limit("on-mobile-user", settings.MOBILE_REQUESTS_PER_WINDOW, settings.RATE_LIMIT_WINDOW_SECONDS)


def key(item: OnMobileRequest) -> str:
    return f"onmobile:{item.pk}"


def create(*, user, application: str, request=None) -> tuple[OnMobileRequest, str]:
    """A new request and its handover secret (kept by the browser's transaction, given to the app)."""
    if ratelimit.hit(request_limit(), str(user.pk)) > settings.MOBILE_REQUESTS_PER_WINDOW:
        raise TooManyRequests()
    secret = secrets.token_urlsafe(32)
    now = clock.now()
    item = OnMobileRequest.objects.create(
        user=user, handover_digest=_digest(secret), application=application[:200],
        browser=browsers.short(user_agent(request) if request is not None else ""),
        ip=client_ip(request) if request is not None else "",
        created=now, expires=now + dt.timedelta(seconds=settings.MOBILE_CHALLENGE_TTL))
    return item, secret


def _for_device(device, request_id: str) -> OnMobileRequest:
    """The request if it is this device's account's; the same answer as an unknown one otherwise."""
    item = OnMobileRequest.objects.filter(public_id=(request_id or "")[:32], user_id=device.user_id).first()
    if item is None:
        raise ChallengeNotFound()
    return item


def _check_open(item: OnMobileRequest) -> None:
    if item.status != Status.PENDING:
        raise ChallengeAnswered()
    if item.is_expired():
        raise ChallengeExpired()


def details(device, request_id: str) -> OnMobileRequest:
    item = _for_device(device, request_id)
    _check_open(item)
    return item


def answer(*, device, request_id: str, decision: str, handover: str, proof: bytes | None,
           assertion: dict | None = None, request=None) -> OnMobileRequest:
    item = _for_device(device, request_id)
    if not hmac.compare_digest(_digest(handover or ""), item.handover_digest):
        raise ChallengeNotFound()  # not handed over by the browser that asked
    _check_open(item)
    if device.is_locked:
        raise DeviceLocked()
    if decision == APPROVE:
        context_bytes = pin_protocol.on_mobile_context(item.public_id, APPROVE)
        if assertion is not None and proof is None:
            biometric.verify_approval(device, context=context_bytes, assertion=assertion, request=request)
        elif proof is None or not pin_protocol.check_proof(sealing.unseal(device.sealed).verifier, context_bytes,
                                                           proof):
            left = devices.wrong_pin(device, request=request, context="on_mobile")
            if left == 0:
                raise DeviceLocked()
            raise WrongPin(attempts_left=left)
    new_status = Status.APPROVED if decision == APPROVE else Status.DENIED
    with transaction.atomic():
        if OnMobileRequest.objects.filter(pk=item.pk, status=Status.PENDING).update(
                status=new_status, answered=clock.now(), device=device) != 1:
            raise ChallengeAnswered()
        channel.signal(key(item))
    if decision == APPROVE:
        devices.touch(device)
    record(Event.MOBILE_SIGNIN_APPROVED if decision == APPROVE else Event.MOBILE_SIGNIN_DENIED,
           user=device.user, request=request, device=device.public_id, application=item.application,
           browser=item.browser, browser_ip=item.ip, context="on_mobile")
    item.refresh_from_db()
    return item


def browser_state(item: OnMobileRequest | None) -> str:
    if item is None:
        return "none"
    if item.status == Status.PENDING and item.is_expired():
        return "expired"
    return item.status


def consume(item: OnMobileRequest) -> bool:
    """The browser uses an approval once."""
    return OnMobileRequest.objects.filter(pk=item.pk, status=Status.APPROVED).update(status=Status.USED) == 1


def serialise(item: OnMobileRequest) -> dict:
    return {"id": item.public_id, "application": item.application, "browser": item.browser, "ip": item.ip,
            "account": item.user.email, "created": item.created.isoformat(), "expires": item.expires.isoformat()}
