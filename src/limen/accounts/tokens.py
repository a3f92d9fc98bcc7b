"""Single-use, short-lived link tokens.

The token (256 random bits) travels only in the e-mail; the database keeps
its SHA-256, so a leaked database gives no working link. Issuing a new token
for a purpose cancels the older ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction

from limen.core import clock

from .errors import TokenExpired, TokenInvalid, TokenUsed
from .models import AccountToken, TokenPurpose, User

MAX_TOKEN_LENGTH = 100


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(user: User, purpose: TokenPurpose, ttl_seconds: int, *, new_email: str = "") -> str:
    token = secrets.token_urlsafe(32)
    now = clock.now()
    with transaction.atomic():
        AccountToken.objects.filter(user=user, purpose=purpose, used__isnull=True).update(used=now)
        AccountToken.objects.create(
            user=user, purpose=purpose, digest=_digest(token), created=now,
            expires=now + dt.timedelta(seconds=ttl_seconds), new_email=new_email,
        )
    return token


def peek(token: str, purpose: TokenPurpose) -> AccountToken:
    """Find a usable token without using it (GET of a link must not burn it)."""
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        raise TokenInvalid()
    record = AccountToken.objects.select_related("user").filter(digest=_digest(token), purpose=purpose).first()
    if record is None:
        raise TokenInvalid()
    if record.used is not None:
        raise TokenUsed(user=record.user)
    if record.expires <= clock.now():
        raise TokenExpired(user=record.user)
    if not record.user.is_active:  # disabled by an operator since the link was sent: the account is frozen
        raise TokenInvalid()
    return record


def consume(token: str, purpose: TokenPurpose) -> AccountToken:
    """Use a token exactly once, even when two requests race."""
    record = peek(token, purpose)
    updated = AccountToken.objects.filter(pk=record.pk, used__isnull=True).update(used=clock.now())
    if updated != 1:
        raise TokenUsed(user=record.user)
    return record
