"""Single logout: tell every application that validated a ticket of an ending SSO session.

When the session ends (sign-out, idle or absolute expiry, password change,
an operator's action), one CAS 3 SAML LogoutRequest per ticket is stored and
posted, all at once and with a short timeout, as form field ``logoutRequest``
to the service's single-logout URL (or the URL the ticket was issued for).
Failures are retried with back-off by the background worker; a 4xx answer
means the application does not take logout requests, and is not retried.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from concurrent.futures import ThreadPoolExecutor
from xml.sax.saxutils import escape

from django.db import transaction
from django.db.models import F

from limen.core import clock
from limen.notify.models import Status
from limen.notify.outbox import MAX_ATTEMPTS, backoff
from limen.signin.models import SsoSession

from . import outbound
from .models import LogoutRequest, ProxyGrantingTicket, ServiceTicket

log = logging.getLogger("limen.cas")

LEASE = dt.timedelta(minutes=2)  # a claimed request is not picked again by another process meanwhile
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


def on_sso_session_ending(sender, session_key: str, user=None, **kwargs) -> list[str]:
    """Receiver of limen.signin.signals.sso_session_ending; returns the applications signed out of."""
    sso = SsoSession.objects.filter(session_key=session_key).select_related("user").first()
    if sso is None:
        return []
    now = clock.now()
    tickets = list(ServiceTicket.objects.filter(sso_session=sso, consumed__isnull=False)
                   .select_related("service").order_by("created"))
    requests = LogoutRequest.objects.bulk_create([
        LogoutRequest(service=t.service, service_name=t.service.name, url=t.service.slo_url or t.service_url,
                      session_index=t.ticket, body=logout_message(t.ticket, str(sso.user.uid)),
                      created=now, next_attempt=now)
        for t in tickets
    ])
    ServiceTicket.objects.filter(sso_session=sso).delete()
    ProxyGrantingTicket.objects.filter(sso_session=sso).delete()
    if requests:
        ids = [r.pk for r in requests]
        transaction.on_commit(lambda: deliver(ids))
    return list(dict.fromkeys(t.service.name for t in tickets))


def _claim(pk: int, now: dt.datetime) -> bool:
    return bool(LogoutRequest.objects.filter(pk=pk, status=Status.PENDING, next_attempt__lte=now)
                .update(next_attempt=now + LEASE, attempts=F("attempts") + 1))


def _post(request: LogoutRequest) -> outbound.CallError | None:
    """None if the application took the request: any 2xx, or a redirect (django-cas-ng, for one,
    answers a logout request posted to its login URL with a redirect)."""
    try:
        status = outbound.post_form(request.url, {"logoutRequest": request.body})
    except outbound.CallError as error:
        status = error.status
        if status is None or not 300 <= status < 400:
            return error
    return None if 200 <= status < 400 else outbound.CallError(f"HTTP {status}", status=status)


def _gives_up(error: outbound.CallError, attempts: int) -> bool:
    permanent = error.status is not None and 400 <= error.status < 500 and error.status not in {408, 429}
    return permanent or attempts >= MAX_ATTEMPTS


def deliver(ids: list[int]) -> int:
    """Post the given logout requests (those due), in parallel; returns how many were accepted."""
    now = clock.now()
    claimed = [pk for pk in ids if _claim(pk, now)]
    rows = list(LogoutRequest.objects.filter(pk__in=claimed).order_by("pk"))
    if not rows:
        return 0
    with ThreadPoolExecutor(max_workers=min(PARALLEL, len(rows))) as pool:
        errors = list(pool.map(_post, rows))  # network only: no database work in the threads
    done = 0
    for row, error in zip(rows, errors):
        if error is None:
            row.status, row.sent, row.last_error = Status.SENT, clock.now(), ""
            done += 1
        else:
            row.last_error = str(error)[:500]
            if _gives_up(error, row.attempts):
                row.status = Status.FAILED
            row.next_attempt = clock.now() + backoff(row.attempts)
            log.warning("logout request %s to %s failed (attempt %s): %s", row.pk, row.service_name,
                        row.attempts, row.last_error)
        row.save(update_fields=["status", "sent", "last_error", "next_attempt"])
    return done


def deliver_due(limit: int = 100) -> int:
    due = LogoutRequest.objects.filter(status=Status.PENDING, next_attempt__lte=clock.now()).order_by("next_attempt")
    return deliver(list(due.values_list("pk", flat=True)[:limit]))
