"""The gunicorn worker of `limen serve`: uvicorn's event loop in each worker process, serving
limen.server.app (Django's WSGI application in a thread pool, waits in the loop; see bridge.py).

Differences from uvicorn's own worker, each for bad or hostile clients:

- the client's address is the peer's (no X-Forwarded-For rewriting at this level: Limen reads the
  header itself, and only behind LIMEN_TRUSTED_PROXIES), as under gunicorn's sync workers;
- a connection must send a complete request head within LIMEN_HEADER_TIMEOUT seconds (10) of connecting (or
  of starting its next request), and a head larger than MAX_HEAD bytes is refused (431), so that
  clients which connect and say nothing, or send half a request, cannot pile up;
- at most ``LIMEN_MAX_CONNECTIONS`` connections per process (default: LIMEN_MAX_WAITS plus
  room for ordinary requests); beyond that, 503.

Its own refusals (431, and 408 for half a head) get an access line like every answer, with "-" for the
method and path it did not read: a client that sends them is what an operator looks for.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import time

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn_worker import UvicornWorker

from limen.core.logs import access_line

HEADER_TIMEOUT = float(os.environ.get("LIMEN_HEADER_TIMEOUT", "10") or 10)
MAX_HEAD = 64 * 1024
GRACEFUL_SECONDS = 10


class LimenHttpProtocol(HttpToolsProtocol):
    """uvicorn's protocol with the head limits above. Its access line is written when a response starts,
    without the duration or the body's size: the bridge writes a better one once the response is written
    (limen.core.logs.access_line), so uvicorn's is kept only for the answers uvicorn makes itself (503
    beyond the connection limit)."""

    _head_timer: asyncio.TimerHandle | None = None
    _head_pending = True
    _head_bytes = 0
    _head_tail = b""  # the last bytes of a head not yet complete (its end may span two reads)
    _head_began: float | None = None  # when the first byte of the head came (its refusal's duration)

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()

    def connection_lost(self, exc) -> None:
        self._disarm_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._head_pending:
            if self._head_began is None:
                self._head_began = time.perf_counter()
            # Only the head counts: a body sent in the same read (a large form) is not a large head.
            seen = self._head_tail + data
            end = seen.find(b"\r\n\r\n")
            head = self._head_bytes + (len(data) if end < 0 else end + 4 - len(self._head_tail))
            if head > MAX_HEAD:
                self._disarm_head_timer()
                self._refuse(b"431 Request Header Fields Too Large")
                return
            if end < 0:
                self._head_bytes, self._head_tail = head, seen[-3:]
            self._arm_head_timer()
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self._head_pending, self._head_bytes, self._head_tail, self._head_began = False, 0, b"", None
        self._disarm_head_timer()
        super().on_headers_complete()

    def _start_asgi_task(self, cycle, app) -> None:
        cycle.access_log = self.access_log and app is not self.app
        super()._start_asgi_task(cycle, app)

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._head_pending = True  # what comes next is the head of the next request (keep-alive)

    def _arm_head_timer(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(HEADER_TIMEOUT, self._head_timed_out)

    def _disarm_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self._head_pending and not self.transport.is_closing():
            if self._head_bytes:  # half a request: say so; a silent connection is just closed
                self._refuse(b"408 Request Timeout")
            else:
                self.transport.close()

    def _refuse(self, status: bytes) -> None:
        self.transport.write(b"HTTP/1.1 " + status + b"\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
        self.transport.close()
        began = self._head_began or time.perf_counter()
        access_line({"client": self.client, "method": "-", "path": "-", "http_version": "1.1"}, int(status[:3]), 0,
                    time.perf_counter() - began)


def max_connections() -> int:
    waits = int(os.environ.get("LIMEN_MAX_WAITS", "10000") or 10000)
    return int(os.environ.get("LIMEN_MAX_CONNECTIONS", "0") or 0) or waits + 1000


class LimenWorker(UvicornWorker):
    CONFIG_KWARGS = {
        "loop": "uvloop" if importlib.util.find_spec("uvloop") else "asyncio",
        "http": LimenHttpProtocol,
        "proxy_headers": False,
        "server_header": False,
        "lifespan": "on",
        # Each request's task starts from an empty context: a pipelined request is started from inside
        # the previous one's, whose request id (limen.server.bridge) would otherwise show in its lines.
        "reset_contextvars": True,
        "limit_concurrency": max_connections(),
        # On shutdown (a deploy, gunicorn's reload), requests in progress get this long to finish; waits
        # still going are then cut, and their clients (the app, the page) ask the next worker again.
        "timeout_graceful_shutdown": GRACEFUL_SECONDS,
    }
