"""Conformance-style tests of Limen's OpenID Connect provider with Authlib as the relying party.

A real Limen server (gunicorn) runs in a subprocess; Authlib discovers it,
runs the authorization code flow with PKCE for every client authentication
method, validates the ID token (signature from the JWKS, iss, aud, nonce,
exp, at_hash), calls userinfo, refreshes, introspects, revokes and logs out.
The bad inputs each get the error the specifications give, and nothing is
issued.
"""

from __future__ import annotations

import base64
import json
import time
import warnings
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

warnings.filterwarnings("ignore", module="authlib")
warnings.filterwarnings("ignore", message=".*authlib.jose.*")

from authlib.common.security import generate_token  # noqa: E402
from authlib.integrations.requests_client import OAuth2Session  # noqa: E402
from authlib.jose import JsonWebKey, jwt as authlib_jwt  # noqa: E402
from authlib.jose.errors import JoseError as AuthlibJoseError  # noqa: E402
from joserfc.errors import JoseError as JoserfcJoseError  # noqa: E402
from authlib.oauth2.rfc7523 import ClientSecretJWT, PrivateKeyJWT  # noqa: E402
from authlib.oidc.core import CodeIDToken  # noqa: E402

from .conftest import POST_LOGOUT_URI, REDIRECT_URI  # noqa: E402
from .live import Browser  # noqa: E402


METHODS = {"basic": "client_secret_basic", "post": "client_secret_post", "secret_jwt": "client_secret_jwt",
           "private_key_jwt": "private_key_jwt", "public": "none",
           "es256": "client_secret_basic"}  # an application whose ID tokens are signed with ES256


def metadata(provider) -> dict:
    return requests.get(provider.url + "/.well-known/openid-configuration", timeout=10).json()


class RP:
    """One relying party (client) speaking to Limen through Authlib."""

    def __init__(self, provider, kind: str = "basic", *, scope: str = "openid email profile"):
        self.provider = provider
        self.meta = metadata(provider)
        self.client = provider.clients[kind]
        method = METHODS[kind]
        secret = self.client.client_secret
        if kind == "private_key_jwt":
            secret = provider.rp_key[0]
        self.session = OAuth2Session(self.client.client_id, secret, scope=scope, redirect_uri=REDIRECT_URI,
                                     code_challenge_method="S256", token_endpoint_auth_method=method)
        if kind == "secret_jwt":
            self.session.register_client_auth_method(ClientSecretJWT(self.meta["token_endpoint"]))
        if kind == "private_key_jwt":
            self.session.register_client_auth_method(PrivateKeyJWT(self.meta["token_endpoint"]))
        self.nonce = generate_token(20)
        self.verifier = generate_token(48)

    def authorization_url(self, **extra) -> str:
        url, _state = self.session.create_authorization_url(self.meta["authorization_endpoint"], nonce=self.nonce,
                                                            code_verifier=self.verifier, **extra)
        return url

    def sign_in(self, browser: Browser, **extra) -> str:
        return browser.sign_in(self.authorization_url(**extra), self.provider.person["email"], until=REDIRECT_URI)

    def exchange(self, callback: str) -> dict:
        return self.session.fetch_token(self.meta["token_endpoint"], authorization_response=callback,
                                        code_verifier=self.verifier)

    def keys(self):
        return JsonWebKey.import_key_set(requests.get(self.meta["jwks_uri"], timeout=10).json())

    def id_claims(self, token: dict, *, nonce: str | None = None, client_id: str | None = None,
                  issuer: str | None = None, now: int | None = None) -> dict:
        claims = authlib_jwt.decode(
            token["id_token"], self.keys(), claims_cls=CodeIDToken,
            claims_options={"iss": {"essential": True, "value": issuer or self.meta["issuer"]}},
            claims_params={"nonce": nonce or self.nonce, "client_id": client_id or self.client.client_id,
                           "access_token": token.get("access_token")})
        claims.validate(now=now)
        return dict(claims)

    def userinfo(self, access_token: str) -> requests.Response:
        return requests.get(self.meta["userinfo_endpoint"], headers={"Authorization": f"Bearer {access_token}"},
                            timeout=10)


def code_of(callback: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(callback).query).items()}


def header(jwt: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(jwt.split(".")[0] + "=="))


