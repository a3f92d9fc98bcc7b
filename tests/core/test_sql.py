"""limen.core.sql.Columns: a row read per group (``parts``) holds the same values, converted as the
ORM converts them, as the row read whole (``read``)."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from limen.core import sql

pytestmark = pytest.mark.django_db


def test_parts_give_each_group_its_own_columns_converted_as_read_does(user):
    User = get_user_model()
    columns = sql.Columns(("a", User, ["id", "uid", "email", "is_active", "date_joined"], "first_"),
                          ("b", User, ["id", "email_verified", "last_login"], "second_"))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns.sql(connection)} FROM {sql.table(User, connection)} AS "
                       f"{connection.ops.quote_name('a')} JOIN {sql.table(User, connection)} AS "
                       f"{connection.ops.quote_name('b')} ON {sql.column(User, 'id', connection, 'a')} = "
                       f"{sql.column(User, 'id', connection, 'b')} WHERE {sql.column(User, 'id', connection, 'a')} "
                       f"= %s", [user.id])
        row = cursor.fetchone()
    whole, parts = columns.read(row, connection), columns.parts(row, connection)
    assert set(parts) == {"first_", "second_"}
    assert vars(parts["first_"]) == {"id": user.id, "uid": user.uid, "email": user.email, "is_active": True,
                                     "date_joined": user.date_joined}
    assert vars(parts["second_"]) == {"id": user.id, "email_verified": user.email_verified,
                                      "last_login": user.last_login}
    assert {f"{prefix}{name}": value for prefix, part in parts.items() for name, value in vars(part).items()} \
        == vars(whole)


def _user_email_sql():
    User = get_user_model()
    return f"SELECT {sql.column(User, 'email', connection)} FROM {sql.table(User, connection)} WHERE " \
           f"{sql.column(User, 'id', connection)} = %s AND {sql.column(User, 'email', connection)} LIKE '%%@%%'"


def test_execute_gives_what_django_s_cursor_gives(user):
    with connection.cursor() as cursor:
        cursor.execute(_user_email_sql(), [user.id])
        expected = cursor.fetchall()
        sql.execute(cursor, _user_email_sql(), [user.id])
        assert cursor.fetchall() == expected == [(user.email,)]  # "%%" is still a literal "%"


def test_execute_raises_django_s_errors_and_changes_nothing(user):
    from django.db import IntegrityError, transaction

    User = get_user_model()
    insert = sql.Insert(User, ["uid", "email", "password", "first_name", "last_name", "is_active", "is_staff",
                               "is_superuser", "date_joined", "email_verified", "interface_language",
                               "email_language"])
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:  # the same uid
        insert.run(cursor, connection, user.uid, "other@example.org", "", "", "", True, False, False,
                   user.date_joined, False, "en", "en")
    assert User.objects.count() == 1


def test_execute_is_recorded_while_queries_are(user):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured, connection.cursor() as cursor:
        sql.execute(cursor, _user_email_sql(), [user.id])
    assert [q["sql"] for q in captured.captured_queries] == [_user_email_sql().replace("%s", str(user.id))
                                                             .replace("%%", "%")]


def test_per_connection_writes_once_per_database():
    from types import SimpleNamespace

    built = []

    @sql.per_connection
    def statements(connection):
        built.append(connection.alias)
        return {"alias": connection.alias}

    default, other = SimpleNamespace(alias="default", vendor="sqlite"), SimpleNamespace(alias="other", vendor="postgresql")
    assert statements(default) is statements(default) and statements(other) == {"alias": "other"}
    assert built == ["default", "other"]
    statements.made.clear()
    statements(default)
    assert built == ["default", "other", "default"]


def _sent(f, value):
    """What Insert.run sends for ``value``: the shortcut where there is one (SQLite), else the ORM's way."""
    fast = sql.shortcut(f, connection)
    assert (fast is not None) == (connection.vendor == "sqlite")  # datetimes have one on SQLite only
    return fast(value) if fast is not None else f.get_db_prep_value(value, connection, prepared=True)


@pytest.mark.parametrize("value", [
    "2026-12-02 04:37:00.123456+00:00",   # aware, UTC, microseconds
    "2026-12-02 04:37:00+00:00",          # aware, UTC, none: str() leaves them out, as Django sends it
    "2026-12-02 06:37:00.5+02:00",        # aware elsewhere: sent in UTC
    "2026-03-29 01:30:00-05:30",          # a negative offset that is not whole hours
    "2026-12-02 04:37:00.000001",         # naive: sent as it is, as Django does
    "0001-01-01 00:00:00+00:00",
    "9999-12-31 23:59:59.999999+00:00",
])
def test_a_datetime_is_sent_as_the_orm_sends_it(value):
    import datetime as dt

    from django.contrib.auth import get_user_model

    moment = dt.datetime.fromisoformat(value)
    f = get_user_model()._meta.get_field("date_joined")
    assert _sent(f, moment) == f.get_db_prep_value(moment, connection, prepared=True)


def test_a_zoneinfo_datetime_is_sent_in_utc_and_other_fields_take_the_orm_s_way():
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.contrib.auth import get_user_model

    User = get_user_model()
    winter = dt.datetime(2026, 12, 2, 5, 37, tzinfo=ZoneInfo("Europe/Stockholm"))
    summer = dt.datetime(2026, 7, 2, 5, 37, 0, 42, tzinfo=ZoneInfo("Europe/Stockholm"))
    joined = User._meta.get_field("date_joined")
    for moment in (winter, summer):
        assert _sent(joined, moment) == joined.get_db_prep_value(moment, connection, prepared=True)
    assert sql.shortcut(User._meta.get_field("uid"), connection) is None
    assert sql.shortcut(User._meta.get_field("is_active"), connection) is None


def test_a_datetime_sent_by_the_shortcut_reads_back_as_the_orm_wrote_it(user):
    import datetime as dt

    from django.contrib.auth import get_user_model

    User = get_user_model()
    joined = User._meta.get_field("date_joined")
    moment = dt.datetime(2026, 12, 2, 6, 37, 0, 5, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    with connection.cursor() as cursor:
        sql.execute(cursor, f"UPDATE {sql.table(User, connection)} SET {sql.column(User, 'date_joined', connection)} "
                            f"= %s WHERE {sql.column(User, 'id', connection)} = %s", [_sent(joined, moment), user.id])
    user.refresh_from_db()
    assert user.date_joined == moment
    assert User.objects.filter(date_joined=moment).count() == 1  # the ORM's own text for it matches
