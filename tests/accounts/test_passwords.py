"""Lost password (reset by e-mail link) and change of password in My Account."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from limen.accounts.models import AccountToken, TokenPurpose, User
from limen.audit.events import Event
from limen.audit.models import AuditEvent
from limen.core import clock
from limen.signin.models import SsoSession
from tests.signin.helpers import sign_in, signed_in
from tests.support.pow import fresh

from .helpers import NEW_PASSWORD, path_of, templates
from ..conftest import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def _normalised(response, email: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return html.replace(email, "ADDRESS")


# --- lost password -------------------------------------------------------------

def test_same_answer_whether_the_address_exists(user, make_user, outbox):
    disabled = make_user(is_active=False)
    pages = []
    for email in (user.email, "nobody@example.org", disabled.email):
        response = Client().post("/password/lost/", {**fresh(), "email": email})
        assert response.status_code == 200
        assert "accounts/link_sent.html" in templates(response)
        pages.append(_normalised(response, email))
    assert pages[0] == pages[1] == pages[2]
    # Only the real, active account got a message.
    assert [m.recipient for m in outbox.all()] == [user.email]
    assert outbox.last().kind == "password_reset"
    assert AuditEvent.objects.filter(event=Event.PASSWORD_RESET_REQUESTED, user=user).count() == 1


def test_lost_password_form_errors(client, outbox):
    response = client.post("/password/lost/", {**fresh(), "email": "not an address"})
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    response = client.post("/password/lost/", {**fresh(), "email": "a\u202e@example.org"})
    assert "email" in response.context["form"].errors
    assert outbox.all() == []


def test_lost_password_page_prefills_the_address(client):
    response = client.get("/password/lost/?email=ada%2Bwork@example.org")
    assert response.context["form"]["email"].value() == "ada+work@example.org"


def test_reset_link_sets_a_new_password_once(client, user, outbox):
    client.post("/password/lost/", {**fresh(), "email": user.email.upper()})
    link = path_of(outbox.link(user.email))
    assert "/password/reset/" in link
    page = client.get(link)
    assert page.status_code == 200 and "accounts/choose_password.html" in templates(page)
    response = client.post(link, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?email=")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(DEFAULT_PASSWORD)
    assert AuditEvent.objects.filter(event=Event.PASSWORD_RESET, user=user).exists()
    # Single use.
    again = client.post(link, {"new_password": "Other-Pass-5511", "confirm_password": "Other-Pass-5511"})
    assert again.status_code == 400
    assert again.context["error"].code == "token_used"
    assert b'href="/password/lost/"' in again.content  # offers a new link
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # The new password signs in, the old one does not.
    sign_in(user.email, NEW_PASSWORD)


def test_redirect_after_reset_keeps_the_whole_address(client, make_user, outbox):
    user = make_user(email="ada+work@example.org")
    client.post("/password/lost/", {**fresh(), "email": user.email})
    response = client.post(path_of(outbox.link()), {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
                           follow=True)
    assert response.status_code == 200
    assert response.context["form"]["email"].value() == "ada+work@example.org"


def test_reset_link_is_short_lived(client, user, outbox, settings):
    assert settings.RESET_PASSWORD_TTL == 3600
    client.post("/password/lost/", {**fresh(), "email": user.email})
    link = path_of(outbox.link())
    assert "60 minutes" in outbox.last().body
    clock.advance(minutes=61)
    response = client.post(link, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert response.status_code == 400
    assert response.context["error"].code == "token_expired"
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_a_new_request_cancels_the_older_link(client, user, outbox):
    client.post("/password/lost/", {**fresh(), "email": user.email})
    first = path_of(outbox.link())
    client.post("/password/lost/", {**fresh(), "email": user.email})
    second = path_of(outbox.link())
    assert client.get(first).context["error"].code == "token_used"
    assert client.get(second).status_code == 200


def test_new_password_must_obey_the_policy(client, user, outbox):
    client.post("/password/lost/", {**fresh(), "email": user.email})
    link = path_of(outbox.link())
    for bad in ("Ada-Lovelace-1", "lovelace#2024X", "short-1A", "Password123", "x" * 300):
        response = client.post(link, {"new_password": bad, "confirm_password": bad})
        assert response.status_code == 200
        assert "new_password" in response.context["form"].errors, bad
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)
    assert AccountToken.objects.get(purpose=TokenPurpose.RESET_PASSWORD).used is None


def test_reset_ends_every_session_and_notifies_the_owner(user, outbox):
    laptop, phone = sign_in(user.email), sign_in(user.email)
    assert signed_in(laptop) and signed_in(phone)
    assert SsoSession.objects.filter(user=user).count() == 2
    helper = Client()
    helper.post("/password/lost/", {**fresh(), "email": user.email})
    helper.post(path_of(outbox.link()), {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert not signed_in(laptop)
    assert not signed_in(phone)
    assert SsoSession.objects.filter(user=user).count() == 0
    notice = outbox.last(user.email)
    assert notice.kind == "password_changed"


def test_reset_from_a_signed_in_browser_signs_it_out(user, outbox):
    browser = sign_in(user.email)
    browser.post("/password/lost/", {**fresh(), "email": user.email})
    browser.post(path_of(outbox.link()), {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert not signed_in(browser)
    assert not Session.objects.filter(session_key=browser.session.session_key).exists() or \
        "_auth_user_id" not in browser.session


def test_locked_account_stays_locked_after_a_reset(client, user, outbox):
    other = Client()
    other.post("/login/", {"email": user.email})
    for _ in range(5):
        other.post("/login/password/", {"password": "Wrong-password-1"})
    user.refresh_from_db()
    assert user.is_locked
    client.post("/password/lost/", {**fresh(), "email": user.email})
    client.post(path_of(outbox.link(user.email)), {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert user.is_locked
    newcomer = Client()
    newcomer.post("/login/", {"email": user.email})
    response = newcomer.post("/login/password/", {"password": NEW_PASSWORD})
    assert response.status_code == 400
    assert "paused" in response.content.decode()
    clock.advance(minutes=16)
    newcomer.post("/login/", {"email": user.email})
    assert newcomer.post("/login/password/", {"password": NEW_PASSWORD}).status_code == 302


def test_reset_verifies_an_unverified_address(client, make_user, outbox):
    user = make_user(verified=False)
    client.post("/password/lost/", {**fresh(), "email": user.email})
    client.post(path_of(outbox.link()), {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    user.refresh_from_db()
    assert user.email_verified


# --- change password in My Account ---------------------------------------------

def test_change_password_needs_sign_in(client):
    response = client.get("/account/password/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/account/password/"


def test_change_password_with_wrong_current_changes_nothing(signed_in_client, outbox):
    user = signed_in_client.user
    response = signed_in_client.post("/account/password/", {
        "current_password": "Not-my-password-1", "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert response.status_code == 200
    assert response.context["form"].errors["current_password"] == ["The current password is not correct."]
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)
    assert outbox.all() == []
    assert not AuditEvent.objects.filter(event=Event.PASSWORD_CHANGED).exists()


def test_change_password_enforces_the_policy(signed_in_client):
    for bad in ("short-1A", "Lovelace-2024!", "abcdefghijkl"):
        response = signed_in_client.post("/account/password/", {
            "current_password": DEFAULT_PASSWORD, "new_password": bad, "confirm_password": bad})
        assert response.status_code == 200
        assert "new_password" in response.context["form"].errors, bad
    response = signed_in_client.post("/account/password/", {
        "current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": "Different-1-x"})
    assert "confirm_password" in response.context["form"].errors
    response = signed_in_client.post("/account/password/", {"current_password": "", "new_password": "",
                                                            "confirm_password": ""})
    assert set(response.context["form"].errors) == {"current_password", "new_password", "confirm_password"}
    user = User.objects.get(pk=signed_in_client.user.pk)
    assert user.check_password(DEFAULT_PASSWORD)


def test_change_password_ends_other_sessions_and_keeps_this_one(signed_in_client, outbox):
    user = signed_in_client.user
    other = sign_in(user.email)
    old_key = signed_in_client.session.session_key
    response = signed_in_client.post("/account/password/", {
        "current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    assert signed_in(signed_in_client)
    assert signed_in_client.session.session_key != old_key
    assert not signed_in(other)
    assert list(SsoSession.objects.filter(user=user).values_list("session_key", flat=True)) == [
        signed_in_client.session.session_key]
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert user.password_changed is not None
    assert outbox.last(user.email).kind == "password_changed"
    event = AuditEvent.objects.get(event=Event.PASSWORD_CHANGED)
    assert event.user_id == user.pk
    assert event.ip == "127.0.0.1"


def test_reset_link_of_an_account_disabled_since_is_refused(client, user, outbox):
    client.post("/password/lost/", {**fresh(), "email": user.email})
    link = path_of(outbox.link(user.email))
    User.objects.filter(pk=user.pk).update(is_active=False)
    for response in (client.get(link),
                     client.post(link, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})):
        assert response.status_code == 400 and response.context["error"].code == "token_invalid"
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)
    assert not AuditEvent.objects.filter(event=Event.PASSWORD_RESET).exists()
