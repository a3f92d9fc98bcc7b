"""Check a password with rate limits and lockout around it.

- Per IP: LIMEN_RATE_LIMIT_SIGNIN_PER_IP attempts per window.
- Per account: LIMEN_LOCKOUT_THRESHOLD failures in a row lock it for
  LIMEN_LOCKOUT_MINUTES (unlocking by itself), and the owner is e-mailed.
- Unknown addresses are counted the same way, so the lock message cannot
  tell a stranger whether an address has an account.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction

from limen.notify import notices
from limen.audit.events import Event
from limen.audit.service import record
from limen.core import clock, metrics, ratelimit

from . import counters, sessions
from .errors import AccountDisabled, AccountLocked, InvalidCredentials, TooManyRequests


log = logging.getLogger("limen.signin")


def ip_limit() -> ratelimit.Limit:
    return ratelimit.Limit("signin-ip", settings.RATE_LIMIT_SIGNIN_PER_IP, settings.RATE_LIMIT_WINDOW_SECONDS)


# Longer than any sign-in request lasts (a body arrives within 30 s, a hash takes well under one):
# a place in the lockout count older than this belongs to a request that is over.
IN_FLIGHT_SECONDS = 120

# Failures for an address without an account are remembered this long (seconds).
UNKNOWN_MEMORY = 7 * 24 * 3600


def _locked(minutes: int | None = None) -> AccountLocked:
    minutes = minutes or settings.LOCKOUT_MINUTES
    return AccountLocked.for_minutes(minutes)


def check_password(*, email: str, password: str, ip: str, request=None):
    """The account whose password this is; raises InvalidCredentials, AccountLocked, AccountDisabled
    or TooManyRequests. Whatever the concurrency, a locked account never passes, and no more than
    LIMEN_LOCKOUT_THRESHOLD guesses are checked per lock window: each guess reserves its place in
    the count (one conditional UPDATE) before the password is hashed."""
    slot = ratelimit.reserve(ip_limit(), ip)  # a failure keeps it; a success gives it back
    if slot is None:
        metrics.signin("password", "rate_limited")  # no audit event: nothing was checked
        raise TooManyRequests(retry_after=ratelimit.retry_after(ip_limit()))

    User = get_user_model()
    user = User.objects.find_by_email(email)
    if user is None:
        User().set_password(password)  # spend the same time as a real check
        record(Event.SIGNIN_FAILED, email=email, request=request, reason="unknown_account")
        _count_unknown_failure(email)
        raise InvalidCredentials()

    if not _reserve_guess(user):
        user.check_password(password)  # same work as any other answer: no timing tell
        _lock_if_full(user, request)
        record(Event.SIGNIN_REFUSED_LOCKED, user=user, request=request)
        raise _locked(_minutes_left(user))

    try:
        right = user.check_password(password)
    except Exception:
        _give_back(user, slot)  # cut off before its verdict (the database gone): not a guess
        raise
    if not right:
        if _count_failure(user, request):  # if this fails, the place stays taken: a wrong guess counts
            raise _locked()
        raise InvalidCredentials()

    # Right: the guess gives its place back, unless the account locked meanwhile (other guesses
    # in flight were wrong): then it is refused like any other.
    try:
        cleared = counters.clear(user.pk, clock.now())
    except Exception:
        _give_back(user, slot)
        raise
    if not cleared:
        record(Event.SIGNIN_REFUSED_LOCKED, user=user, request=request)
        raise _locked(_minutes_left(user))

    if not user.is_active:
        record(Event.SIGNIN_REFUSED_DISABLED, user=user, request=request)
        raise AccountDisabled()
    ratelimit.release(slot)
    return user


def _reserve_guess(user) -> bool:
    """Take one of the account's LIMEN_LOCKOUT_THRESHOLD places for a guess, atomically."""
    return counters.reserve(user.pk, settings.LOCKOUT_THRESHOLD, clock.now())


def _give_back(user, slot) -> None:
    """Best effort, as the request is failing anyway: if the database is gone, the place stays taken
    and _lock_if_full bounds what such places can do."""
    try:
        counters.give_back(user.pk)
        if slot is not None:
            ratelimit.release(slot)
    except Exception:  # noqa: BLE001 - the original error is the one to raise
        log.warning("a sign-in cut off before its verdict could not give its place back", exc_info=True)


