"""ES256 ID tokens: an application may have its ID tokens and logout tokens signed with ECDSA P-256.

Its keys (a family of their own, active and next) are published as soon as an application uses ES256,
both token paths sign with them, rotation turns both families, and the bad values of the command and the
operators' site change nothing. Authlib and pyoidc check the same tokens against the published keys
(test_conformance_authlib.py, test_conformance_pyoidc.py)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from limen.audit.events import Event
from limen.audit.models import AuditEvent
from limen.oidc import backchannel, clients, keys
from limen.oidc.internal import jose
from limen.oidc.logout import verify_id_token_hint
from limen.oidc.models import Client, KeyState, SigningKey

from .token_support import assert_same, basic, both, code_for, exchange_data, run

pytestmark = pytest.mark.django_db
REDIRECT = ["http://127.0.0.1:9/callback"]


@pytest.fixture
def es256_app(db):
    return clients.register(name="Compact", redirect_uris=REDIRECT, id_token_alg="ES256")


def families() -> dict:
    return {(row.alg, row.state) for row in SigningKey.objects.all()}


def test_an_application_on_es256_publishes_its_keys_before_they_sign(client):
    clients.register(name="Classic", redirect_uris=REDIRECT)
    assert not SigningKey.objects.filter(alg="ES256").exists()  # nobody uses it: nothing more in the JWKS
    clients.register(name="Compact", redirect_uris=REDIRECT, id_token_alg="ES256")
    assert families() == {("ES256", KeyState.ACTIVE), ("ES256", KeyState.NEXT)}  # made before any token
    published = client.get("/oidc/jwks").json()["keys"]
    assert [(k["kty"], k["alg"]) for k in published] == [("RSA", "RS256")] * 2 + [("EC", "ES256")] * 2
    ec = [k for k in published if k["kty"] == "EC"]
    assert all(k["crv"] == "P-256" and k["use"] == "sig" and "d" not in k for k in ec)
    assert ec[0]["kid"] == keys.active("ES256").kid  # the active key first
    row = SigningKey.objects.get(alg="ES256", state=KeyState.ACTIVE)
    assert "PRIVATE KEY" not in row.private_key  # encrypted at rest, as the RSA keys
    meta = client.get("/.well-known/openid-configuration").json()
    assert meta["id_token_signing_alg_values_supported"] == ["RS256", "ES256"]


@pytest.mark.parametrize("grant", ["authorization_code", "refresh_token"])
def test_both_token_paths_sign_with_the_applications_algorithm(signed_in_client, es256_app, monkeypatch, grant):
    app = es256_app.client
    headers = basic(app.client_id, es256_app.secret)
    code, verifier = code_for(signed_in_client, app.client_id)
    data = exchange_data(code, verifier)
    if grant == "refresh_token":
        first = run(signed_in_client, data, headers, lean=True, monkeypatch=monkeypatch)
        data = {"grant_type": "refresh_token", "refresh_token": first.body["refresh_token"]}
    toolkit, lean = both(signed_in_client, data, headers, monkeypatch=monkeypatch)
    assert lean.lean and not toolkit.lean
    assert_same(toolkit, lean)  # the same header on both: ES256 and the active P-256 key's kid
    assert lean.id_token[0] == {"alg": "ES256", "typ": "JWT", "kid": keys.active("ES256").kid}
    claims = jose.verify(lean.body["id_token"], keys.verification_keys(), algs=["ES256"])
    assert claims["aud"] == app.client_id
    with pytest.raises(jose.JoseError):  # an RS256-only verifier refuses it
        jose.verify(lean.body["id_token"], keys.verification_keys(), algs=["RS256"])


def test_logout_tokens_use_the_applications_algorithm(es256_app, user):
    classic = clients.register(name="Classic", redirect_uris=REDIRECT).client
    for app, alg in ((es256_app.client, "ES256"), (classic, "RS256")):
        row = backchannel.enqueue(app, subject=str(user.uid), sid="s-1")
        header, _claims = jose.peek(backchannel.logout_token(row))
        assert (header["alg"], header["typ"], header["kid"]) == (alg, "logout+jwt", keys.active(alg).kid)


def test_an_es256_id_token_hint_is_recognised_and_a_foreign_one_is_not(es256_app):
    mine = keys.sign({"iss": settings.BASE_URL, "sub": "person-1"}, "ES256")
    assert verify_id_token_hint(mine)["sub"] == "person-1"
    pem, public = jose.generate_ec()  # someone else's P-256 key, with our kid in the header
    forged = jose.sign({"iss": settings.BASE_URL, "sub": "person-1"},
                       jose.private_key(pem, keys.active("ES256").kid), alg="ES256")
    assert verify_id_token_hint(forged) is None


def test_rotation_turns_every_family_in_use(es256_app, capsys):
    keys.ensure()  # the RSA family too
    before = {row.alg: row.kid for row in SigningKey.objects.filter(state=KeyState.NEXT)}
    call_command("oidc_rotate_key")
    out = capsys.readouterr().out
    for alg in ("RS256", "ES256"):
        assert f"{alg}: signing with {before[alg]}" in out
        assert keys.active(alg).kid == before[alg]
        assert SigningKey.objects.filter(alg=alg, state=KeyState.NEXT).count() == 1
        assert SigningKey.objects.filter(alg=alg, state=KeyState.RETIRED).count() == 1
    rotated = AuditEvent.objects.filter(event=Event.OIDC_KEY_ROTATED)
    assert sorted(event.data["alg"] for event in rotated) == ["ES256", "RS256"]


def test_rotation_leaves_an_unused_family_alone(db):
    keys.ensure()
    assert [active.alg for active, _next in keys.rotate()] == ["RS256"]
    assert not SigningKey.objects.filter(alg="ES256").exists()


def test_the_command_registers_and_switches_and_refuses_other_algorithms(capsys):
    call_command("oidc_client", "add", "--name", "Compact", "--redirect-uri", REDIRECT[0], "--id-token-alg", "ES256")
    app = Client.objects.get(name="Compact")
    assert app.id_token_alg == "ES256" and "ID token signature: ES256" in capsys.readouterr().out
    assert SigningKey.objects.filter(alg="ES256", state=KeyState.ACTIVE).exists()
    call_command("oidc_client", "id-token-alg", app.client_id, "RS256")
    app.refresh_from_db()
    assert app.id_token_alg == "RS256"
    event = AuditEvent.objects.get(event=Event.OIDC_CLIENT_SIGNATURE_CHANGED)
    assert event.data["client"] == app.client_id and event.data["id_token_alg"] == "RS256"
    for args in (("add", "--name", "Other", "--redirect-uri", REDIRECT[0], "--id-token-alg", "HS256"),
                 ("id-token-alg", app.client_id, "none"), ("id-token-alg", app.client_id, "es256")):
        with pytest.raises(CommandError):
            call_command("oidc_client", *args)
    with pytest.raises(CommandError, match="No application"):
        call_command("oidc_client", "id-token-alg", "nobody", "ES256")
    app.refresh_from_db()
    assert app.id_token_alg == "RS256" and not Client.objects.filter(name="Other").exists()
    assert AuditEvent.objects.filter(event=Event.OIDC_CLIENT_SIGNATURE_CHANGED).count() == 1


def test_an_unknown_algorithm_is_refused_and_changes_nothing(es256_app):
    app = es256_app.client
    for bad in ("HS256", "none", "", "RS512"):
        with pytest.raises(ValidationError) as refused:
            clients.set_id_token_alg(app, bad)
        assert "id_token_alg" in refused.value.message_dict
        with pytest.raises(ValidationError):
            clients.register(name="Other", redirect_uris=REDIRECT, id_token_alg=bad)
    assert Client.objects.get(pk=app.pk).id_token_alg == "ES256"
    assert not Client.objects.filter(name="Other").exists()
    assert not AuditEvent.objects.filter(event=Event.OIDC_CLIENT_SIGNATURE_CHANGED).exists()


def test_the_operators_site_switches_the_algorithm(client, make_user, es256_app):
    operator = make_user(is_staff=True, is_superuser=True)
    client.force_login(operator)
    app = es256_app.client
    form = {"name": app.name, "client_type": app.client_type,
            "token_endpoint_auth_method": app.token_endpoint_auth_method, "redirect_uris": app.redirect_uris, "post_logout_redirect_uris": "", "backchannel_logout_uri": "",
            "jwks": "null", "jwks_uri": "", "active": "on", "pkce_required": "on"}
    page = client.get(f"/admin/oidc/client/{app.pk}/change/").content.decode()
    assert 'name="id_token_alg"' in page and "ES256 (ECDSA P-256 with SHA-256)" in page
    refused = client.post(f"/admin/oidc/client/{app.pk}/change/", {**form, "id_token_alg": "HS256"})
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    assert Client.objects.get(pk=app.pk).id_token_alg == "ES256"
    done = client.post(f"/admin/oidc/client/{app.pk}/change/", {**form, "id_token_alg": "RS256"})
    assert done.status_code == 302
    assert Client.objects.get(pk=app.pk).id_token_alg == "RS256"
    event = AuditEvent.objects.get(event=Event.OIDC_CLIENT_SIGNATURE_CHANGED)
    assert event.data["id_token_alg"] == "RS256" and event.data["operator"] == operator.email
    assert client.get("/admin/oidc/signingkey/?alg__exact=ES256").status_code == 200
