"""Cursors that prepare their statements on PostgreSQL (limen.core.prepared): the same connection,
transaction and values as Django's cursors, the statement prepared once, and still in Django's query log."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from limen.core import prepared

STATEMENT = "SELECT %s || ' ' || %s"


@pytest.mark.django_db(transaction=True)
def test_a_prepared_cursor_sees_the_transaction_it_runs_in():
    with connection.cursor() as plain:
        plain.execute("CREATE TABLE prepared_probe (word VARCHAR(10))")
    try:
        with transaction.atomic():
            with connection.cursor() as plain:
                plain.execute("INSERT INTO prepared_probe (word) VALUES (%s)", ["unseen"])
            with prepared.cursor(connection) as cursor:
                cursor.execute("SELECT word FROM prepared_probe WHERE word = %s", ["unseen"])
                assert cursor.fetchall() == [("unseen",)]
    finally:
        with connection.cursor() as plain:
            plain.execute("DROP TABLE prepared_probe")


@pytest.mark.django_db
def test_values_come_back_as_with_a_plain_cursor():
    with prepared.cursor(connection) as cursor:
        cursor.execute(STATEMENT, ["ticket", "ST-1"])
        assert cursor.fetchall() == [("ticket ST-1",)]


@pytest.mark.django_db
def test_postgresql_prepares_the_statement_once_and_django_logs_its_text():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no server to prepare statements in")
    with CaptureQueriesContext(connection) as log:
        for value in ("a", "b", "c"):
            with prepared.cursor(connection) as cursor:
                cursor.execute(STATEMENT, [value, "x"])
                assert cursor.fetchall() == [(f"{value} x",)]
    assert [q["sql"] for q in log.captured_queries] == ["SELECT $1 || ' ' || $2"] * 3
    with connection.cursor() as plain:
        plain.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements "
                      "WHERE statement LIKE %s", ["SELECT $1 || ' ' || $2%"])
        assert plain.fetchall() == [("SELECT $1 || ' ' || $2", 3)]


@pytest.mark.django_db
def test_binary_values_read_as_the_text_ones_do():
    # Prepared cursors exchange values in binary; Django's converters must get what they get from text
    # (jsonb as its JSON text, timestamps aware, uuids, booleans, numbers, arrays, NULL).
    if connection.vendor != "postgresql":
        pytest.skip("binary values are PostgreSQL's")
    statement = ("SELECT CAST(%s AS jsonb), CAST(%s AS timestamptz), CAST(%s AS uuid), %s::boolean, %s::integer, "
                 "CAST(%s AS jsonb), ARRAY['a', 'b'], CAST(NULL AS jsonb), %s::text")
    values = ['{"b": [1, 2], "a": "é"}', "2026-12-01T08:00:00.123456+01:00", "6f1d5a60-8d1e-4c8e-9d0e-3e1f2a3b4c5d",
              True, 42, '["PASSWORD", "SMS"]', "ST-1"]
    with connection.cursor() as plain:
        plain.execute(statement, values)
        as_text = plain.fetchone()
    with prepared.cursor(connection) as cursor:
        cursor.execute(statement, values)
        assert [cursor.cursor.pgresult.fformat(i) for i in range(9)] == [1] * 9  # binary, every column
        as_binary = cursor.fetchone()
    assert as_binary == as_text
    assert isinstance(as_binary[0], str) and as_binary[1].utcoffset() is not None
