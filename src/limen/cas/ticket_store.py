"""Consuming a service or proxy ticket, in as few statements as the database allows.

A ticket is consumed by its first validation attempt, whatever the outcome: the UPDATE is
conditional (``consumed IS NULL``), so one caller only, in any process, gets the row back.
What the validation needs comes back with it, and nothing more (the ORM's ``select_related``
loaded 49 columns of three tables and was half of a validation's time):

- PostgreSQL: one ``UPDATE ... FROM`` service and account ``... RETURNING`` all of it, prepared once
  per connection (limen.core.prepared: planning it was most of the database's work);
- SQLite 3.35 and later: ``UPDATE ... RETURNING`` the ticket's columns (SQLite cannot return
  the other tables' columns), then one SELECT of its service and account;
- older SQLite: the conditional UPDATE, then one SELECT of the three rows.

Each also says whether the service has an enabled access policy (limen.access), so that a validation
looks for validated details to release only where there can be some (that lookup was a statement of
its own at every validation).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from limen.core import prepared, sql

from limen.access.models import AccessPolicy

from .models import Service, ServiceTicket

TICKET_FIELDS = ["id", "service_url", "expires", "auth_time", "strengths", "level", "from_sso", "proxies",
                 "sso_session", "service", "user"]
SERVICE_FIELDS = ["name", "enabled", "level", "attributes", "response_layout"]
USER_FIELDS = ["is_active", "uid", "email", "first_name", "last_name", "interface_language", "email_language"]


@dataclass(frozen=True)
class ServiceFacts:
    id: int
    name: str
    enabled: bool
    level: int
    attributes: list
    response_layout: str
    access_policy: bool  # an enabled limen.access policy requires validation for this service


    @property
    def pk(self) -> int:  # as the model names it (limen.cas.access_link)
        return self.id


@dataclass(frozen=True)
class Person:
    id: int
    uid: str
    email: str
    first_name: str
    last_name: str
    interface_language: str
    email_language: str
    is_active: bool

    @property
    def pk(self) -> int:  # as the model names it (limen.access.gate)
        return self.id


@dataclass(frozen=True)
class ConsumedTicket:
    """A ticket just consumed, with what its validation needs of its service and account."""

    id: int
    ticket: str
    service_url: str
    expires: dt.datetime
    auth_time: dt.datetime
    strengths: list
    level: int
    from_sso: bool
    proxies: list
    sso_session_id: int | None
    service: ServiceFacts
    user: Person

    @property
    def is_proxy(self) -> bool:
        return self.ticket.startswith("PT-")


class _Statements:
    """The statements, written out once per database connection (names from the models)."""

    def __init__(self, connection):
        User = get_user_model()
        self.vendor = connection.vendor
        t, s, u = (sql.table(m, connection) for m in (ServiceTicket, Service, User))
        consumed, ticket = (sql.column(ServiceTicket, n, connection) for n in ("consumed", "ticket"))
        st_service, st_user = (sql.column(ServiceTicket, n, connection, "t") for n in ("service", "user"))
        s_id, u_id = sql.column(Service, "id", connection, "s"), sql.column(User, "id", connection, "u")
        others = sql.Columns(("s", Service, SERVICE_FIELDS, "service_"), ("u", User, USER_FIELDS, "user_"))
        # Read after the columns, as a row's last value (limen.access.policies.policy_of, as one expression).
        p_protocol, p_key, p_enabled = (sql.column(AccessPolicy, n, connection, "p")
                                        for n in ("protocol", "app_key", "enabled"))
        policy = (f'EXISTS (SELECT 1 FROM {sql.table(AccessPolicy, connection)} AS "p" WHERE {p_protocol} = \'cas\' '
                  f'AND {p_key} = CAST({s_id} AS TEXT) AND {p_enabled})')
        if self.vendor == "postgresql":
            self.columns = sql.Columns(("t", ServiceTicket, TICKET_FIELDS), *others.groups)
            self.consume = (f'UPDATE {t} AS "t" SET {consumed} = %s FROM {s} AS "s", {u} AS "u" '
                            f'WHERE "t".{ticket} = %s AND "t".{consumed} IS NULL '
                            f'AND {s_id} = {st_service} AND {u_id} = {st_user} '
                            f'RETURNING {self.columns.sql(connection)}, {policy}')
        elif sql.returning_supported(connection):
            self.columns = sql.Columns(("", ServiceTicket, TICKET_FIELDS))
            self.others = others
            self.consume = (f"UPDATE {t} SET {consumed} = %s WHERE {ticket} = %s AND {consumed} IS NULL "
                            f"RETURNING {self.columns.sql(connection)}")
            self.fetch_others = f'SELECT {others.sql(connection)}, {policy} FROM {s} AS "s", {u} AS "u" ' \
                                f'WHERE {s_id} = %s AND {u_id} = %s'
        else:
            self.columns = sql.Columns(("t", ServiceTicket, TICKET_FIELDS), *others.groups)
            self.consume = f"UPDATE {t} SET {consumed} = %s WHERE {ticket} = %s AND {consumed} IS NULL"
            self.fetch_all = (f'SELECT {self.columns.sql(connection)}, {policy} FROM {t} AS "t", {s} AS "s", {u} AS "u" '
                              f'WHERE "t".{ticket} = %s AND {s_id} = {st_service} AND {u_id} = {st_user}')


_for = sql.per_connection(_Statements)


def consume(ticket: str, now: dt.datetime) -> ConsumedTicket | None:
    """Mark ``ticket`` consumed at ``now``; its facts if this call consumed it, else None
    (unknown, or already consumed by an earlier attempt)."""
    connection = sql.connection_for(ServiceTicket)
    statements = _for(connection)
    when = sql.prep(ServiceTicket, "consumed", now, connection)
    with prepared.cursor(connection) as cursor:
        sql.execute(cursor, statements.consume, [when, ticket])
        if hasattr(statements, "fetch_all"):  # no RETURNING: the row count says who consumed it
            if cursor.rowcount != 1:
                return None
            sql.execute(cursor, statements.fetch_all, [ticket])
        rows = cursor.fetchall()
        if not rows:
            return None
        row = statements.columns.read(rows[0], connection)
        last = rows[0]  # the row that ends with the access policy's EXISTS
        if hasattr(statements, "fetch_others"):
            sql.execute(cursor, statements.fetch_others, [row.service_id, row.user_id])
            found = cursor.fetchall()
            if not found:  # the service or account went away meanwhile (cascades delete the ticket too)
                return None
            row.__dict__.update(vars(statements.others.read(found[0], connection)))
            last = found[0]
        row.access_policy = last[-1]
    return _facts(ticket, row)


def _facts(ticket: str, row) -> ConsumedTicket:
    return ConsumedTicket(
        id=row.id, ticket=ticket, service_url=row.service_url, expires=row.expires, auth_time=row.auth_time,
        strengths=list(row.strengths or []), level=row.level, from_sso=bool(row.from_sso),
        proxies=list(row.proxies or []), sso_session_id=row.sso_session_id,
        service=ServiceFacts(id=row.service_id, name=row.service_name, enabled=bool(row.service_enabled), level=row.service_level,
                             attributes=list(row.service_attributes or []),
                             response_layout=row.service_response_layout,
                             access_policy=bool(row.access_policy)),
        user=Person(id=row.user_id, uid=str(row.user_uid), email=row.user_email, first_name=row.user_first_name,
                    last_name=row.user_last_name, interface_language=row.user_interface_language,
                    email_language=row.user_email_language, is_active=bool(row.user_is_active)),
    )
