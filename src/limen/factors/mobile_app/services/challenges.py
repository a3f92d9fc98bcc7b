"""PIN push sign-in: a request sent to one device, answered in the app, watched by the browser.

The browser shows a two-digit number that the app shows too (against push
fatigue: approve only when they match). The app approves with a signature
by the device key plus a proof of the PIN bound to this request, this
decision and this number; or denies, which ends the sign-in attempt and is
recorded as a security event. A request lives LIMEN_MOBILE_CHALLENGE_TTL
seconds and is answered once; the browser then uses an approval once.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import transaction

from limen.audit.events import Event
from limen.audit.service import record
from limen.core import browsers, clock, metrics, ratelimit
from limen.core.net import client_ip, user_agent
from limen_protocol import pin as pin_protocol

from .. import channel, push, sealing
from ..errors import (ChallengeAnswered, ChallengeExpired, ChallengeNotFound, DeviceLocked, NumberMismatch,
                      TooManyRequests, WrongPin)
from ..models import ChallengeStatus, MobileDevice, PushChallenge
from . import biometric, devices

APPROVE, DENY = "approve", "deny"


def request_limit() -> ratelimit.Limit:
    return ratelimit.Limit("mobile-push-user", settings.MOBILE_REQUESTS_PER_WINDOW, settings.RATE_LIMIT_WINDOW_SECONDS)


def create(*, user, device: MobileDevice, application: str, request=None,
           replaces: str | None = None) -> PushChallenge:
    """Send a sign-in request to ``device`` (which must be the user's, active and unlocked); ``application``
    names what the person is signing in to, as the phone shows it."""
    if device.user_id != user.pk or not device.is_active:
        raise ChallengeNotFound()
    if device.is_locked:
        raise DeviceLocked()
    if ratelimit.hit(request_limit(), str(user.pk)) > settings.MOBILE_REQUESTS_PER_WINDOW:
        raise TooManyRequests()
    now = clock.now()
    with transaction.atomic():
        if replaces:
            for old in PushChallenge.objects.filter(public_id=replaces, user=user, status=ChallengeStatus.PENDING):
                old.status = ChallengeStatus.CANCELLED
                old.save(update_fields=["status"])
                channel.signal(channel.challenge_key(old.pk))
        challenge = PushChallenge.objects.create(
            user=user, device=device, number=f"{10 + secrets.randbelow(90)}",
            application=application[:200],
            browser=browsers.short(user_agent(request) if request is not None else ""),
            ip=client_ip(request) if request is not None else "",
            created=now, expires=now + dt.timedelta(seconds=settings.MOBILE_CHALLENGE_TTL),
        )
        push.send(challenge)
    metrics.push("sent")
    return challenge


def pending_for(device: MobileDevice | int):
    return PushChallenge.objects.filter(device=device, status=ChallengeStatus.PENDING,
                                        expires__gt=clock.now()).select_related("user").order_by("created")


def answer(*, device: MobileDevice, challenge_id: str, decision: str, number: str, proof: bytes | None,
           request=None, assertion: dict | None = None) -> PushChallenge:
    """The app's answer. Approval needs the PIN proof, or an assertion of the device's biometric credential
    (services/biometric.py); denial only the device's signature."""
    challenge = PushChallenge.objects.filter(public_id=challenge_id, device=device).first()
    if challenge is None:  # unknown, another device's or another account's: the same answer
        raise ChallengeNotFound()
    if challenge.status == ChallengeStatus.CANCELLED:  # replaced by a newer request
        raise ChallengeExpired()
    if challenge.status != ChallengeStatus.PENDING:
        raise ChallengeAnswered()
    if challenge.is_expired():
        raise ChallengeExpired()
    if device.is_locked:
        raise DeviceLocked()
    if number != challenge.number:
        raise NumberMismatch()
    if decision == APPROVE:
        verifier = sealing.unseal(device.sealed).verifier
        context_bytes = pin_protocol.answer_context(challenge.public_id, APPROVE, challenge.number)
        if assertion is not None and proof is None:
            biometric.verify_approval(device, context=context_bytes, assertion=assertion, request=request)
        elif proof is None or not pin_protocol.check_proof(verifier, context_bytes, proof):
            left = devices.wrong_pin(device, request=request, context="push")
            if left == 0:
                raise DeviceLocked()
            raise WrongPin(attempts_left=left)
    new_status = ChallengeStatus.APPROVED if decision == APPROVE else ChallengeStatus.DENIED
    with transaction.atomic():
        updated = PushChallenge.objects.filter(pk=challenge.pk, status=ChallengeStatus.PENDING).update(
            status=new_status, answered=clock.now())
        if updated != 1:
            raise ChallengeAnswered()
        channel.signal(channel.challenge_key(challenge.pk))
    if decision == APPROVE:
        devices.touch(device)
    metrics.push(str(new_status), answered_after=(clock.now() - challenge.created).total_seconds())
    record(Event.MOBILE_SIGNIN_APPROVED if decision == APPROVE else Event.MOBILE_SIGNIN_DENIED,
           user=device.user, request=request, device=device.public_id, application=challenge.application,
           browser=challenge.browser, browser_ip=challenge.ip)
    challenge.refresh_from_db()
    return challenge


def note_expired(challenge: PushChallenge, seen: dict) -> None:
    """Count a request that expired unanswered, once: when the waiting sign-in page first shows it
    (``seen`` is state kept with the sign-in, where the ids already counted are remembered)."""
    if seen.get("expired_counted") != challenge.public_id:
        seen["expired_counted"] = challenge.public_id
        metrics.push("expired")


def browser_state(challenge: PushChallenge | None) -> str:
    """pending, approved, denied, expired, used, cancelled or none."""
    if challenge is None:
        return "none"
    if challenge.status == ChallengeStatus.PENDING and challenge.is_expired():
        return "expired"
    return challenge.status


def consume(challenge: PushChallenge) -> bool:
    """The browser uses an approval once; False if it was not approved or already used."""
    if challenge.is_expired() and challenge.status == ChallengeStatus.PENDING:
        return False
    return PushChallenge.objects.filter(pk=challenge.pk, status=ChallengeStatus.APPROVED).update(
        status=ChallengeStatus.USED) == 1


def serialise(challenge: PushChallenge) -> dict:
    return {
        "id": challenge.public_id, "number": challenge.number, "application": challenge.application,
        "browser": challenge.browser, "ip": challenge.ip, "account": challenge.user.email,
        "created": challenge.created.isoformat(), "expires": challenge.expires.isoformat(),
    }
