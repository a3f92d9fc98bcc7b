"""record(): the one way to write an audit event."""

from __future__ import annotations

import logging

from django.dispatch import Signal

from limen.core import clock, request_id, sql
from limen.core.net import client_ip
from limen.core.net import user_agent as _user_agent

from .events import Event
from .models import AuditEvent

log = logging.getLogger("limen.audit")

# Sent after every event is written (``entry``: the AuditEvent); the metrics count sign-in
# outcomes and lockouts from it (limen.ops.audit_metrics).
recorded = Signal()


def record(event: Event, *, user=None, request=None, email: str = "", ip: str | None = None,
           user_agent: str | None = None, **data) -> AuditEvent:
    """``ip`` and ``user_agent`` stand in for ``request`` in work done after the response. The id
    of the request being handled (core.request_id) is added to ``data``, to find its log lines."""
    current = request_id.current()
    if current and "request_id" not in data:
        data["request_id"] = current
    entry = AuditEvent(
        time=clock.now(),
        user=user if user is not None and user.pk else None,
        email=(email or getattr(user, "email", "") or "")[:254],
        event=event,
        ip=ip if ip is not None else (client_ip(request) if request is not None else ""),
        user_agent=user_agent if user_agent is not None else (_user_agent(request) if request is not None else ""),
        data=data,
    )
    _insert(entry)
    log.info("audit %s user=%s ip=%s", event, entry.user_id, entry.ip,
             extra={"event": str(event), "account": entry.user_id})
    recorded.send(sender=AuditEvent, entry=entry)
    return entry


_INSERT = sql.Insert(AuditEvent, ["time", "user", "email", "event", "ip", "user_agent", "data"])


def _insert(entry: AuditEvent) -> None:
    """``entry.save()``'s INSERT, written once (limen.core.sql): a sign-in records two or three events.
    No signal listens to AuditEvent's save; ``recorded`` below is sent as before."""
    connection = sql.connection_for(AuditEvent)
    with connection.cursor() as cursor:
        entry.pk = _INSERT.run(cursor, connection, entry.time, entry.user_id, entry.email, entry.event, entry.ip,
                               entry.user_agent, entry.data)
    entry._state.adding, entry._state.db = False, connection.alias


def recent_for(user, limit: int = 20):
    return AuditEvent.objects.filter(user=user).order_by("-time", "-id")[:limit]
