"""OpenID Connect Back-Channel Logout 1.0: logout tokens posted to applications, retried until sent.

A BackchannelLogout row is stored when a session ends (services.end_session);
delivery is tried at once in the background and then by the worker thread
(limen.notify.worker) with back-off. The logout token is minted at each
attempt, so a token that arrives after an application's downtime is still
fresh (iat/exp) when it arrives.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid

import requests
from django.conf import settings
from django.db import close_old_connections

from limen.core import clock

from . import keys
from .internal import jose
from .models import Authorization, BackchannelLogout, DeliveryStatus

log = logging.getLogger("limen.oidc")

EVENT = "http://schemas.openid.net/event/backchannel-logout"
TOKEN_SECONDS = 120
LEASE_SECONDS = 60
MAX_ATTEMPTS = 10
KEEP_DAYS = 30


class DeliveryFailed(Exception):
    pass


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 3600))


def logout_token(row: BackchannelLogout) -> str:
    now = int(clock.now().timestamp())
    claims = {
        "iss": settings.BASE_URL, "aud": row.client.client_id, "iat": now, "exp": now + TOKEN_SECONDS,
        "jti": str(uuid.uuid4()), "sub": row.subject, "sid": row.sid, "events": {EVENT: {}},
    }
    return jose.sign(claims, keys.active(), typ="logout+jwt")


def _claim(pk: int) -> bool:
    """Take the row for one attempt; another process holding it makes this False."""
    now = clock.now()
    return BackchannelLogout.objects.filter(pk=pk, status=DeliveryStatus.PENDING, next_attempt__lte=now).update(
        next_attempt=now + dt.timedelta(seconds=LEASE_SECONDS)) == 1


def deliver(pk: int) -> bool:
    if not _claim(pk):
        return False
    row = BackchannelLogout.objects.select_related("client").get(pk=pk)
    row.attempts += 1
    try:
        uri = row.client.backchannel_logout_uri
        if not uri:
            raise DeliveryFailed("the client no longer has a back-channel logout address")
        response = requests.post(uri, data={"logout_token": logout_token(row)},
                                 timeout=settings.OIDC_BACKCHANNEL_TIMEOUT, allow_redirects=False,
                                 headers={"Cache-Control": "no-cache"})
        if response.status_code not in (200, 204):
            raise DeliveryFailed(f"HTTP {response.status_code}")
    except Exception as exc:  # network, HTTP status, signing: keep the row, try later
        row.last_error = f"{type(exc).__name__}: {exc}"[:500]
        row.next_attempt = clock.now() + backoff(row.attempts)
        if row.attempts >= MAX_ATTEMPTS:
            row.status = DeliveryStatus.FAILED
        log.warning("back-channel logout %s to %s failed (attempt %s): %s", pk, row.client.client_id,
                    row.attempts, row.last_error)
        row.save(update_fields=["attempts", "last_error", "next_attempt", "status"])
        return False
    row.status, row.sent, row.last_error = DeliveryStatus.SENT, clock.now(), ""
    row.save(update_fields=["attempts", "status", "sent", "last_error"])
    return True


def deliver_due(limit: int = 100) -> int:
    due = BackchannelLogout.objects.filter(status=DeliveryStatus.PENDING, next_attempt__lte=clock.now())
    return sum(1 for pk in list(due.order_by("next_attempt").values_list("pk", flat=True)[:limit]) if deliver(pk))


def _deliver_in_background(pks: list[int]) -> None:
    try:
        for pk in pks:
            try:
                deliver(pk)
            except Exception:  # the worker retries
                log.exception("back-channel logout %s failed", pk)
    finally:
        close_old_connections()


def deliver_soon(pks: list[int]) -> None:
    """First attempt right away, without making the person wait on the sign-out page."""
    threading.Thread(target=_deliver_in_background, args=(list(pks),), name="limen-backchannel",
                     daemon=True).start()


def clean_up() -> None:
    """Hourly: forget old deliveries and authorizations, purge retired keys and expired tokens."""
    from oauth2_provider.models import clear_expired

    now = clock.now()
    BackchannelLogout.objects.filter(created__lt=now - dt.timedelta(days=KEEP_DAYS)).exclude(
        status=DeliveryStatus.PENDING).delete()
    horizon = max(settings.OIDC_REFRESH_TOKEN_SECONDS + settings.OIDC_ACCESS_TOKEN_SECONDS,
                  settings.SESSION_COOKIE_AGE) + 86400
    Authorization.objects.filter(created__lt=now - dt.timedelta(seconds=horizon)).delete()
    keys.purge()
    clear_expired()
