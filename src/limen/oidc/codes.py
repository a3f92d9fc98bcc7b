"""Issue the authorization code for a request the toolkit has already validated.

The authorization view validates the request once (``validate_authorization_request``), decides the
sign-in, then needs a code. The toolkit's ``create_authorization_response`` would parse and validate
the whole request a second time (oauthlib does so before it makes a code): about a fifth of the
endpoint's work, with nothing that can have changed in between. This stores the code from the
request oauthlib validated, as that method would (the validator's ``save_authorization_code``), and
builds the same redirect: the code, the state, and ``iss`` (RFC 9207).

``store`` writes what a code is: the toolkit's Grant row, with the fields its own validator writes, and
Limen's sign-in record beside it (acr, amr, sid, auth_time: the ID token's and back-channel logout's),
each as one INSERT written once (limen.core.sql.create) where the ORM's save built it every time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets

from django.utils import timezone
from oauth2_provider.exceptions import FatalClientError, OAuthToolkitError
from oauth2_provider.models import get_grant_model
from oauth2_provider.oauth2_backends import _add_iss_to_redirect
from oauth2_provider.settings import oauth2_settings
from oauthlib.common import add_params_to_uri
from oauthlib.oauth2.rfc6749 import errors

from limen.core import clock, sql

from .models import Authorization


def new_code() -> str:
    """192 bits from the system's random source, URL-safe (oauthlib's are 30 letters and digits, 178 bits,
    drawn one character at a time)."""
    return secrets.token_urlsafe(24)


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def store(request, code: dict, expires: dt.datetime | None = None):
    """The Grant of ``code`` for the validated oauthlib ``request`` (its client, the person, the redirect URI,
    the scopes, PKCE, nonce, claims), and the sign-in record of ``request.limen_session``. PKCE's "plain"
    method is refused as the toolkit refuses it (RFC 9700 §2.1.1): only S256."""
    if request.code_challenge_method == "plain":
        raise errors.InvalidRequestError(description='Unsupported "plain" code_challenge_method; use "S256".',
                                         request=request)
    now = timezone.now()
    grant = sql.create(get_grant_model()(
        application=request.client, user=request.user, code=code["code"],
        expires=expires or now + dt.timedelta(seconds=oauth2_settings.AUTHORIZATION_CODE_EXPIRE_SECONDS),
        redirect_uri=request.redirect_uri, scope=" ".join(request.scopes),
        code_challenge=request.code_challenge or "", code_challenge_method=request.code_challenge_method or "",
        nonce=request.nonce or "", claims=json.dumps(request.claims or {}),
        resource=getattr(request, "resource", None) or [], created=now, updated=now))  # None: no restriction
    session = request.limen_session
    sql.create(Authorization(
        code_digest=digest(code["code"]), client=request.client, user=request.user, sid=session["sid"],
        acr=session["acr"], amr=session["amr"], strengths=session["strengths"],
        requested_claims=request.claims if isinstance(request.claims, dict) else {},
        auth_time=session["auth_time"], created=clock.now()))
    return grant


def issue(request, credentials: dict, validator) -> str:
    """The redirect URI that hands a new code to the client. ``credentials``: what the validation returned
    (its oauthlib request under ``request``), with ``limen_session``; ``request``: the Django request."""
    validated = credentials["request"]
    validated.user = request.user
    validated.limen_session = credentials["limen_session"]
    grant = {"code": new_code()}
    if validated.state:
        grant["state"] = validated.state
    try:
        validator.save_authorization_code(validated.client_id, grant, validated)
    except errors.FatalClientError as error:
        raise FatalClientError(error=error, redirect_uri=credentials["redirect_uri"]) from error
    except errors.OAuth2Error as error:
        raise OAuthToolkitError(error=error, redirect_uri=credentials["redirect_uri"]) from error
    uri = add_params_to_uri(validated.redirect_uri, grant.items())
    if oauth2_settings.COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS:
        uri = _add_iss_to_redirect(uri, oauth2_settings.oauth2_authorization_server_issuer(request))
    return uri
