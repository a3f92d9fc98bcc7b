"""The built-in channel: wakes waiting requests (the app's long poll, the browser's status poll).

A change anywhere calls ``signal(key)`` (keys such as ``device:<id>`` or
``challenge:<id>``), which

1. writes a Wakeup row, read by every process that has waiting requests
   (wakeups.py), every LIMEN_PUSH_POLL_MS (250 ms by default): one small indexed
   query per interval per process, however many requests wait;
2. after the transaction commits, wakes the waiters of this process at once,
   and, with LIMEN_REDIS_URL, publishes the key to the other processes and
   instances through Redis (relay.py), which wakes them in a millisecond.

Two kinds of waiters: under `limen serve`, a waiting request is deferred to
the event loop and holds no thread (aiohub.py, waiting.py); under a WSGI server
(`limen run`'s development server, tests) ``wait_until`` below sleeps in the
request's thread on a threading.Event, woken by this module's poller thread.

Waiters also re-check their condition on a slow timer, so a missed wake-up
costs latency, never correctness. While it sleeps, a waiting request holds no
database connection. The database alone is enough to run several processes or
hosts; Redis only makes the wake-up faster.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from typing import Callable, TypeVar

from django.conf import settings
from django.db import connection, transaction

from . import relay
from .wakeups import WakeupReader

log = logging.getLogger("limen.mobile")

T = TypeVar("T")
RECHECK_SECONDS = 10.0
IDLE_STOP_SECONDS = 10.0


class Hub:
    def __init__(self):
        self._lock = threading.Lock()
        self._subscribers: dict[str, set[threading.Event]] = defaultdict(set)
        self._waiting = 0
        self._thread: threading.Thread | None = None

    # --- waiting -----------------------------------------------------------------------------

    @contextmanager
    def subscribe(self, keys: list[str]):
        event = threading.Event()
        with self._lock:
            for key in keys:
                self._subscribers[key].add(event)
            self._waiting += 1
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="limen-mobile-channel", daemon=True)
                self._thread.start()
        try:
            yield event
        finally:
            with self._lock:
                for key in keys:
                    waiting = self._subscribers.get(key)
                    if waiting is not None:
                        waiting.discard(event)
                        if not waiting:
                            del self._subscribers[key]
                self._waiting -= 1

    def waiting(self) -> int:
        with self._lock:
            return self._waiting

    def publish(self, keys) -> int:
        with self._lock:
            events = set()
            for key in keys:
                events |= self._subscribers.get(key, set())
        for event in events:
            event.set()
        return len(events)

    # --- the poller ----------------------------------------------------------------------------

    def _run(self) -> None:
        interval = settings.PUSH_POLL_MS / 1000
        idle = 0.0
        reader = WakeupReader()
        try:
            while True:
                time.sleep(interval)
                with self._lock:
                    waiting = self._waiting
                    if waiting == 0 and idle + interval >= IDLE_STOP_SECONDS:
                        self._thread = None
                        return
                if waiting == 0:
                    if idle == 0.0:
                        _close_connection()  # nothing waits: hold no database connection meanwhile
                    idle += interval
                    continue
                idle = 0.0
                try:
                    keys = reader.read()
                    if keys:
                        self.publish(keys)
                except Exception:  # a database hiccup must not kill the poller
                    log.exception("mobile channel poll failed")
                    _close_connection()
        finally:
            _close_connection()

def _close_connection() -> None:
    try:
        connection.close()
    except Exception:  # pragma: no cover - nothing more to do
        pass


hub = Hub()


def device_key(device_pk: int) -> str:
    return f"device:{device_pk}"


def challenge_key(challenge_pk: int) -> str:
    return f"challenge:{challenge_pk}"


def enrolment_key(enrolment_pk: int) -> str:
    return f"enrolment:{enrolment_pk}"


def signal(key: str) -> None:
    """Something behind ``key`` changed: wake whoever waits for it, in every process."""
    from .models import Wakeup

    Wakeup.objects.create(key=key)
    transaction.on_commit(lambda: _wake_now([key]))


def _wake_now(keys: list[str]) -> None:
    from .aiohub import hub as async_hub

    hub.publish(keys)
    async_hub.publish_threadsafe(keys)
    relay.publish(keys)


def _release_connection() -> None:
    """A waiting request gives its database connection back (PostgreSQL counts connections);
    the next check opens one again. Not inside a transaction (tests run in one)."""
    if not connection.in_atomic_block:
        connection.close()


def wait_until(check: Callable[[], T], keys: list[str], timeout: float) -> T:
    """Return check()'s first truthy result, or its last result when ``timeout`` seconds have passed."""
    deadline = time.monotonic() + max(0.0, timeout)
    with hub.subscribe(keys) as event:
        while True:
            result = check()
            remaining = deadline - time.monotonic()
            if result or remaining <= 0:
                return result
            _release_connection()
            event.wait(min(remaining, RECHECK_SECONDS))
            event.clear()
