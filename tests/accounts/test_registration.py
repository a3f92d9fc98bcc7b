"""Registration, e-mail verification and the first password."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from limen.accounts.models import AccountToken, TokenPurpose, User
from limen.audit.events import Event
from limen.audit.models import AuditEvent
from limen.core import clock
from tests.support.pow import fresh

from .helpers import NEW_PASSWORD, path_of, registration_data, templates

pytestmark = pytest.mark.django_db


def _page_without_tokens(response) -> str:
    html = response.content.decode()
    html = re.sub(r'data-pow-challenge="[^"]+"', "", html)  # a new challenge on every page
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


# --- creating the account ----------------------------------------------------

def test_register_creates_an_unverified_account_and_sends_a_link(client, register, outbox):
    response = register(email_language="sv")
    assert response.status_code == 302
    assert response["Location"] == "/register/sent/"
    user = User.objects.get(email="grace@example.org")
    assert (user.first_name, user.last_name) == ("Grace", "Hopper")
    assert user.email_verified is False
    assert user.has_usable_password() is False
    assert user.is_active is True
    assert user.email_language == "sv"
    message = outbox.last("grace@example.org")
    assert message.kind == "verify_email"
    assert "/verify/" in outbox.link("grace@example.org")
    page = client.get("/register/sent/")
    assert "grace@example.org" in page.content.decode()
    assert AuditEvent.objects.filter(event=Event.REGISTERED, user=user).count() == 1


def test_names_are_trimmed_and_domain_lower_cased(register):
    register(first_name="  Grace ", last_name=" Hopper  ", email="Grace.H@EXAMPLE.Org",
             email_confirm="grace.h@example.org")
    user = User.objects.get()
    assert (user.first_name, user.last_name) == ("Grace", "Hopper")
    assert user.email == "Grace.H@example.org"


def test_verification_link_sets_the_password_and_signs_in(client, register, outbox):
    register()
    link = path_of(outbox.link("grace@example.org"))
    page = client.get(link)
    assert page.status_code == 200
    assert "accounts/choose_password.html" in templates(page)
    assert page.context["account"].email == "grace@example.org"
    assert page.context["sample_passwords"]
    assert AccountToken.objects.get(purpose=TokenPurpose.VERIFY_EMAIL).used is None  # GET does not consume
    response = client.post(link, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    user = User.objects.get(email="grace@example.org")
    assert user.email_verified is True
    assert user.check_password(NEW_PASSWORD)
    assert user.password_changed is not None
    assert client.get("/account/").status_code == 200
    assert int(client.session["_auth_user_id"]) == user.pk
    events = set(AuditEvent.objects.filter(user=user).values_list("event", flat=True))
    assert {Event.REGISTERED, Event.EMAIL_VERIFIED, Event.PASSWORD_SET, Event.SIGNIN_SUCCEEDED} <= events
    # The new password works on the sign-in page too.
    other = Client()
    other.post("/login/", {"email": "grace@example.org"})
    assert other.post("/login/password/", {"password": NEW_PASSWORD}).status_code == 302


def test_get_of_the_link_many_times_does_not_use_it(client, register, outbox):
    register()
    link = path_of(outbox.link())
    for _ in range(3):
        assert client.get(link).status_code == 200
    assert client.post(link, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}).status_code == 302


def test_used_link_shows_the_token_problem_page(client, register, outbox):
    register()
    link = path_of(outbox.link())
    client.post(link, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    for method in (client.get, client.post):
        response = method(link, {"new_password": "Another-Pass-99", "confirm_password": "Another-Pass-99"}
                          if method == client.post else None)
        assert response.status_code == 400
        assert "accounts/token_problem.html" in templates(response)
        assert response.context["error"].code == "token_used"
        assert b'action="/verify-again/"' in response.content  # offers a new link
    assert User.objects.get().check_password(NEW_PASSWORD)


def test_expired_link_offers_a_new_one_that_works(client, register, outbox):
    register()
    old_link = path_of(outbox.link())
    clock.advance(hours=24, seconds=1)
    response = client.get(old_link)
    assert response.status_code == 400
    assert response.context["error"].code == "token_expired"
    assert response.context["expired_or_used"] is True
    assert b'action="/verify-again/"' in response.content
    response = client.post("/verify-again/", {**fresh(), "email": "grace@example.org"})
    assert response.status_code == 200
    assert "accounts/link_sent.html" in templates(response)
    new_link = path_of(outbox.link())
    assert new_link != old_link
    assert client.post(new_link, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}).status_code == 302
    assert User.objects.get().email_verified


def test_link_still_valid_just_before_24_hours(client, register, outbox):
    register()
    clock.advance(hours=23, minutes=59)
    assert client.get(path_of(outbox.link())).status_code == 200


def test_resend_only_for_unverified_accounts(client, register, outbox, user):
    # A verified account: same page, but no mail.
    response = client.post("/verify-again/", {**fresh(), "email": user.email})
    assert response.status_code == 200
    assert "accounts/link_sent.html" in templates(response)
    assert outbox.all() == []
    # Unknown address: same page, no mail.
    response_unknown = client.post("/verify-again/", {**fresh(), "email": "nobody@example.org"})
    assert response_unknown.status_code == 200
    assert outbox.all() == []
    # Unverified: a mail.
    register()
    before = len(outbox.all())
    client.post("/verify-again/", {**fresh(), "email": "GRACE@example.org"})
    assert len(outbox.all()) == before + 1
    assert outbox.last().kind == "verify_email"


def test_resend_needs_a_valid_address(client, outbox):
    response = client.post("/verify-again/", {**fresh(), "email": "not an address"})
    assert response.status_code == 400
    assert "email" in response.context["form"].errors
    assert client.get("/verify-again/").status_code == 405


def test_resend_for_a_disabled_account_sends_nothing(client, make_user, outbox):
    make_user(email="off@example.org", verified=False, password=None, is_active=False)
    client.post("/verify-again/", {**fresh(), "email": "off@example.org"})
    assert outbox.all() == []


def test_password_against_the_policy_is_refused_and_the_link_stays_usable(client, register, outbox):
    register()
    link = path_of(outbox.link())
    for bad in ("short1A", "alllowercaseletters", "Grace-Rules-2024", "Password123"):
        response = client.post(link, {"new_password": bad, "confirm_password": bad})
        assert response.status_code == 200
        assert "new_password" in response.context["form"].errors, bad
    response = client.post(link, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD + "x"})
    assert response.context["form"].errors["confirm_password"] == ["The two passwords are not the same."]
    user = User.objects.get()
    assert not user.email_verified and not user.has_usable_password()
    assert AccountToken.objects.get(purpose=TokenPurpose.VERIFY_EMAIL).used is None
    assert client.post(link, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}).status_code == 302


def test_verification_link_of_another_purpose_is_invalid(client, user, outbox):
    client.post("/password/lost/", {**fresh(), "email": user.email})
    reset_token = path_of(outbox.link()).rstrip("/").rsplit("/", 1)[-1]
    response = client.get(f"/verify/{reset_token}/")
    assert response.status_code == 400
    assert response.context["error"].code == "token_invalid"


# --- the same answer for an address that is taken ---------------------------

def test_duplicate_address_in_any_case_creates_no_second_account(register, user, outbox):
    for spelling in (user.email, user.email.upper(), " " + user.email.title() + " "):
        response = register(email=spelling, email_confirm=spelling.strip().lower(), first_name="Mallory")
        assert response.status_code == 302
        assert response["Location"] == "/register/sent/"
    assert User.objects.filter(email__iexact=user.email).count() == 1
    assert User.objects.get(pk=user.pk).first_name == "Ada"
    sent = [m for m in outbox.all() if m.recipient.lower() == user.email.lower()]
    assert [m.kind for m in sent] == ["already_registered"] * 3
    assert "No second account was created" in sent[0].body
    assert AuditEvent.objects.filter(event=Event.REGISTRATION_DUPLICATE, user=user).count() == 3


def test_duplicate_looks_the_same_as_a_new_registration(make_user, outbox):
    make_user(email="taken@example.org")
    stranger_new, stranger_dup = Client(), Client()
    data_new = registration_data(email="fresh@example.org", email_confirm="fresh@example.org")
    data_dup = registration_data(email="taken@example.org", email_confirm="taken@example.org")
    first_new = stranger_new.get("/register/")
    first_dup = stranger_dup.get("/register/")
    assert _page_without_tokens(first_new) == _page_without_tokens(first_dup)
    r_new = stranger_new.post("/register/", {**data_new, **fresh()})
    r_dup = stranger_dup.post("/register/", {**data_dup, **fresh()})
    assert (r_new.status_code, r_new["Location"]) == (r_dup.status_code, r_dup["Location"])
    assert set(r_new.cookies) == set(r_dup.cookies)
    p_new = stranger_new.get(r_new["Location"])
    p_dup = stranger_dup.get(r_dup["Location"])
    assert p_new.status_code == p_dup.status_code == 200
    assert templates(p_new) == templates(p_dup)
    assert (_page_without_tokens(p_new).replace("fresh@example.org", "ADDRESS")
            == _page_without_tokens(p_dup).replace("taken@example.org", "ADDRESS"))


def test_unfinished_registration_gets_a_fresh_link(client, register, outbox):
    register()
    first = path_of(outbox.link())
    response = register(first_name="Grace", email="GRACE@example.org", email_confirm="grace@example.org")
    assert response["Location"] == "/register/sent/"
    assert User.objects.count() == 1
    assert outbox.last().kind == "verify_email"
    second = path_of(outbox.link())
    assert second != first
    assert client.get(first).context["error"].code == "token_used"  # the older link is cancelled
    assert client.post(second, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}).status_code == 302


# --- bad input: clear errors and nothing created -----------------------------

@pytest.mark.parametrize("overrides,field,message", [
    ({"email_confirm": "grace@example.com"}, "email_confirm", "The two e-mail addresses are not the same."),
    ({"email": "grace@", "email_confirm": "grace@"}, "email",
     "Enter a valid e-mail address, such as name@example.org."),
    ({"email": "grace example.org", "email_confirm": "grace example.org"}, "email",
     "Enter a valid e-mail address, such as name@example.org."),
    ({"privacy": None}, "privacy", "Please confirm that you have read the privacy statement."),
    ({"first_name": ""}, "first_name", "Enter your first name."),
    ({"last_name": "   "}, "last_name", "Enter your last name."),
    ({"email": "", "email_confirm": ""}, "email", "Enter your e-mail address."),
    ({"email_confirm": ""}, "email_confirm", "Type your e-mail address again."),
    ({"email_language": "xx"}, "email_language", "Choose one of the languages in the list."),
    ({"email_language": ""}, "email_language", None),
    ({"first_name": "G" * 101}, "first_name", None),
    ({"last_name": "H" * 101}, "last_name", None),
    ({"email": "g" * 64 + "@" + "e" * 190 + ".org", "email_confirm": "g" * 64 + "@" + "e" * 190 + ".org"},
     "email", None),
    ({"first_name": "Gr\x00ace"}, "first_name", None),
    ({"last_name": "Hop\u202eper"}, "last_name", "This field contains characters that are not allowed."),
    ({"first_name": "Gra\u200bce"}, "first_name", "This field contains characters that are not allowed."),
    ({"first_name": "Gra\nce"}, "first_name", "This field contains characters that are not allowed."),
])
def test_bad_input_gives_a_clear_error_and_creates_nothing(register, outbox, overrides, field, message):
    response = register(**overrides)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    if message:
        assert message in errors[field]
    assert b"error-summary" in response.content
    assert User.objects.count() == 0
    assert outbox.all() == []
    assert not AuditEvent.objects.exists()


def test_names_of_exactly_the_maximum_length_are_accepted(register):
    assert register(first_name="G" * 100, last_name="H" * 100).status_code == 302
    assert User.objects.get().first_name == "G" * 100


def test_typed_data_is_kept_after_an_error(register):
    response = register(email_confirm="other@example.org", email_language="lv")
    html = response.content.decode()
    assert 'value="Grace"' in html and 'value="Hopper"' in html
    assert '<option value="lv" selected lang="lv">' in html


def test_register_page_offers_all_eu_languages(client):
    response = client.get("/register/")
    choices = [code for code, _ in response.context["form"].fields["email_language"].choices]
    assert len(choices) == 24
    assert {"en", "sv", "da", "lv", "ga", "mt"} <= set(choices)


def test_register_only_get_and_post(client):
    assert client.put("/register/").status_code == 405


def test_disabled_unverified_account_cannot_sign_in_through_its_link(client, make_user, outbox):
    user = make_user(email="later-off@example.org", verified=False, password=None)
    client.post("/verify-again/", {**fresh(), "email": user.email})
    link = path_of(outbox.link())
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = client.post(link, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert response.status_code == 400
    assert "accounts/token_problem.html" in templates(response)
    assert client.get("/account/").status_code == 302
    assert not AuditEvent.objects.filter(event=Event.SIGNIN_SUCCEEDED, user=user).exists()
    assert not User.objects.get(pk=user.pk).has_usable_password()


def test_emails_use_the_chosen_language(register, outbox, make_user):
    register(email_language="fr")
    assert outbox.last("grace@example.org").subject == "Choisissez votre mot de passe Limen"
    register(email="lv@example.org", email_confirm="lv@example.org", email_language="lv")
    assert outbox.last("lv@example.org").subject == "Izvēlieties savu Limen paroli"
    # The owner of an existing account is written to in their own language.
    make_user(email="owner@example.org", email_language="fr")
    register(email="owner@example.org", email_confirm="owner@example.org", email_language="en")
    assert outbox.last("owner@example.org").subject.startswith("Vous avez déjà")
