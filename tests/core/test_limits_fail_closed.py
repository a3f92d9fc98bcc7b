"""A limits store that does not answer sensibly never lets a limit pass: requests are refused with a
clear, translated page (503), an error is logged, and everything works again once the store answers."""

from __future__ import annotations

import socket
import threading

import pytest

from limen.core import ratelimit

from ..conftest import DEFAULT_PASSWORD

pytest.importorskip("redis")


class Garbage:
    """A TCP server on a free port that answers every request with bytes that are not Redis's protocol."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.port = self.socket.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            try:
                connection.recv(4096)
                connection.sendall(b"HTTP/1.1 418 I'm a teapot\r\n\r\n")
            finally:
                connection.close()

    def close(self):
        self.socket.close()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_at(settings):
    def use(port: int):
        settings.CACHES = {"default": {
            "BACKEND": "limen.core.rediscache.RedisCache", "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}}}
    yield use


@pytest.mark.parametrize("kind", ["down", "garbage"])
def test_sign_in_is_refused_clearly_when_the_limits_cannot_be_checked(client, user, redis_at, caplog, kind):
    garbage = Garbage() if kind == "garbage" else None
    try:
        redis_at(garbage.port if garbage else closed_port())
        client.post("/login/", {"email": user.email})
        response = client.post("/login/password/", {"password": DEFAULT_PASSWORD})
        assert response.status_code == 503
        assert "cannot check its safety limits" in response.content.decode()
        assert "limen.sso" not in client.session
        assert any("rate limits unavailable" in r.getMessage() for r in caplog.records)
    finally:
        if garbage:
            garbage.close()


def test_every_limit_operation_fails_closed(redis_at):
    redis_at(closed_port())
    limit = ratelimit.Limit("test", 3, 60)
    for operation in (lambda: ratelimit.hit(limit, "x"), lambda: ratelimit.take(limit, "x"),
                      lambda: ratelimit.reserve(limit, "x"), lambda: ratelimit.exceeded(limit, "x")):
        with pytest.raises(ratelimit.LimitsUnavailable):
            operation()
