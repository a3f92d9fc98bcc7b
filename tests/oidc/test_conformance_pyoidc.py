"""The same provider, seen by a second, independent relying-party library: pyoidc (``oic``).

pyoidc reads the discovery document and the JWKS itself, verifies the ID
token (signature, iss, aud, exp) and the nonce, and implements the client
authentication methods on its own, so these tests check interoperability
rather than our own understanding of the specifications.
"""

from __future__ import annotations

import base64
import json
import warnings
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

warnings.filterwarnings("ignore", category=DeprecationWarning)

from oic import rndstr  # noqa: E402
from oic.exception import MessageException, PyoidcError  # noqa: E402
from oic.oauth2.message import ErrorResponse  # noqa: E402
from oic.oic import Client  # noqa: E402
from oic.oic.message import (  # noqa: E402
    AccessTokenResponse,
    AuthorizationResponse,
    EndSessionRequest,
    OpenIDSchema,
    RegistrationResponse,
)
from oic.utils.authn.client import CLIENT_AUTHN_METHOD  # noqa: E402
from oic.utils.keyio import KeyBundle  # noqa: E402

from .conftest import POST_LOGOUT_URI, REDIRECT_URI  # noqa: E402
from .live import Browser  # noqa: E402

METHODS = {"basic": "client_secret_basic", "post": "client_secret_post", "secret_jwt": "client_secret_jwt",
           "private_key_jwt": "private_key_jwt", "es256": "client_secret_basic"}
ID_TOKEN_ALG = {"es256": "ES256"}  # registered so; pyoidc then refuses an ID token signed otherwise


class PyoidcRP:
    def __init__(self, provider, kind: str = "basic"):
        self.provider = provider
        self.kind = kind
        self.method = METHODS.get(kind, "none")
        registered = provider.clients[kind]
        self.client = Client(client_authn_method=CLIENT_AUTHN_METHOD)
        self.info = self.client.provider_config(provider.url)
        self.client.store_registration_info(RegistrationResponse(
            client_id=registered.client_id, client_secret=registered.client_secret or "",
            redirect_uris=[REDIRECT_URI], token_endpoint_auth_method=self.method,
            id_token_signed_response_alg=ID_TOKEN_ALG.get(kind, "RS256")))
        self.client.redirect_uris = [REDIRECT_URI]
        if kind == "private_key_jwt":
            self.client.keyjar.add_kb("", KeyBundle(keys=[provider.rp_key[0]], keyusage=["sig"]))
        self.state = rndstr(24)
        self.nonce = rndstr(24)
        self.verifier = None

    def authorization_url(self, **extra) -> str:
        pkce, self.verifier = self.client.add_code_challenge()
        args = {"client_id": self.client.client_id, "response_type": "code",
                "scope": ["openid", "email", "profile"], "nonce": self.nonce, "redirect_uri": REDIRECT_URI,
                "state": self.state, **pkce, **extra}
        request = self.client.construct_AuthorizationRequest(request_args=args)
        return request.request(self.client.authorization_endpoint)

    def sign_in(self, browser: Browser, **extra) -> AuthorizationResponse:
        callback = browser.sign_in(self.authorization_url(**extra), self.provider.person["email"],
                                   until=REDIRECT_URI)
        response = self.client.parse_response(AuthorizationResponse, info=urlsplit(callback).query,
                                              sformat="urlencoded")
        assert response["state"] == self.state
        return response

    def token(self, authorization: AuthorizationResponse):
        return self.client.do_access_token_request(
            state=authorization["state"], request_args={"code": authorization["code"],
                                                        "code_verifier": self.verifier},
            authn_method=self.method)


@pytest.mark.parametrize("kind", list(METHODS))
def test_pyoidc_code_flow_each_client_authentication(provider, kind):
    rp = PyoidcRP(provider, kind)
    assert rp.info["issuer"] == provider.url
    response = rp.token(rp.sign_in(Browser()))
    assert isinstance(response, AccessTokenResponse), response
    id_token = response["id_token"]  # verified by pyoidc: signature, iss, aud, exp, and the nonce
    assert id_token["iss"] == provider.url and id_token["aud"] == [rp.client.client_id]
    assert id_token["sub"] == provider.person["uid"] and id_token["nonce"] == rp.nonce
    assert id_token["acr"] == "BASIC" and "pwd" in id_token["amr"]
    userinfo = rp.client.do_user_info_request(state=rp.state)
    assert isinstance(userinfo, OpenIDSchema)
    assert userinfo["sub"] == provider.person["uid"] and userinfo["email"] == "ada@example.org"


