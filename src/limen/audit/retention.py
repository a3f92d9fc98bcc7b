"""Retention: remove audit events older than the operator's retention period."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction

from limen.core import clock

from .events import Event
from .models import AuditEvent
from .service import record

MIN_DAYS = 30


def purge_older_than(days: int, *, operator: str = "") -> int:
    if days < MIN_DAYS:
        raise ValueError(f"keep at least {MIN_DAYS} days of audit events")
    cutoff = clock.now() - dt.timedelta(days=days)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO audit_maintenance (reason) VALUES (%s)", ["purge"])
            cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE time < %s", [cutoff])
            removed = cursor.rowcount
            cursor.execute("DELETE FROM audit_maintenance")
    record(Event.AUDIT_PURGED, removed=removed, older_than_days=days, operator=operator)
    return removed
