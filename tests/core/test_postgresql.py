"""limen.core.postgresql: the health check before a request is skipped for a connection last used without
an error less than half a second ago, and runs otherwise; a connection that died is replaced either way."""

import time

import pytest
from django.db import DEFAULT_DB_ALIAS, OperationalError, ProgrammingError, connection, connections

pytestmark = [pytest.mark.django_db(transaction=True)]

IDLE = 0.3  # longer than the windows the tests of the check use (0.1 s)


@pytest.fixture
def own():
    """A connection of its own, as a worker thread holds it between requests (autocommit, kept open)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no server that can close a connection")
    conn = connections.create_connection(DEFAULT_DB_ALIAS)
    assert conn.settings_dict["CONN_HEALTH_CHECKS"]
    yield conn
    conn.close()


def use(conn, statement="SELECT 2"):
    with conn.cursor() as cursor:
        cursor.execute(statement)
        return cursor.fetchone()[0]


def request(conn, statement="SELECT 2"):
    """What Django does around one request that runs ``statement``; returns its first value."""
    conn.close_if_unusable_or_obsolete()  # request_started
    try:
        return use(conn, statement)
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
    own.alive_window = 60  # "just": however slow this machine is
    assert request(own) == 2
    assert own.alive_at is not None
    kill(own)
    # No SELECT 1 before this request's statement, so it meets the closed connection: it fails ...
    with pytest.raises(OperationalError):
        request(own)
    # ... and Django, having seen the error, checks, closes and reopens before the next one.
    assert request(own) == 2


def test_an_idle_connection_is_checked_and_replaced_before_the_request(own):
    own.alive_window = 0.1
    assert request(own) == 2
    time.sleep(IDLE)
    old = kill(own)
    assert request(own) == 2
    assert own.connection.info.backend_pid != old


def test_always_checks_before_every_request(own):
    own.alive_window = 0.0  # ?health_check=always
    assert request(own) == 2
    kill(own)
    assert request(own) == 2


def test_work_after_the_response_counts_when_it_was_done_not_when_the_next_request_comes(own):
    # E-mail sent after a response uses the connection between two requests; the connection was alive
    # then, not when the next request arrives, which may be a minute later.
    own.alive_window = 0.1
    assert request(own) == 2
    assert use(own) == 2  # after the response
    time.sleep(IDLE)
    kill(own)
    assert request(own) == 2


def test_a_request_whose_statement_failed_leaves_the_connection_to_be_checked(own):
    own.alive_window = 0.1
    assert request(own) == 2
    with pytest.raises(ProgrammingError):
        request(own, "SELECT no_such_column")
    time.sleep(IDLE)
    kill(own)
    assert request(own) == 2


def test_a_new_connection_counts_as_alive_once_it_served_a_request(own):
    own.alive_window = 60
    assert own.alive_at is None
    assert request(own) == 2
    first = own.alive_at
    assert first is not None
    kill(own)
    with pytest.raises(OperationalError):
        request(own)
    assert own.alive_at == first  # the failed request did not count
    assert request(own) == 2
    assert own.alive_at is not None and own.alive_at > first
