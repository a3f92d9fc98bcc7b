"""Which language a page is in: the browser's, the switcher's, the account's (limen.core.languages).

A stranger gets the first of the browser's Accept-Language that is one of the 24
EU languages; the switcher at the top of every page keeps a choice in a cookie
(and, for a signed-in person, in the account); signing in applies the account's
interface language unless the person chose one with the switcher in this session.
The e-mail language is separate and never changes with the page language.
"""

from __future__ import annotations

import html
import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import formats, translation

from limen.accounts.models import User
from limen.audit.events import Event
from limen.audit.models import AuditEvent
from limen.core.languages import EU_LANGUAGES, INTERFACE_LANGUAGE_CODES, INTERFACE_LANGUAGES

from ..conftest import DEFAULT_PASSWORD
from ..support import pages

COOKIE = settings.LANGUAGE_COOKIE_NAME
CODES = sorted(INTERFACE_LANGUAGE_CODES)
OTHER_THAN_ENGLISH = [c for c in CODES if c != "en"]


def page_language(response) -> str:
    match = re.search(r'<html lang="([^"]+)" dir="(ltr|rtl)">', response.content.decode())
    assert match, response.content.decode()[:300]
    return match.group(1)


def switch(client, language, next_url="/login/"):
    return client.post("/i18n/setlang/", {"language": language, "next": next_url})


def heading(response) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S).group(1).strip()


# --- the languages --------------------------------------------------------------------

def test_the_24_eu_languages_are_interface_languages():
    assert len(INTERFACE_LANGUAGES) == 24
    assert INTERFACE_LANGUAGE_CODES == {code for code, _ in EU_LANGUAGES}
    assert settings.LANGUAGES == INTERFACE_LANGUAGES


@pytest.mark.parametrize("code", CODES)
def test_django_knows_every_language(code):
    """LocaleMiddleware, {% get_language_info %} and the formats accept each of the 24 (Maltese included)."""
    info = translation.get_language_info(code)
    assert info["code"] == code and info["bidi"] is False
    assert info["name_local"]
    assert translation.check_for_language(code)
    assert translation.get_supported_language_variant(code) == code
    assert formats.get_format_modules(code), f"no date and number formats for {code}"


def test_maltese_formats_and_plurals():
    from datetime import date

    with translation.override("mt"):
        assert formats.date_format(date(2026, 3, 7)) == "07/03/2026"
        assert formats.number_format(1234567.5, decimal_pos=1, use_l10n=True, force_grouping=True) == "1,234,567.5"
        # Four forms (Limen's catalogue header): 1; 0 and 2-10; 11-19; the rest.
        forms = [translation.ngettext("At least %(min)d character.", "At least %(min)d characters.", n)
                 % {"min": n} for n in (1, 2, 11, 20)]
    assert forms == ["Mill-inqas 1 karattru.", "Mill-inqas 2 karattri.", "Mill-inqas 11-il karattru.",
                     "Mill-inqas 20 karattru."]


# --- a stranger: the browser's language --------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("code", CODES)
def test_a_stranger_gets_the_browsers_language(client, code):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE=f"{code};q=0.9,en;q=0.1")
    assert page_language(response) == code
    if code != "en":
        assert heading(response) != heading(Client().get("/login/")), "the page is still in English"


@pytest.mark.django_db
@pytest.mark.parametrize("header, expected", [
    ("de-AT,de;q=0.9,en;q=0.5", "de"),          # a regional variant gives the language
    ("ja,zh;q=0.9,fi;q=0.8,en;q=0.1", "fi"),     # the first one of the 24
    ("pt-BR", "pt"),
    ("ja", "en"),                                # none of the 24: English
    ("xx-invalid;;q=,", "en"),                   # nonsense: English
    ("", "en"),
])
def test_accept_language_choices(client, header, expected):
    assert page_language(client.get("/login/", HTTP_ACCEPT_LANGUAGE=header)) == expected


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["xx", "xx-SV", "<script>", "klingon", ""])
def test_an_unknown_cookie_falls_back_to_the_browser(client, value):
    client.cookies[COOKIE] = value
    assert page_language(client.get("/login/", HTTP_ACCEPT_LANGUAGE="hu")) == "hu"
    assert page_language(client.get("/login/")) == "en"


