"""eID against a real upstream: a second Limen instance plays the national eID provider, over HTTP.

Two servers: the upstream at http://localhost:<port> (its own cookies) and
Limen at http://127.0.0.1:<port>, configured with `limen eid_provider add`.
An application registered at Limen checks what the sign-ins are worth:
acr and amr in its ID token.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from html import unescape
from types import SimpleNamespace
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.oidc.live import Browser, LimenServer, next_url

APP_REDIRECT = "http://127.0.0.1:9/app-callback"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    upstream = LimenServer(tmp_path_factory.mktemp("upstream"), host="localhost").start()
    limen = LimenServer(tmp_path_factory.mktemp("limen")).start()
    upstream.make_user("erika@national.example", first_name="Erika", last_name="Mustermann")
    upstream.make_user("max@national.example", first_name="Max", last_name="Muster")
    registered = upstream.register_client(name="Limen (downstream)",
                                          redirect_uris=[limen.base_url + "/login/eid/callback/"])
    out = limen.manage("eid_provider", "add", "--name", "Test national eID", "--slug", "national",
                       "--issuer", upstream.base_url, "--client-id", registered["client_id"],
                       "--client-secret", registered["client_secret"])
    assert limen.base_url + "/login/eid/callback/" in out
    limen.make_user("erika@example.org", first_name="Erika", last_name="Mustermann")
    app = limen.register_client(name="Checking app", redirect_uris=[APP_REDIRECT])
    hosts = SimpleNamespace(upstream=urlsplit(upstream.base_url).netloc, limen=urlsplit(limen.base_url).netloc)
    yield SimpleNamespace(upstream=upstream, limen=limen, app=app, hosts=hosts)
    limen.stop()
    upstream.stop()


def app_authorization(world, **extra) -> tuple[str, str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    nonce = secrets.token_urlsafe(12)
    url = world.limen.base_url + "/oidc/authorize?" + urlencode({
        "response_type": "code", "client_id": world.app["client_id"], "redirect_uri": APP_REDIRECT,
        "scope": "openid email", "state": "st", "nonce": nonce, "code_challenge": challenge,
        "code_challenge_method": "S256", **extra})
    return url, verifier, nonce


def app_claims(world, callback: str, verifier: str, nonce: str) -> dict:
    code = parse_qs(urlsplit(callback).query)["code"][0]
    token = requests.post(world.limen.base_url + "/oidc/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": APP_REDIRECT, "code_verifier": verifier},
        auth=(world.app["client_id"], world.app["client_secret"]), timeout=10).json()
    keys = KeySet.import_key_set(requests.get(world.limen.base_url + "/oidc/jwks", timeout=10).json())
    claims = jwt.decode(token["id_token"], keys, algorithms=["RS256"]).claims
    jwt.JWTClaimsRegistry(iss={"essential": True, "value": world.limen.base_url},
                          aud={"essential": True, "value": world.app["client_id"]},
                          nonce={"essential": True, "value": nonce}).validate(claims)
    return claims


def eid_button(page_html: str) -> str:
    match = re.search(r'href="([^"]*/login/eid/[^"]*)"', page_html)
    assert match, "no Sign in with eID button"
    return unescape(match.group(1))


def link_eid(world, browser: Browser, limen_email: str, eid_email: str) -> requests.Response:
    """Signed in at Limen with the password, link the eID in My Account > Manage my eIDs."""
    manage = world.limen.base_url + "/account/eid/"
    assert browser.walk(manage, logins={world.hosts.limen: limen_email}, until=APP_REDIRECT) == manage
    response = browser.post_form(manage, {}, action="/account/eid/link/national/")
    # After a form of ours, Limen continues to the other site with a "Continuing" page (CSP form-action).
    assert response.status_code == 200 and "Continuing to Test national eID" in response.text
    back = browser.walk(next_url(response), logins={world.hosts.upstream: eid_email},
                        until=world.limen.base_url + "/account/")
    return browser.get(back)


def test_link_then_sign_in_with_eid_alone_counts_as_two_factors(world):
    browser = Browser()
    page = link_eid(world, browser, "erika@example.org", "erika@national.example")
    assert page.status_code == 200 and "Test national eID" in page.text and "Unlink" in page.text
    mails = [m for m in world.limen.outbox() if m["to"] == "erika@example.org"]
    assert any("eID was linked" in m["subject"] for m in mails)

    # Another day, another browser: an application asks for MEDIUM; the person uses only the eID.
    fresh = Browser()
    url, verifier, nonce = app_authorization(world, acr_values="MEDIUM")
    signin_page = fresh.follow(url)
    assert urlsplit(signin_page).path == "/login/"
    button = eid_button(fresh.get(signin_page).text)
    callback = fresh.walk(world.limen.base_url + button, logins={world.hosts.upstream: "erika@national.example"},
                          until=APP_REDIRECT)
    claims = app_claims(world, callback, verifier, nonce)
    assert claims["email"] == "erika@example.org"
    assert claims["acr"] == "MEDIUM" and claims["amr"] == ["eid", "mfa"]


def test_step_up_with_eid_after_the_password(world):
    browser = Browser()
    url, verifier, nonce = app_authorization(world)
    callback = browser.sign_in(url, "erika@example.org", until=APP_REDIRECT)
    assert app_claims(world, callback, verifier, nonce)["acr"] == "BASIC"
    if "national" not in world.limen.python("""
        from limen.factors.eid.models import EidLink
        result = [l.provider.slug for l in EidLink.objects.filter(user__email="erika@example.org")]
    """):
        link_eid(world, Browser(), "erika@example.org", "erika@national.example")
    url, verifier, nonce = app_authorization(world, acr_values="MEDIUM")
    step_up = browser.follow(url, until=APP_REDIRECT)
    assert urlsplit(step_up).path == "/login/step-up/"
    response = browser.post_form(step_up, {"method": "eid", "next": parse_qs(urlsplit(step_up).query)["next"][0]})
    assert next_url(response) == world.limen.base_url + "/login/eid/verify/"
    callback = browser.walk(world.limen.base_url + "/login/eid/verify/",
                            logins={world.hosts.upstream: "erika@national.example"}, until=APP_REDIRECT)
    claims = app_claims(world, callback, verifier, nonce)
    assert claims["acr"] == "MEDIUM" and set(claims["amr"]) == {"pwd", "eid", "mfa"}


def test_eid_only_account_then_merge_into_a_normal_account(world):
    limen = world.limen
    browser = Browser()
    landing = browser.walk(limen.base_url + "/login/eid/", logins={world.hosts.upstream: "max@national.example"},
                           until=limen.base_url + "/login/eid/new/")
    assert landing == limen.base_url + "/login/eid/new/"
    page = browser.get(landing)
    assert "not linked to an account yet" in page.text and 'value="Max"' in page.text
    response = browser.post_form(landing, {"first_name": "Max", "last_name": "Muster",
                                           "email": "max@example.org", "email_language": "en", "privacy": "on"})
    assert response.status_code == 200 and "Check your e-mail" in response.text
    (mail,) = [m for m in limen.outbox() if m["to"] == "max@example.org"]
    link = re.search(r"https?://\S+", mail["body"]).group(0)
    ready = browser.post_form(link, {})
    assert "Your account is ready" in ready.text

    # Sign in to the new account with the eID alone.
    home = browser.walk(limen.base_url + "/login/eid/?next=/account/",
                        logins={world.hosts.upstream: "max@national.example"}, until=limen.base_url + "/account/")
    assert "max@example.org" in browser.get(home).text
    assert limen.python("""
        from limen.accounts.models import User
        result = User.objects.get(email="max@example.org").has_usable_password()
    """) is False

    # Later Max finds his normal account, signs in to it, and links the same eID: the accounts merge.
    limen.make_user("max.normal@example.org", first_name="Max", last_name="Muster")
    other = Browser()
    merge_page = link_eid(world, other, "max.normal@example.org", "max@national.example")
    assert "Merge your eID-only account" in merge_page.text and "max@example.org" in merge_page.text
    done = other.post_form(merge_page.url, {"decision": "merge"})
    assert done.status_code == 302
    assert "is merged into this account" in other.get(limen.base_url + "/account/eid/").text
    state = limen.python("""
        from limen.accounts.models import User
        from limen.factors.eid.models import EidLink
        result = {"old": User.objects.filter(email="max@example.org").exists(),
                  "links": [l.user.email for l in EidLink.objects.filter(subject__isnull=False)
                            if l.user.email.startswith("max")]}
    """)
    assert state == {"old": False, "links": ["max.normal@example.org"]}
    # The eID now signs in to the normal account.
    third = Browser()
    home = third.walk(limen.base_url + "/login/eid/?next=/account/",
                      logins={world.hosts.upstream: "max@national.example"}, until=limen.base_url + "/account/")
    assert "max.normal@example.org" in third.get(home).text