def basic_auth(client) -> dict:
    raw = f"{client.client_id}:{client.client_secret}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


# ------------------------------------------------------------------ discovery and keys


def test_discovery_document_describes_the_provider(provider):
    meta = metadata(provider)
    assert meta["issuer"] == provider.url
    for name in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri",
                 "end_session_endpoint", "revocation_endpoint", "introspection_endpoint"):
        assert meta[name].startswith(provider.url + "/"), name
    assert meta["response_types_supported"] == ["code"]
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert set(meta["token_endpoint_auth_methods_supported"]) >= set(METHODS.values())
    assert meta["acr_values_supported"] == ["BASIC", "MEDIUM", "HIGH"]
    assert meta["backchannel_logout_supported"] and meta["backchannel_logout_session_supported"]
    assert {"acr", "amr", "sid", "email", "name"} <= set(meta["claims_supported"])
    assert meta["id_token_signing_alg_values_supported"] == ["RS256", "ES256"]
    keys = requests.get(meta["jwks_uri"], timeout=10).json()["keys"]
    # Each family's active key and the next one, published ahead of use: RSA, and P-256 (an application uses ES256).
    assert [(key["kty"], key["alg"]) for key in keys] == [("RSA", "RS256")] * 2 + [("EC", "ES256")] * 2
    assert all(key["kid"] and "d" not in key and key["use"] == "sig" for key in keys)
    assert all(key["crv"] == "P-256" for key in keys if key["kty"] == "EC")


# ------------------------------------------------------------------ the code flow, every client authentication


@pytest.mark.parametrize("kind", list(METHODS))
def test_code_flow_with_pkce_for_each_client_authentication(provider, kind):
    rp = RP(provider, kind)
    callback = rp.sign_in(Browser())
    params = code_of(callback)
    assert params["iss"] == provider.url  # RFC 9207
    token = rp.exchange(callback)
    assert token["token_type"] == "Bearer" and token["refresh_token"]
    assert header(token["id_token"])["alg"] == ("ES256" if kind == "es256" else "RS256")
    claims = rp.id_claims(token)  # the signature checked with the published key its kid names
    assert claims["sub"] == provider.person["uid"]
    assert claims["aud"] == rp.client.client_id
    assert claims["acr"] == "BASIC" and claims["amr"] == ["pwd"]
    assert claims["sid"] and abs(claims["auth_time"] - time.time()) < 120
    assert claims["email"] == "ada@example.org" and claims["email_verified"] is True
    info = rp.userinfo(token["access_token"])
    assert info.status_code == 200
    assert info.json() == {"sub": provider.person["uid"], "name": "Ada Lovelace", "given_name": "Ada",
                           "family_name": "Lovelace", "locale": "en", "email": "ada@example.org",
                           "email_verified": True}


def test_scopes_decide_the_claims(provider):
    rp = RP(provider, scope="openid")
    token = rp.exchange(rp.sign_in(Browser()))
    claims = rp.id_claims(token)
    assert "email" not in claims and "name" not in claims
    assert rp.userinfo(token["access_token"]).json() == {"sub": provider.person["uid"]}


def test_single_sign_on_second_application_needs_no_password(provider):
    browser = Browser()
    first = RP(provider, "basic")
    first.exchange(first.sign_in(browser))
    second = RP(provider, "post")
    callback = browser.follow(second.authorization_url(), until=REDIRECT_URI)
    assert callback.startswith(REDIRECT_URI) and "code=" in callback
    assert second.id_claims(second.exchange(callback))["sub"] == provider.person["uid"]


@pytest.mark.parametrize("kind", ["basic", "es256"])
def test_refresh_rotates_tokens_and_a_replayed_refresh_token_revokes_the_family(provider, kind):
    rp = RP(provider, kind)
    token = rp.exchange(rp.sign_in(Browser()))
    refreshed = rp.session.refresh_token(rp.meta["token_endpoint"], refresh_token=token["refresh_token"])
    assert refreshed["access_token"] != token["access_token"]
    assert refreshed["refresh_token"] != token["refresh_token"]
    assert header(refreshed["id_token"])["alg"] == header(token["id_token"])["alg"]  # the application's algorithm
    claims = authlib_jwt.decode(refreshed["id_token"], rp.keys())
    assert claims["sub"] == provider.person["uid"] and claims["acr"] == "BASIC"
    assert rp.userinfo(refreshed["access_token"]).status_code == 200
    assert rp.userinfo(token["access_token"]).status_code == 401  # rotated away
    replay = requests.post(rp.meta["token_endpoint"], data={"grant_type": "refresh_token",
                                                            "refresh_token": token["refresh_token"]},
                           headers=basic_auth(rp.client), timeout=10)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    assert rp.userinfo(refreshed["access_token"]).status_code == 401  # the whole family is revoked


