"""Django's PostgreSQL backend, with the connection health check of a request skipped when the
connection just worked (and ``jsonb`` in binary results read as text, for limen.core.prepared).

With ``CONN_HEALTH_CHECKS``, Django sends ``SELECT 1`` before the first statement of every request, so
that a worker notices a connection PostgreSQL closed (a restart, a failover) and opens a new one
instead of failing the request. On a short request that is a second round trip: on CAS ticket
validation, one statement, it was about a tenth of the CPU that PostgreSQL costs against SQLite
(bench/README.md). As HikariCP does (``aliveBypassWindowMs``, 500 ms), the check is skipped when the
connection was last used, without a database error, less than the settings' ``ALIVE_WINDOW`` seconds
ago (limen.core.config.ALIVE_WINDOW_SECONDS): a busy worker's connections are in use all the time, and
an idle one's are checked as before.

Within the window the connection's socket is still looked at, which costs no round trip (as redis-py
does before it hands out a pooled connection): an idle connection has nothing to read unless the
server sent something, and PostgreSQL only speaks unasked to say it is closing the connection (a
restart, ``pg_terminate_backend``, an idle timeout). Then the real check runs and the connection is
replaced before the request uses it.

What it costs: a connection that dies silently within the window (the server's host vanishes and
nothing reaches the socket) fails the one request that next uses it, as the requests running at that
moment fail anyway; Django then sees the error and checks, closes and reopens the connection before
the next request. ``?health_check=always`` in ``LIMEN_DATABASE_URL`` checks before every request, as
Django does.
"""

from __future__ import annotations

import select
import time

from django.db.backends.postgresql import base
from django.db.backends.postgresql.psycopg_any import is_psycopg3

from limen.core import prepared
from limen.core.config import ALIVE_WINDOW_SECONDS


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.alive_window = float(self.settings_dict.get("ALIVE_WINDOW", ALIVE_WINDOW_SECONDS))
        self.alive_at = None  # time.monotonic() of the connection's last use that is known to have worked
        self.used_at = None   # time.monotonic() of its last use since the last request boundary

    def connect(self):
        self.alive_at = None  # before: a connection that fails half-way must not inherit the old one's
        super().connect()

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if is_psycopg3:  # the binary results of limen.core.prepared's cursors
            connection.adapters.register_loader("jsonb", prepared.jsonb_as_text())
        return connection

    def close_if_health_check_failed(self):
        # Django calls this before every cursor (and autocommit change): the connection's last use.
        now = self.used_at = time.monotonic()
        if (self.connection is not None and self.health_check_enabled and not self.health_check_done
                and self.alive_at is not None and now - self.alive_at < self.alive_window
                and not self._has_unread()):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _has_unread(self) -> bool:
        """Whether the server sent something to this idle connection (a closing notice, or end of file)."""
        try:
            poller = select.poll()  # not select(): a process with many waits has descriptors past 1024
            poller.register(self.connection.fileno(), select.POLLIN)
            return bool(poller.poll(0))
        except (OSError, ValueError, base.Database.Error):  # no socket any more: the real check decides
            return True

    def close_if_unusable_or_obsolete(self):
        # Django calls this as a request starts and as it ends. The connection was alive at its last use
        # since the previous call if nothing failed since (a failed statement sets errors_occurred). Work
        # done after a response (e-mail) counts at the time it was done, not when the next request comes.
        used_at, self.used_at = self.used_at, None
        if (self.connection is not None and used_at is not None and self.health_check_done
                and not self.errors_occurred):
            self.alive_at = used_at
        super().close_if_unusable_or_obsolete()
