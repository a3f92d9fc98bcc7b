"""The one durable delivery queue: e-mail, SMS, CAS single logout, OpenID Connect back-channel logout.

Every message is a row of ``OutboxMessage`` before anything is sent, so
nothing a person did is lost when the other side is down. A channel says
how to send a row and how hard to try (``Channel``); this module claims due
rows (a conditional UPDATE with a lease, so that however many processes run
the worker, each row is tried by one at a time), sends them, and records
the outcome with back-off, giving up after the channel's limit. Rows past
their ``expires`` are dropped unsent, with their body (an SMS code arriving
late is worse than none).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.db import close_old_connections
from django.db.models import F

from limen.core import clock

from .models import OutboxMessage, Status

log = logging.getLogger("limen.notify")


class DeliveryFailed(Exception):
    """The other side did not take the message. ``permanent``: trying again will not help."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


def exponential(first: float, cap: float) -> Callable[[int], dt.timedelta]:
    """Back-off after the n-th attempt: first, 2×first, 4×first... at most ``cap`` seconds."""
    def delay(attempts: int) -> dt.timedelta:
        return dt.timedelta(seconds=min(first * 2 ** max(attempts - 1, 0), cap))
    return delay


@dataclass(frozen=True)
class Channel:
    name: str
    send: Callable[[OutboxMessage], None]      # raises on failure (DeliveryFailed says if it is permanent)
    max_attempts: int = 12                     # about a day and a half with the default back-off
    backoff: Callable[[int], dt.timedelta] = field(default=exponential(30, 6 * 3600))
    lease: dt.timedelta = dt.timedelta(minutes=2)
    parallel: int = 1                          # rows of this channel sent at once (network only in threads)
    keep_body: Callable[[], bool] = lambda: True  # False: the body is removed once sent (single-use links)
    model: type[OutboxMessage] = OutboxMessage  # the area's proxy model its ``send`` expects


_channels: dict[str, Channel] = {}


def register(channel: Channel) -> Channel:
    _channels[channel.name] = channel
    return channel


def channel_for(name: str) -> Channel:
    return _channels[name]


def _claim(pk: int, now: dt.datetime, channel: Channel) -> bool:
    return bool(OutboxMessage.objects.filter(pk=pk, status=Status.PENDING, next_attempt__lte=now).update(
        next_attempt=now + channel.lease, attempts=F("attempts") + 1))


def _attempt(row: OutboxMessage) -> Exception | None:
    try:
        _channels[row.channel].send(row)
    except Exception as error:  # any failure of the other side: keep the row, try later
        return error
    return None


def _record(row: OutboxMessage, channel: Channel, error: Exception | None) -> bool:
    if error is None:
        row.status, row.sent, row.last_error = Status.SENT, clock.now(), ""
        if not channel.keep_body():
            row.body = "(sent; body removed)"
        row.save(update_fields=["status", "sent", "last_error", "body"])
        return True
    row.last_error = f"{type(error).__name__}: {error}"[:500]
    if getattr(error, "permanent", False) or row.attempts >= channel.max_attempts:
        row.status = Status.FAILED
    row.next_attempt = clock.now() + channel.backoff(row.attempts)
    log.warning("delivery of %s message %s failed (attempt %s): %s", row.channel, row.pk, row.attempts,
                row.last_error)
    row.save(update_fields=["status", "last_error", "next_attempt"])
    return False


def _drop_expired(row: OutboxMessage) -> None:
    row.status = Status.FAILED
    row.last_error = "expired before it could be sent"
    row.body = "(expired; body removed)"
    row.save(update_fields=["status", "last_error", "body"])


def deliver(pks: list[int]) -> int:
    """Try the given rows that are due (each claimed once); returns how many went out."""
    now = clock.now()
    channels = dict(OutboxMessage.objects.filter(pk__in=pks).values_list("pk", "channel"))
    claimed = [pk for pk in pks if channels.get(pk) in _channels
               and _claim(pk, now, _channels[channels[pk]])]
    rows = []
    for name in dict.fromkeys(channels[pk] for pk in claimed):
        rows += _channels[name].model._base_manager.filter(pk__in=claimed, channel=name)
    rows.sort(key=lambda row: (row.next_attempt, row.pk))
    live = []
    for row in rows:
        if row.expires is not None and row.expires <= now:
            _drop_expired(row)
        else:
            live.append(row)
    done = 0
    for name in dict.fromkeys(row.channel for row in live):
        channel = _channels[name]
        batch = [row for row in live if row.channel == name]
        if channel.parallel > 1 and len(batch) > 1:
            with ThreadPoolExecutor(max_workers=min(channel.parallel, len(batch))) as pool:
                errors = list(pool.map(_attempt, batch))
        else:
            errors = [_attempt(row) for row in batch]
        done += sum(_record(row, channel, error) for row, error in zip(batch, errors))
    return done


def deliver_due(limit: int = 100, *, channels: list[str] | None = None) -> int:
    """Retry every row whose next attempt is due, oldest first; returns how many went out."""
    due = OutboxMessage.objects.filter(status=Status.PENDING, next_attempt__lte=clock.now())
    if channels is not None:
        due = due.filter(channel__in=channels)
    return deliver(list(due.order_by("next_attempt", "pk").values_list("pk", flat=True)[:limit]))


def deliver_in_background(pks: list[int]) -> None:
    """A first attempt without making the person wait (the worker retries what fails)."""
    def run():
        try:
            deliver(pks)
        except Exception:  # the worker retries
            log.exception("delivery of %s failed", pks)
        finally:
            close_old_connections()

    context = contextvars.copy_context()  # its log lines keep the request's id
    threading.Thread(target=context.run, args=(run,), name="limen-delivery", daemon=True).start()


def backlog() -> tuple[int, dt.datetime | None]:
    """How many rows wait, and since when the oldest (for operators: health and metrics)."""
    pending = OutboxMessage.objects.filter(status=Status.PENDING)
    oldest = pending.order_by("created").values_list("created", flat=True).first()
    return pending.count(), oldest
