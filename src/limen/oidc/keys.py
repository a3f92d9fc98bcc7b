"""The provider's signing keys and their rotation.

There is always one ACTIVE key (signs ID tokens and logout tokens) and one
NEXT key, already published in the JWKS so that applications have it cached
before it signs anything. ``rotate`` retires the active key, promotes the next
one and creates a new next key. A retired key stays published for
LIMEN_OIDC_KEY_RETENTION_SECONDS, so tokens it signed keep verifying until
they expire. Private keys are stored encrypted (limen.core.crypto).
"""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.db import IntegrityError, transaction

from limen.core import clock, crypto

from .internal import jose
from .models import KeyState, SigningKey

PURPOSE = "oidc-signing-key"
ACTIVE_CACHE_SECONDS = 30

_private: dict[str, jose.Key] = {}
_active: tuple[str, float] | None = None


def _new(state: str) -> SigningKey:
    pem, public = jose.generate_rsa()
    now = clock.now()
    return SigningKey.objects.create(
        kid=public["kid"], state=state, private_key=crypto.encrypt(pem, purpose=PURPOSE), public_jwk=public,
        created=now, activated=now if state == KeyState.ACTIVE else None,
    )


def ensure() -> SigningKey:
    """The active key; creates the first active and next keys on first use."""
    row = SigningKey.objects.filter(state=KeyState.ACTIVE).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            row = _new(KeyState.ACTIVE)
            if not SigningKey.objects.filter(state=KeyState.NEXT).exists():
                _new(KeyState.NEXT)
    except IntegrityError:  # another process created it at the same moment
        row = SigningKey.objects.get(state=KeyState.ACTIVE)
    return row


def _private_key(row: SigningKey) -> jose.Key:
    key = _private.get(row.kid)
    if key is None:
        key = jose.private_key(crypto.decrypt(row.private_key, purpose=PURPOSE), row.kid)
        _private[row.kid] = key
    return key


def active() -> jose.Key:
    """The key that signs now (the active kid is re-read every ACTIVE_CACHE_SECONDS)."""
    global _active
    if _active is not None and time.monotonic() - _active[1] < ACTIVE_CACHE_SECONDS and _active[0] in _private:
        return _private[_active[0]]
    row = ensure()
    key = _private_key(row)
    _active = (row.kid, time.monotonic())
    return key


def forget_cache() -> None:
    global _active
    _active = None


def _published_rows():
    oldest = clock.now() - dt.timedelta(seconds=settings.OIDC_KEY_RETENTION_SECONDS)
    ensure()
    return [row for row in SigningKey.objects.order_by("-created")
            if row.state != KeyState.RETIRED or (row.retired and row.retired > oldest)]


def published() -> list[dict]:
    """The public keys of the JWKS document: active, next, and recently retired."""
    order = {KeyState.ACTIVE: 0, KeyState.NEXT: 1, KeyState.RETIRED: 2}
    return [row.public_jwk for row in sorted(_published_rows(), key=lambda r: order[r.state])]


def verification_keys() -> list[jose.Key]:
    """Public keys that tokens we issued may be verified with."""
    return jose.public_key_set({"keys": published()})


def rotate() -> tuple[SigningKey, SigningKey]:
    """Retire the active key, promote the next one, publish a new next one."""
    ensure()
    now = clock.now()
    with transaction.atomic():
        SigningKey.objects.filter(state=KeyState.ACTIVE).update(state=KeyState.RETIRED, retired=now)
        nxt = SigningKey.objects.select_for_update().filter(state=KeyState.NEXT).first()
        if nxt is None:
            nxt = _new(KeyState.NEXT)
        nxt.state, nxt.activated = KeyState.ACTIVE, now
        nxt.save(update_fields=["state", "activated"])
        new_next = _new(KeyState.NEXT)
    forget_cache()
    return nxt, new_next


def purge() -> int:
    """Delete retired keys that are no longer published."""
    oldest = clock.now() - dt.timedelta(seconds=settings.OIDC_KEY_RETENTION_SECONDS)
    deleted, _ = SigningKey.objects.filter(state=KeyState.RETIRED, retired__lte=oldest).delete()
    return deleted