def test_introspection_and_revocation(provider):
    rp = RP(provider)
    token = rp.exchange(rp.sign_in(Browser()))
    introspect = rp.meta["introspection_endpoint"]
    active = requests.post(introspect, data={"token": token["access_token"]}, headers=basic_auth(rp.client),
                           timeout=10).json()
    assert active["active"] is True and active["sub"] == provider.person["uid"]
    assert active["client_id"] == rp.client.client_id and active["acr"] == "BASIC"
    other = provider.clients["post"]
    foreign = requests.post(introspect, data={"token": token["access_token"], "client_id": other.client_id,
                                              "client_secret": other.client_secret}, timeout=10).json()
    assert foreign == {"active": False}  # another client cannot look at this client's tokens
    unauthenticated = requests.post(introspect, data={"token": token["access_token"]}, timeout=10)
    assert unauthenticated.status_code == 401
    revoked = requests.post(rp.meta["revocation_endpoint"], data={"token": token["access_token"],
                                                                   "token_type_hint": "access_token"},
                            headers=basic_auth(rp.client), timeout=10)
    assert revoked.status_code == 200
    assert rp.userinfo(token["access_token"]).status_code == 401
    after = requests.post(introspect, data={"token": token["access_token"]}, headers=basic_auth(rp.client),
                          timeout=10).json()
    assert after == {"active": False}
    refresh = requests.post(rp.meta["token_endpoint"], data={"grant_type": "refresh_token",
                                                             "refresh_token": token["refresh_token"]},
                            headers=basic_auth(rp.client), timeout=10)
    assert refresh.json()["error"] == "invalid_grant"  # revoking the access token revoked its refresh token


# ------------------------------------------------------------------ ID token validation by the relying party


