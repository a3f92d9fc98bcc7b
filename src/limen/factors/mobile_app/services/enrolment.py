"""Adding a device: the browser's form, the app's scan, the app's PIN proof.

1. ``start`` (browser, signed in, second factor passed if the account has one):
   draws the device secret K, derives the PIN verifier V and OCRA PIN hash P
   from the PIN typed in the browser, seals them, forgets the PIN, and issues a
   single-use token for the QR code (only its SHA-256 is stored).
2. ``scan`` (app, POST /enrolments, signed by its new key): uses the token
   once, creates the device in state "pending" with the app's public key, and
   hands K to the app.
3. ``confirm`` (app, POST /enrolments/confirm, signed by the device): the app
   asks the PIN twice and proves it (HMAC(V', context)); the device becomes
   active only if it is the browser's PIN. Wrong proofs are counted; after
   LIMEN_MOBILE_PIN_ATTEMPTS the enrolment fails.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction

from limen.audit.events import Event
from limen.audit.service import record
from limen.core import clock, ratelimit
from limen.core.net import client_ip
from limen.factors import notices as factor_notices
from limen_protocol import payloads
from limen_protocol import pin as pin_protocol

from .. import channel, sealing
from ..errors import (EnrolmentExpired, EnrolmentInvalid, EnrolmentMismatch, EnrolmentUsed, PinMismatch,
                      TooManyDevices, TooManyRequests)
from ..models import DeviceStatus, Enrolment, EnrolmentStatus, MobileDevice
from . import devices
from .devices import METHOD, METHOD_LABEL

TOKEN_BYTES = 32


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def scan_limit() -> ratelimit.Limit:
    return ratelimit.Limit("mobile-enrol-ip", 30, settings.RATE_LIMIT_WINDOW_SECONDS)


def start_limit() -> ratelimit.Limit:
    return ratelimit.Limit("mobile-enrol-user", 20, settings.RATE_LIMIT_WINDOW_SECONDS)


def qr_payload(token: str) -> str:
    return payloads.enrolment_uri(settings.BASE_URL, token)


def device_count(user) -> int:
    return MobileDevice.objects.filter(user=user, status=DeviceStatus.ACTIVE).count()


def start(*, user, name: str, pin: str, request=None, replaces: MobileDevice | None = None) -> tuple[Enrolment, str]:
    """Returns the enrolment and the token for its QR code (shown once, never stored).

    ``replaces`` ("Forgot PIN"): the app re-keys the device with the new PIN; once it has proved the new
    PIN, the new device takes the old one's place (its name; the old one, its key and its subscriptions
    go)."""
    if replaces is None and device_count(user) >= settings.MOBILE_MAX_DEVICES:
        raise TooManyDevices()
    if ratelimit.hit(start_limit(), str(user.pk)) > start_limit().limit:
        raise TooManyRequests()
    key = secrets.token_bytes(pin_protocol.SECRET_LENGTH)
    sealed = sealing.seal(sealing.DeviceSecrets(key=key, verifier=pin_protocol.verifier(key, pin),
                                                pin_hash=pin_protocol.ocra_pin_hash(pin)))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = clock.now()
    with transaction.atomic():
        # One enrolment at a time: an older QR code of this account stops working.
        Enrolment.objects.filter(user=user, status=EnrolmentStatus.WAITING).update(status=EnrolmentStatus.CANCELLED)
        # Devices whose app scanned a QR code but never proved the PIN in time.
        MobileDevice.objects.filter(user=user, status=DeviceStatus.PENDING,
                                    created__lt=now - dt.timedelta(seconds=settings.MOBILE_ENROL_TTL)).delete()
        enrolment = Enrolment.objects.create(
            user=user, token_digest=_digest(token), device_name=name, sealed=sealed, created=now,
            expires=now + dt.timedelta(seconds=settings.MOBILE_ENROL_TTL), replaces=replaces,
        )
    record(Event.MOBILE_ENROLMENT_STARTED, user=user, request=request, name=name,
           **({"replaces": replaces.public_id} if replaces is not None else {}))
    return enrolment, token


def cancel(enrolment: Enrolment, *, request=None) -> None:
    with transaction.atomic():
        updated = Enrolment.objects.filter(
            pk=enrolment.pk, status__in=[EnrolmentStatus.WAITING, EnrolmentStatus.SCANNED]
        ).update(status=EnrolmentStatus.CANCELLED)
        if updated and enrolment.device_id:
            MobileDevice.objects.filter(pk=enrolment.device_id, status=DeviceStatus.PENDING).delete()
        channel.signal(channel.enrolment_key(enrolment.pk))


def scan(*, token: str, public_key: str, algorithm: str, app_label: str = "", request=None):
    """The app presents the QR code's token and its new public key. Returns (device, key, enrolment)."""
    ip = client_ip(request) if request is not None else ""
    if ratelimit.exceeded(scan_limit(), ip):
        raise TooManyRequests()
    enrolment = Enrolment.objects.select_related("user").filter(token_digest=_digest(token)).first()
    if enrolment is None or not enrolment.user.is_active:
        ratelimit.hit(scan_limit(), ip)
        raise EnrolmentInvalid()
    if enrolment.status != EnrolmentStatus.WAITING:
        raise EnrolmentUsed()
    if enrolment.is_expired():
        raise EnrolmentExpired()
    with transaction.atomic():
        if enrolment.replaces_id is None and device_count(enrolment.user) >= settings.MOBILE_MAX_DEVICES:
            raise TooManyDevices()
        device = MobileDevice.objects.create(
            user=enrolment.user, name=enrolment.device_name, status=DeviceStatus.PENDING, algorithm=algorithm,
            public_key=public_key, sealed=enrolment.sealed, app_label=app_label[:100],
        )
        updated = Enrolment.objects.filter(pk=enrolment.pk, status=EnrolmentStatus.WAITING).update(
            status=EnrolmentStatus.SCANNED, device=device)
        if updated != 1:  # two apps raced for one token: this one loses, its device row is rolled back
            raise EnrolmentUsed()
        channel.signal(channel.enrolment_key(enrolment.pk))
    enrolment.refresh_from_db()
    return device, sealing.unseal(device.sealed).key, enrolment


