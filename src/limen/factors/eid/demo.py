"""Sample data for `limen demo`: the demo eID provider (demo/eid_provider/) registered as an eID provider."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .errors import EidError
from .models import UpstreamProvider

DEMO_SLUG = "demo"
DEMO_NAME = "Demo national eID"
DEMO_CLIENT_ID = "limen"


class DemoProviderConflict(EidError):
    """Another configured provider already uses the demo provider's issuer."""

    code = "demo_provider_conflict"
    default_message = _("Another eID provider already uses the address of the demo eID provider.")


def prepare(issuer: str) -> tuple[str, str]:
    """Register (or update) the demo provider at ``issuer`` with a fresh client secret; returns (client_id, secret).

    Idempotent: `limen demo` calls it at every start, with the address the demo provider listens on.
    """
    issuer = issuer.rstrip("/")
    if UpstreamProvider.objects.filter(issuer=issuer).exclude(slug=DEMO_SLUG).exists():
        raise DemoProviderConflict()
    secret = secrets.token_urlsafe(32)
    provider = UpstreamProvider.objects.filter(slug=DEMO_SLUG).first() or UpstreamProvider(slug=DEMO_SLUG)
    provider.name, provider.issuer, provider.client_id = DEMO_NAME, issuer, DEMO_CLIENT_ID
    provider.scopes, provider.enabled = "openid profile", True
    provider.set_secret(secret)
    try:
        provider.full_clean()
    except ValidationError as error:  # an issuer that is not a URL: a programming error of the caller
        raise ValueError(f"demo eID provider: {error.message_dict}") from None
    provider.save()
    return DEMO_CLIENT_ID, secret