def test_id_token_validation_catches_tampering_and_wrong_expectations(provider):
    rp = RP(provider)
    token = rp.exchange(rp.sign_in(Browser()))
    rp.id_claims(token)  # the genuine token passes every check
    header, payload, signature = token["id_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "someone-else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    for attempt, expected in [
        (lambda: rp.id_claims({**token, "id_token": f"{header}.{forged}.{signature}"}), ("signature",)),
        (lambda: rp.id_claims(token, nonce="another-nonce"), ("nonce",)),
        (lambda: rp.id_claims(token, client_id="another-client"), ("aud", "azp")),
        (lambda: rp.id_claims(token, issuer="https://evil.example"), ("iss",)),
        (lambda: rp.id_claims(token, now=claims["exp"] + 1), ("expired",)),
    ]:
        with pytest.raises((AuthlibJoseError, JoserfcJoseError)) as caught:
            attempt()
        assert any(word in str(caught.value).lower() for word in expected), (expected, caught.value)


# ------------------------------------------------------------------ prompt, max_age, acr


def test_prompt_none_without_a_session_returns_login_required(provider):
    rp = RP(provider)
    response = Browser().get(rp.authorization_url(prompt="none", state="s-1"))
    assert response.status_code == 302
    params = code_of(response.headers["Location"])
    assert response.headers["Location"].startswith(REDIRECT_URI)
    assert params["error"] == "login_required" and params["state"] == "s-1" and "code" not in params


def test_prompt_login_asks_for_the_password_again(provider):
    browser = Browser()
    rp = RP(provider)
    first = rp.id_claims(rp.exchange(rp.sign_in(browser)))
    again = RP(provider)
    url = browser.follow(again.authorization_url(prompt="login"), until=REDIRECT_URI)
    assert "/login/" in url and "switch=1" in url  # not straight back: the person signs in again
    time.sleep(1.1)
    callback = browser.sign_in(url, provider.person["email"], until=REDIRECT_URI)
    claims = again.id_claims(again.exchange(callback))
    assert claims["auth_time"] > first["auth_time"]


def test_acr_values_above_the_session_level_send_the_person_to_step_up(provider):
    browser = Browser()
    rp = RP(provider)
    rp.exchange(rp.sign_in(browser))
    stepped = RP(provider)
    url = browser.follow(stepped.authorization_url(acr_values="MEDIUM"), until=REDIRECT_URI)
    assert "/login/step-up/" in url  # same step-up as CAS; no code without a second factor
    silent = browser.get(RP(provider).authorization_url(acr_values="MEDIUM", prompt="none"))
    assert code_of(silent.headers["Location"])["error"] == "interaction_required"


def test_essential_acr_that_limen_does_not_offer_is_an_error(provider):
    rp = RP(provider)
    claims = json.dumps({"id_token": {"acr": {"essential": True, "values": ["urn:example:loa:9"]}}})
    response = Browser().get(rp.authorization_url(claims=claims, state="s-2"))
    params = code_of(response.headers["Location"])
    assert params["error"] == "unmet_authentication_requirements" and params["state"] == "s-2"


# ------------------------------------------------------------------ logout


def test_rp_initiated_logout_and_back_channel_logout(provider):
    provider.receiver.tokens.clear()
    browser = Browser()
    rp = RP(provider, "basic")  # registered with a back-channel logout URI
    token = rp.exchange(rp.sign_in(browser))
    claims = rp.id_claims(token)
    other = RP(provider, "post")  # another application the person uses, without back-channel logout
    other_token = other.exchange(browser.follow(other.authorization_url(), until=REDIRECT_URI))
    logout = rp.meta["end_session_endpoint"] + "?" + urlencode({
        "id_token_hint": token["id_token"], "post_logout_redirect_uri": POST_LOGOUT_URI, "state": "bye"})
    response = browser.get(logout)
    assert response.status_code == 302 and response.headers["Location"] == POST_LOGOUT_URI + "?state=bye"
    # The SSO session is over: the next authorization asks for the password again.
    assert "/login/" in browser.follow(RP(provider).authorization_url(), until=REDIRECT_URI)
    # Tokens issued in the session are revoked, for every application.
    assert rp.userinfo(token["access_token"]).status_code == 401
    assert other.userinfo(other_token["access_token"]).status_code == 401
    # The application with a back-channel logout URI received a valid logout token.
    (logout_token,) = provider.receiver.wait(1)
    data = authlib_jwt.decode(logout_token, rp.keys())
    data.validate()
    header = json.loads(base64.urlsafe_b64decode(logout_token.split(".")[0] + "=="))
    assert header["typ"] == "logout+jwt"
    assert data["iss"] == provider.url and data["aud"] == rp.client.client_id
    assert data["sub"] == claims["sub"] and data["sid"] == claims["sid"]
    assert "http://schemas.openid.net/event/backchannel-logout" in data["events"] and "nonce" not in data


def test_logout_without_a_valid_hint_asks_the_person(provider):
    browser = Browser()
    rp = RP(provider)
    rp.exchange(rp.sign_in(browser))
    page = browser.get(rp.meta["end_session_endpoint"] + "?" + urlencode({"client_id": rp.client.client_id}))
    assert page.status_code == 200 and "Do you want to sign out?" in page.text
    # Still signed in until the person confirms.
    assert browser.follow(RP(provider).authorization_url(), until=REDIRECT_URI).startswith(REDIRECT_URI)


# ------------------------------------------------------------------ bad input


def test_wrong_redirect_uri_is_never_redirected_to(provider):
    rp = RP(provider)
    url = rp.authorization_url().replace("127.0.0.1%3A9%2Fcallback", "evil.example%2Fcallback")
    for browser in (Browser(), _signed_in(provider)):
        response = browser.get(url)
        assert response.status_code == 400 and "Location" not in response.headers
        assert "not registered" in response.text


def test_unknown_client_is_refused_without_redirect(provider):
    url = metadata(provider)["authorization_endpoint"] + "?" + urlencode({
        "response_type": "code", "client_id": "no-such-client", "redirect_uri": REDIRECT_URI, "scope": "openid"})
    response = Browser().get(url)
    assert response.status_code == 400 and "Location" not in response.headers


def test_reused_code_is_refused_and_revokes_the_tokens_issued_from_it(provider):
    rp = RP(provider)
    callback = rp.sign_in(Browser())
    token = rp.exchange(callback)
    assert rp.userinfo(token["access_token"]).status_code == 200
    again = requests.post(rp.meta["token_endpoint"], data={
        "grant_type": "authorization_code", "code": code_of(callback)["code"], "redirect_uri": REDIRECT_URI,
        "code_verifier": rp.verifier}, headers=basic_auth(rp.client), timeout=10)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert "access_token" not in again.json()
    assert rp.userinfo(token["access_token"]).status_code == 401
    refresh = requests.post(rp.meta["token_endpoint"], data={"grant_type": "refresh_token",
                                                             "refresh_token": token["refresh_token"]},
                            headers=basic_auth(rp.client), timeout=10)
    assert refresh.json()["error"] == "invalid_grant"


def _token_request(rp, callback, **overrides):
    data = {"grant_type": "authorization_code", "code": code_of(callback)["code"], "redirect_uri": REDIRECT_URI,
            "code_verifier": rp.verifier}
    data.update(overrides)
    headers = basic_auth(rp.client)
    if "headers" in overrides:
        headers = data.pop("headers")
    return requests.post(rp.meta["token_endpoint"], data={k: v for k, v in data.items() if v is not None},
                         headers=headers, timeout=10)


def test_wrong_pkce_verifier_gets_invalid_grant(provider):
    rp = RP(provider)
    callback = rp.sign_in(Browser())
    wrong = _token_request(rp, callback, code_verifier=generate_token(48))
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    missing = _token_request(rp, callback, code_verifier=None)
    assert missing.status_code == 400 and missing.json()["error"] in {"invalid_grant", "invalid_request"}


def test_public_client_must_use_pkce(provider):
    rp = RP(provider, "public")
    url = rp.authorization_url()
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items() if not k.startswith("code_challenge")}
    response = _signed_in(provider).get(rp.meta["authorization_endpoint"] + "?" + urlencode(query))
    params = code_of(response.headers["Location"])
    assert params["error"] == "invalid_request" and "code" not in params


