"""My Account → My sign-in preferences: "always require a second factor"."""

from limen.audit.models import AuditEvent
from limen.signin.sessions import SESSION_KEY

from tests.conftest import DEFAULT_PASSWORD
from tests.factors.mobile_app.conftest import api, make_phone, sign_in, start_enrolment  # noqa: F401 (fixtures)


def test_cannot_turn_it_on_without_a_second_factor(signed_in_client):
    response = signed_in_client.post("/account/preferences/", {"require_second_factor": "on"})
    assert response.status_code == 400 and "Add a second verification method first" in response.content.decode()
    signed_in_client.user.refresh_from_db()
    assert not signed_in_client.user.require_second_factor


def test_turned_on_password_only_sign_in_is_refused(signed_in_client, make_phone, client):
    user = signed_in_client.user
    make_phone(user)
    page = signed_in_client.get("/account/preferences/")
    assert "Always require a second factor" in page.content.decode()
    assert signed_in_client.post("/account/preferences/", {"require_second_factor": "on"}).status_code == 302
    user.refresh_from_db()
    assert user.require_second_factor
    assert AuditEvent.objects.filter(user=user, event="account.preferences_changed").exists()
    assert "A second factor is always required." in signed_in_client.get("/account/").content.decode()

    signed_in_client.post("/logout/")
    response = sign_in(client, user, "password")
    assert response.status_code == 400 and "requires a second factor" in response.content.decode()
    assert SESSION_KEY not in client.session
    # With the app it works.
    assert sign_in(client, user, "mobile_app_pin")["Location"] == "/login/mobile/"


def test_turning_it_off_needs_the_second_factor(client, make_user, make_phone):
    user = make_user(require_second_factor=True)
    phone = make_phone(user)
    sign_in(client, user, "mobile_app_pin")
    client.get("/login/mobile/")
    phone.answer(phone.pending()[0])
    client.post("/login/mobile/", {"action": "continue"})
    assert client.post("/account/preferences/", {}).status_code == 302
    user.refresh_from_db()
    assert not user.require_second_factor


def test_a_password_only_session_cannot_turn_it_off(client, make_user, make_phone):
    user = make_user()
    make_phone(user)
    client.post("/login/", {"email": user.email})
    client.post("/login/password/", {"password": DEFAULT_PASSWORD, "method": "password"})
    type(user).objects.filter(pk=user.pk).update(require_second_factor=True)
    response = client.post("/account/preferences/", {})
    assert response.status_code == 302 and response["Location"].startswith("/login/step-up/")
    user.refresh_from_db()
    assert user.require_second_factor
    # The step-up page speaks of the change, not of an application being opened.
    page = client.get(response["Location"]).content.decode()
    assert "Before you make this change to your account, prove that it is you" in page
    assert "application" not in page.split("<main", 1)[1].split("</main>", 1)[0]