def test_pyoidc_refresh(provider):
    rp = PyoidcRP(provider)
    first = rp.token(rp.sign_in(Browser()))
    refreshed = rp.client.do_access_token_refresh(state=rp.state, authn_method=rp.method)
    assert isinstance(refreshed, AccessTokenResponse), refreshed
    assert refreshed["access_token"] != first["access_token"]
    assert refreshed["id_token"]["sub"] == provider.person["uid"]
    assert rp.client.do_user_info_request(state=rp.state)["sub"] == provider.person["uid"]


def test_pyoidc_public_client_with_pkce(provider):
    rp = PyoidcRP(provider, "public")
    authorization = rp.sign_in(Browser())
    response = requests.post(rp.client.token_endpoint, data={
        "grant_type": "authorization_code", "code": authorization["code"], "redirect_uri": REDIRECT_URI,
        "client_id": rp.client.client_id, "code_verifier": rp.verifier}, timeout=10)
    parsed = rp.client.parse_response(AccessTokenResponse, info=response.text, sformat="json", state=rp.state)
    assert parsed["id_token"]["sub"] == provider.person["uid"]


def test_pyoidc_rejects_a_tampered_id_token(provider):
    rp = PyoidcRP(provider)
    authorization = rp.sign_in(Browser())
    raw = requests.post(rp.client.token_endpoint, data={
        "grant_type": "authorization_code", "code": authorization["code"], "redirect_uri": REDIRECT_URI,
        "code_verifier": rp.verifier}, auth=(rp.client.client_id, rp.client.client_secret), timeout=10).json()
    header, payload, signature = raw["id_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["email"] = "mallory@example.org"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises((PyoidcError, MessageException, Exception)) as caught:
        forged_response = json.dumps({**raw, "id_token": f"{header}.{forged}.{signature}"})
        rp.client.parse_response(AccessTokenResponse, info=forged_response, sformat="json", state=rp.state)
    assert "signature" in repr(caught.value).lower() or "verif" in repr(caught.value).lower()
    genuine = rp.client.parse_response(AccessTokenResponse, info=json.dumps(raw), sformat="json", state=rp.state)
    assert genuine["id_token"]["email"] == "ada@example.org"


def test_pyoidc_wrong_secret_gets_invalid_client(provider):
    rp = PyoidcRP(provider)
    rp.client.client_secret = "wrong-secret"
    response = rp.token(rp.sign_in(Browser()))
    assert isinstance(response, ErrorResponse) and response["error"] == "invalid_client"


def test_pyoidc_reused_code_gets_invalid_grant(provider):
    rp = PyoidcRP(provider)
    authorization = rp.sign_in(Browser())
    assert isinstance(rp.token(authorization), AccessTokenResponse)
    again = rp.token(authorization)
    assert isinstance(again, ErrorResponse) and again["error"] == "invalid_grant"


@pytest.mark.parametrize("kind", ["basic", "es256"])  # the id_token_hint signed with RS256 or ES256
def test_pyoidc_rp_initiated_logout(provider, kind):
    browser = Browser()
    rp = PyoidcRP(provider, kind)
    response = rp.token(rp.sign_in(browser))
    request = EndSessionRequest(id_token_hint=response["id_token_jwt"], post_logout_redirect_uri=POST_LOGOUT_URI,
                                state="pyoidc-bye")
    url = request.request(rp.info["end_session_endpoint"])
    answer = browser.get(url)
    assert answer.status_code == 302
    assert answer.headers["Location"] == POST_LOGOUT_URI + "?state=pyoidc-bye"
    again = PyoidcRP(provider)
    assert "/login/" in browser.follow(again.authorization_url(), until=REDIRECT_URI)


def test_pyoidc_sees_step_up_for_acr_values(provider):
    browser = Browser()
    rp = PyoidcRP(provider)
    rp.token(rp.sign_in(browser))
    stepped = PyoidcRP(provider)
    url = browser.follow(stepped.authorization_url(acr_values=["MEDIUM"]), until=REDIRECT_URI)
    assert "/login/step-up/" in url
    silent = browser.get(PyoidcRP(provider).authorization_url(acr_values=["MEDIUM"], prompt=["none"]))
    params = parse_qs(urlsplit(silent.headers["Location"]).query)
    assert params["error"] == ["interaction_required"]
