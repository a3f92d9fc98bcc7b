"""Django's database sessions (the same table, the same encoding) in fewer and cheaper statements.

Every page a browser opens reads its session, and the sign-in pages write it. Django's backend builds
each statement through the ORM anew, asks whether a new random key is taken before using it, reads a
session before deleting it, and wraps each write in a transaction of its own (BEGIN, the write,
COMMIT). Here, each is one statement written once per connection (limen.core.sql):

- load: one SELECT of the data of an unexpired session;
- save: one UPDATE (atomic by itself); no row updated is Django's UpdateError, as before;
- create: one INSERT; a key already taken (against 165 random bits: 32 characters of 36) fails it, and Django's
  ``create`` draws another, so asking first is not needed;
- delete: one DELETE.

``SESSION_ENGINE = "limen.core.session_store"``. tests/core/test_session_store.py runs the same
checks against Django's backend.
"""

from __future__ import annotations

import contextlib

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, UpdateError
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import random_strings, sql


def new_key(length: int = 32) -> str:
    """What Django's ``get_random_string(32, VALID_KEY_CHARS)`` gives (each character uniform and independent
    among the 36), from one draw of the operating system's random source instead of one per character."""
    return random_strings.draw(VALID_KEY_CHARS, length)


class SessionStore(db.SessionStore):
    _statements: dict[tuple, dict[str, str]] = {}  # per session model and database alias

    def _connection(self, write: bool = True):
        return sql.connection_for(self.model, write=write)

    def _sql(self, connection) -> dict[str, str]:
        statements = self._statements.get((self.model, connection.alias))
        if statements is None:
            model = self.model
            t = sql.table(model, connection)
            key, data, expires = (sql.column(model, name, connection)
                                  for name in ("session_key", "session_data", "expire_date"))
            statements = self._statements[(self.model, connection.alias)] = {
                "load": f"SELECT {data} FROM {t} WHERE {key} = %s AND {expires} > %s",
                "insert": f"INSERT INTO {t} ({key}, {data}, {expires}) VALUES (%s, %s, %s)",
                "update": f"UPDATE {t} SET {data} = %s, {expires} = %s WHERE {key} = %s",
                "delete": f"DELETE FROM {t} WHERE {key} = %s",
            }
        return statements

    def _get_new_session_key(self):
        # No "is it taken?" query: the INSERT in save(must_create=True) is the check (see the module).
        return new_key()

    def load(self):
        connection = self._connection(write=False)
        now = sql.prep(self.model, "expire_date", timezone.now(), connection)
        with connection.cursor() as cursor:
            sql.execute(cursor, self._sql(connection)["load"], [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None  # as Django's: an unknown or expired key is forgotten
            return {}
        return self.decode(row[0])

    def save(self, must_create=False):
        if self.session_key is None:
            return self.create()
        data = self.encode(self._get_session(no_load=must_create))
        connection = self._connection()
        expires = sql.prep(self.model, "expire_date", self.get_expiry_date(), connection)
        statements = self._sql(connection)
        if not must_create:
            with connection.cursor() as cursor:
                sql.execute(cursor, statements["update"], [data, expires, self.session_key])
                if cursor.rowcount != 1:
                    raise UpdateError  # deleted meanwhile (signed out elsewhere): Django's answer too
            return
        try:
            # Inside a transaction, a savepoint keeps a taken key from spoiling it (PostgreSQL).
            with (transaction.atomic(using=connection.alias) if connection.in_atomic_block
                  else contextlib.nullcontext()), connection.cursor() as cursor:
                sql.execute(cursor, statements["insert"], [self.session_key, data, expires])
        except IntegrityError:
            raise CreateError from None

    def delete(self, session_key=None):
        session_key = session_key or self.session_key
        if session_key is None:
            return
        connection = self._connection()
        with connection.cursor() as cursor:
            sql.execute(cursor, self._sql(connection)["delete"], [session_key])
