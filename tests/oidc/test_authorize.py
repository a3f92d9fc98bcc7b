"""The authorization endpoint in-process: sign-in, step-up, prompt, max_age, hints, warnings, errors."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from limen.audit.events import Event
from limen.audit.models import AuditEvent
from limen.core import clock
from limen.oidc.models import Authorization

from .conftest import REDIRECT_URI, pkce_pair


@pytest.fixture
def app(oidc_app):
    return oidc_app()


def params(app, **extra):
    _verifier, challenge = pkce_pair()
    data = {"response_type": "code", "client_id": app.client.client_id, "redirect_uri": REDIRECT_URI,
            "scope": "openid email", "state": "st", "nonce": "nn", "code_challenge": challenge,
            "code_challenge_method": "S256"}
    data.update(extra)
    return data


def query(response) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}


def test_not_signed_in_goes_to_sign_in_and_comes_back_with_a_code(client, user, app):
    response = client.get("/oidc/authorize", params(app, login_hint=user.email))
    target = urlsplit(response["Location"])
    assert target.path == "/login/"
    back = parse_qs(target.query)
    assert back["email"] == [user.email]  # login_hint fills in the e-mail address
    client.post("/login/", {"email": user.email})
    done = client.post("/login/password/", {"password": "Correct-Horse-42", "next": back["next"][0]})
    code = client.get(done["Location"])
    assert code["Location"].startswith(REDIRECT_URI) and "code" in query(code)
    authz = Authorization.objects.get()
    assert authz.acr == "BASIC" and authz.amr == ["pwd"] and authz.user == user
    event = AuditEvent.objects.filter(event=Event.OIDC_AUTHORIZED).get()
    assert event.data["sso"] is False  # the person signed in for this application


def test_single_sign_on_is_recorded_as_such(signed_in_client, app):
    response = signed_in_client.get("/oidc/authorize", params(app))
    assert "code" in query(response)
    assert AuditEvent.objects.filter(event=Event.OIDC_AUTHORIZED).get().data["sso"] is True


def test_a_form_post_authentication_request_continues_as_get(signed_in_client, app):
    response = signed_in_client.post("/oidc/authorize", params(app))
    assert response.status_code == 302 and response["Location"].startswith("/oidc/authorize?")
    assert "code" in query(signed_in_client.get(response["Location"]))


def test_after_a_form_of_ours_the_code_is_handed_over_by_a_continuing_page(signed_in_client, app):
    response = signed_in_client.get("/oidc/authorize", params(app), HTTP_SEC_FETCH_SITE="same-origin",
                                    HTTP_SEC_FETCH_MODE="navigate")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<meta http-equiv="refresh" content="0;url=http://127.0.0.1:9/callback?code=' in page
    assert "Continuing to Test application" in page
    assert response["Cache-Control"] == "no-store" and response["Referrer-Policy"] == "no-referrer"
    cross = signed_in_client.get("/oidc/authorize", params(app), HTTP_SEC_FETCH_SITE="cross-site")
    assert cross.status_code == 302


def test_max_age_exceeded_asks_for_the_password_again(signed_in_client, app):
    clock.advance(seconds=120)
    response = signed_in_client.get("/oidc/authorize", params(app, max_age="60"))
    target = parse_qs(urlsplit(response["Location"]).query)
    assert urlsplit(response["Location"]).path == "/login/" and target["switch"] == ["1"]
    assert target["email"] == [signed_in_client.user.email]
    signed_in_client.post("/login/?switch=1", {"email": signed_in_client.user.email})
    done = signed_in_client.post("/login/password/", {"password": "Correct-Horse-42", "next": target["next"][0]})
    assert "code" in query(signed_in_client.get(done["Location"]))  # max_age=60 met, and max_age=0 would be too
    fresh = signed_in_client.get("/oidc/authorize", params(app, max_age="600"))
    assert "code" in query(fresh)


def test_max_age_must_be_a_number(signed_in_client, app):
    assert query(signed_in_client.get("/oidc/authorize", params(app, max_age="soon")))["error"] == "invalid_request"


def test_the_return_marker_cannot_be_forged(signed_in_client, app):
    response = signed_in_client.get("/oidc/authorize", params(app, prompt="login", limen_reauth="forged"))
    assert urlsplit(response["Location"]).path == "/login/"


@pytest.mark.parametrize("extra, error", [
    ({"request": "eyJ..."}, "request_not_supported"),
    ({"request_uri": "https://rp.example/r"}, "request_uri_not_supported"),
    ({"response_mode": "form_post"}, "invalid_request"),
    ({"scope": "email"}, "invalid_scope"),
    ({"code_challenge_method": "plain"}, "invalid_request"),
    ({"claims": "{not json"}, "invalid_request"),
])
def test_requests_limen_does_not_serve(signed_in_client, app, extra, error):
    response = signed_in_client.get("/oidc/authorize", params(app, **extra))
    answer = query(response)
    assert answer["error"] == error and answer["state"] == "st" and "code" not in answer
    assert answer["iss"] == "http://localhost:8000"
    assert not Authorization.objects.exists()


def test_warn_before_sso_asks_first(signed_in_client, app):
    user = signed_in_client.user
    user.warn_before_sso = True
    user.save()
    page = signed_in_client.get("/oidc/authorize", params(app))
    assert page.status_code == 200 and b"An application asks who you are" in page.content
    assert not Authorization.objects.exists()
    silent = signed_in_client.get("/oidc/authorize", params(app, prompt="none"))
    assert query(silent)["error"] == "interaction_required"
    path = page.context["next"]
    confirmed = signed_in_client.post("/oidc/authorize/confirm", {"next": path})
    assert confirmed["Location"] == path
    assert "code" in query(signed_in_client.get(path))
    # The confirmation is for that request only.
    assert signed_in_client.get("/oidc/authorize", params(app)).status_code == 200


def test_confirmation_only_returns_to_the_authorization_endpoint(signed_in_client):
    response = signed_in_client.post("/oidc/authorize/confirm", {"next": "https://evil.example/"})
    assert response.status_code == 400


def test_ui_locales_sets_the_language_of_the_sign_in_pages(client, db, app):
    response = client.get("/oidc/authorize", params(app, ui_locales="fr-BE en"))
    assert response.cookies["limen_language"].value == "fr"


def test_disabled_client_cannot_sign_anyone_in(signed_in_client, app):
    app.client.active = False
    app.client.save()
    response = signed_in_client.get("/oidc/authorize", params(app))
    assert response.status_code == 400 and "Location" not in response


@pytest.mark.parametrize("client_id", ["no-such-client", "bad\x00id", ""])
def test_an_unknown_client_gets_an_error_page_and_no_redirect(signed_in_client, app, client_id):
    response = signed_in_client.get("/oidc/authorize", params(app, client_id=client_id))
    assert response.status_code == 400 and "Location" not in response
    assert not Authorization.objects.exists()


def test_a_client_disabled_between_two_requests_is_refused_at_the_second(signed_in_client, app):
    assert "code" in query(signed_in_client.get("/oidc/authorize", params(app)))
    type(app.client).objects.filter(pk=app.client.pk).update(active=False)
    response = signed_in_client.get("/oidc/authorize", params(app))
    assert response.status_code == 400 and "Location" not in response


def test_step_up_goes_to_the_step_up_page(signed_in_client, app):
    response = signed_in_client.get("/oidc/authorize", params(app, acr_values="MEDIUM"))
    target = urlsplit(response["Location"])
    assert target.path == "/login/step-up/" and parse_qs(target.query)["level"] == ["MEDIUM"]


def test_acr_values_high_asks_for_the_best_limen_offers(signed_in_client, app):
    response = signed_in_client.get("/oidc/authorize", params(app, acr_values="HIGH"))
    assert parse_qs(urlsplit(response["Location"]).query)["level"] == ["MEDIUM"]  # not a step-up it cannot end


def test_unknown_acr_values_are_ignored_but_not_an_unknown_essential_acr(signed_in_client, app):
    assert "code" in query(signed_in_client.get("/oidc/authorize", params(app, acr_values="urn:x:loa gold")))
    essential = '{"id_token": {"acr": {"essential": true, "values": ["HIGH"]}}}'
    answer = query(signed_in_client.get("/oidc/authorize", params(app, claims=essential)))
    assert answer["error"] == "unmet_authentication_requirements"  # no method reaches HIGH


@pytest.mark.parametrize("claims", ['{"userinfo": [1]}', '{"id_token": "acr"}', '{"id_token": {"acr": ["HIGH"]}}'])
def test_claims_members_that_are_not_objects_are_ignored(signed_in_client, app, claims):
    response = signed_in_client.get("/oidc/authorize", params(app, claims=claims))
    assert "code" in query(response)  # not a server error


def test_a_code_for_a_signed_in_person_reads_the_client_once(signed_in_client, app):
    """Issuing the code validates the request a second time (oauthlib): with the client it already has."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from limen.oidc.models import Client

    table = Client._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        response = signed_in_client.get("/oidc/authorize", params(app))
    assert "code" in query(response)
    reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"]]
    assert len(reads) == 1, reads


