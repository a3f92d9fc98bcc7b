"""The oauthlib server Limen runs: OpenID Connect, authorization code flow only.

The implicit and hybrid flows, the password grant, client credentials and the
device flow are not offered; asking for them gets unsupported_response_type or
unsupported_grant_type.
"""

from oauthlib.openid import Server as OpenIDServer


class Server(OpenIDServer):
    def __init__(self, request_validator, *args, **kwargs):
        super().__init__(request_validator, *args, **kwargs)
        self._response_types = {"code": self.auth_grant_choice}
        self._grant_types = {"authorization_code": self.token_grant_choice, "refresh_token": self.refresh_grant}
