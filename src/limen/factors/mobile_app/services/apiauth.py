"""Authentication of device API calls: signature by the device key, fresh timestamp, unused nonce."""

from __future__ import annotations

import datetime as dt
import hashlib
import random

from django.conf import settings
from django.db import IntegrityError, transaction

from limen.audit.events import Event
from limen.audit.service import record
from limen.core import clock
from limen_protocol import signing

from ..errors import BadSignature, Replayed, StaleTimestamp, Unauthenticated, UnknownDevice
from ..internal import keys
from ..models import DeviceStatus, MobileDevice, SeenNonce

MAX_SIGNATURE = 200


def _header(request, name: str) -> str:
    return request.headers.get(name, "") or ""


def _check_common(request) -> tuple[int, str, str]:
    timestamp, nonce, signature = (_header(request, signing.HEADER_TIMESTAMP), _header(request, signing.HEADER_NONCE),
                                   _header(request, signing.HEADER_SIGNATURE))
    if not timestamp or not nonce or not signature:
        raise Unauthenticated()
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        raise Unauthenticated()
    if not signing.valid_nonce(nonce) or len(signature) > MAX_SIGNATURE:
        raise Unauthenticated()
    ts = int(timestamp)
    if abs(clock.now().timestamp() - ts) > settings.MOBILE_CLOCK_SKEW:
        raise StaleTimestamp()
    return ts, nonce, signature


def _remember_nonce(scope: str, nonce: str, ts: int) -> None:
    """Store the nonce until its timestamp leaves the window; a second use raises Replayed."""
    now = clock.now()
    expires = dt.datetime.fromtimestamp(ts, tz=dt.timezone.utc) + dt.timedelta(seconds=settings.MOBILE_CLOCK_SKEW + 5)
    try:
        with transaction.atomic():
            SeenNonce.objects.create(scope=scope[:64], nonce=nonce, expires=max(expires, now))
    except IntegrityError:
        raise Replayed() from None
    if random.random() < 0.01:  # housekeeping, now and then
        SeenNonce.objects.filter(expires__lt=now).delete()


def _canonical(request, device_id: str | None, ts: int, nonce: str, body: bytes) -> bytes:
    return signing.canonical_request(method=request.method, path=request.get_full_path(), device_id=device_id,
                                     timestamp=ts, nonce=nonce, body=body)


def authenticate_device(request, body: bytes, *, statuses=(DeviceStatus.ACTIVE,)) -> MobileDevice:
    """The device that signed this request; raises a MobileError otherwise."""
    device_id = _header(request, signing.HEADER_DEVICE)
    if not device_id:
        raise Unauthenticated()
    ts, nonce, signature = _check_common(request)
    if not signing.valid_device_id(device_id):
        raise UnknownDevice()
    device = MobileDevice.objects.select_related("user").filter(public_id=device_id).first()
    if device is None or device.status not in statuses or not device.user.is_active:
        raise UnknownDevice()
    if not keys.verify(device.public_key, signature, _canonical(request, device_id, ts, nonce, body)):
        record(Event.MOBILE_API_REJECTED, user=device.user, request=request, device=device.public_id,
               reason="bad_signature")
        raise BadSignature()
    try:
        _remember_nonce(device.public_id, nonce, ts)
    except Replayed:
        record(Event.MOBILE_API_REJECTED, user=device.user, request=request, device=device.public_id,
               reason="replayed")
        raise
    return device


def authenticate_new_key(request, body: bytes, public_key: str) -> None:
    """The enrolment call: signed by the key being registered (proof of possession), not replayable."""
    if _header(request, signing.HEADER_DEVICE):
        raise Unauthenticated()
    ts, nonce, signature = _check_common(request)
    if not keys.verify(public_key, signature, _canonical(request, None, ts, nonce, body)):
        raise BadSignature()
    scope = "key:" + hashlib.sha256(public_key.encode()).hexdigest()[:59]
    _remember_nonce(scope, nonce, ts)
