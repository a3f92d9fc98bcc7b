"""The test helper that starts a real redis-server: it serves, goes down, comes back empty, and cleans up."""

from __future__ import annotations

import socket

import pytest

from . import redis_server
from .redis_server import RedisServer


def refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return True
    return False


def test_a_server_that_serves_then_is_gone():
    with RedisServer() as redis:
        assert redis.url == f"redis://127.0.0.1:{redis.port}/0"
        client = redis.client()
        client.set("probe", "1")
        assert client.get("probe") == b"1"
        directory = redis.directory
        assert directory.is_dir()
    assert refused(redis.port) and not directory.exists()


def test_down_then_start_again_on_the_same_port_empty():
    with RedisServer() as redis:
        redis.client().set("probe", "1")
        redis.down()
        assert refused(redis.port) and redis.process is None
        redis.start()
        assert redis.ping()
        assert redis.client().get("probe") is None  # no persistence: it comes back empty


def test_with_an_append_only_file_what_was_written_survives_a_restart():
    with RedisServer(persistence=("--appendonly", "yes", "--appendfsync", "always")) as redis:
        client = redis.client()
        client.set("probe", "1")
        assert client.config_get("appendonly") == {"appendonly": "yes"}
        redis.down()
        redis.start()
        assert redis.client().get("probe") == b"1"


def test_without_the_binary_the_test_is_skipped_with_the_reason(monkeypatch):
    monkeypatch.setattr(redis_server, "binary", lambda: None)
    server = RedisServer()
    try:
        with pytest.raises(pytest.skip.Exception, match="apt-get install redis-server"):
            server.start()
        assert server.process is None
    finally:
        server.stop()