def confirm(*, device: MobileDevice, enrolment_id: str, proof: bytes, request=None) -> MobileDevice:
    """The app proves the PIN; the device becomes active if it is the browser's PIN."""
    enrolment = Enrolment.objects.filter(public_id=enrolment_id).first()
    if enrolment is None or enrolment.device_id != device.pk or enrolment.user_id != device.user_id:
        raise EnrolmentMismatch()
    if enrolment.status != EnrolmentStatus.SCANNED:
        raise EnrolmentUsed()
    if enrolment.is_expired():
        cancel(enrolment, request=request)
        raise EnrolmentExpired()
    verifier = sealing.unseal(device.sealed).verifier
    if not pin_protocol.check_proof(verifier, pin_protocol.enrolment_context(device.public_id), proof):
        return _pin_mismatch(enrolment, device, request)
    with transaction.atomic():
        updated = Enrolment.objects.filter(pk=enrolment.pk, status=EnrolmentStatus.SCANNED).update(
            status=EnrolmentStatus.DONE)
        if updated != 1:
            raise EnrolmentUsed()
        MobileDevice.objects.filter(pk=device.pk).update(status=DeviceStatus.ACTIVE, created=clock.now())
        replaced = MobileDevice.objects.filter(pk=enrolment.replaces_id, user=device.user).first() \
            if enrolment.replaces_id else None
        if replaced is not None:  # "Forgot PIN": the re-keyed device takes the old one's place
            devices.delete_quietly(replaced)
        channel.signal(channel.enrolment_key(enrolment.pk))
    device.refresh_from_db()
    record(Event.FACTOR_ADDED, user=device.user, request=request, method=METHOD, name=device.name,
           device=device.public_id, **({"replaces": replaced.public_id} if replaced is not None else {}))
    factor_notices.factor_added(device.user, method=METHOD_LABEL, name=device.name, request=request)
    return device


def _pin_mismatch(enrolment: Enrolment, device: MobileDevice, request):
    with transaction.atomic():
        fresh = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        fresh.pin_failures += 1
        left = max(0, settings.MOBILE_PIN_ATTEMPTS - fresh.pin_failures)
        if left == 0:
            fresh.status = EnrolmentStatus.FAILED
            MobileDevice.objects.filter(pk=device.pk, status=DeviceStatus.PENDING).delete()
        fresh.save(update_fields=["pin_failures", "status"])
        channel.signal(channel.enrolment_key(enrolment.pk))
    if left == 0:
        record(Event.MOBILE_ENROLMENT_FAILED, user=device.user, request=request, reason="pin_mismatch")
    raise PinMismatch(attempts_left=left)


def state(enrolment: Enrolment) -> str:
    """What the browser shows: waiting, scanned, done, failed, cancelled or expired."""
    if enrolment.status in {EnrolmentStatus.WAITING, EnrolmentStatus.SCANNED} and enrolment.is_expired():
        return "expired"
    return enrolment.status
