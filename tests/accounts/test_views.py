"""My Account pages: sign-in required, personal details, activity, CSRF."""

from __future__ import annotations

import pytest
from django.test import Client

from limen.accounts.models import User
from limen.audit.events import Event
from limen.audit.models import AuditEvent
from tests.support.pages import sign_in
from tests.support.pow import fresh

from .helpers import registration_data, templates
from ..conftest import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

ACCOUNT_PAGES = ["/account/", "/account/details/", "/account/password/", "/account/email/", "/account/activity/",
                 "/account/delete/"]


@pytest.mark.parametrize("url", ACCOUNT_PAGES)
def test_pages_need_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"


@pytest.mark.parametrize("url", ACCOUNT_PAGES)
def test_pages_work_when_signed_in(signed_in_client, url):
    response = signed_in_client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_my_account_shows_who_is_signed_in(signed_in_client):
    page = signed_in_client.get("/account/").content.decode()
    assert f"Ada Lovelace · {signed_in_client.user.email}" in page


def test_privacy_page_is_public(client):
    assert client.get("/privacy/").status_code == 200


def test_home_redirects(client, signed_in_client):
    assert Client().get("/")["Location"] == "/login/"
    assert signed_in_client.get("/")["Location"] == "/account/"


# --- personal details ----------------------------------------------------------

def test_edit_details_form_is_prefilled(signed_in_client):
    form = signed_in_client.get("/account/details/").context["form"]
    assert form["first_name"].value() == "Ada"
    assert form["last_name"].value() == "Lovelace"
    assert form["email_language"].value() == "en"


def test_edit_details(signed_in_client):
    user = signed_in_client.user
    response = signed_in_client.post("/account/details/", {
        "first_name": " Augusta Ada ", "last_name": "King", "email_language": "lv", "interface_language": "fr"})
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.email_language, user.interface_language) == (
        "Augusta Ada", "King", "lv", "fr")
    cookie = response.cookies["limen_language"]
    assert cookie.value == "fr"
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    event = AuditEvent.objects.get(event=Event.PROFILE_UPDATED)
    assert event.user_id == user.pk
    assert set(event.data["fields"]) == {"first_name", "last_name", "email_language", "interface_language"}


