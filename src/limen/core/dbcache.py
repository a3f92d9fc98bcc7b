"""The database cache (rate limits, e-mail caps, proof-of-work and assertion marks when Redis is not
configured) in one statement per write.

Django's DatabaseCache counts the whole table (``SELECT COUNT(*)``) at every write, then opens a
transaction to read the key and insert or update it: five statements for each ``add`` or ``set``,
and a count that grows with the table. A sign-in reserves and gives back a rate-limit slot with
several of them. Here a write is one ``INSERT ... ON CONFLICT`` (SQLite 3.24+, PostgreSQL), as
atomic as before (``add`` wins only if the key is absent or expired), and the table is counted and
culled every CULL_EVERY writes of a process instead of at each one. Other databases, and ``touch``,
keep Django's own code.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import pickle

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import DatabaseError, connections, models, router, transaction
from django.utils.timezone import now as tz_now

from . import sql

UPSERT_VENDORS = {"sqlite", "postgresql"}


class DatabaseCache(DjangoDatabaseCache):
    CULL_EVERY = 64

    def __init__(self, table, params):
        super().__init__(table, params)
        self._writes = 0
        self._statements: dict[str, dict[str, str]] = {}
        self._converters: dict[str, list] = {}

    def _sql(self, connection) -> dict[str, str]:
        if connection.alias not in self._statements:
            qn = connection.ops.quote_name
            table, key, value, expires = qn(self._table), qn("cache_key"), qn("value"), qn("expires")
            upsert = (f"INSERT INTO {table} ({key}, {value}, {expires}) VALUES (%s, %s, %s) ON CONFLICT ({key}) "
                      f"DO UPDATE SET {value} = EXCLUDED.{value}, {expires} = EXCLUDED.{expires}")
            self._statements[connection.alias] = {
                "set": upsert, "add": upsert + f" WHERE {table}.{expires} < %s",
                "get": f"SELECT {key}, {value}, {expires} FROM {table} WHERE {key} IN ",
            }
        return self._statements[connection.alias]

    def _expiry_converters(self, connection) -> tuple:
        if connection.alias not in self._converters:
            expression = models.Expression(output_field=models.DateTimeField())
            self._converters[connection.alias] = (expression, connection.ops.get_db_converters(expression)
                                                  + expression.get_db_converters(connection))
        return self._converters[connection.alias]

    def get_many(self, keys, version=None):
        if not keys:
            return {}
        connection = connections[router.db_for_read(self.cache_model_class)]
        if connection.vendor not in UPSERT_VENDORS:
            return super().get_many(keys, version)
        key_map = {self.make_and_validate_key(key, version=version): key for key in keys}
        with connection.cursor() as cursor:
            sql.execute(cursor, self._sql(connection)["get"] + f"({', '.join(['%s'] * len(key_map))})", list(key_map))
            rows = cursor.fetchall()
        expression, converters = self._expiry_converters(connection)
        result, expired, now = {}, [], tz_now()
        for key, value, expires in rows:
            for converter in converters:
                expires = converter(expires, expression, connection)
            if expires < now:
                expired.append(key)
            else:
                result[key_map.get(key)] = pickle.loads(base64.b64decode(connection.ops.process_clob(value).encode()))
        self._base_delete_many(expired)
        return result

    def _base_set(self, mode, key, value, timeout=DEFAULT_TIMEOUT):
        connection = connections[router.db_for_write(self.cache_model_class)]
        if mode == "touch" or connection.vendor not in UPSERT_VENDORS:
            return super()._base_set(mode, key, value, timeout)
        timeout = self.get_backend_timeout(timeout)
        now = tz_now().replace(microsecond=0)
        expires = dt.datetime.max if timeout is None else dt.datetime.fromtimestamp(timeout, tz=dt.timezone.utc)
        expires = connection.ops.adapt_datetimefield_value(expires.replace(microsecond=0))
        pickled = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
        params = [key, pickled, expires] + ([connection.ops.adapt_datetimefield_value(now)] if mode == "add" else [])
        self._writes += 1
        try:
            # Inside a transaction, a savepoint keeps a failed write from spoiling it (as Django's does).
            with transaction.atomic(using=connection.alias) if connection.in_atomic_block else contextlib.nullcontext(), \
                    connection.cursor() as cursor:
                if self._writes % self.CULL_EVERY == 0:
                    cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(self._table)}")
                    count = cursor.fetchone()[0]
                    if count > self._max_entries:
                        self._cull(connection.alias, cursor, now, count)
                sql.execute(cursor, self._sql(connection)[mode], params)
                return mode == "set" or cursor.rowcount == 1
        except DatabaseError:
            return False  # as Django's: a write that fails is a write that did not happen

