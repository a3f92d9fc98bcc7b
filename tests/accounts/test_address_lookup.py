"""An account is found by its address in the unique index on LOWER(email), whatever the case typed, on
SQLite and on PostgreSQL (``email__iexact`` read the whole table at every sign-in)."""

from __future__ import annotations

import pytest
from django.db import connection

from limen.accounts import rows
from limen.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["Ada.Lovelace@Example.org", " ada.lovelace@example.ORG ", "ADA.LOVELACE@EXAMPLE.ORG"])
def test_the_account_is_found_whatever_the_case(make_user, typed):
    ada = make_user(email="ada.lovelace@example.org")
    assert User.objects.get_by_email(typed) == ada
    assert User.objects.find_by_email(typed) == ada
    assert rows.by_email(typed) == ada
    assert list(User.objects.with_address(typed)) == [ada]


@pytest.mark.parametrize("typed", ["ada.lovelace@example.or", "ada_lovelace@example.org", "ada%@example.org", "%"])
def test_no_other_address_matches(make_user, typed):
    make_user(email="ada.lovelace@example.org")
    assert User.objects.find_by_email(typed) is None
    assert rows.by_email(typed) is None
    assert not User.objects.with_address(typed).exists()


def _plan(cursor, statement: str, params: list) -> str:
    if connection.vendor == "postgresql":
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: ask whether the index *can* serve
        cursor.execute("EXPLAIN " + statement, params)
    else:
        cursor.execute("EXPLAIN QUERY PLAN " + statement, params)
    return "\n".join(" ".join(map(str, row)) for row in cursor.fetchall())


def test_the_lookup_reads_the_unique_index_not_the_table(make_user):
    for n in range(30):
        make_user(email=f"person{n}@example.org")
    with connection.cursor() as cursor:
        # The statement every sign-in runs (limen.accounts.rows), and the manager's queryset.
        sign_in = _plan(cursor, rows._sql(connection)["by_email"], [rows.normalise_email("Person7@example.org")])
        statement, params = User.objects.with_address("Person7@example.org").query.sql_with_params()
        manager = _plan(cursor, statement, list(params))
    assert "accounts_user_email_ci_unique" in sign_in, sign_in
    assert "accounts_user_email_ci_unique" in manager, manager
    assert rows.by_email("Person7@example.org").email == "person7@example.org"
