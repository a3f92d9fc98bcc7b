"""A person's devices: list, rename, remove, lock after wrong PINs, unlock."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from limen.accounts import notices
from limen.audit.events import Event
from limen.audit.service import record
from limen.core import clock
from limen.core.net import client_ip

from .. import channel
from ..errors import DeviceNotFound
from ..models import ChallengeStatus, DeviceStatus, MobileDevice, PushChallenge


def active(user):
    return MobileDevice.objects.filter(user=user, status=DeviceStatus.ACTIVE).order_by("created", "id")


def usable(user):
    return active(user).filter(locked_at__isnull=True)


def get_for(user, public_id: str) -> MobileDevice:
    device = active(user).filter(public_id=(public_id or "")[:32]).first()
    if device is None:
        raise DeviceNotFound()
    return device


def rename(*, user, public_id: str, name: str, request=None) -> MobileDevice:
    device = get_for(user, public_id)
    old = device.name
    if old != name:
        device.name = name
        device.save(update_fields=["name"])
        record(Event.MOBILE_DEVICE_RENAMED, user=user, request=request, device=device.public_id, old=old, new=name)
    return device


def remove(device: MobileDevice, *, by: str = "owner", request=None, operator: str = "") -> None:
    """Delete a device (its pending requests go with it) and tell the owner."""
    user, name, public_id, was_active = device.user, device.name, device.public_id, device.is_active
    with transaction.atomic():
        for challenge in PushChallenge.objects.filter(device=device, status=ChallengeStatus.PENDING):
            channel.signal(channel.challenge_key(challenge.pk))
        device.delete()
    if was_active:
        record(Event.MOBILE_DEVICE_REMOVED, user=user, request=request, device=public_id, name=name, by=by,
               operator=operator)
        notices.send(user, "mobile_device_removed", device_name=name, by=by,
                     ip=client_ip(request) if request is not None else "")


def remove_all(user) -> int:
    count = 0
    for device in list(MobileDevice.objects.filter(user=user)):
        remove(device, by="panic")
        count += 1
    return count


def touch(device: MobileDevice) -> None:
    MobileDevice.objects.filter(pk=device.pk).update(last_used=clock.now(), failed_pins=0)


def wrong_pin(device: MobileDevice, *, request=None, context: str = "") -> int:
    """Count a wrong PIN; lock the device and tell the owner at the limit. Returns the attempts left."""
    with transaction.atomic():
        fresh = MobileDevice.objects.select_for_update().get(pk=device.pk)
        if fresh.locked_at is not None:
            return 0
        fresh.failed_pins += 1
        left = max(0, settings.MOBILE_PIN_ATTEMPTS - fresh.failed_pins)
        if left == 0:
            fresh.locked_at = clock.now()
        fresh.save(update_fields=["failed_pins", "locked_at"])
    record(Event.MOBILE_WRONG_PIN, user=device.user, request=request, device=device.public_id, context=context,
           attempts_left=left)
    if left == 0:
        record(Event.MOBILE_DEVICE_LOCKED, user=device.user, request=request, device=device.public_id)
        notices.send(device.user, "mobile_device_locked", device_name=device.name,
                     attempts=settings.MOBILE_PIN_ATTEMPTS)
    device.failed_pins, device.locked_at = fresh.failed_pins, fresh.locked_at
    return left


def unlock(device: MobileDevice, *, operator=None, request=None) -> None:
    MobileDevice.objects.filter(pk=device.pk).update(locked_at=None, failed_pins=0)
    record(Event.MOBILE_DEVICE_UNLOCKED, user=device.user, request=request, device=device.public_id,
           operator=getattr(operator, "email", ""))