def test_token_request_with_the_wrong_redirect_uri_gets_invalid_grant(provider):
    rp = RP(provider)
    callback = rp.sign_in(Browser())
    response = _token_request(rp, callback, redirect_uri="http://127.0.0.1:9/other")
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_bad_client_credentials_get_invalid_client(provider):
    rp = RP(provider)
    callback = rp.sign_in(Browser())
    bad = {"Authorization": "Basic " + base64.b64encode(f"{rp.client.client_id}:wrong".encode()).decode()}
    response = _token_request(rp, callback, headers=bad)
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"
    unknown = {"Authorization": "Basic " + base64.b64encode(b"nobody:secret").decode()}
    assert _token_request(rp, callback, headers=unknown).json()["error"] == "invalid_client"
    # client_secret_basic clients must use HTTP Basic; the same secret in the body is refused.
    in_body = _token_request(rp, callback, headers={}, client_id=rp.client.client_id,
                             client_secret=rp.client.client_secret)
    assert in_body.status_code == 401
    # The code was not spent by these attempts: the real client still gets its tokens.
    assert rp.exchange(callback)["access_token"]


def _assertion(rp, key, alg: str, **claims) -> str:
    now = int(time.time())
    payload = {"iss": rp.client.client_id, "sub": rp.client.client_id, "aud": rp.meta["token_endpoint"],
               "iat": now, "exp": now + 60, "jti": generate_token(16)}
    payload.update(claims)
    header = {"alg": alg}
    if isinstance(key, dict) and key.get("kid"):
        header["kid"] = key["kid"]
    signed = authlib_jwt.encode(header, {k: v for k, v in payload.items() if v is not None}, key)
    return signed.decode()


