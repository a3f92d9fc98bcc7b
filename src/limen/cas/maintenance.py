"""Housekeeping run by the background worker and by `limen cas_cleanup`."""

from __future__ import annotations

import datetime as dt

from limen.core import clock
from limen.notify.models import Status
from limen.signin import sessions

from . import tickets
from .models import LogoutRequest

CLEANUP_EVERY = 60.0  # seconds between two clean-ups in the worker
KEEP_DELIVERED_DAYS = 30


def cleanup() -> dict[str, int]:
    """End sessions that expired unattended (their applications get logout requests), drop dead
    tickets, forget logout requests delivered or given up on long ago."""
    ended = sessions.end_expired()
    counts = tickets.remove_expired()
    old, _ = LogoutRequest.objects.filter(
        status__in=[Status.SENT, Status.FAILED],
        created__lte=clock.now() - dt.timedelta(days=KEEP_DELIVERED_DAYS),
    ).delete()
    return {"sessions_ended": ended, **counts, "logout_requests_forgotten": old}
