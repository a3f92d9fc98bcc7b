"""A token request as the toolkit reads it: form parameters (the last value of a repeated one,
as ``request.POST.items()`` gives them to oauthlib) and how the client presents itself."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from urllib.parse import unquote_plus

from .. import clientauth
from . import Fallback

# Parameters that take a request off the lean path (the toolkit handles them): RFC 8707 resource
# indicators, a narrowed scope, and device or other grants' parameters.
UNUSUAL = ("resource", "scope", "device_code", "username", "password", "assertion")


@dataclass(frozen=True)
class Credentials:
    """How the client authenticates: ``kind`` is basic, post, assertion or none."""

    kind: str
    client_id: str
    secret: str = ""
    assertion: str = ""


@dataclass(frozen=True)
class TokenRequest:
    grant_type: str
    credentials: Credentials
    code: str = ""
    redirect_uri: str = ""
    code_verifier: str | None = None
    refresh_token: str = ""


def _basic(header: str) -> tuple[str, str] | None:
    """client_id and secret from ``Authorization: Basic ...``, decoded as the toolkit decodes them."""
    kind, _, value = header.partition(" ")
    if kind != "Basic" or not value:
        return None
    try:
        client_id, secret = base64.b64decode(value).decode("utf-8").split(":", 1)
    except (binascii.Error, TypeError, UnicodeDecodeError, ValueError):
        raise Fallback() from None
    return unquote_plus(client_id), unquote_plus(secret)


def credentials(request, form) -> Credentials:
    body_client_id = form.get("client_id") or ""
    if form.get("client_assertion") or form.get("client_assertion_type"):
        assertion = form.get("client_assertion") or ""
        if form.get("client_assertion_type") != clientauth.ASSERTION_TYPE or not assertion:
            raise Fallback()
        try:
            client_id = clientauth.client_id_of(assertion)
        except clientauth.AssertionRejected:
            raise Fallback() from None
        if body_client_id and body_client_id != client_id:
            raise Fallback()
        return Credentials("assertion", client_id, assertion=assertion)
    basic = _basic(request.META.get("HTTP_AUTHORIZATION", ""))
    if basic is not None:
        if body_client_id and body_client_id != basic[0]:
            raise Fallback()
        return Credentials("basic", basic[0], secret=basic[1])
    if "HTTP_AUTHORIZATION" in request.META:
        raise Fallback()  # another scheme: the toolkit decides
    secret = form.get("client_secret") or ""
    if not body_client_id:
        raise Fallback()
    return Credentials("post" if secret else "none", body_client_id, secret=secret)


def has_nul(request) -> bool:
    """Whether a form value or the Basic credentials hold a NUL character: no code, token or client_id
    has one, and PostgreSQL refuses to compare text with it (the request would fail with a 500)."""
    if any("\x00" in value for _name, values in request.POST.lists() for value in values):
        return True
    try:
        basic = _basic(request.META.get("HTTP_AUTHORIZATION", ""))
    except Fallback:
        return False
    return basic is not None and any("\x00" in part for part in basic)


def read(request) -> TokenRequest:
    """The request, if it may take the lean path; else Fallback."""
    if request.method != "POST" or request.META.get("QUERY_STRING") or "HTTP_ORIGIN" in request.META:
        raise Fallback()
    form = request.POST  # what the toolkit reads, whatever the content type says
    if any(name in form for name in UNUSUAL):
        raise Fallback()
    grant_type = form.get("grant_type")
    who = credentials(request, form)
    if grant_type == "authorization_code":
        code, redirect_uri = form.get("code") or "", form.get("redirect_uri") or ""
        if not code or not redirect_uri:
            raise Fallback()
        return TokenRequest(grant_type, who, code=code, redirect_uri=redirect_uri,
                            code_verifier=form.get("code_verifier"))
    if grant_type == "refresh_token":
        token = form.get("refresh_token") or ""
        if not token:
            raise Fallback()
        return TokenRequest(grant_type, who, refresh_token=token)
    raise Fallback()
