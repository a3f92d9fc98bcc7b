"""OpenID Connect token endpoint answers, counted by grant and outcome (limen_oidc_token_requests_total)."""

from __future__ import annotations

from tests.ops.metrics_support import Delta, value
from tests.support.pages import sign_in

from .conftest import authorize, basic, pkce_pair, redeem

TOKENS = "limen_oidc_token_requests_total"


def test_codes_redeemed_and_refused(client, user, oidc_app):
    app = oidc_app()
    sign_in(client, user, expect=302)
    verifier, challenge = pkce_pair()
    code = authorize(client, app, challenge=challenge)["code"]
    with Delta(TOKENS, grant="authorization_code", outcome="issued") as issued, \
            Delta(TOKENS, grant="authorization_code", outcome="invalid_grant") as reused:
        assert redeem(client, app, code, code_verifier=verifier).status_code == 200
        assert redeem(client, app, code, code_verifier=verifier).status_code == 400
    assert (issued.value, reused.value) == (1, 1)


def test_a_wrong_client_secret(client, oidc_app):
    app = oidc_app()
    with Delta(TOKENS, grant="refresh_token", outcome="invalid_client") as counted:
        response = client.post("/oidc/token", {"grant_type": "refresh_token", "refresh_token": "x"},
                               **basic(app.client.client_id, "wrong"))
    assert response.status_code == 401
    assert counted.value == 1


def test_unknown_grants_are_one_label(client, oidc_app):
    app = oidc_app()
    with Delta(TOKENS, grant="other", outcome="unsupported_grant_type") as counted:
        client.post("/oidc/token", {"grant_type": "urn:made-up:grant"}, **basic(app.client.client_id, app.secret))
    assert counted.value == 1
    assert value(TOKENS, grant="urn:made-up:grant", outcome="unsupported_grant_type") == 0