def _lock_if_full(user, request) -> None:
    """Every place taken without a lock: guesses in flight, or places left by requests that died before
    their verdict (a killed worker, the database gone). Places last taken more than IN_FLIGHT_SECONDS
    ago belong to requests that are over and never free themselves, so they become a lock that ends
    with its window, instead of refusing the owner for ever; younger ones may be guesses still being
    checked (a right password among them must not turn into a lock), so they are only refused. The
    number of guesses checked per window stays bounded by the threshold."""
    now = clock.now()
    until = now + dt.timedelta(minutes=settings.LOCKOUT_MINUTES)
    taken_before = now - dt.timedelta(seconds=IN_FLIGHT_SECONDS)
    if counters.lock_full(user.pk, settings.LOCKOUT_THRESHOLD, now, until, taken_before=taken_before):
        record(Event.LOCKED, user=user, request=request, minutes=settings.LOCKOUT_MINUTES)
        notices.send(user, "account_locked", minutes=settings.LOCKOUT_MINUTES, until=until,
                     ip=request and request.META.get("REMOTE_ADDR", ""))


def _minutes_left(user) -> int:
    user.refresh_from_db(fields=["locked_until"])
    if user.locked_until is None or user.locked_until <= clock.now():
        return settings.LOCKOUT_MINUTES  # every place is taken by guesses in flight
    return int((user.locked_until - clock.now()).total_seconds() // 60) + 1


def _count_failure(user, request) -> bool:
    """A wrong password, whose place in the count was reserved: lock at the threshold.
    Returns whether this failure locked the account."""
    with transaction.atomic():
        fresh = get_user_model().objects.select_for_update().get(pk=user.pk)
        just_locked = fresh.failed_signins >= settings.LOCKOUT_THRESHOLD and not fresh.is_locked
        if just_locked:
            fresh.locked_until = clock.now() + dt.timedelta(minutes=settings.LOCKOUT_MINUTES)
            fresh.failed_signins = 0
        fresh.save(update_fields=["failed_signins", "locked_until"])
    record(Event.SIGNIN_FAILED, user=user, request=request, reason="wrong_password")
    if just_locked:
        record(Event.LOCKED, user=user, request=request, minutes=settings.LOCKOUT_MINUTES)
        notices.send(user, "account_locked", minutes=settings.LOCKOUT_MINUTES,
                     until=fresh.locked_until, ip=request and request.META.get("REMOTE_ADDR", ""))
    return just_locked


@ratelimit.fail_closed
def _count_unknown_failure(email: str) -> None:
    """Count failures for an unknown address exactly as _count_failure does for an account.

    Failures in a row, however far apart, lock for LOCKOUT_MINUTES by the clock,
    so neither the lock message nor its timing tells whether the address exists.
    """
    key = "signin-unknown:" + hashlib.sha256(email.strip().casefold().encode()).hexdigest()
    now = clock.now()
    state = cache.get(key) or {}
    locked_until = state.get("locked_until", 0)
    if locked_until > now.timestamp():
        raise _locked(int((locked_until - now.timestamp()) // 60) + 1)
    failures = state.get("failures", 0) + 1
    if failures >= settings.LOCKOUT_THRESHOLD:
        until = now + dt.timedelta(minutes=settings.LOCKOUT_MINUTES)
        cache.set(key, {"failures": 0, "locked_until": until.timestamp()}, UNKNOWN_MEMORY)
        raise _locked()
    cache.set(key, {"failures": failures, "locked_until": 0}, UNKNOWN_MEMORY)


def verify_current_password(user, password: str, request=None) -> bool:
    """Re-check the password of a signed-in person (before a sensitive change).

    Wrong answers count towards the same lockout as sign-in, so a stolen
    session cannot be used to guess the password without limit. Returns
    False on a wrong password; raises AccountLocked once the account locks.
    """
    if not _reserve_guess(user):
        _lock_if_full(user, request)
        raise _locked(_minutes_left(user))
    try:
        right = user.check_password(password)
        cleared = right and counters.clear(user.pk, clock.now())
    except Exception:
        _give_back(user, None)  # cut off before its verdict: not a guess
        raise
    if right:
        if not cleared:
            raise _locked(_minutes_left(user))
        return True
    if _count_failure(user, request):
        sessions.end_all(user)
        raise _locked()
    return False


def unlock(user, *, by=None, request=None) -> None:
    get_user_model().objects.filter(pk=user.pk).update(locked_until=None, failed_signins=0)
    record(Event.UNLOCKED, user=user, request=request, operator=getattr(by, "email", ""))
