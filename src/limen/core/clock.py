"""The clock every service reads, so tests can move time without sleeping."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

_offset = dt.timedelta(0)


def now() -> dt.datetime:
    return timezone.now() + _offset


def advance(**delta) -> None:
    """Move the clock forward (tests and the development server only)."""
    global _offset
    _offset += dt.timedelta(**delta)


def reset() -> None:
    global _offset
    _offset = dt.timedelta(0)
