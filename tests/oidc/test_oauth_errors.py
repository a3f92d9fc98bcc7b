"""Authentication errors of the OAuth endpoints: a failed client authentication is 401 with a Basic
challenge (RFC 6749 §5.2), userinfo without any token is 401 with a bare Bearer challenge (RFC 6750 §3.1)."""

from __future__ import annotations

import base64
import json

import pytest

from .conftest import REDIRECT_URI, authorize, basic, pkce_pair, redeem


# ----------------------------------------------------------------- (c) client authentication failures


@pytest.mark.parametrize("endpoint, data", [
    ("/oidc/token", {"grant_type": "authorization_code", "code": "x", "redirect_uri": REDIRECT_URI}),
    ("/oidc/revoke", {"token": "x"}),
    ("/oidc/introspect", {"token": "x"}),
])
def test_a_failed_http_basic_authentication_gets_a_basic_challenge(client, oidc_app, endpoint, data):
    app = oidc_app()
    response = client.post(endpoint, data, **basic(app.client.client_id, "wrong"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="Limen"'
    assert json.loads(response.content)["error"] == "invalid_client"


def test_a_failed_authentication_in_the_body_gets_401_naming_the_scheme_limen_accepts(client, oidc_app):
    app = oidc_app(auth_method="client_secret_post")
    response = client.post("/oidc/token", {"grant_type": "refresh_token", "refresh_token": "x",
                                           "client_id": app.client.client_id, "client_secret": "wrong"})
    assert response.status_code == 401 and json.loads(response.content)["error"] == "invalid_client"
    assert response["WWW-Authenticate"].startswith("Basic realm=") and "Bearer" not in response["WWW-Authenticate"]


def test_the_realm_is_the_site_name(client, oidc_app, settings):
    settings.SITE_NAME = 'Login "EU"'
    app = oidc_app()
    response = client.post("/oidc/revoke", {"token": "x"}, **basic(app.client.client_id, "wrong"))
    assert response["WWW-Authenticate"] == 'Basic realm="Login \\"EU\\""'


def test_a_good_client_authentication_gets_no_challenge(signed_in_client, oidc_app):
    app = oidc_app()
    verifier, challenge = pkce_pair()
    code = authorize(signed_in_client, app, challenge=challenge)["code"]
    response = redeem(signed_in_client, app, code, code_verifier=verifier)
    assert response.status_code == 200 and "WWW-Authenticate" not in response


# ----------------------------------------------------------------- (d) userinfo without a token


@pytest.mark.parametrize("method, headers", [
    ("get", {}),
    ("post", {}),
    ("get", {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"someone:something").decode()}),
])
def test_userinfo_without_a_token_is_a_bare_bearer_challenge(client, db, method, headers):
    response = getattr(client, method)("/oidc/userinfo", **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="Limen"'
    assert "error" not in response["WWW-Authenticate"] and b"error" not in response.content


def test_userinfo_with_a_wrong_token_still_says_invalid_token(client, db):
    response = client.get("/oidc/userinfo", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 401 and 'error="invalid_token"' in response["WWW-Authenticate"]
    assert response["WWW-Authenticate"].startswith("Bearer ")


def test_userinfo_with_a_good_token_answers(signed_in_client, oidc_app):
    app = oidc_app()
    verifier, challenge = pkce_pair()
    code = authorize(signed_in_client, app, challenge=challenge)["code"]
    token = json.loads(redeem(signed_in_client, app, code, code_verifier=verifier).content)["access_token"]
    response = signed_in_client.get("/oidc/userinfo", HTTP_AUTHORIZATION="Bearer " + token)
    assert response.status_code == 200 and json.loads(response.content)["email"] == signed_in_client.user.email


# ----------------------------------------------------------------- NUL characters (PostgreSQL refuses them)


@pytest.mark.parametrize("where", ["code", "redirect_uri", "basic client_id", "body client_id", "code_verifier"])
def test_a_nul_character_in_a_token_request_is_invalid_request_and_spends_nothing(signed_in_client, oidc_app,
                                                                                   where):
    from limen.oidc.models import Authorization

    in_body = where == "body client_id"
    app = oidc_app(auth_method="client_secret_post" if in_body else "client_secret_basic")
    verifier, challenge = pkce_pair()
    code = authorize(signed_in_client, app, challenge=challenge)["code"]

    def request(nul: bool):
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
                "code_verifier": verifier}
        client_id = app.client.client_id + ("\x00" if nul and "client_id" in where else "")
        if nul and where in data:
            data[where] += "\x00"
        if in_body:
            return signed_in_client.post("/oidc/token", {**data, "client_id": client_id, "client_secret": app.secret})
        return signed_in_client.post("/oidc/token", data, **basic(client_id, app.secret))

    refused = request(nul=True)
    assert refused.status_code == 400 and refused["Cache-Control"] == "no-store"
    assert json.loads(refused.content)["error"] == "invalid_request"
    assert Authorization.objects.get().consumed is None  # the code is still good
    assert request(nul=False).status_code == 200
