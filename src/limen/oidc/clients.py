"""Registering applications (OpenID Connect clients): used by `limen oidc_client` and the admin site."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from oauth2_provider.generators import generate_client_id, generate_client_secret

from limen.audit.events import Event
from limen.audit.service import record

from . import clientauth, pkce
from .models import SECRET_METHODS, AuthMethod, Client, IdTokenAlg


@dataclass
class Registered:
    client: Client
    secret: str | None  # shown once; only a hash (and, for client_secret_jwt, an encrypted copy) is kept


def _apply_secret(client: Client, secret: str | None = None) -> str | None:
    if client.token_endpoint_auth_method not in SECRET_METHODS:
        client.client_secret = ""
        client.secret_encrypted = ""
        return None
    value = secret or generate_client_secret()
    client.client_secret = value  # hashed when saved
    client.secret_encrypted = ""
    if client.token_endpoint_auth_method == AuthMethod.CLIENT_SECRET_JWT:
        clientauth.store_secret(client, value)
    return value


def parse_jwks(value: str | dict | None):
    if value in (None, ""):
        return None
    if isinstance(value, dict):
        return value
    try:
        return json.loads(value)
    except ValueError:
        raise ValidationError({"jwks": ["The public keys must be a JSON object such as {\"keys\": [...]}."]}) from None


@transaction.atomic
def register(*, name: str, redirect_uris: list[str], public: bool = False, auth_method: str | None = None,
             post_logout_redirect_uris: list[str] = (), backchannel_logout_uri: str = "", jwks=None,
             jwks_uri: str = "", client_id: str | None = None, secret: str | None = None,
             pkce_required: bool = True, id_token_alg: str = IdTokenAlg.RS256, operator: str = "") -> Registered:
    """Register an application; raises ValidationError with a message per field."""
    method = auth_method or (AuthMethod.NONE if public else AuthMethod.CLIENT_SECRET_BASIC)
    if method not in AuthMethod.values:
        raise ValidationError({"token_endpoint_auth_method": [f"Unknown method {method!r}; use one of "
                                                              + ", ".join(AuthMethod.values) + "."]})
    client = Client(
        name=name.strip(), client_id=client_id or generate_client_id(),
        client_type=Client.CLIENT_PUBLIC if public else Client.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Client.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(redirect_uris), post_logout_redirect_uris=" ".join(post_logout_redirect_uris),
        backchannel_logout_uri=backchannel_logout_uri, jwks=parse_jwks(jwks), jwks_uri=jwks_uri,
        token_endpoint_auth_method=method, algorithm=Client.RS256_ALGORITHM, skip_authorization=True,
        pkce_required=pkce_required, id_token_alg=id_token_alg,
    )
    value = _apply_secret(client, secret)
    client.full_clean(exclude=["client_secret", "user"])
    client.save()
    record(Event.OIDC_CLIENT_ADDED, client=client.client_id, name=client.name, operator=operator)
    return Registered(client, value)


@transaction.atomic
def reset_secret(client: Client, *, operator: str = "") -> str | None:
    value = _apply_secret(client)
    client.save()
    record(Event.OIDC_CLIENT_SECRET_RESET, client=client.client_id, operator=operator)
    return value


@transaction.atomic
def set_pkce_required(client: Client, required: bool, *, operator: str = "", user=None, request=None) -> None:
    """Require PKCE of the application, or (confidential clients only) let it go without."""
    if client.is_public and not required:
        raise ValidationError({"pkce_required": [pkce.PUBLIC_CLIENT_MUST_USE_PKCE]})
    client.pkce_required = required
    Client.objects.filter(pk=client.pk).update(pkce_required=required)
    pkce_changed(client, operator=operator, user=user, request=request)


@transaction.atomic
def set_id_token_alg(client: Client, alg: str, *, operator: str = "") -> None:
    """Sign the application's ID tokens and logout tokens with ``alg`` (RS256 or ES256) from now on."""
    client.id_token_alg = alg
    client.clean_fields(exclude=[f.name for f in Client._meta.fields if f.name != "id_token_alg"])
    client.save(update_fields=["id_token_alg"])
    id_token_alg_changed(client, operator=operator)


def id_token_alg_changed(client: Client, *, operator: str = "", user=None, request=None) -> None:
    record(Event.OIDC_CLIENT_SIGNATURE_CHANGED, user=user, request=request, client=client.client_id,
           id_token_alg=client.id_token_alg, operator=operator)


def pkce_changed(client: Client, *, operator: str = "", user=None, request=None) -> None:
    record(Event.OIDC_CLIENT_PKCE_CHANGED, user=user, request=request, client=client.client_id,
           pkce_required=client.pkce_required, operator=operator)


@transaction.atomic
def remove(client: Client, *, operator: str = "") -> None:
    """Delete the application; its codes and tokens go with it."""
    client_id = client.client_id
    client.delete()
    record(Event.OIDC_CLIENT_REMOVED, client=client_id, operator=operator)
