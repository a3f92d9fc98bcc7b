"""The statements of a sign-in transaction's row that every sign-in page runs, written out once.

Each page of a sign-in reads the transaction, and the identifier and password steps write it: through
the ORM, building each statement cost more than running it (limen.core.sql). Same table, same values,
same conditions as the querysets they replace; limen.signin.store decides what they mean.
"""

from __future__ import annotations

from limen.core import sql

from .models import SigninTransaction as Row

COLUMNS = sql.Columns(("", Row, ["id", "browser", "data", "created", "expires", "completed"]))


@sql.per_connection
def _sql(connection) -> dict[str, str]:
    t = sql.table(Row, connection)
    pk, browser, data, expires, completed, used = (
        sql.column(Row, name, connection) for name in ("id", "browser", "data", "expires", "completed", "used"))
    return {
        "load": f"SELECT {COLUMNS.sql(connection)} FROM {t} WHERE {pk} = %s",
        "save": f"UPDATE {t} SET {data} = %s WHERE {pk} = %s AND {completed} IS NULL",
        "complete": f"UPDATE {t} SET {completed} = %s, {data} = %s "
                    f"WHERE {pk} = %s AND {completed} IS NULL AND {expires} > %s",
        "fresh": f"SELECT {COLUMNS.sql(connection)} FROM {t} WHERE {browser} = %s AND {completed} >= %s "
                 f"AND {used} IS NULL ORDER BY {completed} DESC LIMIT %s",
        "use": f"UPDATE {t} SET {used} = %s WHERE {pk} = %s AND {used} IS NULL",
    }


def load(tx_id: str):
    """The row (id, browser, data, created, expires, completed, as the ORM reads them), or None."""
    connection = sql.connection_for(Row, write=False)
    with connection.cursor() as cursor:
        sql.execute(cursor, _sql(connection)["load"], [tx_id])
        row = cursor.fetchone()
    return COLUMNS.read(row, connection) if row is not None else None


def save(tx_id: str, data: dict) -> int:
    """Store ``data`` unless the transaction is completed; the number of rows written (0 or 1)."""
    connection = sql.connection_for(Row)
    with connection.cursor() as cursor:
        sql.execute(cursor, _sql(connection)["save"], [sql.prep(Row, "data", data, connection), tx_id])
        return cursor.rowcount


def complete(tx_id: str, data: dict, now) -> int:
    """Mark it completed at ``now`` with ``data``, if not completed nor expired: 1 for the one caller
    that does, 0 for every other (single use)."""
    connection = sql.connection_for(Row)
    at = sql.prep(Row, "completed", now, connection)
    with connection.cursor() as cursor:
        sql.execute(cursor, _sql(connection)["complete"], [at, sql.prep(Row, "data", data, connection), tx_id, at])
        return cursor.rowcount


_INSERT = sql.Insert(Row, ["id", "browser", "data", "created", "expires"])


def insert(tx_id: str, browser: str, data: dict, created, expires) -> None:
    connection = sql.connection_for(Row)
    with connection.cursor() as cursor:
        _INSERT.run(cursor, connection, tx_id, browser, data, created, expires)


def completed_since(browser: str, since, limit: int) -> list:
    """The browser's completed transactions not yet used, since ``since``, the latest first."""
    connection = sql.connection_for(Row, write=False)
    at = sql.prep(Row, "completed", since, connection)
    with connection.cursor() as cursor:
        sql.execute(cursor, _sql(connection)["fresh"], [browser, at, limit])
        return [COLUMNS.read(row, connection) for row in cursor.fetchall()]


def use(tx_id: str, now) -> bool:
    """Mark it used, once: True for the one caller that does."""
    connection = sql.connection_for(Row)
    with connection.cursor() as cursor:
        sql.execute(cursor, _sql(connection)["use"], [sql.prep(Row, "used", now, connection), tx_id])
        return cursor.rowcount == 1
