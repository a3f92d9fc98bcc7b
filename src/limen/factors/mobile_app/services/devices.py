"""A person's devices: list, rename, remove, lock after wrong PINs, unlock."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from limen.notify import notices
from limen.audit.events import Event
from limen.audit.service import record
from limen.core import clock
from limen.factors import notices as factor_notices

from .. import channel
from ..errors import DeviceNotFound
from ..models import ChallengeStatus, DeviceStatus, MobileDevice, PushChallenge

#: the ``method`` of the generic factor events (factor.added, factor.renamed, factor.removed)
METHOD = "mobile_app"
#: what the generic "verification method added/removed" e-mails call it
METHOD_LABEL = _("Mobile app")
REMOVED_BY = {
    "app": _("It was unlinked from the app itself."),
    "operator": _("It was removed by your support desk."),
}


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
        record(Event.FACTOR_RENAMED, user=user, request=request, method=METHOD, name=name, old_name=old,
               device=device.public_id)
    return device


def remove(device: MobileDevice, *, by: str = "owner", request=None, operator: str = "") -> None:
    """Delete a device (its pending requests go with it) and tell the owner."""
    user, name, public_id, was_active = device.user, device.name, device.public_id, device.is_active
    _delete(device)
    if was_active:
        record(Event.FACTOR_REMOVED, user=user, request=request, method=METHOD, name=name, device=public_id, by=by,
               **({"operator": operator} if operator else {}))
        factor_notices.factor_removed(user, method=METHOD_LABEL, name=name, request=request,
                                      detail=REMOVED_BY.get(by, ""))


def delete_quietly(device: MobileDevice) -> None:
    """Delete without an event or e-mail of its own (a re-keyed device replaces it: "Forgot PIN")."""
    _delete(device)


def _delete(device: MobileDevice) -> None:
    with transaction.atomic():
        for challenge in PushChallenge.objects.filter(device=device, status=ChallengeStatus.PENDING):
            channel.signal(channel.challenge_key(challenge.pk))
        device.delete()


def remove_all(user) -> int:
    """PANIC: every device goes; PANIC itself records the event and tells the owner, once."""
    devices = list(MobileDevice.objects.filter(user=user))
    for device in devices:
        _delete(device)
    return sum(1 for d in devices if d.is_active)


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
