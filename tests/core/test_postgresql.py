"""limen.core.postgresql: the health check before a request is skipped for a connection that served a
request without an error less than half a second ago, and runs otherwise; a connection that died is
replaced either way."""

import time

import pytest
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def own():
    """A connection of its own, as a worker thread holds it between requests (autocommit, kept open)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no server that can close a connection")
    conn = connections.create_connection(DEFAULT_DB_ALIAS)
    assert conn.health_check_enabled is False and conn.settings_dict["CONN_HEALTH_CHECKS"]
    yield conn
    conn.close()


def request(conn, statement="SELECT 2"):
    """What Django does around one request that runs ``statement``; returns its first value."""
    conn.close_if_unusable_or_obsolete()  # request_started
    try:
        with conn.cursor() as cursor:
            cursor.execute(statement)
            return cursor.fetchone()[0]
    finally:
        conn.close_if_unusable_or_obsolete()  # request_finished


def kill(conn):
    """PostgreSQL closes the connection, as on a restart or failover (from another connection)."""
    pid = conn.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone()[0] is True
    return pid


def test_a_connection_that_just_worked_is_not_checked_again(own):
    assert request(own) == 2
    kill(own)
    # No SELECT 1 before this request's statement, so it meets the closed connection: it fails ...
    with pytest.raises(OperationalError):
        request(own)
    # ... and Django, having seen the error, checks, closes and reopens before the next one.
    assert request(own) == 2


def test_an_idle_connection_is_checked_and_replaced_before_the_request(own):
    assert request(own) == 2
    own.alive_window = 0.05
    time.sleep(0.1)
    old = kill(own)
    assert request(own) == 2
    assert own.connection.info.backend_pid != old


def test_always_checks_before_every_request(own):
    own.alive_window = 0.0  # ?health_check=always
    assert request(own) == 2
    kill(own)
    assert request(own) == 2


def test_a_new_connection_counts_as_alive_once_it_served_a_request(own):
    assert own.alive_at is None
    assert request(own) == 2
    assert own.alive_at is not None
    kill(own)
    with pytest.raises(OperationalError):
        request(own)
    assert own.connection is None or own.alive_at is None
    assert request(own) == 2