@pytest.mark.django_db
def test_the_cookie_wins_over_the_browser(client):
    client.cookies[COOKIE] = "el"
    assert page_language(client.get("/login/", HTTP_ACCEPT_LANGUAGE="de")) == "el"


# --- the switcher ------------------------------------------------------------------

@pytest.mark.django_db
def test_every_page_offers_the_24_languages_each_marked_with_its_language(client):
    page = client.get("/login/").content.decode()
    options = re.findall(r'<option value="([a-z]+)" lang="([a-z]+)"[^>]*>([^<]+)</option>', page)
    assert [(v, name) for v, _lang, name in options] == INTERFACE_LANGUAGES
    assert all(v == lang for v, lang, _ in options)
    german = client.get("/login/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert re.findall(r'<option value="([a-z]+)"[^>]* selected>', german) == ["de"]  # the current one only


@pytest.mark.django_db
@pytest.mark.parametrize("code", OTHER_THAN_ENGLISH)
def test_the_switcher_remembers_the_choice(client, code):
    response = switch(client, code, "/password/lost/")
    assert response.status_code == 302 and response["Location"] == "/password/lost/"
    assert response.cookies[COOKIE].value == code
    assert page_language(client.get("/password/lost/", HTTP_ACCEPT_LANGUAGE="en")) == code


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["xx", "", "fr-FR", "FR", "de ", "../en", "e" * 500])
def test_an_unknown_language_in_the_switcher_changes_nothing(client, language):
    client.cookies[COOKIE] = "de"
    response = switch(client, language)
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert COOKIE not in response.cookies
    page = client.get("/login/")
    assert page_language(page) == "de"
    with translation.override("de"):
        message = translation.gettext("Choose one of the languages in the list.")
    assert message != "Choose one of the languages in the list."
    assert message in html.unescape(page.content.decode()), "a message says what went wrong"


@pytest.mark.django_db
def test_an_unknown_language_from_a_stranger_keeps_the_browsers_language(client):
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/login/"}, HTTP_ACCEPT_LANGUAGE="sk")
    assert COOKIE not in response.cookies
    assert page_language(client.get("/login/", HTTP_ACCEPT_LANGUAGE="sk")) == "sk"


@pytest.mark.django_db
@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "", "javascript:alert(1)"])
def test_the_switcher_only_goes_back_to_this_site(client, next_url):
    response = switch(client, "it", next_url)
    assert response.status_code == 302 and response["Location"] == "/"
    assert response.cookies[COOKIE].value == "it"


@pytest.mark.django_db
def test_the_switcher_needs_a_post(client):
    assert client.get("/i18n/setlang/?language=fr&next=/login/").status_code == 405


def test_a_signed_in_person_switching_changes_the_accounts_interface_language(signed_in_client):
    user = signed_in_client.user
    response = switch(signed_in_client, "lv", "/account/")
    assert response.cookies[COOKIE].value == "lv"
    user.refresh_from_db()
    assert user.interface_language == "lv"
    assert user.email_language == "en", "the e-mail language is separate"
    event = AuditEvent.objects.filter(event=Event.PROFILE_UPDATED, user=user).get()
    assert event.data["fields"] == ["interface_language"]
    assert page_language(signed_in_client.get("/account/")) == "lv"


def test_a_signed_in_person_with_an_unknown_language_changes_nothing(signed_in_client):
    switch(signed_in_client, "xx", "/account/")
    user = User.objects.get(pk=signed_in_client.user.pk)
    assert user.interface_language == ""
    assert not AuditEvent.objects.filter(event=Event.PROFILE_UPDATED).exists()


# --- signing in ----------------------------------------------------------------------

def test_signing_in_keeps_the_language_chosen_on_the_sign_in_page(client, make_user):
    """The bug: a French session went back to English at sign-in (the account said English)."""
    user = make_user(interface_language="en")
    switch(client, "fr")
    assert page_language(client.get("/login/")) == "fr"
    response = pages.sign_in(client, user, expect=302)
    assert response.cookies.get(COOKIE) is None or response.cookies[COOKIE].value == "fr"
    assert page_language(client.get("/account/")) == "fr"


