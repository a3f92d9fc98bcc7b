"""Cursors whose statements PostgreSQL parses and plans once per connection, for the hottest paths.

Django sends every statement as text with its values inlined (client-side binding), so PostgreSQL
parses and plans it anew at each call. For CAS ticket validation's one ``UPDATE ... FROM ...
RETURNING`` that planning was most of the database server's work: measured on one connection,
0.37 ms of backend CPU per validation as text, 0.09 ms prepared, and 0.29 ms of Limen's own CPU
against 0.09 ms (bench/README.md, "CAS validation on PostgreSQL").

``cursor(connection)`` gives, on PostgreSQL with psycopg 3, a Django cursor (same connection and
transaction, same query logging and execute wrappers, same value conversions) that binds values on
the server and prepares each statement on first use (psycopg keeps the prepared statements of a
connection; a new connection prepares again). Elsewhere it is ``connection.cursor()``. Use it for
fixed statements run on every request, never for statements built from varying text (each distinct
text would be prepared and kept).

Results come back in PostgreSQL's binary format (psycopg already sends most parameters so): neither
side writes or parses timestamps and numbers as text (CAS validation: 0.03 ms less of Limen's CPU per
request, in process). For text, integers, booleans, numeric, uuid, timestamps, bytea and arrays the
values are the Python objects the text format gives; ``jsonb``, which Django's JSONField wants as
text, is given so by ``jsonb_as_text`` (registered on each connection by limen.core.postgresql). Other
types differ (``inet`` and ``cidr`` give ipaddress objects, ``real`` its binary float, types without a
binary loader bytes): a statement that reads them needs a loader, or a cast to text, first.

Behind PgBouncer in transaction mode prepared statements need PgBouncer 1.21 or later with
``max_prepared_statements`` set (docs/scaling.md).
"""

from __future__ import annotations

import functools

_cursor_class = None


@functools.cache
def jsonb_as_text():
    """A binary ``jsonb`` loader giving the JSON text, as Django's text loader does (register it on the
    connection: ``connection.adapters.register_loader("jsonb", jsonb_as_text())``)."""
    from psycopg.adapt import Loader
    from psycopg.pq import Format

    class JsonbAsText(Loader):
        format = Format.BINARY

        def load(self, data):
            # jsonb's binary form is a version byte (1) and the JSON text.
            if data[:1] != b"\x01":
                raise ValueError("unknown jsonb binary format version")
            return bytes(data[1:]).decode()

    return JsonbAsText


def _preparing_cursor_class():
    global _cursor_class
    if _cursor_class is None:
        from django.db.backends.postgresql.base import ServerBindingCursor

        class PreparingCursor(ServerBindingCursor):
            def execute(self, query, params=None, *, prepare=None, binary=None):
                return super().execute(query, params, prepare=True, binary=True)

            def _convert_query(self, query, params=None):
                # psycopg keeps the statement text only when it does not prepare it; Django's query
                # log (DEBUG, tests' CaptureQueriesContext) reads it from there.
                self._query = converted = super()._convert_query(query, params)
                return converted

        _cursor_class = PreparingCursor
    return _cursor_class


def _psycopg3() -> bool:
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return is_psycopg3


def cursor(connection):
    """A cursor for ``connection`` that prepares its statements on PostgreSQL (see the module)."""
    if connection.vendor != "postgresql" or not _psycopg3():
        return connection.cursor()
    # What BaseDatabaseWrapper.cursor() does, with our cursor class in place of create_cursor()'s.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(_preparing_cursor_class()(connection.connection))
