"""The account statements of every sign-in, written once (limen.core.sql): the account by address and by id,
and its last sign-in time.

Through the ORM, building these cost more than running them. The same table, columns, conditions and
values as the querysets they replace: the address condition is the ORM's own (``User.objects.with_address``),
compiled once per connection, so it matches exactly what that queryset matches on each database.
"""

from __future__ import annotations

from limen.core import sql

from .models import User, normalise_email

COLUMNS = sql.Columns(("", User, sql.all_fields(User)))
_MARK = "limen-mark"  # the address while the ORM compiles the condition


@sql.per_connection
def _sql(connection) -> dict[str, str]:
    query = User.objects.with_address(_MARK).query
    by_address, params = query.get_compiler(connection=connection).compile(query.where)
    if list(params) != [_MARK]:
        raise ValueError("the address condition is not the one this module prepares parameters for")
    t, pk = sql.table(User, connection), sql.column(User, User._meta.pk.name, connection)
    select = f"SELECT {COLUMNS.sql(connection)} FROM {t}"
    return {
        # .first(): the lowest id (a unique index on the lower-cased address keeps it to one anyway).
        "by_email": f"{select} WHERE {by_address} ORDER BY {pk} ASC LIMIT 1",
        "by_id": f"{select} WHERE {pk} = %s",
        "last_login": f"UPDATE {t} SET {sql.column(User, 'last_login', connection)} = %s WHERE {pk} = %s",
    }


def _one(name: str, params: list) -> User | None:
    connection = sql.connection_for(User, write=False)
    with connection.cursor() as cursor:
        sql.execute(cursor, _sql(connection)[name], params)
        row = cursor.fetchone()
    return COLUMNS.instance(row, connection) if row is not None else None


def by_email(email: str) -> User | None:
    """``User.objects.with_address(email).first()``."""
    return _one("by_email", [normalise_email(email)])


def by_id(pk) -> User | None:
    """``User.objects.filter(pk=pk).first()``."""
    return _one("by_id", [pk])


def set_last_login(user: User, when) -> None:
    """``user.last_login = when; user.save(update_fields=["last_login"])`` (no signal listens to that save)."""
    user.last_login = when
    connection = sql.connection_for(User)
    with connection.cursor() as cursor:
        sql.execute(cursor, _sql(connection)["last_login"], [sql.prep(User, "last_login", when, connection), user.pk])