def test_back_to_the_browser_language_forgets_the_language_cookie(signed_in_client):
    details = {"first_name": "Ada", "last_name": "Lovelace", "email_language": "en"}
    response = signed_in_client.post("/account/details/", {**details, "interface_language": "fr"})
    assert response.cookies["limen_language"].value == "fr"
    response = signed_in_client.post("/account/details/", {**details, "interface_language": ""})
    assert response.cookies["limen_language"].value == "" and response.cookies["limen_language"]["max-age"] == 0
    page = signed_in_client.get("/account/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.wsgi_request.LANGUAGE_CODE == "en"


def test_saving_unchanged_details_records_nothing(signed_in_client):
    signed_in_client.post("/account/details/", {
        "first_name": "Ada", "last_name": "Lovelace", "email_language": "en", "interface_language": ""})
    assert not AuditEvent.objects.filter(event=Event.PROFILE_UPDATED).exists()


@pytest.mark.parametrize("changes,field", [
    ({"first_name": ""}, "first_name"),
    ({"last_name": "   "}, "last_name"),
    ({"first_name": "A" * 101}, "first_name"),
    ({"last_name": "Love\u202elace"}, "last_name"),
    ({"first_name": "A\x00da"}, "first_name"),
    ({"email_language": "xx"}, "email_language"),
    ({"email_language": ""}, "email_language"),
    ({"interface_language": "fr-FR"}, "interface_language"),  # a code, not a language of the list
    ({"interface_language": "klingon"}, "interface_language"),
])
def test_edit_details_bad_input_changes_nothing(signed_in_client, changes, field):
    data = {"first_name": "Augusta", "last_name": "King", "email_language": "de", "interface_language": "fr",
            **changes}
    response = signed_in_client.post("/account/details/", data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    user = User.objects.get(pk=signed_in_client.user.pk)
    assert (user.first_name, user.last_name, user.email_language, user.interface_language) == (
        "Ada", "Lovelace", "en", "")
    assert not AuditEvent.objects.filter(event=Event.PROFILE_UPDATED).exists()


# --- activity -----------------------------------------------------------------

def test_activity_lists_own_events_only(make_user):
    ada = make_user(email="ada@example.org")
    eve = make_user(email="eve@example.org")
    mine = Client(HTTP_USER_AGENT="AdaBrowser/1.0")
    mine.post("/login/", {"email": ada.email})
    mine.post("/login/password/", {"password": DEFAULT_PASSWORD})
    theirs = Client(HTTP_USER_AGENT="EveBrowser/2.0", REMOTE_ADDR="198.51.100.9")
    theirs.post("/login/", {"email": eve.email})
    theirs.post("/login/password/", {"password": "wrong-Password-1"})
    theirs.post("/login/password/", {"password": DEFAULT_PASSWORD})
    response = mine.get("/account/activity/")
    assert response.status_code == 200
    events = list(response.context["activity"])
    assert events and all(e.user_id == ada.pk for e in events)
    assert {e.event for e in events} == {Event.SIGNIN_SUCCEEDED}
    sessions = list(response.context["sessions"])
    assert [s.user_id for s in sessions] == [ada.pk]
    html = response.content.decode()
    assert "AdaBrowser" in html
    assert "EveBrowser" not in html and "198.51.100.9" not in html
    assert "this browser" in html


FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"


def test_activity_names_the_browser_not_its_user_agent(make_user, admin_client):
    ada = make_user()
    browser = Client(HTTP_USER_AGENT=FIREFOX, REMOTE_ADDR="192.0.2.44")
    sign_in(browser, ada, expect=302)
    html = browser.get("/account/activity/").content.decode()
    assert html.count("Firefox on Windows") >= 2  # the session and the sign-in event
    assert "192.0.2.44" in html
    assert "Mozilla" not in html and "Gecko" not in html
    # The raw header stays for the operators, in the audit trail.
    assert FIREFOX in admin_client.get("/admin/audit/auditevent/").content.decode()


def test_activity_shows_failed_attempts_on_my_account(signed_in_client):
    user = signed_in_client.user
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    attacker.post("/login/", {"email": user.email})
    attacker.post("/login/password/", {"password": "guess-Guess-1"})
    html = signed_in_client.get("/account/activity/").content.decode()
    assert "Sign-in failed" in html
    assert "203.0.113.66" in html


# --- CSRF -----------------------------------------------------------------------

def _csrf_client_like(client: Client) -> Client:
    enforcing = Client(enforce_csrf_checks=True)
    enforcing.cookies = client.cookies
    return enforcing


def test_post_without_csrf_token_is_refused_with_a_friendly_page(signed_in_client):
    enforcing = _csrf_client_like(signed_in_client)
    response = enforcing.post("/account/details/", {
        "first_name": "Mallory", "last_name": "King", "email_language": "de", "interface_language": ""})
    assert response.status_code == 403
    assert "core/csrf_failure.html" in templates(response)
    assert "Nothing has been changed" in response.content.decode()
    assert User.objects.get(pk=signed_in_client.user.pk).first_name == "Ada"


@pytest.mark.parametrize("url,data", [
    ("/account/password/", {"current_password": DEFAULT_PASSWORD, "new_password": "Lantern-Orbit-77",
                            "confirm_password": "Lantern-Orbit-77"}),
    ("/account/email/", {"new_email": "x@example.net", "new_email_confirm": "x@example.net",
                         "password": DEFAULT_PASSWORD}),
    ("/logout/", {}),
])
def test_csrf_on_account_changes(signed_in_client, outbox, url, data):
    enforcing = _csrf_client_like(signed_in_client)
    assert enforcing.post(url, data).status_code == 403
    user = User.objects.get(pk=signed_in_client.user.pk)
    assert user.check_password(DEFAULT_PASSWORD)
    assert outbox.all() == []
    assert signed_in_client.get("/account/").status_code == 200  # still signed in


def test_csrf_on_public_forms(db, outbox, user):
    enforcing = Client(enforce_csrf_checks=True)
    assert enforcing.post("/register/", registration_data()).status_code == 403
    assert enforcing.post("/password/lost/", {**fresh(), "email": user.email}).status_code == 403
    assert enforcing.post("/login/", {"email": user.email}).status_code == 403
    assert not User.objects.filter(email="grace@example.org").exists()
    assert outbox.all() == []


def test_with_the_csrf_token_the_same_post_works(signed_in_client):
    enforcing = _csrf_client_like(signed_in_client)
    enforcing.get("/account/details/")
    token = enforcing.cookies["csrftoken"].value
    response = enforcing.post("/account/details/", {
        "first_name": "Augusta", "last_name": "King", "email_language": "de", "interface_language": "",
        "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert User.objects.get(pk=signed_in_client.user.pk).first_name == "Augusta"


# --- headers ------------------------------------------------------------------------

def test_security_headers(client):
    response = client.get("/login/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "no-store"


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "core/404.html" in templates(response)


# --- privacy statement -------------------------------------------------------------

def test_privacy_statement_names_the_contact(client, settings):
    settings.PRIVACY_CONTACT = "dpo@example.org"
    page = client.get("/privacy/").content.decode()
    assert '<a href="mailto:dpo@example.org">dpo@example.org</a>' in page


def test_privacy_statement_without_a_contact_names_no_made_up_address(client, admin_client, settings):
    settings.PRIVACY_CONTACT = ""
    page = client.get("/privacy/").content.decode()
    assert "write to the operators of this service" in page
    assert "privacy@" not in page and "LIMEN_PRIVACY_CONTACT" not in page
    assert "Set LIMEN_PRIVACY_CONTACT" in admin_client.get("/privacy/").content.decode()  # operators are told
