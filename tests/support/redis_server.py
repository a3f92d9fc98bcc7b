"""A real redis-server on a free port of 127.0.0.1, in a temporary directory, for the tests that need one.

Used as a context manager: ``RedisServer()`` started on entry gives ``url`` (redis://127.0.0.1:<port>/0)
and ``client()``; ``down()`` stops it and ``start()`` brings it back on the same port (empty, unless
``persistence`` kept what it had); leaving the block removes it. ``persistence`` replaces the default
(none: no snapshots, no append-only file) with redis-server options, e.g.
``("--appendonly", "yes", "--appendfsync", "everysec")``. Without a redis-server binary the test is skipped
with the reason
(tests/support/test_redis_server.py checks each of these). Debian: ``apt-get install redis-server``
(.ci/run installs it).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from .ports import free_port


def binary() -> str | None:
    return shutil.which("redis-server") or next(
        (p for p in ("/usr/bin/redis-server", "/usr/sbin/redis-server") if Path(p).exists()), None)


NO_PERSISTENCE = ("--save", "", "--appendonly", "no")


class RedisServer:
    def __init__(self, persistence: tuple[str, ...] = NO_PERSISTENCE):
        self.persistence = tuple(persistence)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = Path(tempfile.mkdtemp(prefix="limen-redis-"))
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 20) -> "RedisServer":
        server = binary()
        if server is None:
            pytest.skip("redis-server is not installed (Debian: apt-get install redis-server); "
                        "the Redis tests need a real one")
        # No persistence unless asked, no protected-mode surprises, only the loopback address.
        self.process = subprocess.Popen(
            [server, "--port", str(self.port), "--bind", "127.0.0.1", *self.persistence,
             "--dir", str(self.directory), "--daemonize", "no"],
            stdout=open(self.directory / "redis.log", "w"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self.ping():
                    return self
            except OSError:  # not listening yet
                if self.process.poll() is not None or time.monotonic() > deadline:
                    log = (self.directory / "redis.log").read_text()
                    self.stop()
                    raise RuntimeError(f"redis-server did not start on port {self.port}:\n{log}") from None
            time.sleep(0.1)

    def ping(self) -> bool:
        """RESP by hand, so that starting the server does not need redis-py."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")

    def client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_timeout=2)

    def down(self) -> None:
        """Stop the server, keeping its port and directory (``start`` brings it back, empty)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        self.down()
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> "RedisServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
