"""Audit events for what lower layers announce with a signal (they cannot import the audit trail)."""

from __future__ import annotations

from .events import Event
from .service import record


def on_secrets_rotated(sender, *, report, finished: bool, **kwargs) -> None:
    """limen rotate_secrets re-encrypted secrets at rest (limen.core.rotation)."""
    record(Event.SECRETS_ROTATED, operator="command line", finished=finished, key=report.key_id,
           keys=list(report.key_ids), rewritten=report.rewritten, old=report.old, unreadable=report.unreadable,
           old_digests=report.old_digests,
           fields={f.label: f.as_data() for f in [*report.encrypted, *report.digests]})
