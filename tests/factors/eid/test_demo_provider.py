"""The demo eID provider of `limen demo` (demo/eid_provider/) and its registration in Limen.

The browser test (tests/e2e/test_first_contact.py) links and signs in through it; here, its refusals, and
that Limen's own eID checks accept what it signs.
"""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest

from demo.eid_provider.citizens import CITIZENS, find
from demo.eid_provider.provider import Provider, ProviderError, UnknownClient
from limen.factors.eid.internal import id_tokens

ISSUER = "http://localhost:8003"
CALLBACK = "http://localhost:8000/login/eid/callback/"
VERIFIER = "v" * 50
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()


@pytest.fixture
def provider(tmp_path):
    return Provider(issuer=ISSUER, client_id="limen", client_secret="s3cret", redirect_uri=CALLBACK,
                    data_dir=tmp_path)


def request(**extra) -> dict:
    return {"client_id": "limen", "redirect_uri": CALLBACK, "response_type": "code", "scope": "openid profile",
            "state": "st", "nonce": "n0nce", "code_challenge": CHALLENGE, "code_challenge_method": "S256", **extra}


def sign_in(provider, citizen=CITIZENS[0]) -> str:
    back = provider.approve(provider.begin(request()), citizen)
    answer = parse_qs(urlsplit(back).query)
    assert back.startswith(CALLBACK) and answer["state"] == ["st"] and answer["iss"] == [ISSUER]
    return answer["code"][0]


def exchange(provider, code: str, **form) -> dict:
    return provider.token({"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
                           "code_verifier": VERIFIER, "client_id": "limen", "client_secret": "s3cret", **form}, "")


def test_the_id_token_passes_limens_own_checks(provider):
    token = exchange(provider, sign_in(provider))
    claims = id_tokens.verify(token["id_token"], jwks=provider.jwks(), issuer=ISSUER, client_id="limen",
                              nonce="n0nce")
    erika = find("XX/DEMO/0001")
    assert claims["sub"] == erika.identifier == claims["person_identifier"]
    assert (claims["given_name"], claims["family_name"], claims["birthdate"]) == ("Erika", "Mustermann", "1964-08-12")
    assert provider.userinfo("Bearer " + token["access_token"])["sub"] == erika.identifier


@pytest.mark.parametrize("extra", [{"client_id": "someone"}, {"redirect_uri": "https://evil.example/cb"}])
def test_no_redirect_to_an_unregistered_client(provider, extra):
    with pytest.raises(UnknownClient):
        provider.begin(request(**extra))


@pytest.mark.parametrize(("extra", "code"), [
    ({"response_type": "token"}, "unsupported_response_type"), ({"scope": "profile"}, "invalid_scope"),
    ({"code_challenge_method": "plain"}, "invalid_request"), ({"nonce": ""}, "invalid_request"),
])
def test_bad_authorization_requests(provider, extra, code):
    with pytest.raises(ProviderError) as error:
        provider.begin(request(**extra))
    assert error.value.code == code


def test_a_code_works_once_with_the_right_verifier_and_client(provider):
    code = sign_in(provider)
    with pytest.raises(ProviderError) as error:
        exchange(provider, code, client_secret="wrong")
    assert error.value.code == "invalid_client"
    with pytest.raises(ProviderError) as error:
        exchange(provider, code, code_verifier="w" * 50)
    assert error.value.code == "invalid_grant"
    with pytest.raises(ProviderError):  # the failed attempt used it up
        exchange(provider, code)
    basic = "Basic " + base64.b64encode(b"limen:s3cret").decode()
    assert provider.token({"grant_type": "authorization_code", "code": sign_in(provider), "redirect_uri": CALLBACK,
                           "code_verifier": VERIFIER}, basic)["id_token"]


def test_cancel_answers_access_denied(provider):
    back = provider.cancel(provider.begin(request()))
    assert parse_qs(urlsplit(back).query)["error"] == ["access_denied"]


def test_the_signing_key_survives_a_restart(tmp_path, provider):
    again = Provider(issuer=ISSUER, client_id="limen", client_secret="x", redirect_uri=CALLBACK, data_dir=tmp_path)
    assert again.jwks() == provider.jwks()


# --- registered in Limen -----------------------------------------------------------------------

@pytest.mark.django_db
def test_limen_demo_registers_the_provider_with_a_fresh_secret_each_start():
    from limen.factors.eid import demo
    from limen.factors.eid.models import UpstreamProvider

    client_id, first = demo.prepare(ISSUER + "/")
    provider = UpstreamProvider.objects.get(slug="demo")
    assert (provider.name, provider.issuer, provider.client_id, provider.enabled) == (
        "Demo national eID", ISSUER, client_id, True)
    assert provider.secret() == first
    UpstreamProvider.objects.filter(slug="demo").update(enabled=False)
    _, second = demo.prepare("http://localhost:8013")  # another port, another start
    provider.refresh_from_db()
    assert second != first and provider.secret() == second
    assert provider.issuer == "http://localhost:8013" and provider.enabled
    assert UpstreamProvider.objects.count() == 1


@pytest.mark.django_db
def test_the_demo_does_not_take_over_a_real_provider():
    from limen.factors.eid import demo
    from limen.factors.eid.models import UpstreamProvider

    UpstreamProvider.objects.create(name="Belgian eID", slug="be", issuer=ISSUER, client_id="x")
    with pytest.raises(demo.DemoProviderConflict):
        demo.prepare(ISSUER)
