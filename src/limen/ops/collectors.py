"""Values read from the database when Prometheus scrapes: they describe the whole deployment, not
one process, so every instance reports the same (aggregate them with max, not sum)."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import DatabaseError
from prometheus_client.core import GaugeMetricFamily

from limen.core import clock
from limen.notify.queue import backlog
from limen.signin.models import SsoSession

log = logging.getLogger("limen.ops")


def active_sso_sessions(now: dt.datetime) -> int:
    idle = dt.timedelta(seconds=settings.SESSION_IDLE_SECONDS)
    return SsoSession.objects.filter(expires__gt=now, last_seen__gt=now - idle).count()


class DatabaseCollector:
    """Delivery queue backlog and its oldest message's age, active SSO sessions."""

    def collect(self):
        up = GaugeMetricFamily("limen_metrics_database_up",
                               "Whether the values read from the database at this scrape could be read.")
        try:
            now = clock.now()
            pending, oldest = backlog()
            sessions = active_sso_sessions(now)
        except DatabaseError:
            log.warning("metrics: the database could not be read", exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield GaugeMetricFamily("limen_delivery_queue_pending",
                                "Messages waiting in the delivery queue (e-mail, SMS, logout notices).", value=pending)
        age = (now - oldest).total_seconds() if oldest is not None else 0.0
        yield GaugeMetricFamily("limen_delivery_queue_oldest_age_seconds",
                                "Age of the oldest message waiting in the delivery queue (0 when empty).",
                                value=max(age, 0.0))
        yield GaugeMetricFamily("limen_sso_sessions_active",
                                "SSO sessions neither expired nor idle for too long.", value=sessions)
