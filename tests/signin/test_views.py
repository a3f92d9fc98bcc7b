"""Identifier-first sign-in, generic errors, next, sign-out."""

from __future__ import annotations

import pytest
from django.test import Client

from limen.audit.events import Event
from limen.audit.models import AuditEvent
from limen.signin.models import SsoSession

from ..conftest import DEFAULT_PASSWORD
from .helpers import WRONG, attempt, errors_of, normalised, sign_in, signed_in

pytestmark = pytest.mark.django_db

GENERIC = "The e-mail address or the password is not correct."


def test_identifier_then_password(client, user):
    page = client.get("/login/")
    assert page.status_code == 200
    assert "signin/identify.html" in [t.name for t in page.templates]
    response = client.post("/login/", {"email": user.email})
    assert response.status_code == 302
    assert response["Location"] == "/login/password/"
    page = client.get("/login/password/")
    assert page.status_code == 200
    assert user.email in page.content.decode()
    response = client.post("/login/password/", {"password": DEFAULT_PASSWORD},
                           HTTP_USER_AGENT="TestBrowser/3.1")
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    assert signed_in(client)
    event = AuditEvent.objects.get(event=Event.SIGNIN_SUCCEEDED)
    assert (event.user_id, event.ip, event.user_agent) == (user.pk, "127.0.0.1", "TestBrowser/3.1")
    assert event.data["strengths"] == ["PASSWORD"]
    sso = SsoSession.objects.get(user=user)
    assert sso.session_key == client.session.session_key
    assert sso.strengths == ["PASSWORD"]
    assert sso.user_agent == "TestBrowser/3.1"


def test_address_in_any_case(client, user):
    assert attempt(client, "  " + user.email.upper() + " ", DEFAULT_PASSWORD).status_code == 302


def test_password_step_needs_the_identifier_step(client):
    response = client.get("/login/password/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    response = client.post("/login/password/?next=/account/activity/", {"password": "x"})
    assert response["Location"] == "/login/?next=%2Faccount%2Factivity%2F"


def test_bad_identifier(client):
    response = client.post("/login/", {"email": "not-an-address"})
    assert response.status_code == 200
    assert errors_of(response) == ["Enter a valid e-mail address, such as name@example.org."]
    response = client.post("/login/", {"email": ""})
    assert errors_of(response) == ["Enter your e-mail address."]
    response = client.post("/login/", {"email": "ada\u202e@example.org"})
    assert "email" in response.context["form"].errors


def test_empty_password(client, user):
    client.post("/login/", {"email": user.email})
    response = client.post("/login/password/", {"password": ""})
    assert response.status_code == 400
    assert errors_of(response) == ["Enter your password."]
    assert not AuditEvent.objects.filter(event=Event.SIGNIN_FAILED).exists()


def test_over_long_password_refused_without_checking(client, user):
    client.post("/login/", {"email": user.email})
    response = client.post("/login/password/", {"password": "x" * 5000})
    assert response.status_code == 400
    assert not signed_in(client)


def test_wrong_password_and_unknown_address_look_the_same(user, make_user):
    known, unknown = Client(), Client()
    r_known = attempt(known, user.email, WRONG)
    r_unknown = attempt(unknown, "nobody@example.org", WRONG)
    assert r_known.status_code == r_unknown.status_code == 400
    assert errors_of(r_known) == errors_of(r_unknown) == [GENERIC]
    assert normalised(r_known, user.email) == normalised(r_unknown, "nobody@example.org")
    assert not signed_in(known) and not signed_in(unknown)
    failed = AuditEvent.objects.filter(event=Event.SIGNIN_FAILED)
    assert {e.data["reason"] for e in failed} == {"wrong_password", "unknown_account"}
    assert failed.get(data__reason="unknown_account").email == "nobody@example.org"


def test_unverified_account_with_password_signs_in(client, make_user):
    # Verification is about the address; a password set through a reset link proves it too.
    user = make_user(verified=False)
    assert attempt(client, user.email, DEFAULT_PASSWORD).status_code == 302


def test_account_without_password_cannot_sign_in(client, make_user):
    user = make_user(verified=False, password=None)
    response = attempt(client, user.email, "")
    assert response.status_code == 400
    response = client.post("/login/password/", {"password": "anything-At-all-1"})
    assert errors_of(response) == [GENERIC]


def test_disabled_account_refused(client, make_user):
    user = make_user(is_active=False)
    response = attempt(client, user.email, DEFAULT_PASSWORD)
    assert response.status_code == 400
    assert errors_of(response) == ["This account has been disabled. Contact your support desk."]
    assert not signed_in(client)
    assert AuditEvent.objects.filter(event=Event.SIGNIN_REFUSED_DISABLED, user=user).exists()
    # A wrong password on a disabled account says nothing about its state.
    response = attempt(Client(), user.email, WRONG)
    assert errors_of(response) == [GENERIC]


def test_already_signed_in_skips_the_form(signed_in_client):
    response = signed_in_client.get("/login/")
    assert response.status_code == 302 and response["Location"] == "/account/"
    response = signed_in_client.get("/login/?next=/account/activity/")
    assert response["Location"] == "/account/activity/"
    response = signed_in_client.get("/login/?switch=1")
    assert response.status_code == 200


def test_switching_account(signed_in_client, make_user):
    other = make_user()
    first_user = signed_in_client.user
    signed_in_client.get("/login/?switch=1")
    assert attempt(signed_in_client, other.email, DEFAULT_PASSWORD).status_code == 302
    assert int(signed_in_client.session["_auth_user_id"]) == other.pk != first_user.pk


def test_interface_language_cookie_set_at_sign_in(client, make_user):
    user = make_user(interface_language="fr")
    response = attempt(client, user.email, DEFAULT_PASSWORD)
    assert response.cookies["limen_language"].value == "fr"


def test_interface_language_cookie_set_at_sign_in_with_a_second_factor(client, make_user):
    from limen.core import clock
    from limen.factors.recovery import codes as recovery
    from limen.factors.recovery.models import RecoveryCode

    user = make_user(interface_language="fr")
    code = recovery.new_code()
    RecoveryCode.objects.create(user=user, digest=recovery.digest(recovery.normalise(code)), created=clock.now())
    client.post("/login/", {"email": user.email})
    response = client.post("/login/password/", {"password": DEFAULT_PASSWORD, "method": "recovery_code"})
    assert response.status_code == 302 and response["Location"] == "/login/recovery-code/"
    client.cookies.pop("limen_language")  # e.g. the browser's switcher was used in between
    response = client.post("/login/recovery-code/", {"code": code})
    assert response.status_code == 302 and response["Location"] == "/account/"
    assert response.cookies["limen_language"].value == "fr"


# --- next -----------------------------------------------------------------------

@pytest.mark.parametrize("target", ["/account/activity/", "/account/details/?tab=1", "/admin/"])
def test_same_site_next_is_followed(client, user, target):
    response = client.get("/login/", {"next": target})
    assert response.context["next"] == target
    response = client.post("/login/", {"email": user.email, "next": target})
    assert response.status_code == 302
    response = client.post(response["Location"], {"password": DEFAULT_PASSWORD, "next": target})
    assert response.status_code == 302
    assert response["Location"] == target


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "//evil.example/account/",
                                    "/\\evil.example", "\\\\evil.example", "javascript:alert(document.cookie)",
                                    "http://testserver@evil.example/", "/\t/evil.example", "https:evil.example"])