@pytest.mark.parametrize("problem", ["wrong-key", "wrong-aud", "expired", "replayed", "no-jti", "alg-none"])
def test_bad_client_assertions_get_invalid_client(provider, problem):
    from joserfc.jwk import RSAKey

    rp = RP(provider, "private_key_jwt")
    callback = rp.sign_in(Browser())
    key = provider.rp_key[0]
    kwargs = {}
    if problem == "wrong-key":
        key = RSAKey.generate_key(2048, parameters={"kid": "rp-key-1"}).as_dict(private=True)
    if problem == "wrong-aud":
        kwargs["aud"] = "https://evil.example/token"
    if problem == "expired":
        kwargs["exp"] = int(time.time()) - 120
    if problem == "no-jti":
        kwargs["jti"] = None
    assertion = _assertion(rp, key, "RS256", **kwargs)
    if problem == "alg-none":
        header, payload, _sig = assertion.split(".")
        assertion = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode() + f".{payload}."
    if problem == "replayed":
        ok = _token_request(rp, callback, headers={}, client_assertion=assertion,
                            client_assertion_type="urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        assert ok.status_code == 200
        callback = rp.sign_in(Browser())
    response = _token_request(rp, callback, headers={}, client_assertion=assertion,
                              client_assertion_type="urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"
    assert "access_token" not in response.json()


def test_client_secret_jwt_signed_with_a_wrong_secret_is_refused(provider):
    from authlib.jose import OctKey

    rp = RP(provider, "secret_jwt")
    callback = rp.sign_in(Browser())
    assertion = _assertion(rp, OctKey.import_key("not-the-secret-" * 4), "HS256")
    response = _token_request(rp, callback, headers={}, client_assertion=assertion,
                              client_assertion_type="urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"


@pytest.mark.parametrize("response_type", ["token", "id_token", "code id_token", "code token", "none"])
def test_unsupported_response_types(provider, response_type):
    rp = RP(provider)
    url = rp.authorization_url().replace("response_type=code", "response_type=" + response_type.replace(" ", "+"))
    response = _signed_in(provider).get(url)
    location = response.headers["Location"]
    params = code_of(location)
    assert params["state"] == code_of(url)["state"]
    assert location.startswith(REDIRECT_URI) and "#" not in location
    assert params["error"] == "unsupported_response_type" and "code" not in params


def test_unknown_scope_is_refused(provider):
    rp = RP(provider, scope="openid payroll")
    response = _signed_in(provider).get(rp.authorization_url())
    params = code_of(response.headers["Location"])
    assert params["error"] == "invalid_scope" and "code" not in params


def test_expired_and_tampered_tokens_are_refused(provider):
    rp = RP(provider)
    token = rp.exchange(rp.sign_in(Browser()))
    tampered = token["access_token"][:-2] + ("AA" if not token["access_token"].endswith("AA") else "BB")
    response = rp.userinfo(tampered)
    assert response.status_code == 401 and 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert rp.userinfo("").status_code == 401
    provider.server.python(f"""
        import datetime as dt, hashlib
        from django.utils import timezone
        from oauth2_provider.models import AccessToken
        AccessToken.objects.filter(token_checksum=hashlib.sha256({token['access_token']!r}.encode()).hexdigest()
                                   ).update(expires=timezone.now() - dt.timedelta(seconds=1))
    """)
    expired = rp.userinfo(token["access_token"])
    assert expired.status_code == 401 and "invalid_token" in expired.headers["WWW-Authenticate"]
    bad_refresh = requests.post(rp.meta["token_endpoint"], data={"grant_type": "refresh_token",
                                                                 "refresh_token": token["refresh_token"] + "x"},
                                headers=basic_auth(rp.client), timeout=10)
    assert bad_refresh.json()["error"] == "invalid_grant"
    header, payload, signature = token["id_token"].split(".")
    forged_hint = f"{header}.{payload}.{signature[:-4]}AAAA"
    page = Browser().get(rp.meta["end_session_endpoint"] + "?" + urlencode({
        "id_token_hint": forged_hint, "post_logout_redirect_uri": POST_LOGOUT_URI}))
    assert page.status_code == 400 and "Location" not in page.headers


def test_post_logout_redirect_uri_must_be_registered(provider):
    rp = RP(provider)
    token = rp.exchange(rp.sign_in(Browser()))
    page = Browser().get(rp.meta["end_session_endpoint"] + "?" + urlencode({
        "id_token_hint": token["id_token"], "post_logout_redirect_uri": "https://evil.example/"}))
    assert page.status_code == 400 and "Location" not in page.headers


def _signed_in(provider) -> Browser:
    browser = Browser()
    rp = RP(provider)
    rp.sign_in(browser)
    return browser
