"""The offline one-time password: a QR challenge, an OCRA response typed back.

The challenge (8 random digits) is bound to the sign-in in the browser
session, lives LIMEN_MOBILE_OTP_TTL seconds, is used once, and allows
LIMEN_MOBILE_OTP_ATTEMPTS wrong codes before it is burnt. Failures also count
per account (LIMEN_MOBILE_REQUESTS_PER_WINDOW per window), and, since each
code checks one PIN guess, towards the PIN attempts of the devices (a device
locks after LIMEN_MOBILE_PIN_ATTEMPTS, as with PIN push), so fresh QR codes
do not give unlimited guesses. Every usable device of the account is tried:
the person need not say which phone they scanned with.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction

from limen.audit.events import Event
from limen.audit.service import record
from limen.core import clock, ratelimit
from limen_protocol import payloads

from .. import sealing
from ..errors import OtpExpired, OtpMalformed, OtpUsed, OtpWrong, TooManyRequests
from ..internal import ocra
from ..models import OtpChallenge
from . import devices


def failure_limit() -> ratelimit.Limit:
    return ratelimit.Limit("mobile-otp-user", settings.MOBILE_REQUESTS_PER_WINDOW, settings.RATE_LIMIT_WINDOW_SECONDS)


def create(user) -> OtpChallenge:
    now = clock.now()
    return OtpChallenge.objects.create(user=user, challenge=ocra.new_challenge(), created=now,
                                       expires=now + dt.timedelta(seconds=settings.MOBILE_OTP_TTL))


def usable(challenge: OtpChallenge | None, user) -> bool:
    return (challenge is not None and challenge.user_id == user.pk and challenge.used is None
            and not challenge.is_expired() and challenge.failures < settings.MOBILE_OTP_ATTEMPTS)


def qr_payload(challenge: OtpChallenge) -> str:
    return payloads.otp_uri(settings.BASE_URL, payloads.account_hint(str(challenge.user.uid)), challenge.challenge)


def verify(*, challenge: OtpChallenge, user, response: str, request=None):
    """Check a typed code; returns the device it belongs to. Raises an Otp* error otherwise."""
    response = (response or "").strip().replace(" ", "")
    digits = ocra.response_length()
    if len(response) != digits or not response.isascii() or not response.isdigit():
        raise OtpMalformed(OtpMalformed.default_message % {"digits": digits})
    if ratelimit.exceeded(failure_limit(), str(user.pk)):
        raise TooManyRequests()
    challenge.refresh_from_db()
    if challenge.user_id != user.pk:
        raise OtpExpired()
    if challenge.used is not None:
        raise OtpUsed()
    if challenge.is_expired() or challenge.failures >= settings.MOBILE_OTP_ATTEMPTS:
        raise OtpExpired()
    match = None
    candidates = list(devices.usable(user))
    for device in candidates:
        secrets = sealing.unseal(device.sealed)
        if ocra.check(secrets.key, secrets.pin_hash, challenge.challenge, response):
            match = device  # keep going: the same time whichever device matches
    if match is None:
        with transaction.atomic():
            fresh = OtpChallenge.objects.select_for_update().get(pk=challenge.pk)
            fresh.failures += 1
            fresh.save(update_fields=["failures"])
        ratelimit.hit(failure_limit(), str(user.pk))
        record(Event.MOBILE_OTP_FAILED, user=user, request=request,
               attempts_left=max(0, settings.MOBILE_OTP_ATTEMPTS - fresh.failures))
        # A well-formed wrong code is a wrong PIN (or a wrong device): it counts towards the PIN
        # attempts of every device it could have come from, exactly as a wrong PIN in a push
        # answer does (locked at the limit, owner e-mailed). Nothing says which phone computed it.
        left = min((devices.wrong_pin(device, request=request, context="otp") for device in candidates),
                   default=0)
        raise OtpWrong(attempts_left=left)
    updated = OtpChallenge.objects.filter(pk=challenge.pk, used__isnull=True).update(used=clock.now(), device=match)
    if updated != 1:
        raise OtpUsed()
    devices.touch(match)
    return match
