"""OpenID Connect Back-Channel Logout 1.0: logout tokens posted to applications, retried until sent.

A BackchannelLogout row (a row of the delivery queue, limen.notify.queue) is
stored when a session ends (services.end_session); delivery is tried at once
in the background and then by the worker with back-off. The logout token is minted at each
attempt, so a token that arrives after an application's downtime is still
fresh (iat/exp) when it arrives.
"""

from __future__ import annotations

import datetime as dt
import uuid

import requests
from django.conf import settings
from oauth2_provider.models import clear_expired

from limen.core import clock
from limen.notify import queue

from . import keys
from .models import Authorization, BackchannelLogout, DeliveryStatus, IdTokenAlg

EVENT = "http://schemas.openid.net/event/backchannel-logout"
TOKEN_SECONDS = 120
LEASE_SECONDS = 60
MAX_ATTEMPTS = 10
KEEP_DAYS = 30


def logout_token(row: BackchannelLogout) -> str:
    now = int(clock.now().timestamp())
    claims = {
        "iss": settings.BASE_URL, "aud": row.recipient, "iat": now, "exp": now + TOKEN_SECONDS,
        "jti": str(uuid.uuid4()), "sub": row.subject_id, "sid": row.sid, "events": {EVENT: {}},
    }
    client = row.client  # signed as its ID tokens are (Back-Channel Logout 1.0, 2.4)
    alg = client.id_token_alg if client is not None else IdTokenAlg.RS256
    return keys.sign(claims, alg, typ="logout+jwt")


def post(row: BackchannelLogout) -> None:
    """Send one logout token to the client's back-channel logout address (as it is now)."""
    client = row.client
    uri = client.backchannel_logout_uri if client is not None else ""
    if not uri:
        raise queue.DeliveryFailed("the client no longer has a back-channel logout address")
    response = requests.post(uri, data={"logout_token": logout_token(row)}, timeout=settings.OIDC_BACKCHANNEL_TIMEOUT,
                             allow_redirects=False, headers={"Cache-Control": "no-cache"})
    if response.status_code not in (200, 204):
        raise queue.DeliveryFailed(f"HTTP {response.status_code}")


queue.register(queue.Channel(BackchannelLogout.CHANNEL, post, max_attempts=MAX_ATTEMPTS,
                             backoff=queue.exponential(5, 3600), lease=dt.timedelta(seconds=LEASE_SECONDS), model=BackchannelLogout))


def enqueue(client, *, subject: str, sid: str) -> BackchannelLogout:
    now = clock.now()
    return BackchannelLogout.objects.create(
        channel=BackchannelLogout.CHANNEL, kind=BackchannelLogout.CHANNEL, recipient=client.client_id,
        subject=client.name or client.client_id, payload={"client": client.pk, "sub": subject, "sid": sid},
        created=now, next_attempt=now)


def deliver(pk: int) -> bool:
    return queue.deliver([pk]) == 1


def deliver_due(limit: int = 100) -> int:
    return queue.deliver_due(limit, channels=[BackchannelLogout.CHANNEL])


def deliver_soon(pks: list[int]) -> None:
    """First attempt right away, without making the person wait on the sign-out page."""
    queue.deliver_in_background(list(pks))


def clean_up() -> None:
    """Hourly: forget old deliveries and authorizations, purge retired keys and expired tokens."""
    now = clock.now()
    BackchannelLogout.objects.filter(created__lt=now - dt.timedelta(days=KEEP_DAYS)).exclude(
        status=DeliveryStatus.PENDING).delete()
    horizon = max(settings.OIDC_REFRESH_TOKEN_SECONDS + settings.OIDC_ACCESS_TOKEN_SECONDS,
                  settings.SESSION_COOKIE_AGE) + 86400
    Authorization.objects.filter(created__lt=now - dt.timedelta(seconds=horizon)).delete()
    keys.purge()
    clear_expired()
