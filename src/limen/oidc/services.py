"""Use cases of the provider that are not oauthlib's: revocation, introspection, sign-out."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from oauth2_provider.models import get_access_token_model, get_refresh_token_model

from limen.audit.events import Event
from limen.audit.service import record
from limen.core import clock, sql

from . import backchannel, codes
from .models import Authorization, TokenIssue

log = logging.getLogger("limen.oidc")

AccessToken = get_access_token_model()
RefreshToken = get_refresh_token_model()


def revoke_issued(authorizations) -> int:
    """Revoke every access and refresh token issued from these authorizations."""
    count = 0
    for issue in TokenIssue.objects.filter(authorization__in=authorizations):
        if issue.token_family:
            RefreshToken.revoke_family(issue.token_family)
        count += AccessToken.objects.filter(token_checksum=issue.access_token_checksum).delete()[0]
        count += 1
    return count


def code_reused(authz: Authorization, *, ip: str = "") -> None:
    """RFC 6749 §4.1.2: a code used twice revokes the tokens issued from it."""
    revoke_issued([authz])
    log.warning("authorization code reused by client %s; its tokens are revoked", authz.client.client_id)
    record(Event.OIDC_CODE_REUSED, user=authz.user, client=authz.client.client_id, ip_of_client=ip)


# The sign-in record a code exchange's access token was issued under (TokenIssue), compiled once.
_issued_with = sql.Select(lambda checksum: Authorization.objects.filter(issues__access_token_checksum=checksum)
                          .order_by("issues__id")[:1])


# A refresh's access token has no TokenIssue of its own: the first of its refresh token's family says.
_family_issued_with = sql.Select(lambda access_id: Authorization.objects.filter(
    issues__token_family__in=RefreshToken.objects.filter(access_token=access_id).values("token_family"))
    .order_by("issues__id")[:1])


def authorization_of(access_token) -> Authorization | None:
    """The sign-in record of ``access_token``: its own TokenIssue (a code exchange's), else its family's
    first (a refresh's)."""
    found = _issued_with.first(access_token.token_checksum)
    if found is None:
        found = _family_issued_with.first(access_token.pk)
    return found


def introspect(token: str, hint: str | None, client) -> dict | None:
    """RFC 7662 answer for a token of ``client``; None (inactive) for anything else."""
    checksum = codes.digest(token)
    if hint != "refresh_token":
        access = (AccessToken.objects.select_related("user").filter(token_checksum=checksum, application=client)
                  .first())
        if access is not None:
            if not access.is_valid() or access.user is None or not access.user.is_active:
                return None
            data = {
                "scope": access.scope, "client_id": client.client_id, "token_type": "Bearer",
                "exp": int(access.expires.timestamp()), "iat": int(access.created.timestamp()),
                "sub": str(access.user.uid), "aud": client.client_id, "iss": settings.BASE_URL,
            }
            authz = authorization_of(access)
            if authz is not None:
                data.update(acr=authz.acr, amr=authz.amr, auth_time=int(authz.auth_time.timestamp()))
            return data
    refresh = (RefreshToken.objects.select_related("user", "access_token")
               .filter(token_checksum=checksum, application=client, revoked__isnull=True).first())
    if refresh is None or refresh.access_token is None or not refresh.user.is_active:
        return None
    expires = refresh.access_token.expires.timestamp() + settings.OIDC_REFRESH_TOKEN_SECONDS
    if expires <= clock.now().timestamp():
        return None
    return {"scope": refresh.access_token.scope, "client_id": client.client_id, "token_type": "refresh_token",
            "exp": int(expires), "iat": int(refresh.created.timestamp()), "sub": str(refresh.user.uid),
            "aud": client.client_id, "iss": settings.BASE_URL}


def end_session(sid: str, user) -> list[str]:
    """The SSO session ``sid`` ends: revoke its tokens, tell the applications that want to know.

    Returns the names of the applications that are sent a back-channel logout.
    """
    authorizations = list(Authorization.objects.filter(sid=sid).select_related("client", "user"))
    if not authorizations:
        return []
    revoke_issued(authorizations)
    names: list[str] = []
    queued: list[int] = []
    seen: set[int] = set()
    for authz in authorizations:
        client = authz.client
        if authz.consumed is None or client.pk in seen or not client.backchannel_logout_uri or not client.active:
            continue
        seen.add(client.pk)
        queued.append(backchannel.enqueue(client, subject=str(authz.user.uid), sid=sid).pk)
        names.append(client.name or client.client_id)
    if queued:
        transaction.on_commit(lambda: backchannel.deliver_soon(queued))
    Authorization.objects.filter(sid=sid).update(sid="")
    return names
