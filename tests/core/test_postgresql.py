"""limen.core.postgresql: the health check before a request is skipped for a connection last used without
an error less than half a second ago, unless the server sent something to it, and runs otherwise; a
connection the server closed is replaced before the request either way."""

import select
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


def kill(conn, *, wait=True):
    """PostgreSQL closes the connection, as on a restart or failover (from another connection)."""
    pid = conn.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone()[0] is True
    if wait:  # until the closing reaches the socket, as it has when the next request comes after a restart
        readable(conn)
    return pid


def readable(conn, timeout=10.0):
    poller = select.poll()
    poller.register(conn.connection.fileno(), select.POLLIN)
    assert poller.poll(timeout * 1000), "nothing reached the connection's socket"


def checks(conn):
    """Counts the real checks (SELECT 1, a round trip) the connection makes from now on."""
    made = []
    usable = conn.is_usable
    conn.is_usable = lambda: made.append(1) or usable()
    return made


def test_a_connection_that_just_worked_is_not_checked_again(own):
    own.alive_window = 60  # "just": however slow this machine is
    assert request(own) == 2
    assert own.alive_at is not None
    made = checks(own)
    assert request(own) == 2
    assert made == []  # no SELECT 1 before the statement: the request's one round trip is the statement


def test_a_connection_closed_by_the_server_within_the_window_is_replaced_before_the_request(own):
    # The regression: the first request after a PostgreSQL restart failed on every worker connection
    # used in the half second before it (seen as a 500 in the scale-out test after the restart).
    own.alive_window = 60
    assert request(own) == 2
    old = kill(own)
    assert request(own) == 2
    assert own.connection.info.backend_pid != old


def test_a_connection_with_something_else_unread_is_checked_and_kept(own):
    # A notification makes the socket readable too: the real check runs, finds it alive, keeps it.
    own.alive_window = 60
    assert request(own) == 2
    own.close_if_unusable_or_obsolete()
    with own.cursor() as cursor:
        cursor.execute("LISTEN limen_test")
    own.close_if_unusable_or_obsolete()
    pid = own.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_notify('limen_test', 'x')")
    readable(own)
    made = checks(own)
    assert request(own) == 2
    assert made == [1] and own.connection.info.backend_pid == pid


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
    with pytest.raises(OperationalError):  # the connection dies during the request
        request(own, "SELECT pg_terminate_backend(pg_backend_pid())")
    assert own.alive_at == first  # the failed request did not count
    assert request(own) == 2
    assert own.alive_at is not None and own.alive_at > first
