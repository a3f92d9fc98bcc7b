"""The token endpoint's lean path (limen.oidc.token) answers as the toolkit did.

Each request runs twice from the same database and cache: through django-oauth-toolkit alone, then
through the lean path; status, headers, body (errors exactly; tokens by their shape and the ID
token's claims), the rows written and the audit events must be the same. Successes must take the
lean path; everything else is the toolkit's answer."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from jwcrypto import jwk
from oauth2_provider.models import Grant

from limen.core.net import client_ip
from limen.oidc import clients
from limen.oidc.internal import jose
from limen.oidc.models import Client

from .conftest import pkce_pair
from .token_support import assert_same, assertion, basic, both, code_for, exchange_data, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def apps(db, rp_key):
    common = {"redirect_uris": ["http://127.0.0.1:9/callback"]}
    made = {
        "basic": clients.register(name="Basic", **common),
        "post": clients.register(name="Post", auth_method="client_secret_post", **common),
        "public": clients.register(name="Public", public=True, **common),
        "secret_jwt": clients.register(name="Secret JWT", auth_method="client_secret_jwt", **common),
        "key_jwt": clients.register(name="Key JWT", auth_method="private_key_jwt", jwks=rp_key[1], **common),
        "relaxed": clients.register(name="No PKCE", pkce_required=False, **common),
    }
    return made


def credentials(apps, rp_key, name: str) -> tuple[dict, dict]:
    """(extra form fields, headers) with which the client ``name`` authenticates."""
    app = apps[name]
    client_id = app.client.client_id
    if name in ("basic", "relaxed"):
        return {}, basic(client_id, app.secret)
    if name == "post":
        return {"client_id": client_id, "client_secret": app.secret}, {}
    if name == "public":
        return {"client_id": client_id}, {}
    if name == "secret_jwt":
        return assertion(client_id, jose.secret_key(app.secret), "HS256"), {}
    return assertion(client_id, jose.Key(jwk.JWK(**rp_key[0])), "RS256"), {}


@pytest.mark.parametrize("name", ["basic", "post", "public", "secret_jwt", "key_jwt"])
def test_a_code_exchange_takes_the_lean_path_with_every_authentication_method(
        signed_in_client, apps, rp_key, name, monkeypatch):
    code, verifier = code_for(signed_in_client, apps[name].client.client_id)
    extra, headers = credentials(apps, rp_key, name)
    toolkit, lean = both(signed_in_client, exchange_data(code, verifier, **extra), headers, monkeypatch=monkeypatch)
    assert toolkit.status == 200 and lean.lean
    assert_same(toolkit, lean)
    claims = lean.id_token[1]
    assert {"acr", "amr", "sid", "auth_time", "nonce", "email", "name", "azp"} <= set(claims)


def test_a_code_issued_without_pkce_to_a_relaxed_client(signed_in_client, apps, rp_key, monkeypatch):
    code, _ = code_for(signed_in_client, apps["relaxed"].client.client_id, pkce=False)
    toolkit, lean = both(signed_in_client, exchange_data(code, None), credentials(apps, rp_key, "relaxed")[1],
                         monkeypatch=monkeypatch)
    assert toolkit.status == 200 and lean.lean
    assert_same(toolkit, lean)


def test_claims_asked_one_by_one_and_no_nonce(signed_in_client, apps, rp_key, monkeypatch):
    code, verifier = code_for(signed_in_client, apps["basic"].client.client_id, scope="openid",
                              claims=json.dumps({"id_token": {"email": None, "locale": None}}), nonce="")
    toolkit, lean = both(signed_in_client, exchange_data(code, verifier), credentials(apps, rp_key, "basic")[1],
                         monkeypatch=monkeypatch)
    assert lean.lean and "nonce" not in lean.id_token[1] and "email" in lean.id_token[1]
    assert "name" not in lean.id_token[1]
    assert_same(toolkit, lean)


@pytest.mark.parametrize("name", ["basic", "public", "key_jwt"])
def test_a_refresh_takes_the_lean_path(signed_in_client, apps, rp_key, name, monkeypatch):
    code, verifier = code_for(signed_in_client, apps[name].client.client_id)
    extra, headers = credentials(apps, rp_key, name)
    first = run(signed_in_client, exchange_data(code, verifier, **extra), headers, lean=True, monkeypatch=monkeypatch)
    extra, headers = credentials(apps, rp_key, name)  # a new assertion (its jti is single-use)
    data = {"grant_type": "refresh_token", "refresh_token": first.body["refresh_token"], **extra}
    toolkit, lean = both(signed_in_client, data, headers, monkeypatch=monkeypatch)
    assert toolkit.status == 200 and lean.lean
    assert_same(toolkit, lean)
    assert (lean.id_token[1]["acr"], lean.id_token[1]["sid"]) == (first.id_token[1]["acr"], first.id_token[1]["sid"])


# ------------------------------------------------------------------ errors: the toolkit's answers

def _wrong(apps, rp_key, code, verifier):
    """name -> (form data, headers, expected status, expected error) of requests that must fail."""
    basic_app = apps["basic"]
    ok = credentials(apps, rp_key, "basic")[1]
    return {
        "wrong secret": (exchange_data(code, verifier), basic(basic_app.client.client_id, "nope"),
                         401, "invalid_client"),
        "another client's code": (exchange_data(code, verifier), credentials(apps, rp_key, "relaxed")[1],
                                  400, "invalid_grant"),
        "wrong verifier": (exchange_data(code, pkce_pair()[0]), ok, 400, "invalid_grant"),
        "no verifier": (exchange_data(code, None), ok, 400, "invalid_request"),
        "wrong redirect_uri": ({**exchange_data(code, verifier), "redirect_uri": "http://127.0.0.1:9/other"}, ok,
                               400, "invalid_grant"),
        "secret in the body of a basic client": (
            exchange_data(code, verifier, client_id=basic_app.client.client_id, client_secret=basic_app.secret),
            {}, 401, "invalid_client"),
        "unknown code": (exchange_data("not-a-code", verifier), ok, 400, "invalid_grant"),
    }


@pytest.mark.parametrize("case", ["wrong secret", "another client's code", "wrong verifier", "no verifier",
                                  "wrong redirect_uri", "secret in the body of a basic client", "unknown code"])
def test_errors_are_the_toolkits_own(signed_in_client, apps, rp_key, case, monkeypatch):
    code, verifier = code_for(signed_in_client, apps["basic"].client.client_id)
    data, headers, status, error = _wrong(apps, rp_key, code, verifier)[case]
    toolkit, lean = both(signed_in_client, data, headers, monkeypatch=monkeypatch)
    assert (toolkit.status, toolkit.body.get("error")) == (status, error)
    assert not lean.lean
    assert_same(toolkit, lean)


def test_a_reused_code_is_refused_and_revokes_what_it_gave(signed_in_client, apps, rp_key, monkeypatch):
    code, verifier = code_for(signed_in_client, apps["basic"].client.client_id)
    headers = credentials(apps, rp_key, "basic")[1]
    first = run(signed_in_client, exchange_data(code, verifier), headers, lean=True, monkeypatch=monkeypatch)
    assert first.status == 200 and first.lean and first.rows["access"]
    toolkit, lean = both(signed_in_client, exchange_data(code, verifier), headers, monkeypatch=monkeypatch)
    assert (lean.status, lean.body) == (400, {"error": "invalid_grant"}) and not lean.lean
    assert lean.rows["access"] == [] and lean.events == ["oidc.code_reused"]
    assert_same(toolkit, lean)


def test_an_expired_code_is_refused(signed_in_client, apps, rp_key, monkeypatch):
    code, verifier = code_for(signed_in_client, apps["basic"].client.client_id)
    Grant.objects.filter(code=code).update(expires=Grant.objects.get(code=code).expires - dt.timedelta(hours=1))
    toolkit, lean = both(signed_in_client, exchange_data(code, verifier), credentials(apps, rp_key, "basic")[1],
                         monkeypatch=monkeypatch)
    assert (lean.status, lean.body["error"], lean.lean) == (400, "invalid_grant", False)
    assert_same(toolkit, lean)


def test_a_disabled_account_or_client_gets_no_tokens(signed_in_client, apps, rp_key, monkeypatch):
    code, verifier = code_for(signed_in_client, apps["basic"].client.client_id)
    headers = credentials(apps, rp_key, "basic")[1]
    Client.objects.filter(pk=apps["basic"].client.pk).update(active=False)
    toolkit, lean = both(signed_in_client, exchange_data(code, verifier), headers, monkeypatch=monkeypatch)
    assert (lean.status, lean.body["error"], lean.lean) == (401, "invalid_client", False)
    assert_same(toolkit, lean)
    Client.objects.filter(pk=apps["basic"].client.pk).update(active=True)
    signed_in_client.user.__class__.objects.filter(pk=signed_in_client.user.pk).update(is_active=False)
    toolkit, lean = both(signed_in_client, exchange_data(code, verifier), headers, monkeypatch=monkeypatch)
    assert (lean.status, lean.body["error"], lean.lean) == (400, "invalid_grant", False)
    assert_same(toolkit, lean)


def test_an_ip_over_the_failure_limit_is_refused_even_with_the_right_secret(
        signed_in_client, apps, rp_key, settings, monkeypatch):
    from limen.oidc.validator import failure_limit
    from limen.core import ratelimit

    settings.OIDC_CLIENT_AUTH_FAILURES_PER_IP = 2
    code, verifier = code_for(signed_in_client, apps["basic"].client.client_id)
    headers = credentials(apps, rp_key, "basic")[1]
    ip = client_ip(signed_in_client.get("/login/").wsgi_request)

    def over_limit():
        for _ in range(2):
            ratelimit.hit(failure_limit(), ip)

    toolkit, lean = both(signed_in_client, exchange_data(code, verifier), headers, monkeypatch=monkeypatch,
                         prepare=over_limit)
    assert (lean.status, lean.body["error"], lean.lean) == (401, "invalid_client", False)
    assert_same(toolkit, lean)


def test_a_replayed_assertion_is_refused(signed_in_client, apps, rp_key, monkeypatch):
    code, verifier = code_for(signed_in_client, apps["key_jwt"].client.client_id)
    extra = assertion(apps["key_jwt"].client.client_id, jose.Key(jwk.JWK(**rp_key[0])), "RS256", jti="once")
    first = run(signed_in_client, exchange_data(code, verifier, **extra), {}, lean=True, monkeypatch=monkeypatch)
    assert first.status == 200 and first.lean
    code, verifier = code_for(signed_in_client, apps["key_jwt"].client.client_id)
    again = run(signed_in_client, exchange_data(code, verifier, **extra), {}, lean=True, monkeypatch=monkeypatch)
    assert (again.status, again.body["error"], again.lean) == (401, "invalid_client", False)
    assert Grant.objects.filter(code=code).exists()  # the code was not spent


def test_a_refresh_token_used_twice_revokes_its_family(signed_in_client, apps, rp_key, monkeypatch):
    code, verifier = code_for(signed_in_client, apps["basic"].client.client_id)
    headers = credentials(apps, rp_key, "basic")[1]
    first = run(signed_in_client, exchange_data(code, verifier), headers, lean=True, monkeypatch=monkeypatch)
    data = {"grant_type": "refresh_token", "refresh_token": first.body["refresh_token"]}
    assert run(signed_in_client, data, headers, lean=True, monkeypatch=monkeypatch).lean
    toolkit, lean = both(signed_in_client, data, headers, monkeypatch=monkeypatch)
    assert (lean.status, lean.body["error"], lean.lean) == (400, "invalid_grant", False)
    assert lean.rows["families"] == [(2, 0)]  # both tokens of the family revoked
    assert_same(toolkit, lean)


@pytest.mark.parametrize("extra", [{"scope": "openid"}, {"resource": "https://api.example.org/"}])
def test_unusual_parameters_are_left_to_the_toolkit(signed_in_client, apps, rp_key, extra, monkeypatch):
    code, verifier = code_for(signed_in_client, apps["basic"].client.client_id)
    toolkit, lean = both(signed_in_client, exchange_data(code, verifier, **extra),
                         credentials(apps, rp_key, "basic")[1], monkeypatch=monkeypatch)
    assert not lean.lean
    assert (lean.status, lean.body.keys()) == (toolkit.status, toolkit.body.keys())
