"""Web Push to the web app: subscriptions per device, the server's VAPID key, and the "webpush" channel of
the one delivery queue (limen.notify.queue).

A new sign-in request for a device that has a subscription becomes a row of
the queue (retried with back-off, dropped unsent once the request has
expired), posted to the browser's push service encrypted for that browser
(RFC 8291) and signed with the server's VAPID key (RFC 8292). The message
carries ids only, like every push payload (``push.PushBackend.payload``):
the app fetches the request over the signed device API. The live channel
(the app's long poll) is signalled as well, so an open app needs no push.

The VAPID key pair is made the first time it is needed and kept in the
database, its private key sealed with limen.core.crypto; the public key is
published to the app (``/app/config.json``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction

from limen.core import clock, crypto
from limen.notify import queue
from limen.notify.models import OutboxMessage

from .errors import InvalidField
from .internal import webpush_lib
from .models import MobileDevice, PushSubscription, VapidKey

log = logging.getLogger("limen.mobile")

CHANNEL = "webpush"
PURPOSE = "factors_mobile_app.vapid"
MAX_ATTEMPTS = 6
backoff = queue.exponential(2, 30)  # a sign-in request lives minutes: retry soon, a few times


# --- the server's key ----------------------------------------------------------------------------

def vapid_key() -> VapidKey:
    """The VAPID key pair, made once (the first of two racing processes wins)."""
    key = VapidKey.objects.order_by("pk").first()
    if key is not None:
        return key
    pem, public = webpush_lib.new_key_pair()
    try:
        with transaction.atomic():
            if not VapidKey.objects.exists():
                VapidKey.objects.create(sealed_private_key=crypto.encrypt(pem.encode(), purpose=PURPOSE),
                                        public_key=public)
    except IntegrityError:  # pragma: no cover - another process made it
        pass
    return VapidKey.objects.order_by("pk").first()


def public_key() -> str:
    return vapid_key().public_key if settings.WEBPUSH_ENABLED else ""


def _private_pem() -> str:
    return crypto.decrypt(vapid_key().sealed_private_key, purpose=PURPOSE).decode()


# --- subscriptions ---------------------------------------------------------------------------

def endpoint_allowed(endpoint: str) -> bool:
    """Only the push services the operator allows (LIMEN_WEBPUSH_ENDPOINTS): the server posts to this
    address, so a device must not point it at anything else (an internal service, say)."""
    parts = urlsplit(endpoint or "")
    if parts.scheme not in {"https", "http"} or not parts.hostname or parts.username or parts.password:
        return False
    for allowed in settings.WEBPUSH_ENDPOINTS:
        rule = urlsplit(allowed)
        host = rule.hostname or ""
        if rule.scheme != parts.scheme or (rule.port or None) != (parts.port or None):
            continue
        matches = parts.hostname.endswith(host[1:]) if host.startswith("*.") else parts.hostname == host
        if matches and parts.path.startswith(rule.path or "/"):
            return True
    return False


def subscribe(device: MobileDevice, *, endpoint: str, p256dh: str, auth: str) -> PushSubscription:
    if not settings.WEBPUSH_ENABLED or len(endpoint) > PushSubscription.ENDPOINT_MAX \
            or not endpoint_allowed(endpoint):
        raise InvalidField("endpoint")
    if not webpush_lib.valid_client_key(p256dh, auth):
        raise InvalidField("keys")
    subscription, _created = PushSubscription.objects.update_or_create(
        device=device, defaults={"endpoint": endpoint, "p256dh": p256dh, "auth": auth, "created": clock.now()})
    return subscription


def unsubscribe(device: MobileDevice) -> bool:
    return PushSubscription.objects.filter(device=device).delete()[0] > 0


# --- sending ---------------------------------------------------------------------------------

def notify(challenge, payload: dict) -> OutboxMessage | None:
    """Queue a push for ``challenge`` if its device has a subscription; the first try starts after commit
    (in the background: the sign-in page does not wait for the push service)."""
    if not settings.WEBPUSH_ENABLED:
        return None
    subscription = PushSubscription.objects.filter(device_id=challenge.device_id).first()
    if subscription is None:
        return None
    now = clock.now()
    row = OutboxMessage.objects.create(
        channel=CHANNEL, kind="signin_request", recipient=subscription.endpoint[:2000],
        body=json.dumps(payload, separators=(",", ":")), payload={"subscription": subscription.pk},
        created=now, next_attempt=now, expires=challenge.expires,
    )
    transaction.on_commit(lambda: queue.deliver_in_background([row.pk]))
    return row


def send(row: OutboxMessage) -> None:
    """The channel's sender: one row to its subscription's push service."""
    subscription = PushSubscription.objects.filter(pk=row.payload.get("subscription")).first()
    if subscription is None or subscription.endpoint != row.recipient:
        raise queue.DeliveryFailed("the subscription was removed", permanent=True)
    ttl = int((row.expires - clock.now()).total_seconds()) if row.expires else 60
    try:
        webpush_lib.send(webpush_lib.Subscription(subscription.endpoint, subscription.p256dh, subscription.auth),
                         row.body, private_key_pem=_private_pem(), subject=settings.WEBPUSH_SUBJECT, ttl=ttl)
    except webpush_lib.PushFailed as error:
        if error.gone:  # the browser unsubscribed, or the app was removed: forget the subscription
            PushSubscription.objects.filter(pk=subscription.pk).delete()
        raise queue.DeliveryFailed(str(error), permanent=error.permanent) from None


queue.register(queue.Channel(CHANNEL, send, max_attempts=MAX_ATTEMPTS, backoff=backoff,
                             lease=dt.timedelta(seconds=30), parallel=8))
