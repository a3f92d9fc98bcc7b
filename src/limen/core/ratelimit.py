"""Fixed-window counters in the shared cache (database or Redis).

Used around every verification: sign-in per IP, per-identifier failures, and
the caps on account e-mails per address and per IP (``take``).
"""

from __future__ import annotations

import functools
import hashlib
import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from . import clock
from .errors import LimenError

log = logging.getLogger("limen.core")


class LimitsUnavailable(LimenError):
    """The shared store of the limits (Redis, or the database cache) did not answer sensibly: the
    request is refused rather than let through unchecked (fail closed)."""

    code = "limits_unavailable"
    status = 503
    default_message = _("This service cannot check its safety limits just now. Please try again in a minute.")


def fail_closed(function):
    """Any failure of the cache (a timeout, a refused connection, a garbled answer) refuses the event."""
    @functools.wraps(function)
    def guarded(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except LimenError:
            raise
        except Exception as error:  # the cache backend's own errors: redis, database, parsing
            log.error("rate limits unavailable (%s): %s: %s", function.__name__, type(error).__name__, error)
            raise LimitsUnavailable() from error
    return guarded


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


@fail_closed
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


@fail_closed
def take(limit: Limit, subject: str) -> bool:
    """Count one event if the window still has room: True if counted, False at the limit.

    Exact under concurrency on every cache backend: each event claims its own
    numbered slot with ``cache.add``, which only one caller can win (an INSERT
    on the primary key for the database cache, SET NX on Redis), so concurrent
    callers never pass the limit together. ``hit`` (read, add one, write back
    on the database cache) can lose counts when requests race. Slot keys carry
    the window's start, so a slot is never claimed again after it expires.
    """
    key, start = _key(limit, subject)
    ttl = start + limit.window - _now() + 1
    # Where to start looking: a hint only (slots below it were all taken at some point).
    first = min(int(cache.get(f"{key}:next", 0)), limit.limit)
    for slot in range(first, limit.limit):
        if cache.add(f"{key}:{slot}", 1, ttl):
            cache.set(f"{key}:next", slot + 1, ttl)
            return True
    return False


@dataclass(frozen=True)
class Slot:
    key: str       # the window's key
    number: int
    ttl: int       # seconds left in the window when it was taken


@fail_closed
def reserve(limit: Limit, subject: str) -> Slot | None:
    """Like ``take``, but the slot can be given back (``release``): for limits that count only the
    events that turn out badly (a failed sign-in), while every event in flight holds a slot, so
    concurrent requests never pass the limit together. None at the limit."""
    key, start = _key(limit, subject)
    ttl = start + limit.window - _now() + 1
    first = min(int(cache.get(f"{key}:next", 0)), limit.limit)
    for number in [*range(first, limit.limit), *range(0, first)]:
        if cache.add(f"{key}:{number}", 1, ttl):
            cache.set(f"{key}:next", number + 1, ttl)
            return Slot(key, number, ttl)
    return None


@fail_closed
def release(slot: Slot) -> None:
    """Give a reserved slot back (the event went well): the window has room for one more. The hint of
    where to look next is left as it is: ``reserve`` goes round to the free slots below it."""
    cache.delete(f"{slot.key}:{slot.number}")


@fail_closed
def used(limit: Limit, subject: str) -> int:
    """Slots taken in the current window (``take`` and ``reserve``)."""
    key, _ = _key(limit, subject)
    return sum(1 for number in range(limit.limit) if cache.get(f"{key}:{number}") is not None)


@fail_closed
def count(limit: Limit, subject: str) -> int:
    key, _ = _key(limit, subject)
    return int(cache.get(key, 0))


def exceeded(limit: Limit, subject: str) -> bool:
    return count(limit, subject) >= limit.limit


def retry_after(limit: Limit) -> int:
    return limit.window - _now() % limit.window


@fail_closed
def clear(limit: Limit, subject: str) -> None:
    key, _ = _key(limit, subject)
    cache.delete(key)