def test_the_request_is_validated_once_and_the_code_carries_what_was_asked(signed_in_client, app, monkeypatch):
    from django.conf import settings

    from limen.oidc.validator import Validator
    from oauth2_provider.models import get_grant_model

    checked: list[str] = []
    original = Validator.validate_redirect_uri

    def counted(self, client_id, redirect_uri, request, *args, **kwargs):
        checked.append(redirect_uri)
        return original(self, client_id, redirect_uri, request, *args, **kwargs)

    monkeypatch.setattr(Validator, "validate_redirect_uri", counted)
    asked = params(app, claims='{"id_token": {"email": {"essential": true}}}')
    got = query(signed_in_client.get("/oidc/authorize", asked))
    assert checked == [REDIRECT_URI]
    assert (got["state"], got["iss"]) == ("st", settings.BASE_URL)  # RFC 9207
    grant = get_grant_model().objects.get(code=got["code"])
    assert (grant.nonce, grant.code_challenge, grant.code_challenge_method, grant.redirect_uri) == (
        "nn", asked["code_challenge"], "S256", REDIRECT_URI)
    assert grant.claims and "email" in grant.claims
    assert len(got["code"]) >= 32 and Authorization.objects.get().client == app.client


def test_a_code_that_cannot_be_stored_as_asked_is_an_error_for_the_application(signed_in_client, app, monkeypatch):
    from oauthlib.oauth2.rfc6749 import errors

    from limen.oidc.validator import Validator

    def refuse(self, client_id, code, request, *args, **kwargs):
        raise errors.InvalidRequestError(description="Not like this.", request=request)

    monkeypatch.setattr(Validator, "save_authorization_code", refuse)
    response = signed_in_client.get("/oidc/authorize", params(app))
    assert response["Location"].startswith(REDIRECT_URI)
    got = query(response)
    assert (got["error"], got["state"]) == ("invalid_request", "st") and "code" not in got
    assert not Authorization.objects.exists()


