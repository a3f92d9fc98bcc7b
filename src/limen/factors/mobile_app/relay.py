"""Wake-ups through Redis pub/sub (LIMEN_REDIS_URL): the fast path between instances.

The database stays the source of truth: every wake-up is a Wakeup row as well, and each process
still reads those rows (less often while Redis answers; wakeups.py). Redis only makes a waiter on
another instance wake in a millisecond instead of a poll interval. So a message Redis drops (it
restarts, a subscriber reconnects) costs latency, never a wake-up; and a Redis that is down
changes nothing but that latency: publishing stops trying for a few seconds after a failure.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import Callable

from django.conf import settings

log = logging.getLogger("limen.mobile")

CHANNEL = "limen:wakeups"
TIMEOUT = 0.5
PAUSE_AFTER_FAILURE = 5.0
RECONNECT_MAX = 5.0

_lock = threading.Lock()
_client = None
_paused_until = 0.0


def enabled() -> bool:
    return bool(settings.REDIS_URL)


def _sync_client():
    global _client
    with _lock:
        if _client is None:
            import redis

            _client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=TIMEOUT,
                                           socket_connect_timeout=TIMEOUT, health_check_interval=10)
        return _client


def publish(keys: list[str]) -> None:
    """Tell every subscribed process that ``keys`` changed; never raises."""
    global _paused_until
    if not enabled() or time.monotonic() < _paused_until:
        return
    try:
        client = _sync_client()
        for key in keys:
            client.publish(CHANNEL, key)
    except Exception as error:  # noqa: BLE001 - Redis down or slow: the database rows still wake everyone
        _paused_until = time.monotonic() + PAUSE_AFTER_FAILURE
        log.warning("wake-up not published to Redis (the database poll delivers it): %s", error)


async def listen(on_keys: Callable[[set[str]], None], on_state: Callable[[bool], None]) -> None:
    """Subscribe until cancelled; ``on_state(True/False)`` when the subscription is up or lost."""
    import redis.asyncio as aioredis

    delay = 0.2
    while True:
        client = aioredis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=TIMEOUT,
                                         health_check_interval=10)
        try:
            async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                await pubsub.subscribe(CHANNEL)
                on_state(True)
                delay = 0.2
                while True:
                    message = await pubsub.get_message(timeout=10.0)  # health checks every 10 s meanwhile
                    keys = set()
                    while message is not None:  # drain a burst at once
                        if message.get("type") == "message":
                            data = message.get("data")
                            keys.add(data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data))
                        message = await pubsub.get_message(timeout=0)
                    if keys:
                        on_keys(keys)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - back to the database poll until Redis is back
            on_state(False)
            log.warning("Redis wake-ups unavailable, polling the database (%s); retrying in %.1f s", error, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX)
        finally:
            try:
                await client.aclose()
            except Exception:  # noqa: BLE001
                pass