def test_signing_in_with_a_second_factor_keeps_the_chosen_language(client, make_user, add_recovery_codes):
    user = make_user(interface_language="de")
    codes = add_recovery_codes(user)
    switch(client, "fr")
    response = pages.sign_in(client, user, method="recovery_code", expect=302)
    assert page_language(client.get(response["Location"])) == "fr"
    client.post(response["Location"], {"code": codes[0]})
    assert page_language(client.get("/account/")) == "fr"


def test_signing_in_applies_the_accounts_language_when_none_was_chosen(client, make_user):
    user = make_user(interface_language="fi", email_language="sv")
    response = pages.sign_in(client, user, expect=302, HTTP_ACCEPT_LANGUAGE="en")
    assert response.cookies[COOKIE].value == "fi"
    assert page_language(client.get("/account/", HTTP_ACCEPT_LANGUAGE="en")) == "fi"


def test_an_account_without_interface_language_follows_the_browser(client, make_user):
    user = make_user(interface_language="")
    response = pages.sign_in(client, user, expect=302, HTTP_ACCEPT_LANGUAGE="pl")
    assert COOKIE not in response.cookies
    assert page_language(client.get("/account/", HTTP_ACCEPT_LANGUAGE="pl")) == "pl"


def test_step_up_keeps_the_language_switched_to_while_signed_in(client, make_user, add_recovery_codes):
    user = make_user(interface_language="en")
    codes = add_recovery_codes(user)
    pages.sign_in(client, user, expect=302)
    switch(client, "ro", "/account/")
    response = client.post("/login/step-up/?next=/account/", {"method": "recovery_code"})
    assert response.status_code == 302, response.content.decode()[:500]
    response = client.post(response["Location"], {"code": codes[0]})
    assert response.status_code == 302
    assert response.cookies.get(COOKIE) is None or response.cookies[COOKIE].value == "ro"
    assert page_language(client.get("/account/")) == "ro"
    assert User.objects.get(pk=user.pk).interface_language == "ro"


def test_another_person_signing_in_gets_their_own_language(client, make_user):
    """The switcher's choice belongs to the person who made it: switching accounts does not carry it over."""
    first, second = make_user(interface_language="en"), make_user(interface_language="de")
    pages.sign_in(client, first, expect=302)
    switch(client, "fr", "/account/")
    client.get("/login/?switch=1")
    response = pages.sign_in(client, second, expect=302)
    assert response.cookies[COOKIE].value == "de"
    assert page_language(client.get("/account/")) == "de"


def test_signing_out_and_in_again_applies_the_account(client, make_user):
    user = make_user(interface_language="nl")
    switch(client, "es")
    pages.sign_in(client, user, expect=302)
    client.post("/logout/")
    response = pages.sign_in(client, user, expect=302, HTTP_ACCEPT_LANGUAGE="en")
    assert response.cookies[COOKIE].value == "nl"


def test_details_page_choice_wins_at_the_next_step_up(client, make_user, add_recovery_codes):
    user = make_user(interface_language="en")
    codes = add_recovery_codes(user)
    switch(client, "fr")
    pages.sign_in(client, user, expect=302)
    client.post("/account/details/", {"first_name": "Ada", "last_name": "Lovelace", "email_language": "en",
                                      "interface_language": "cs"})
    response = client.post("/login/step-up/?next=/account/", {"method": "recovery_code"})
    client.post(response["Location"], {"code": codes[0]})
    assert page_language(client.get("/account/")) == "cs"


# --- lang attributes --------------------------------------------------------------------

@pytest.mark.django_db
def test_language_lists_say_the_language_of_each_name(client):
    page = client.get("/register/").content.decode()
    select = re.search(r'<select name="email_language".*?</select>', page, re.S).group(0)
    options = re.findall(r'<option value="([a-z]+)"(?: selected)? lang="([a-z]+)"', select)
    assert len(options) == 24 and all(value == lang for value, lang in options)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/login/", "/register/", "/password/lost/", "/privacy/", "/no-such-page/"])
def test_every_page_says_its_language_and_direction(client, url):
    client.cookies[COOKIE] = "bg"
    assert page_language(client.get(url)) == "bg"
