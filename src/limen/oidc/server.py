"""The oauthlib server Limen runs: OpenID Connect, authorization code flow only.

The implicit and hybrid flows, the password grant, client credentials and the
device flow are not offered; asking for them gets unsupported_response_type or
unsupported_grant_type.

An authorization request is read into a ``QueryOnce`` request: oauthlib's own parses the query string
again each time it looks for a repeated parameter (five times per validation), which was a tenth of
the authorization endpoint's work.
"""

from __future__ import annotations

import functools

from oauthlib.common import Request
from oauthlib.oauth2.rfc6749 import utils
from oauthlib.oauth2.rfc6749.endpoints.base import catch_errors_and_unavailability
from oauthlib.openid import Server as OpenIDServer


class QueryOnce(Request):
    """oauthlib's request, with its query string parsed once (the URI does not change)."""

    @functools.cached_property
    def uri_query_params(self):
        return super().uri_query_params


class Server(OpenIDServer):
    def __init__(self, request_validator, *args, **kwargs):
        super().__init__(request_validator, *args, **kwargs)
        self._response_types = {"code": self.auth_grant_choice}
        self._grant_types = {"authorization_code": self.token_grant_choice, "refresh_token": self.refresh_grant}

    @catch_errors_and_unavailability
    def validate_authorization_request(self, uri, http_method="GET", body=None, headers=None):
        """oauthlib's AuthorizationEndpoint.validate_authorization_request, with a QueryOnce request."""
        request = QueryOnce(uri, http_method=http_method, body=body, headers=headers)
        request.scopes = utils.scope_to_list(request.scope)
        handler = self.response_types.get(request.response_type, self.default_response_type_handler)
        return handler.validate_authorization_request(request)
