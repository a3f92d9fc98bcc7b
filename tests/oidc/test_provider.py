"""Provider internals in-process: keys and rotation, tokens and sessions, back-channel delivery, operators."""

from __future__ import annotations

import base64
import json

import pytest
from django.core.management import call_command
from oauth2_provider.models import AccessToken

from limen.audit.events import Event
from limen.audit.models import AuditEvent
from limen.core import clock
from limen.oidc import backchannel, claims, keys
from limen.oidc.internal import jose
from limen.oidc.models import BackchannelLogout, Client, DeliveryStatus, KeyState, SigningKey, TokenIssue
from limen.signin import sessions

from .conftest import REDIRECT_URI, LogoutReceiver, pkce_pair


def basic_auth(app) -> str:
    """The HTTP_AUTHORIZATION of ``app``'s client credentials."""
    return "Basic " + base64.b64encode(f"{app.client.client_id}:{app.secret}".encode()).decode()


def refresh(client, app, token: dict):
    """A refresh grant with ``token``'s refresh token; the token endpoint's response."""
    return client.post("/oidc/token", {"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
                       HTTP_AUTHORIZATION=basic_auth(app))


def sign_in_to(client, app, **extra) -> dict:
    """Authorization code flow through the test client; returns the token response."""
    verifier, challenge = pkce_pair()
    response = client.get("/oidc/authorize", {
        "response_type": "code", "client_id": app.client.client_id, "redirect_uri": REDIRECT_URI,
        "scope": "openid email profile", "state": "s", "nonce": "n", "code_challenge": challenge,
        "code_challenge_method": "S256", **extra})
    code = dict(pair.split("=", 1) for pair in response["Location"].split("?", 1)[1].split("&"))["code"]
    token = client.post("/oidc/token", {"grant_type": "authorization_code", "code": code,
                                        "redirect_uri": REDIRECT_URI, "code_verifier": verifier},
                        HTTP_AUTHORIZATION=basic_auth(app))
    assert token.status_code == 200, token.content
    return json.loads(token.content)


def userinfo(client, token: dict):
    return client.get("/oidc/userinfo", HTTP_AUTHORIZATION="Bearer " + token["access_token"])


# ----------------------------------------------------------------- keys


def test_first_use_creates_an_active_and_a_next_key(db):
    key = keys.active()
    assert SigningKey.objects.get(state=KeyState.ACTIVE).kid == key.kid
    assert SigningKey.objects.filter(state=KeyState.NEXT).count() == 1
    published = keys.published()
    assert [k["kid"] for k in published][0] == key.kid and len(published) == 2
    assert all("d" not in k and "p" not in k for k in published)  # public parts only


def test_private_keys_are_encrypted_at_rest(db):
    keys.ensure()
    row = SigningKey.objects.get(state=KeyState.ACTIVE)
    assert "PRIVATE KEY" not in row.private_key


def test_rotation_uses_the_key_published_in_advance_and_keeps_the_old_one_for_a_while(db, settings, capsys):
    old = keys.active()
    announced = SigningKey.objects.get(state=KeyState.NEXT).kid
    call_command("oidc_rotate_key")
    assert f"signing with {announced}" in capsys.readouterr().out
    assert keys.active().kid == announced
    published = {k["kid"] for k in keys.published()}
    assert old.kid in published and announced in published and len(published) == 3
    token = jose.sign({"sub": "x"}, old)  # a token signed before the rotation still verifies
    assert jose.verify(token, keys.verification_keys(), algs=["RS256"])["sub"] == "x"
    assert AuditEvent.objects.filter(event=Event.OIDC_KEY_ROTATED).exists()
    clock.advance(seconds=settings.OIDC_KEY_RETENTION_SECONDS + 1)
    assert old.kid not in {k["kid"] for k in keys.published()}
    assert keys.purge() == 1 and not SigningKey.objects.filter(kid=old.kid).exists()


def test_jwks_endpoint(client, db):
    data = json.loads(client.get("/oidc/jwks").content)
    assert {k["kid"] for k in data["keys"]} == {row.kid for row in SigningKey.objects.all()}
    assert all(k["use"] == "sig" and k["alg"] == "RS256" for k in data["keys"])


# ----------------------------------------------------------------- claims


@pytest.mark.parametrize("strengths, acr, amr", [
    (["PASSWORD"], "BASIC", ["pwd"]),
    (["PASSWORD_MOBILE_APP"], "MEDIUM", ["pwd", "swk", "pin", "mfa"]),
    (["PASSWORD_SMS"], "MEDIUM", ["pwd", "sms", "mfa"]),
    (["PASSWORD_WEBAUTHN"], "MEDIUM", ["pwd", "hwk", "mfa"]),
    (["EIDAS"], "MEDIUM", ["eid", "mfa"]),
    (["EIDAS", "PASSWORD"], "MEDIUM", ["eid", "mfa", "pwd"]),
])
def test_acr_and_amr_from_strengths(strengths, acr, amr):
    assert claims.acr_for(strengths) == acr
    assert claims.amr_for(strengths) == amr


def test_requested_level():
    assert claims.requested_level("MEDIUM BASIC", None) == (10, False, False)  # the lowest acceptable
    assert claims.requested_level("urn:unknown", None) == (None, False, False)
    essential = {"id_token": {"acr": {"essential": True, "values": ["medium", "HIGH"]}}}
    assert claims.requested_level("BASIC", essential) == (20, True, False)
    assert claims.requested_level(None, {"userinfo": {"acr": {"essential": True, "value": "x"}}}) == \
        (None, True, True)


# ----------------------------------------------------------------- tokens and sessions


def test_claims_parameter_asks_for_single_claims(signed_in_client, oidc_app):
    app = oidc_app()
    token = sign_in_to(signed_in_client, app, scope="openid",
                       claims=json.dumps({"id_token": {"email": None}, "userinfo": {"given_name": None}}))
    _header, body = jose.peek(token["id_token"])
    assert body["email"] == signed_in_client.user.email and "name" not in body
    assert json.loads(userinfo(signed_in_client, token).content) == {
        "sub": str(signed_in_client.user.uid), "given_name": "Ada"}


def test_userinfo_after_a_refresh_still_answers_what_the_sign_in_asked_for(signed_in_client, oidc_app):
    """The refreshed access token has no TokenIssue row of its own: its family's sign-in record is found."""
    app = oidc_app()
    token = sign_in_to(signed_in_client, app, scope="openid", claims=json.dumps({"userinfo": {"given_name": None}}))
    refreshed = json.loads(refresh(signed_in_client, app, token).content)
    answer = userinfo(signed_in_client, refreshed)
    assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
    assert json.loads(answer.content) == {"sub": str(signed_in_client.user.uid), "given_name": "Ada"}
    assert userinfo(signed_in_client, token).status_code == 401  # the token it replaced


def test_a_refreshed_token_finds_its_own_family_s_sign_in_record_in_one_statement(signed_in_client, oidc_app):
    """Two sign-ins asking for different claims, each refreshed twice: each latest token answers what its own
    sign-in asked for, and its record is one statement after the miss on its own TokenIssue (3 before)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from limen.oidc import codes, services

    app = oidc_app()

    def refreshed(token: dict) -> dict:
        response = refresh(signed_in_client, app, token)
        assert response.status_code == 200, response.content
        return json.loads(response.content)

    given = sign_in_to(signed_in_client, app, scope="openid", claims=json.dumps({"userinfo": {"given_name": None}}))
    surname = sign_in_to(signed_in_client, app, scope="openid", claims=json.dumps({"userinfo": {"family_name": None}}))
    for _ in range(2):
        given, surname = refreshed(given), refreshed(surname)
    person = signed_in_client.user
    assert json.loads(userinfo(signed_in_client, given).content) == {"sub": str(person.uid), "given_name": "Ada"}
    assert json.loads(userinfo(signed_in_client, surname).content) == {"sub": str(person.uid),
                                                                        "family_name": person.last_name}
    access = AccessToken.objects.get(token_checksum=codes.digest(given["access_token"]))
    with CaptureQueriesContext(connection) as captured:
        found = services.authorization_of(access)
    assert len(captured) == 2
    issues = list(TokenIssue.objects.order_by("id"))  # one per code exchange: the two sign-ins
    assert len(issues) == 2 and found == issues[0].authorization != issues[1].authorization


def test_a_tokens_sign_in_record_is_found_by_an_index(db):
    """userinfo and introspection look it up at every call: it must not take a scan of every token issued."""
    from django.db import connection

    table = TokenIssue._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    column = TokenIssue._meta.get_field("access_token_checksum").column
    assert any(c["index"] and c["columns"] == [column] for c in constraints.values())


def test_userinfo_reads_the_token_with_its_client_and_account(signed_in_client, oidc_app):
    from limen.oidc.validator import Validator

    app = oidc_app()
    token = sign_in_to(signed_in_client, app)
    found = Validator()._load_access_token(token["access_token"])
    assert isinstance(found, AccessToken) and found.is_valid(["openid"])
    assert found.application == app.client and found.user == signed_in_client.user
    assert "application" in found._state.fields_cache and "user" in found._state.fields_cache  # no more reads
    assert Validator()._load_access_token(token["access_token"] + "x") is None
    assert Validator()._load_access_token(token["refresh_token"]) is None


def test_signing_out_revokes_the_session_tokens_and_names_the_applications(signed_in_client, oidc_app):
    receiver = LogoutReceiver()
    try:
        with_logout = oidc_app(name="Payroll", backchannel_logout_uri=receiver.url)
        without = oidc_app(name="Library")
        first = sign_in_to(signed_in_client, with_logout)
        second = sign_in_to(signed_in_client, without)
        response = signed_in_client.post("/logout/")
        assert response["Location"] == "/logout/done/"
        page = signed_in_client.get("/logout/done/").content.decode()
        assert "Payroll" in page and "Library" not in page  # only applications that are told
        assert userinfo(signed_in_client, first).status_code == 401
        assert userinfo(signed_in_client, second).status_code == 401
        row = BackchannelLogout.objects.get()
        assert row.client == with_logout.client and row.status == DeliveryStatus.PENDING
        assert backchannel.deliver(row.pk)
        (token,) = receiver.wait(1)
        data = jose.verify(token, keys.verification_keys(), algs=["RS256"])
        assert data["sub"] == str(signed_in_client.user.uid) and data["aud"] == with_logout.client.client_id
        _header, id_claims = jose.peek(first["id_token"])
        assert data["sid"] == id_claims["sid"]
    finally:
        receiver.close()


def test_back_channel_logout_is_retried_until_the_application_answers(db, signed_in_client, oidc_app):
    receiver = LogoutReceiver()
    try:
        receiver.status = 503
        app = oidc_app(backchannel_logout_uri=receiver.url)
        sign_in_to(signed_in_client, app)
        signed_in_client.post("/logout/")
        row = BackchannelLogout.objects.get()
        assert not backchannel.deliver(row.pk)
        row.refresh_from_db()
        assert row.attempts == 1 and "HTTP 503" in row.last_error and row.status == DeliveryStatus.PENDING
        assert backchannel.deliver_due() == 0  # not due yet (back-off)
        receiver.status = 200
        clock.advance(seconds=6)
        assert backchannel.deliver_due() == 1
        row.refresh_from_db()
        assert row.status == DeliveryStatus.SENT and row.attempts == 2 and len(receiver.tokens) == 1
    finally:
        receiver.close()


def test_back_channel_logout_gives_up_after_many_attempts(db, signed_in_client, oidc_app):
    app = oidc_app(backchannel_logout_uri="http://127.0.0.1:9/unreachable")
    sign_in_to(signed_in_client, app)
    signed_in_client.post("/logout/")
    row = BackchannelLogout.objects.get()
    for _ in range(backchannel.MAX_ATTEMPTS):
        clock.advance(hours=2)
        backchannel.deliver(row.pk)
    row.refresh_from_db()
    assert row.status == DeliveryStatus.FAILED and row.attempts == backchannel.MAX_ATTEMPTS


def test_password_change_ends_other_sessions_and_their_tokens(client, user, oidc_app):
    from django.test import Client as Browser

    app = oidc_app()
    other = Browser()
    other.post("/login/", {"email": user.email})
    other.post("/login/password/", {"password": "Correct-Horse-42"})
    token = sign_in_to(other, app)
    sessions.end_all(user)
    assert userinfo(client, token).status_code == 401


def test_disabled_account_tokens_stop_working(signed_in_client, oidc_app):
    token = sign_in_to(signed_in_client, oidc_app())
    user = signed_in_client.user
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    assert userinfo(signed_in_client, token).status_code == 401


def test_disabled_application_tokens_stop_working(signed_in_client, oidc_app):
    app = oidc_app()
    token = sign_in_to(signed_in_client, app)
    Client.objects.filter(pk=app.client.pk).update(active=False)
    assert userinfo(signed_in_client, token).status_code == 401
    refused = refresh(signed_in_client, app, token)
    assert refused.status_code == 401 and json.loads(refused.content)["error"] == "invalid_client"


def test_refresh_keeps_acr_and_amr_of_the_original_sign_in(signed_in_client, oidc_app):
    app = oidc_app()
    token = sign_in_to(signed_in_client, app)
    refreshed = json.loads(refresh(signed_in_client, app, token).content)
    _h, first = jose.peek(token["id_token"])
    _h, second = jose.peek(refreshed["id_token"])
    assert (second["acr"], second["amr"], second["sid"], second["auth_time"]) == \
        (first["acr"], first["amr"], first["sid"], first["auth_time"])


def test_unsupported_grant_types(signed_in_client, oidc_app):
    app = oidc_app()
    for grant in ("client_credentials", "password", "urn:ietf:params:oauth:grant-type:device_code", "magic"):
        response = signed_in_client.post("/oidc/token", {"grant_type": grant, "username": "a", "password": "b"},
                                         HTTP_AUTHORIZATION=basic_auth(app))
        assert response.status_code in (400, 401)
        assert json.loads(response.content)["error"] in {"unsupported_grant_type", "unauthorized_client",
                                                         "invalid_request"}
        assert "access_token" not in json.loads(response.content)


def test_client_authentication_failures_are_limited_per_ip(db, oidc_app, client, settings):
    settings.OIDC_CLIENT_AUTH_FAILURES_PER_IP = 3
    app = oidc_app()
    wrong = base64.b64encode(f"{app.client.client_id}:nope".encode()).decode()
    right = base64.b64encode(f"{app.client.client_id}:{app.secret}".encode()).decode()
    for _ in range(3):
        client.post("/oidc/token", {"grant_type": "refresh_token", "refresh_token": "x"},
                    HTTP_AUTHORIZATION="Basic " + wrong)
    response = client.post("/oidc/token", {"grant_type": "refresh_token", "refresh_token": "x"},
                           HTTP_AUTHORIZATION="Basic " + right)
    assert response.status_code == 401  # even the right secret, until the window passes


def test_clean_up_forgets_old_authorizations_and_deliveries(db, signed_in_client, oidc_app, settings):
    from limen.oidc.models import Authorization

    app = oidc_app(backchannel_logout_uri="http://127.0.0.1:9/x")
    sign_in_to(signed_in_client, app)
    signed_in_client.post("/logout/")
    BackchannelLogout.objects.update(status=DeliveryStatus.SENT)
    backchannel.clean_up()
    assert Authorization.objects.exists() and BackchannelLogout.objects.exists()
    clock.advance(days=40)
    backchannel.clean_up()
    assert not Authorization.objects.exists() and not BackchannelLogout.objects.exists()


# ----------------------------------------------------------------- operators


def test_oidc_client_command(db, capsys):
    call_command("oidc_client", "add", "--name", "Payroll", "--redirect-uri", "https://payroll.example/cb",
                 "--redirect-uri", "https://payroll.example/cb2", "--auth-method", "client_secret_jwt",
                 "--backchannel-logout-uri", "https://payroll.example/logout")
    out = capsys.readouterr().out
    secret = [line for line in out.splitlines() if line.startswith("client secret: ")][0].split(": ")[1]
    client_id = [line for line in out.splitlines() if line.startswith("client ID: ")][0].split(": ")[1]
    client = Client.objects.get(client_id=client_id)
    assert client.redirect_uris.split() == ["https://payroll.example/cb", "https://payroll.example/cb2"]
    assert secret not in client.client_secret and secret not in client.secret_encrypted  # hashed / encrypted
    assert client.client_secret.startswith("limen_secret_sha256$")
    call_command("oidc_client", "list")
    assert f"{client_id}  Payroll  confidential  client_secret_jwt" in capsys.readouterr().out
    call_command("oidc_client", "disable", client_id)
    assert not Client.objects.get(pk=client.pk).active
    call_command("oidc_client", "remove", client_id)
    assert not Client.objects.exists()
    assert AuditEvent.objects.filter(event=Event.OIDC_CLIENT_REMOVED).exists()


@pytest.mark.parametrize("args, message", [
    (["--redirect-uri", "http://rp.example/cb"], "must use https"),
    (["--redirect-uri", "https://rp.example/cb#frag"], "fragment"),
    (["--redirect-uri", "https://rp.example/cb", "--public", "--auth-method", "client_secret_basic"],
     "public client has no secret"),
    (["--redirect-uri", "https://rp.example/cb", "--auth-method", "private_key_jwt"], "public keys"),
    (["--redirect-uri", "https://rp.example/cb", "--auth-method", "private_key_jwt", "--jwks", '{"keys": []}'],
     "not a valid JWK set"),
])
def test_oidc_client_command_refuses_bad_registrations(db, args, message):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message):
        call_command("oidc_client", "add", "--name", "Bad", *args)
    assert not Client.objects.exists()


def test_admin_registers_a_client_and_shows_the_secret_once(client, make_user):
    operator = make_user(is_staff=True, is_superuser=True)
    client.force_login(operator)
    response = client.post("/admin/oidc/client/add/", {
        "name": "Intranet", "client_id": "intranet", "client_type": "confidential",
        "token_endpoint_auth_method": "client_secret_post", "redirect_uris": "https://intranet.example/cb",
        "post_logout_redirect_uris": "", "backchannel_logout_uri": "", "jwks": "null", "jwks_uri": "",
        "id_token_alg": "RS256", "active": "on"}, follow=True)
    assert response.status_code == 200, response.content[:2000]
    text = response.content.decode()
    assert "Client secret of Intranet" in text
    registered = Client.objects.get(client_id="intranet")
    assert registered.authorization_grant_type == Client.GRANT_AUTHORIZATION_CODE
    assert registered.client_secret.startswith("limen_secret_sha256$")
    for page in ("/admin/oidc/signingkey/", "/admin/notify/outboxmessage/?channel=oidc_logout", "/admin/oidc/client/",
                 f"/admin/oidc/client/{registered.pk}/change/", "/admin/oauth2_provider/accesstoken/",
                 "/admin/oauth2_provider/refreshtoken/", "/admin/oauth2_provider/idtoken/",
                 "/admin/oauth2_provider/grant/"):
        assert client.get(page).status_code == 200, page


def test_demo_registration_is_idempotent_with_a_fresh_secret(db):
    from limen.oidc import demo

    client_id, first = demo.prepare("http://127.0.0.1:8002/")
    again, second = demo.prepare("http://127.0.0.1:8002/")
    assert client_id == again and first != second
    client = Client.objects.get(client_id=client_id)
    assert client.redirect_uris == "http://127.0.0.1:8002/callback"
    assert client.backchannel_logout_uri == "http://127.0.0.1:8002/backchannel-logout"


def test_client_secret_hasher_is_not_used_for_passwords(user):
    assert user.password.startswith("argon2")
    user.set_password("Another-Horse-51")
    assert user.password.startswith("argon2")


def test_deleting_the_account_logs_its_applications_out_by_back_channel(signed_in_client, oidc_app):
    receiver = LogoutReceiver()
    try:
        app = oidc_app(name="Payroll", backchannel_logout_uri=receiver.url)
        token = sign_in_to(signed_in_client, app)
        sub = str(signed_in_client.user.uid)
        response = signed_in_client.post("/account/delete/", {"confirm": "on", "password": "Correct-Horse-42"})
        assert response["Location"] == "/account/deleted/"
        assert "Payroll" in signed_in_client.get("/account/deleted/").content.decode()
        assert userinfo(signed_in_client, token).status_code == 401
        row = BackchannelLogout.objects.get()
        assert backchannel.deliver(row.pk)  # the account is gone; the notice still goes out
        (logout,) = receiver.wait(1)
        assert jose.verify(logout, keys.verification_keys(), algs=["RS256"])["sub"] == sub
    finally:
        receiver.close()
