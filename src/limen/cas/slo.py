"""Single logout: tell every application that validated a ticket of an ending SSO session.

When the session ends (sign-out, idle or absolute expiry, password change,
an operator's action), one CAS 3 SAML LogoutRequest per ticket is stored and
posted, all at once and with a short timeout, as form field ``logoutRequest``
to the service's single-logout URL (or the URL the ticket was issued for).
They are rows of the one delivery queue (limen.notify.queue, channel
"cas_logout"): failures are retried with back-off by the background worker; a
4xx answer means the application does not take logout requests, and is not
retried.
"""

from __future__ import annotations

import datetime as dt
import secrets
from xml.sax.saxutils import escape

from django.db import transaction

from limen.core import clock
from limen.notify import queue
from limen.notify.outbox import MAX_ATTEMPTS, backoff
from limen.signin.models import SsoSession

from . import outbound
from .models import LogoutRequest, ProxyGrantingTicket, ServiceTicket

PARALLEL = 8


def logout_message(session_index: str, name_id: str) -> str:
    now = clock.now().astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
        f'ID="LR-{secrets.token_hex(16)}" Version="2.0" IssueInstant="{now}">'
        f"<saml:NameID>{escape(name_id)}</saml:NameID>"
        f"<samlp:SessionIndex>{escape(session_index)}</samlp:SessionIndex>"
        "</samlp:LogoutRequest>"
    )


def post(row: LogoutRequest) -> None:
    """Send one logout request. Any 2xx, or a redirect (django-cas-ng, for one, answers a logout
    request posted to its login URL with a redirect), means the application took it."""
    try:
        status = outbound.post_form(row.recipient, {"logoutRequest": row.body})
    except outbound.CallError as error:
        status = error.status
        if status is None or not 300 <= status < 400:
            permanent = status is not None and 400 <= status < 500 and status not in {408, 429}
            raise queue.DeliveryFailed(str(error), permanent=permanent) from None
    if not 200 <= status < 400:
        raise queue.DeliveryFailed(f"HTTP {status}", permanent=400 <= status < 500 and status not in {408, 429})


queue.register(queue.Channel(LogoutRequest.CHANNEL, post, max_attempts=MAX_ATTEMPTS,
                             backoff=backoff, parallel=PARALLEL, model=LogoutRequest))


def on_sso_session_ending(sender, session_key: str, user=None, **kwargs) -> list[str]:
    """Receiver of limen.signin.signals.sso_session_ending; returns the applications signed out of."""
    sso = SsoSession.objects.filter(session_key=session_key).select_related("user").first()
    if sso is None:
        return []
    now = clock.now()
    tickets = list(ServiceTicket.objects.filter(sso_session=sso, consumed__isnull=False)
                   .select_related("service").order_by("created"))
    requests = LogoutRequest.objects.bulk_create([
        LogoutRequest(channel=LogoutRequest.CHANNEL, kind=LogoutRequest.CHANNEL,
                      recipient=t.service.slo_url or t.service_url, subject=t.service.name,
                      body=logout_message(t.ticket, str(sso.user.uid)),
                      payload={"service": t.service.pk, "session_index": t.ticket},
                      created=now, next_attempt=now)
        for t in tickets
    ])
    ServiceTicket.objects.filter(sso_session=sso).delete()
    ProxyGrantingTicket.objects.filter(sso_session=sso).delete()
    if requests:
        ids = [r.pk for r in requests]
        transaction.on_commit(lambda: queue.deliver(ids))
    return list(dict.fromkeys(t.service.name for t in tickets))


def deliver_due(limit: int = 100) -> int:
    """Retry the logout requests that are due (the worker does it for every channel at once)."""
    return queue.deliver_due(limit, channels=[LogoutRequest.CHANNEL])
