"""`limen serve`'s worker in the test process: uvicorn with Limen's protocol and bridge (limen.server),
in a thread, on a free port of 127.0.0.1, sharing the test database (use it with a transactional
database: ``live_db``).

    with AsyncServer() as server:
        requests.get(server.url + "/login/")
"""

from __future__ import annotations

import asyncio
import threading
import time

import uvicorn

from .ports import free_port


class AsyncServer:
    def __init__(self, *, threads: int = 4, app=None):
        """``app``: an ASGI application to serve instead of Limen's (e.g. a WsgiBridge around a test app)."""
        from django.core.wsgi import get_wsgi_application

        from limen.server.bridge import WsgiBridge
        from limen.server.worker import LimenHttpProtocol

        async def shutdown() -> None:
            from limen.factors.mobile_app.aiohub import hub

            await hub.stop()

        self.app = app or WsgiBridge(get_wsgi_application(), threads=threads, on_shutdown=shutdown)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, http=LimenHttpProtocol, loop="asyncio",
                                lifespan="on", reset_contextvars=True, proxy_headers=False, log_level="warning",
                                access_log=False)
        self.server = uvicorn.Server(config)
        self.thread: threading.Thread | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    def _serve(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.loop.run_until_complete(self.server.serve())
        self.loop.close()

    def start(self) -> "AsyncServer":
        self.thread = threading.Thread(target=self._serve, name="limen-async-test-server", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the asynchronous test server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(30)

    def __enter__(self) -> "AsyncServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
