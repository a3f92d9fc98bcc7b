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
