"""PANIC: remove every second factor at once; then confirm the first new one by e-mail.

EU Login lets a person who lost their phone delete all their devices after a
password-only sign-in. Limen does the same, and goes one step further: the
first factor added afterwards needs a link sent to the account's e-mail
address, so a stolen password alone cannot replace the owner's factors.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from limen.notify import notices
from limen.audit.events import Event
from limen.audit.service import record
from limen.core import clock
from limen.core.net import client_ip
from limen.signin.methods import registry

from .errors import LinkExpired, LinkForAnotherAccount, LinkInvalid, LinkUsed, ResendTooSoon
from .models import EnrolmentHold

RESEND_SECONDS = 60
MAX_TOKEN_LENGTH = 100


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def inventory(user) -> list[dict]:
    """What PANIC would remove: every registered method the person has something of."""
    items = []
    for factor in registry.all():
        count = factor.enrolled_count(user)
        if count:
            items.append({"key": factor.key, "label": factor.label, "count": count})
    return items


def panic(user, *, request=None, by=None) -> dict[str, int]:
    """Remove every factor of every method; returns what was removed, per method key.

    ``by``: the operator who did it for the person (support desk), if not the person.
    """
    with transaction.atomic():
        removed = registry.remove_all(user)
        labels = [registry.get(key).label for key in removed]
        EnrolmentHold.objects.update_or_create(user=user, defaults={
            "since": clock.now(), "released": None, "link_digest": "", "link_sent": None, "link_expires": None,
            "next_url": "",
        })
    record(Event.PANIC, user=user, request=request, removed=removed,
           **({"operator": by.email} if by is not None else {}))
    notices.send(user, "panic_done", removed=labels, ip=client_ip(request) if request else "",
                 lost_password_url=notices.absolute(reverse("accounts:lost_password")))
    return removed


def active_hold(user) -> EnrolmentHold | None:
    return EnrolmentHold.objects.filter(user=user, released__isnull=True).first()


def link_outstanding(hold: EnrolmentHold) -> bool:
    return bool(hold.link_digest) and hold.link_expires is not None and hold.link_expires > clock.now()


def send_link(user, *, next_url: str = "", request=None, force: bool = False) -> EnrolmentHold | None:
    """Send the confirmation link (again); refuses a resend within a minute."""
    hold = active_hold(user)
    if hold is None:
        return None
    now = clock.now()
    if hold.link_sent and (now - hold.link_sent).total_seconds() < RESEND_SECONDS:
        if force:
            raise ResendTooSoon(retry_after=RESEND_SECONDS)
        return hold
    if not force and link_outstanding(hold):
        return hold
    token = secrets.token_urlsafe(32)
    hold.link_digest = _digest(token)
    hold.link_sent = now
    hold.link_expires = now + dt.timedelta(seconds=settings.PANIC_LINK_TTL)
    if next_url:
        hold.next_url = next_url[:500]
    hold.save(update_fields=["link_digest", "link_sent", "link_expires", "next_url"])
    record(Event.PANIC_LINK_SENT, user=user, request=request)
    notices.send(user, "panic_confirm", link=notices.absolute(reverse("factors_panic:release", args=[token])),
                 hours=settings.PANIC_LINK_TTL // 3600, ip=client_ip(request) if request else "")
    return hold


def find(token: str) -> EnrolmentHold:
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        raise LinkInvalid()
    hold = EnrolmentHold.objects.select_related("user").filter(link_digest=_digest(token)).first()
    if hold is None:
        raise LinkInvalid()
    if hold.released is not None:
        raise LinkUsed()
    if hold.link_expires is None or hold.link_expires <= clock.now():
        raise LinkExpired()
    return hold


def release(token: str, user, *, request=None) -> EnrolmentHold:
    """The owner opened the link while signed in: the first new factor may be added."""
    hold = find(token)
    if hold.user_id != user.pk:
        raise LinkForAnotherAccount()
    updated = EnrolmentHold.objects.filter(pk=hold.pk, released__isnull=True, link_digest=hold.link_digest) \
        .update(released=clock.now())
    if updated != 1:
        raise LinkUsed()
    record(Event.PANIC_RELEASED, user=user, request=request)
    return hold
