"""The passkey ceremony runs beside the sign-in form and must not touch the session."""

from limen.factors.webauthn import state
from tests.signin.helpers import transaction_of


def test_passkey_options_leave_the_session_alone(client, db):
    # The identifier step stores the e-mail in the session...
    client.post("/login/", {"email": "someone@example.org"})
    session_before = dict(client.session.items())
    # ...then the page's background passkey request arrives (autofill).
    response = client.post("/login/passkey/options/")
    assert response.status_code == 200
    assert state.DETACHED_COOKIE in response.cookies
    assert dict(client.session.items()) == session_before
    assert transaction_of(client)["email"] == "someone@example.org"


def test_the_passkey_challenge_is_single_use(client, db):
    client.post("/login/passkey/options/")
    request = type("R", (), {"COOKIES": {state.DETACHED_COOKIE: client.cookies[state.DETACHED_COOKIE].value}})()
    assert state.take_detached(request, "passkey") is not None
    assert state.take_detached(request, "passkey") is None
