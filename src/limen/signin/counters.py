"""The lockout's conditional UPDATEs on the account, written once (limen.core.sql).

Each is one statement, so it is atomic by itself: the database decides, row by row, whether the
condition holds as it writes. Same table, conditions and values as the querysets they replace
(``filter(pk=..., failed_signins__lt=...).filter(unlocked).update(failed_signins=F(...) + 1)`` and
``filter(pk=...).filter(unlocked).update(failed_signins=0)``); limen.signin.services says what they mean.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from limen.core import sql


@sql.per_connection
def _sql(connection) -> dict[str, str]:
    User = get_user_model()
    t = sql.table(User, connection)
    pk, failed, locked, reserved = (sql.column(User, name, connection) for name in (
        User._meta.pk.name, "failed_signins", "locked_until", "guess_reserved_at"))
    unlocked = f"({locked} IS NULL OR {locked} <= %s)"
    return {
        "reserve": f"UPDATE {t} SET {failed} = {failed} + 1, {reserved} = %s "
                   f"WHERE {pk} = %s AND {failed} < %s AND {unlocked}",
        "clear": f"UPDATE {t} SET {failed} = 0 WHERE {pk} = %s AND {unlocked}",
        "give_back": f"UPDATE {t} SET {failed} = {failed} - 1 WHERE {pk} = %s AND {failed} > 0",
        # Only places older than any request can last: the guesses that took them are over.
        "lock_full": f"UPDATE {t} SET {failed} = 0, {locked} = %s WHERE {pk} = %s AND {failed} >= %s "
                     f"AND {unlocked} AND ({reserved} IS NULL OR {reserved} < %s)",
    }


def _run(name: str, params: list) -> bool:
    User = get_user_model()
    connection = sql.connection_for(User)
    with connection.cursor() as cursor:
        sql.execute(cursor, _sql(connection)[name], params)
        return cursor.rowcount == 1


def reserve(user_pk, threshold: int, now) -> bool:
    """Count one more guess if fewer than ``threshold`` are counted and the account is not locked at ``now``."""
    User = get_user_model()
    when = sql.prep(User, "locked_until", now, sql.connection_for(User))
    return _run("reserve", [when, user_pk, threshold, when])


def clear(user_pk, now) -> bool:
    """Back to no failures, if the account is not locked at ``now``."""
    User = get_user_model()
    return _run("clear", [user_pk, sql.prep(User, "locked_until", now, sql.connection_for(User))])


def give_back(user_pk) -> bool:
    """One guess fewer: a request cut off before its verdict (limen.signin.services)."""
    return _run("give_back", [user_pk])


def lock_full(user_pk, threshold: int, now, until, *, taken_before) -> bool:
    """Every place taken, the last one before ``taken_before``, and no lock at ``now``: lock until
    ``until`` and count from zero again."""
    User = get_user_model()
    connection = sql.connection_for(User)
    return _run("lock_full", [sql.prep(User, "locked_until", until, connection), user_pk, threshold,
                              sql.prep(User, "locked_until", now, connection),
                              sql.prep(User, "guess_reserved_at", taken_before, connection)])
