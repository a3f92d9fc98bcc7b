"""Limen's database cache (limen.core.dbcache) behaves as Django's, in one statement per write."""

import pytest
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from limen.core import dbcache

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["limen", "django"])
def cache(request):
    """The same checks hold for Django's own backend, which Limen's must match."""
    kind = dbcache.DatabaseCache if request.param == "limen" else DjangoDatabaseCache
    made = kind("limen_cache", {"OPTIONS": {"MAX_ENTRIES": 50, "CULL_FREQUENCY": 2}})
    made.clear()
    return made


def test_add_set_get_delete(cache):
    assert cache.get("k") is None
    assert cache.add("k", {"n": 1}, 60) is True
    assert cache.add("k", {"n": 2}, 60) is False
    assert cache.get("k") == {"n": 1}
    cache.set("k", [3], 60)
    assert cache.get("k") == [3]
    assert cache.get_many(["k", "nope"]) == {"k": [3]}
    assert cache.delete("k") is True and cache.get("k", "gone") == "gone"
    cache.set("forever", 1, None)
    assert cache.get("forever") == 1
    assert cache.incr("forever") == 2


def test_an_expired_key_is_gone_and_can_be_added_again(cache):
    assert cache.add("k", "old", 60)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE limen_cache SET expires = %s",
                       [connection.ops.adapt_datetimefield_value(__import__("datetime").datetime(2000, 1, 1))])
    assert cache.add("k", "new", 60) is True
    assert cache.get("k") == "new"
    with connection.cursor() as cursor:
        cursor.execute("UPDATE limen_cache SET expires = %s",
                       [connection.ops.adapt_datetimefield_value(__import__("datetime").datetime(2000, 1, 1))])
    assert cache.get("k") is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM limen_cache")
        assert cursor.fetchone()[0] == 0  # read as expired, and removed


def test_a_write_is_one_statement():
    cache = dbcache.DatabaseCache("limen_cache", {})
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert cache.add("a", 1, 60)
        assert not cache.add("a", 2, 60)
        cache.set("a", 3, 60)
    statements = [q["sql"] for q in captured if "SAVEPOINT" not in q["sql"]]  # (the test runs in a transaction)
    assert len(statements) == 3, statements


def test_the_table_is_culled_now_and_then(cache):
    for n in range(400):
        cache.set(f"key{n}", n, 60)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM limen_cache")
        assert cursor.fetchone()[0] <= 50 + dbcache.DatabaseCache.CULL_EVERY


def test_a_failed_write_does_not_spoil_the_callers_transaction(monkeypatch):
    cache = dbcache.DatabaseCache("missing_table", {})
    with transaction.atomic():
        assert cache.add("k", 1, 60) is False
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")  # the transaction is still usable (PostgreSQL would refuse otherwise)
    with pytest.raises(DatabaseError):
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM missing_table")
