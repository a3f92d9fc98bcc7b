"""Client authentication on the lean path, as the toolkit's validator (limen.oidc.validator) does it:
the registered method only, the per-IP failure limit first. Nothing is changed here: a failure is
the toolkit's to answer and to count, and an assertion's jti is spent only once the answer is sure
(``Authenticated.commit``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from limen.core import ratelimit
from limen.core.net import client_ip

from .. import clientauth
from ..hashers import ClientSecretHasher
from ..models import AuthMethod, Client
from . import Fallback
from .params import Credentials

_hasher = ClientSecretHasher()
PREFIX = _hasher.algorithm + "$"
USED = {"basic": AuthMethod.CLIENT_SECRET_BASIC, "post": AuthMethod.CLIENT_SECRET_POST}


@dataclass(frozen=True)
class Authenticated:
    replay: clientauth.Replay | None = None

    def commit(self) -> None:
        """Spend the assertion's jti; Fallback if it was used already (the toolkit refuses it)."""
        if self.replay is not None:
            try:
                self.replay.consume()
            except clientauth.AssertionRejected:
                raise Fallback() from None


def check_limit(request, credentials: Credentials) -> None:
    """Over the failure limit, an IP is refused whatever it presents; public clients are not counted."""
    if credentials.kind != "none":
        from ..validator import failure_limit

        if ratelimit.exceeded(failure_limit(), client_ip(request)):
            raise Fallback()


def _audiences(request) -> list[str]:
    return [settings.BASE_URL, settings.BASE_URL + "/", settings.BASE_URL + reverse("oidc:token"),
            settings.BASE_URL + request.path]


def authenticate(request, credentials: Credentials, client) -> Authenticated:
    """``client``: the row's values (limen.oidc.token.store.ClientRow). Fallback unless it authenticates."""
    method = client.token_endpoint_auth_method
    if not client.active:
        raise Fallback()
    if credentials.kind in USED:
        if method != USED[credentials.kind] or not client.client_secret.startswith(PREFIX) \
                or not _hasher.verify(credentials.secret, client.client_secret):
            raise Fallback()
        return Authenticated()
    if credentials.kind == "none":
        if client.client_type != Client.CLIENT_PUBLIC or method != AuthMethod.NONE:
            raise Fallback()
        return Authenticated()
    try:
        return Authenticated(clientauth.check(credentials.assertion, client, _audiences(request)))
    except clientauth.AssertionRejected:
        raise Fallback() from None