@pytest.mark.parametrize("repeated", ["client_id", "response_type", "redirect_uri", "scope", "state"])
def test_a_repeated_parameter_is_refused(signed_in_client, app, repeated):
    """oauthlib's check, on the request whose query is parsed once (limen.oidc.server.QueryOnce)."""
    from urllib.parse import urlencode

    asked = params(app)
    response = signed_in_client.get("/oidc/authorize?" + urlencode([*asked.items(), (repeated, asked[repeated])]))
    assert "code" not in response.get("Location", "")
    if response.status_code == 302:  # the redirect URI was valid: the application is told
        assert query(response)["error"] == "invalid_request"
    else:
        assert response.status_code == 400
    assert not Authorization.objects.exists()


def test_the_query_once_request_reads_like_oauthlibs():
    from oauthlib.common import Request

    from limen.oidc.server import QueryOnce

    uri = "https://limen.example/oidc/authorize?a=1&b=&a=2&c=%20x"
    once, plain = QueryOnce(uri), Request(uri)
    assert once.uri_query_params == plain.uri_query_params == [("a", "1"), ("b", ""), ("a", "2"), ("c", " x")]
    assert once.duplicate_params == plain.duplicate_params == ["a"]
    assert once.uri_query_params is once.uri_query_params  # parsed once
