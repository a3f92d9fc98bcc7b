"""The wake-up hub of an asyncio server process (`limen serve`): waits that hold no thread.

A waiting request (waiting.Deferred, served by limen.server.bridge) is a small object in this
process's event loop, subscribed to keys such as ``device:<id>``. It is woken

1. at once by a change made in this process (channel.signal → ``publish_threadsafe``);
2. from other processes and instances by one task per process that reads the Wakeup rows every
   LIMEN_PUSH_POLL_MS while anything waits (wakeups.py), and, with LIMEN_REDIS_URL, by a Redis
   subscription (relay.py), which makes the database read four times rarer while it works;
3. by its own deadline, and by a slow re-check timer (RECHECK_SECONDS, with jitter) in case a
   wake-up was missed.

Woken, it re-checks its condition in a thread of this hub's small pool (the database work of a
wait: one query), so that a burst of wake-ups never queues ordinary requests behind it. While it
sleeps it holds no thread and no database connection.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from django.conf import settings
from django.db import close_old_connections

from . import relay
from .wakeups import WakeupReader

log = logging.getLogger("limen.mobile")

RECHECK_SECONDS = 30.0
IDLE_STOP_SECONDS = 10.0
SLOWER_WITH_REDIS = 4
THREADS = 2
GONE = object()  # the client left while waiting


def _unit_of_work(fn: Callable, *args) -> Any:
    """Database work outside a request: the same connection hygiene as a request's start and end."""
    close_old_connections()
    try:
        return fn(*args)
    finally:
        close_old_connections()


class _Waiter:
    __slots__ = ("future",)

    def __init__(self):
        self.future: asyncio.Future | None = None

    def poke(self, *_ignored) -> None:
        future = self.future
        if future is not None and not future.done():
            future.set_result(None)


class AsyncHub:
    def __init__(self):
        self._loop: asyncio.AbstractEventLoop | None = None
        self._subscribers: dict[str, set[_Waiter]] = defaultdict(set)
        self._waiting = 0
        self._task: asyncio.Task | None = None
        self._redis_up = False
        self._pool: ThreadPoolExecutor | None = None
        self.last_poll_error: float = 0.0

    # --- for other threads ---------------------------------------------------------------------

    def waiting(self) -> int:
        return self._waiting

    def publish_threadsafe(self, keys: list[str]) -> None:
        """Wake this process's waiters for ``keys``; callable from any thread, cheap when nobody waits."""
        loop = self._loop
        if loop is None or not self._waiting:
            return
        try:
            loop.call_soon_threadsafe(self.wake, set(keys))
        except RuntimeError:  # the loop has closed (shutdown)
            pass

    # --- in the loop ---------------------------------------------------------------------------

    def wake(self, keys: set[str]) -> int:
        woken = 0
        for key in keys:
            for waiter in self._subscribers.get(key, ()):
                waiter.poke()
                woken += 1
        return woken

    async def run(self, fn: Callable, *args) -> Any:
        """``fn(*args)`` in a thread of the hub's pool, with a request's database hygiene."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(THREADS, thread_name_prefix="limen-wait")
        return await asyncio.get_running_loop().run_in_executor(self._pool, _unit_of_work, fn, *args)

    async def wait(self, keys: list[str], check: Callable[[], Any], timeout: float,
                   disconnected: asyncio.Future | None = None) -> Any:
        """check()'s first truthy result, its last result at the deadline, or GONE if the client left."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a new event loop (a worker's, a test's): start afresh in it
            self._loop, self._task = loop, None
        waiter = _Waiter()
        for key in keys:
            self._subscribers[key].add(waiter)
        self._waiting += 1
        self._ensure_running()
        if disconnected is not None:
            disconnected.add_done_callback(waiter.poke)
        deadline = loop.time() + max(0.0, timeout)
        try:
            while True:
                waiter.future = loop.create_future()  # before the check: a wake-up during it is kept
                result = await self.run(check)
                if disconnected is not None and disconnected.done():
                    return GONE
                remaining = deadline - loop.time()
                if result or remaining <= 0:
                    return result
                recheck = RECHECK_SECONDS * random.uniform(0.8, 1.2)
                timer = loop.call_later(min(remaining, recheck), waiter.poke)
                try:
                    await waiter.future
                finally:
                    timer.cancel()
                if disconnected is not None and disconnected.done():
                    return GONE
        finally:
            waiter.future = None
            if disconnected is not None:
                disconnected.remove_done_callback(waiter.poke)
            for key in keys:
                subscribed = self._subscribers.get(key)
                if subscribed is not None:
                    subscribed.discard(waiter)
                    if not subscribed:
                        del self._subscribers[key]
            self._waiting -= 1

    def _ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._follow(), name="limen-wakeups")

    def _redis_state(self, up: bool) -> None:
        self._redis_up = up

    async def _follow(self) -> None:
        """Read wake-ups from the database (and Redis) while anything waits; stop when idle a while."""
        reader = WakeupReader()
        listener = asyncio.ensure_future(relay.listen(self.wake, self._redis_state)) if relay.enabled() else None
        idle_since: float | None = None
        slow_rounds = 0
        try:
            try:  # now, not at the first read: waiters check after subscribing, so rows from here on count
                await self.run(reader.start)
            except Exception:  # noqa: BLE001 - read() starts it once the database answers
                log.exception("reading wake-ups failed (retrying)")
            while True:
                await asyncio.sleep(settings.PUSH_POLL_MS / 1000)
                if not self._waiting:
                    idle_since = idle_since or time.monotonic()
                    if time.monotonic() - idle_since >= IDLE_STOP_SECONDS:
                        return
                    continue
                idle_since = None
                slow_rounds += 1
                if self._redis_up and slow_rounds < SLOWER_WITH_REDIS:
                    continue
                slow_rounds = 0
                try:
                    keys = await self.run(reader.read)
                except Exception:  # noqa: BLE001 - a database hiccup must not stop the wake-ups
                    if time.monotonic() - self.last_poll_error > 60:
                        log.exception("reading wake-ups failed (retrying)")
                    self.last_poll_error = time.monotonic()
                    continue
                if keys:
                    self.wake(keys)
        finally:
            self._redis_up = False
            if listener is not None:
                listener.cancel()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            try:
                await task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001
                pass
        if self._pool is not None:
            from limen.server.bridge import close_database_connections, in_every_thread

            pool, self._pool = self._pool, None
            await asyncio.get_running_loop().run_in_executor(None, in_every_thread, pool, close_database_connections)
            pool.shutdown(wait=False)


hub = AsyncHub()
