"""Fixed-window counters in the shared cache (database or Redis).

Used around every verification: sign-in per IP, forms per IP (which also
decide when a CAPTCHA is shown), and per-identifier failures.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache

from . import clock


@dataclass(frozen=True)
class Limit:
    scope: str
    limit: int
    window: int  # seconds


def _now() -> int:
    return int(clock.now().timestamp())


def _key(limit: Limit, subject: str) -> tuple[str, int]:
    window_start = _now() // limit.window * limit.window
    digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
    return f"rl:{limit.scope}:{digest}:{window_start}", window_start


def hit(limit: Limit, subject: str) -> int:
    """Count one event; return the count in the current window."""
    key, start = _key(limit, subject)
    ttl = start + limit.window - _now() + 1
    if cache.add(key, 1, ttl):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, ttl)
        return 1


def count(limit: Limit, subject: str) -> int:
    key, _ = _key(limit, subject)
    return int(cache.get(key, 0))


def exceeded(limit: Limit, subject: str) -> bool:
    return count(limit, subject) >= limit.limit


def retry_after(limit: Limit) -> int:
    return limit.window - _now() % limit.window


def clear(limit: Limit, subject: str) -> None:
    key, _ = _key(limit, subject)
    cache.delete(key)
