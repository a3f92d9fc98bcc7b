"""PKCE as RFC 9700 asks (§2.1.1): required of every client by default, relaxable by an operator for
a confidential client only, and no downgrade: a code issued without code_challenge is never redeemed
with a code_verifier."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from oauth2_provider.models import AccessToken

from limen.audit.events import Event
from limen.audit.models import AuditEvent
from limen.oidc.models import Authorization, Client

from .conftest import authorize, pkce_pair, redeem


# ----------------------------------------------------------------- (a) no PKCE downgrade


def test_a_code_issued_without_code_challenge_is_not_redeemed_with_a_code_verifier(signed_in_client, oidc_app):
    app = oidc_app(pkce_required=False)
    code = authorize(signed_in_client, app)["code"]
    verifier, _challenge = pkce_pair()
    refused = redeem(signed_in_client, app, code, code_verifier=verifier)
    assert refused.status_code == 400
    body = json.loads(refused.content)
    assert body["error"] == "invalid_grant" and "code_challenge" in body["error_description"]
    assert not AccessToken.objects.exists()
    # Nothing was spent: the client that really sent no challenge still gets its tokens.
    assert redeem(signed_in_client, app, code).status_code == 200


def test_an_empty_code_verifier_is_refused_too(signed_in_client, oidc_app):
    app = oidc_app(pkce_required=False)
    code = authorize(signed_in_client, app)["code"]
    assert json.loads(redeem(signed_in_client, app, code, code_verifier="").content)["error"] == "invalid_grant"


def test_a_code_issued_with_code_challenge_needs_its_verifier(signed_in_client, oidc_app):
    app = oidc_app(pkce_required=False)  # a client that may leave PKCE out, but used it
    verifier, challenge = pkce_pair()
    code = authorize(signed_in_client, app, challenge=challenge)["code"]
    assert redeem(signed_in_client, app, code).status_code == 400
    assert redeem(signed_in_client, app, code, code_verifier=pkce_pair()[0]).status_code == 400
    assert redeem(signed_in_client, app, code, code_verifier=verifier).status_code == 200


# ----------------------------------------------------------------- (b) PKCE required by default


def test_pkce_is_required_of_confidential_clients_by_default(signed_in_client, oidc_app):
    app = oidc_app()
    assert app.client.pkce_required and not app.client.is_public
    answer = authorize(signed_in_client, app)
    assert answer["error"] == "invalid_request" and "code" not in answer
    assert answer["state"] == "st"
    assert not Authorization.objects.exists()


def test_an_operator_may_relax_pkce_for_a_confidential_client(signed_in_client, oidc_app):
    app = oidc_app(pkce_required=False)
    code = authorize(signed_in_client, app)["code"]
    assert redeem(signed_in_client, app, code).status_code == 200


def test_requiring_pkce_again_stops_codes_issued_without_it(signed_in_client, oidc_app):
    from limen.oidc import clients

    app = oidc_app(pkce_required=False)
    code = authorize(signed_in_client, app)["code"]
    clients.set_pkce_required(app.client, True)
    refused = redeem(signed_in_client, app, code)
    assert refused.status_code == 400 and json.loads(refused.content)["error"] in {"invalid_request", "invalid_grant"}


def test_a_public_client_cannot_go_without_pkce(db, oidc_app):
    with pytest.raises(ValidationError) as raised:
        oidc_app(public=True, pkce_required=False)
    assert "pkce_required" in raised.value.message_dict
    assert not Client.objects.exists()


def command(*args) -> str:
    out = StringIO()
    call_command("oidc_client", *args, stdout=out)
    return out.getvalue()


def client_id_in(output: str) -> str:
    return [line for line in output.splitlines() if line.startswith("client ID: ")][0].split(": ")[1]


def test_the_command_relaxes_and_requires_pkce(db):
    client_id = client_id_in(command("add", "--name", "Legacy", "--redirect-uri", "https://legacy.example/cb",
                                     "--pkce-optional"))
    assert not Client.objects.get(client_id=client_id).pkce_required
    assert "PKCE: optional" in command("show", client_id)
    assert command("pkce", client_id, "--required") == f"{client_id}: PKCE required\n"
    assert Client.objects.get(client_id=client_id).pkce_required
    assert "PKCE: required" in command("show", client_id)
    command("pkce", client_id, "--optional")
    assert not Client.objects.get(client_id=client_id).pkce_required
    changes = AuditEvent.objects.filter(event=Event.OIDC_CLIENT_PKCE_CHANGED).order_by("time", "pk")
    assert [e.data["pkce_required"] for e in changes] == [True, False]
    plain = client_id_in(command("add", "--name", "Modern", "--redirect-uri", "https://modern.example/cb"))
    assert Client.objects.get(client_id=plain).pkce_required


def test_the_command_refuses_to_relax_pkce_for_a_public_client(db):
    with pytest.raises(CommandError, match="public client must use PKCE"):
        command("add", "--name", "SPA", "--redirect-uri", "https://spa.example/cb", "--public", "--pkce-optional")
    assert not Client.objects.exists()
    client_id = client_id_in(command("add", "--name", "SPA", "--redirect-uri", "https://spa.example/cb", "--public"))
    with pytest.raises(CommandError, match="public client must use PKCE"):
        command("pkce", client_id, "--optional")
    assert Client.objects.get(client_id=client_id).pkce_required
    assert not AuditEvent.objects.filter(event=Event.OIDC_CLIENT_PKCE_CHANGED).exists()
    with pytest.raises(CommandError):
        command("pkce", client_id)  # --required or --optional


def _admin_form(client: Client, **changes) -> dict:
    data = {"name": client.name, "client_type": client.client_type,
            "token_endpoint_auth_method": client.token_endpoint_auth_method, "redirect_uris": client.redirect_uris,
            "post_logout_redirect_uris": client.post_logout_redirect_uris, "backchannel_logout_uri": "",
            "jwks": "null", "jwks_uri": "", "id_token_alg": "RS256", "active": "on", "pkce_required": "on"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_admin_switches_pkce_and_refuses_it_for_public_clients(client, make_user, oidc_app):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    confidential, public = oidc_app().client, oidc_app(name="SPA", public=True).client
    response = client.post(f"/admin/oidc/client/{confidential.pk}/change/",
                           _admin_form(confidential, pkce_required=None))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not Client.objects.get(pk=confidential.pk).pkce_required
    assert AuditEvent.objects.filter(event=Event.OIDC_CLIENT_PKCE_CHANGED, data__client=confidential.client_id,
                                     data__pkce_required=False).exists()
    response = client.post(f"/admin/oidc/client/{public.pk}/change/", _admin_form(public, pkce_required=None))
    assert response.status_code == 200 and "A public client must use PKCE" in response.content.decode()
    assert Client.objects.get(pk=public.pk).pkce_required
    listing = client.get("/admin/oidc/client/", {"pkce_required__exact": "0"})
    assert listing.status_code == 200 and confidential.name in listing.content.decode()
