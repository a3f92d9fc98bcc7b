"""The provider's signing keys and their rotation.

One family of keys per signing algorithm: RSA keys for RS256 (every deployment, made on first use) and
P-256 keys for ES256 (made when an application is set to ES256). In each family there is always one
ACTIVE key (signs ID tokens and logout tokens) and one NEXT key, already published in the JWKS so that
applications have it cached before it signs anything. ``rotate`` retires each family's active key,
promotes its next one and creates a new next key. A retired key stays published for
LIMEN_OIDC_KEY_RETENTION_SECONDS, so tokens it signed keep verifying until they expire. Private keys
are stored encrypted (limen.core.crypto).
"""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.db import IntegrityError, transaction

from limen.core import clock, crypto

from .internal import jose
from .models import IdTokenAlg, KeyState, SigningKey

PURPOSE = "oidc-signing-key"
ACTIVE_CACHE_SECONDS = 30
ALGORITHMS = list(IdTokenAlg.values)  # what ID tokens may be signed with (the discovery document)
_GENERATE = {IdTokenAlg.RS256: jose.generate_rsa, IdTokenAlg.ES256: jose.generate_ec}

_private: dict[str, jose.Key] = {}
_active: dict[str, tuple[str, float]] = {}  # alg -> (kid, when it was read)


def _new(state: str, alg: str) -> SigningKey:
    pem, public = _GENERATE[alg]()
    now = clock.now()
    return SigningKey.objects.create(
        kid=public["kid"], alg=alg, state=state, private_key=crypto.encrypt(pem, purpose=PURPOSE),
        public_jwk=public, created=now, activated=now if state == KeyState.ACTIVE else None,
    )


def ensure(alg: str = IdTokenAlg.RS256) -> SigningKey:
    """The active key of ``alg``; creates the family's first active and next keys on first use."""
    row = SigningKey.objects.filter(alg=alg, state=KeyState.ACTIVE).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            row = _new(KeyState.ACTIVE, alg)
            if not SigningKey.objects.filter(alg=alg, state=KeyState.NEXT).exists():
                _new(KeyState.NEXT, alg)
    except IntegrityError:  # another process created it at the same moment
        row = SigningKey.objects.get(alg=alg, state=KeyState.ACTIVE)
    return row


def _private_key(row: SigningKey) -> jose.Key:
    key = _private.get(row.kid)
    if key is None:
        key = jose.private_key(crypto.decrypt(row.private_key, purpose=PURPOSE), row.kid)
        _private[row.kid] = key
    return key


def active(alg: str = IdTokenAlg.RS256) -> jose.Key:
    """The key of ``alg`` that signs now (the active kid is re-read every ACTIVE_CACHE_SECONDS)."""
    known = _active.get(alg)
    if known is not None and time.monotonic() - known[1] < ACTIVE_CACHE_SECONDS and known[0] in _private:
        return _private[known[0]]
    row = ensure(alg)
    key = _private_key(row)
    _active[alg] = (row.kid, time.monotonic())
    return key


def sign(claims: dict, alg: str = IdTokenAlg.RS256, *, typ: str = "JWT") -> str:
    """``claims`` as a JWT signed with the active key of ``alg`` (an application's id_token_alg)."""
    return jose.sign(claims, active(alg), alg=alg, typ=typ)


def forget_cache() -> None:
    _active.clear()


def _published_rows():
    oldest = clock.now() - dt.timedelta(seconds=settings.OIDC_KEY_RETENTION_SECONDS)
    ensure()
    return [row for row in SigningKey.objects.order_by("-created")
            if row.state != KeyState.RETIRED or (row.retired and row.retired > oldest)]


def published() -> list[dict]:
    """The public keys of the JWKS document: each family's active, next, and recently retired keys."""
    order = {KeyState.ACTIVE: 0, KeyState.NEXT: 1, KeyState.RETIRED: 2}
    rows = sorted(_published_rows(), key=lambda row: (ALGORITHMS.index(row.alg), order[row.state]))
    return [row.public_jwk for row in rows]


def verification_keys() -> list[jose.Key]:
    """Public keys that tokens we issued may be verified with."""
    return jose.public_key_set({"keys": published()})


def rotate() -> list[tuple[SigningKey, SigningKey]]:
    """In each family: retire the active key, promote the next one, publish a new next one. Returns the
    (now active, new next) pair of each family, RS256 first."""
    ensure()
    now = clock.now()
    pairs = []
    with transaction.atomic():
        for alg in ALGORITHMS:
            if not SigningKey.objects.filter(alg=alg).exclude(state=KeyState.RETIRED).exists():
                continue  # a family nobody uses yet
            SigningKey.objects.filter(alg=alg, state=KeyState.ACTIVE).update(state=KeyState.RETIRED, retired=now)
            nxt = SigningKey.objects.select_for_update().filter(alg=alg, state=KeyState.NEXT).first()
            if nxt is None:
                nxt = _new(KeyState.NEXT, alg)
            nxt.state, nxt.activated = KeyState.ACTIVE, now
            nxt.save(update_fields=["state", "activated"])
            pairs.append((nxt, _new(KeyState.NEXT, alg)))
    forget_cache()
    return pairs


def purge() -> int:
    """Delete retired keys that are no longer published."""
    oldest = clock.now() - dt.timedelta(seconds=settings.OIDC_KEY_RETENTION_SECONDS)
    deleted, _ = SigningKey.objects.filter(state=KeyState.RETIRED, retired__lte=oldest).delete()
    return deleted
