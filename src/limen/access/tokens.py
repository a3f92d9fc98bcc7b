"""API tokens: a back-office system (HR, pension records) lists and decides the requests of one application.

A token reads ``<id>.<secret>``; it is shown once, and only a keyed hash of the
secret is kept. The id finds the row, the secret is compared in constant time.
"""

from __future__ import annotations

import hmac
import secrets

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from limen.audit.events import Event
from limen.audit.service import record
from limen.core import clock, crypto
from limen.core.forms import has_control_characters

from .models import AccessPolicy, ApiToken

PURPOSE = "access-api-token"
MAX_TOKEN = 100


def _digest(secret: str) -> str:
    return crypto.keyed_digest(secret.encode(), purpose=PURPOSE)


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 100 or has_control_characters(name):
        raise ValidationError({"name": _("Name the system that uses the token, in at most 100 characters.")})
    return name


def prepare(token: ApiToken) -> str:
    """Give an unsaved token its id and the hash of a new secret; returns the value to show once."""
    public_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    token.public_id, token.digest, token.created = public_id, _digest(secret), clock.now()
    return f"{public_id}.{secret}"


def created(token: ApiToken, *, operator=None, request=None) -> None:
    record(Event.ACCESS_TOKEN_CREATED, user=operator, request=request, application=token.policy.app_name,
           token=token.public_id, name=token.name)


def create(policy: AccessPolicy, name: str, *, operator=None, request=None) -> tuple[ApiToken, str]:
    """A new token for ``policy``; returns it and its value, which is never shown again."""
    token = ApiToken(policy=policy, name=check_name(name))
    value = prepare(token)
    token.save()
    created(token, operator=operator, request=request)
    return token, value


def revoke(token: ApiToken, *, operator=None, request=None) -> bool:
    if token.revoked is not None:
        return False
    ApiToken.objects.filter(pk=token.pk).update(revoked=clock.now())
    record(Event.ACCESS_TOKEN_REVOKED, user=operator, request=request, application=token.policy.app_name,
           token=token.public_id, name=token.name)
    return True


def authenticate(value: str) -> ApiToken | None:
    """The live token ``value`` names, or None."""
    if not value or len(value) > MAX_TOKEN:
        return None
    public_id, sep, secret = value.partition(".")
    if not sep or not secret:
        return None
    token = ApiToken.objects.select_related("policy").filter(public_id=public_id, revoked__isnull=True).first()
    expected = token.digest if token is not None else _digest("no such token")
    if not hmac.compare_digest(expected, _digest(secret)) or token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used=clock.now())
    return token