def test_off_site_next_is_never_followed(client, user, target):
    client.get("/login/", {"next": target})
    response = client.post("/login/", {"email": user.email, "next": target})
    assert "evil" not in response["Location"] and "javascript" not in response["Location"]
    response = client.post(f"/login/password/?next={target}", {"password": DEFAULT_PASSWORD, "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    # Already signed in: the shortcut does not follow it either.
    response = client.get("/login/", {"next": target})
    assert response["Location"] == "/account/"


def test_next_is_kept_after_a_wrong_password(client, user):
    client.post("/login/", {"email": user.email, "next": "/account/activity/"})
    response = client.post("/login/password/", {"password": WRONG, "next": "/account/activity/"})
    assert b'name="next" value="/account/activity/"' in response.content
    response = client.post("/login/password/", {"password": DEFAULT_PASSWORD, "next": "/account/activity/"})
    assert response["Location"] == "/account/activity/"


def test_login_required_round_trip(client, user):
    response = client.get("/account/details/")
    assert response["Location"] == "/login/?next=/account/details/"
    client.get(response["Location"])
    step = client.post("/login/?next=/account/details/", {"email": user.email, "next": "/account/details/"})
    final = client.post(step["Location"], {"password": DEFAULT_PASSWORD, "next": "/account/details/"})
    assert final["Location"] == "/account/details/"


# --- sign-out -------------------------------------------------------------------

def test_get_signout_asks_for_confirmation(signed_in_client):
    response = signed_in_client.get("/logout/")
    assert response.status_code == 200
    assert "signin/signout.html" in [t.name for t in response.templates]
    assert signed_in(signed_in_client)


def test_post_signout_ends_the_session(signed_in_client):
    user = signed_in_client.user
    key = signed_in_client.session.session_key
    response = signed_in_client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/logout/done/"
    assert not signed_in(signed_in_client)
    assert not SsoSession.objects.filter(session_key=key).exists()
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=key).exists()
    event = AuditEvent.objects.get(event=Event.SIGNED_OUT)
    assert event.user_id == user.pk and event.ip == "127.0.0.1"
    page = signed_in_client.get("/logout/done/")
    assert page.status_code == 200
    assert "You are signed out" in page.content.decode()


def test_signout_only_ends_this_browser(user):
    laptop, phone = sign_in(user.email), sign_in(user.email)
    laptop.post("/logout/")
    assert not signed_in(laptop)
    assert signed_in(phone)


def test_signout_when_not_signed_in(client):
    assert client.get("/logout/")["Location"] == "/logout/done/"
    assert client.post("/logout/")["Location"] == "/logout/done/"
    assert not AuditEvent.objects.exists()


def test_signout_methods(signed_in_client):
    assert signed_in_client.put("/logout/").status_code == 405
    assert signed_in(signed_in_client)


def test_the_methods_offered_are_looked_up_once_at_the_identifier_step(client, user, make_user):
    """The password page offers what the identifier step found, for an account and for an unknown
    address alike, without asking the methods' tables again on its GET or POST."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for email in (user.email, "nobody@example.org"):
        fresh = Client()
        fresh.post("/login/", {"email": email})
        with CaptureQueriesContext(connection) as captured:
            assert fresh.get("/login/password/").status_code == 200
        assert not [q["sql"] for q in captured if "factors_" in q["sql"]]
    response = client.post("/login/", {"email": user.email})
    with CaptureQueriesContext(connection) as captured:
        sign_in_response = client.post(response["Location"], {"password": DEFAULT_PASSWORD})
    assert sign_in_response.status_code == 302
    assert not [q["sql"] for q in captured if "factors_" in q["sql"]]
