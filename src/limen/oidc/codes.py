"""Issue the authorization code for a request the toolkit has already validated.

The authorization view validates the request once (``validate_authorization_request``), decides the
sign-in, then needs a code. The toolkit's ``create_authorization_response`` would parse and validate
the whole request a second time (oauthlib does so before it makes a code): about a fifth of the
endpoint's work, with nothing that can have changed in between. This stores the code from the
request oauthlib validated, as that method would (the validator's ``save_authorization_code``, so the
Grant row and Limen's sign-in record are unchanged), and builds the same redirect: the code, the
state, and ``iss`` (RFC 9207).
"""

from __future__ import annotations

import secrets

from oauth2_provider.exceptions import FatalClientError, OAuthToolkitError
from oauth2_provider.oauth2_backends import _add_iss_to_redirect
from oauth2_provider.settings import oauth2_settings
from oauthlib.common import add_params_to_uri
from oauthlib.oauth2.rfc6749 import errors


def new_code() -> str:
    """192 bits from the system's random source, URL-safe (oauthlib's are 30 letters and digits, 178 bits,
    drawn one character at a time)."""
    return secrets.token_urlsafe(24)


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
