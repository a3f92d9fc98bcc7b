"""Translations: every one of the 24 EU languages is complete and consistent; pages and e-mails use it.

The catalogues live in src/limen/locale/<lang>/LC_MESSAGES/django.po, and the web
app's (its scripts' strings) in djangojs.po (both compiled to .mo, committed so
that running Limen needs no gettext), each
with its glossary (glossary.tsv) and the messages it may leave as in English
(same_as_english.txt). docs/translating.md explains how to update them; the
checks are those of tests/support/catalogues.py, which `scripts/check-catalogue`
runs for a translator.
"""

from __future__ import annotations

import functools
import gettext
import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import polib
import pytest
from django.conf import settings
from django.utils import translation

import limen
from limen.core.languages import EU_LANGUAGES, INTERFACE_LANGUAGE_CODES

from ..conftest import DEFAULT_PASSWORD
from ..support import catalogues

SRC = Path(limen.__file__).resolve().parent
LOCALE = SRC / "locale"
REPOSITORY = SRC.parents[1]
# Every interface language but English (the source language) has a complete catalogue.
TRANSLATED = sorted(INTERFACE_LANGUAGE_CODES - {"en"})
# Pages and e-mails (django), and the web app's scripts (djangojs): each checked the same way.
DOMAINS = ("django", "djangojs")
CATALOGUES = [pytest.param(language, domain, id=f"{language}-{domain}")
              for language in TRANSLATED for domain in DOMAINS]


def po_path(language: str, domain: str = "django") -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{domain}.po"


@functools.cache
def catalogue(language: str, domain: str = "django") -> polib.POFile:
    return polib.pofile(str(po_path(language, domain)))


def problems(found: list[str], language: str, what: str) -> str:
    shown = "\n  ".join(found[:40])
    return (f"{len(found)} {what} in {language} (scripts/check-catalogue {language}; docs/translating.md):"
            f"\n  {shown}")


# --- the catalogues -------------------------------------------------------------------

def test_every_interface_language_has_a_catalogue():
    assert len(TRANSLATED) == 23
    present = sorted(p.parent.parent.name for p in LOCALE.glob("*/LC_MESSAGES/django.po"))
    assert present == TRANSLATED, "a catalogue for a language that is not offered, or one missing"
    for language in TRANSLATED:
        for domain in DOMAINS:
            assert po_path(language, domain).with_suffix(".mo").exists(), \
                f"{language}: {domain}.mo is missing (make messages)"
        assert (LOCALE / language / "glossary.tsv").exists(), f"{language}: glossary.tsv is missing"


@pytest.mark.parametrize("language,domain", CATALOGUES)
def test_catalogue_header(language, domain):
    found = catalogues.check_header(catalogue(language, domain), language)
    assert not found, problems(found, f"{language} ({domain})", "header problem(s)")


@pytest.mark.parametrize("language,domain", CATALOGUES)
def test_catalogue_is_complete(language, domain):
    """100 % translated, nothing fuzzy: a new English string fails here until it is translated."""
    found = catalogues.check_complete(catalogue(language, domain))
    assert not found, problems(found, f"{language} ({domain})", "untranslated or fuzzy message(s)")
    assert catalogue(language, domain).percent_translated() == 100


@pytest.mark.parametrize("language,domain", CATALOGUES)
def test_translations_keep_placeholders_and_tags(language, domain):
    found = catalogues.check_shape(catalogue(language, domain))
    assert not found, problems(found, f"{language} ({domain})", "message(s) with other placeholders or tags")


@pytest.mark.parametrize("language,domain", CATALOGUES)
def test_compiled_catalogue_matches_po(language, domain):
    """The committed django.mo says what django.po says (someone ran `make messages`)."""
    with open(po_path(language, domain).with_suffix(".mo"), "rb") as f:
        compiled = gettext.GNUTranslations(f)._catalog
    stale = []
    for entry in catalogues.in_use(catalogue(language, domain)):
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if not entry.msgid_plural:
            if entry.msgstr and compiled.get(key) != entry.msgstr:
                stale.append(entry.msgid)
        elif all(entry.msgstr_plural.values()) and \
                [compiled.get((key, i)) for i in sorted(entry.msgstr_plural)] != \
                [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]:
            stale.append(entry.msgid)
    assert not stale, f"{domain}.mo is older than {domain}.po: run `make messages` ({stale[:5]}...)"


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="GNU gettext is not installed")
@pytest.mark.parametrize("language,domain", CATALOGUES)
def test_msgfmt_accepts_catalogue(language, domain):
    found = catalogues.check_msgfmt(po_path(language, domain))
    assert not found, problems(found, f"{language} ({domain})", "msgfmt --check error(s)")


@pytest.mark.parametrize("language,domain", CATALOGUES)
def test_no_message_left_in_english(language, domain):
    """Identical to the English only if it is on the shared or the language's same_as_english.txt."""
    found = catalogues.check_not_english(catalogue(language, domain), language)
    assert not found, problems(found, f"{language} ({domain})", "message(s) left in English")


@pytest.mark.parametrize("language", TRANSLATED)
def test_glossary_file(language):
    """One line per English term (locale/glossary.tsv), each with accepted forms that match the preferred
    term, and an @address line."""
    _entries, _forbidden, found = catalogues.glossary(language)
    assert not found, problems(found, language, "problem(s) in glossary.tsv")


@pytest.mark.parametrize("language,domain", CATALOGUES)
def test_glossary_is_applied_consistently(language, domain):
    """Wherever an English message uses a glossary term, the translation uses the language's term."""
    found = catalogues.check_terms(catalogue(language, domain), language)
    assert not found, problems(found, f"{language} ({domain})", "message(s) not using the glossary's term")


@pytest.mark.parametrize("language,domain", CATALOGUES)
def test_one_form_of_address(language, domain):
    """The form of address the glossary's @address line forbids (German du, French tu...) is never used."""
    found = catalogues.check_address(catalogue(language, domain), language)
    assert not found, problems(found, f"{language} ({domain})", "message(s) with the wrong form of address")


@pytest.mark.parametrize("language,domain", CATALOGUES)
def test_plural_forms_the_language_needs(language, domain):
    """nplurals and the plural rule fit the language (pl, cs, sk, lt, sl, ga, mt, ro, lv, hr and es have
    more than two forms), and every plural message has each form."""
    found = catalogues.check_plurals(catalogue(language, domain), language)
    assert not found, problems(found, f"{language} ({domain})", "plural form problem(s)")


def test_more_than_two_plural_forms_where_needed():
    more = sorted(code for code in TRANSLATED if catalogues.plural_forms(catalogue(code))[0] > 2)
    assert more == sorted(["pl", "cs", "sk", "lt", "sl", "ga", "mt", "ro", "lv", "hr", "es"])


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> dict[str, set[tuple[str | None, str]]]:
    """The strings of the current source, per domain, extracted once from a copy (as `make messages`)."""
    if not shutil.which("xgettext"):
        pytest.skip("GNU gettext is not installed")
    copy = tmp_path_factory.mktemp("extract") / "limen"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__", "locale", "vendor"))
    (copy / "locale").mkdir()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}  # no settings: write here
    found = {}
    for domain, extensions in (("django", "html,txt,py"), ("djangojs", "js")):
        result = subprocess.run([sys.executable, "-m", "django", "makemessages", "-d", domain, "-l", "en",
                                 "-e", extensions], cwd=copy, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        pot = polib.pofile(str(copy / "locale" / "en" / "LC_MESSAGES" / f"{domain}.po"))
        found[domain] = {(e.msgctxt, e.msgid) for e in catalogues.messages(pot)}
    return found


@pytest.mark.parametrize("language,domain", CATALOGUES)
def test_catalogue_has_every_source_string(language, domain, extracted):
    """No string of the source is missing from the catalogue, and none is left over from an old source.

    So a pull request that adds an English string fails until `make messages` merged it and it is
    translated in all 24 languages."""
    present = {(e.msgctxt, e.msgid) for e in catalogues.messages(catalogue(language, domain))}
    missing = sorted(msgid for _, msgid in extracted[domain] - present)
    assert not missing, (f"{len(missing)} new string(s) not in the {language} {domain} catalogue; run "
                         f"`make messages` and translate them (docs/translating.md): {missing}")
    stale = sorted(msgid for _, msgid in present - extracted[domain])
    assert not stale, f"{len(stale)} string(s) no longer in the source; run `make messages`: {stale}"


# --- the checks themselves --------------------------------------------------------------

BAD_CATALOGUE = r'''msgid ""
msgstr ""
"Language: de\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=3; plural=(n != 1);\n"

msgid "Sign in"
msgstr "Einloggen"

msgid "Your password"
msgstr "Dein Passwort"

msgid "Hello %(name)s,"
msgstr "Hallo %(nom)s,"

msgid "Change language"
msgstr "Change language"

msgid "Sign out"
msgstr ""

#, fuzzy
msgid "Sign-in history"
msgstr "Anmeldeverlauf"

msgid "%d minute"
msgid_plural "%d minutes"
msgstr[0] "%d Minute"
msgstr[1] "%d Minuten"
'''


def test_the_checks_find_each_kind_of_problem(tmp_path):
    path = tmp_path / "django.po"
    path.write_text(BAD_CATALOGUE, encoding="utf-8")
    found = catalogues.check_catalogue(path, "de")
    text = {check: "\n".join(lines) for check, lines in found.items()}
    assert "untranslated: 'Sign out'" in text["complete"] and "fuzzy: 'Sign-in history'" in text["complete"]
    assert "%(nom)s" in text["shape"]
    assert "same as English: 'Change language'" in text["not English"]
    assert "glossary sign_in" in text["glossary"] and "Einloggen" in text["glossary"]
    assert "Dein Passwort" in text["form of address"]
    assert "nplurals=3, but de needs 2" in text["plural forms"]
    assert "'%d minute' has forms [0, 1], needs 0..2" in text["plural forms"]
    if shutil.which("msgfmt"):
        assert text["msgfmt"], "msgfmt --check should refuse two forms with nplurals=3"
    assert not found["header"]


def test_the_translators_command(tmp_path):
    """`scripts/check-catalogue` prints each check and fails when one finds a problem."""
    script = REPOSITORY / "scripts" / "check-catalogue"
    good = subprocess.run([sys.executable, str(script), "fr"], capture_output=True, text=True)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "glossary: ok" in good.stdout and "plural forms: ok" in good.stdout
    bad = tmp_path / "django.po"
    bad.write_text(BAD_CATALOGUE, encoding="utf-8")
    result = subprocess.run([sys.executable, str(script), "de", str(bad)], capture_output=True, text=True)
    assert result.returncode == 1
    assert "complete: 2 problem(s)" in result.stdout


# --- pages ----------------------------------------------------------------------------

def french(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("url, expected", [
    ("/login/", ["Connectez-vous pour continuer", "Adresse électronique", "Créer un compte"]),
    ("/register/", ["Créer un compte", "Prénom", "Langue des courriels", "déclaration de confidentialité"]),
    ("/password/lost/", ["Mot de passe oublié\u00a0?", "M'envoyer un lien"]),
    ("/privacy/", ["Déclaration de confidentialité", "Vos droits"]),
])
def test_public_pages_in_french(client, url, expected):
    response = french(client).get(url)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert '<html lang="fr" dir="ltr">' in page
    for text in expected:
        assert text in page
    assert "Sign in" not in page and "Privacy statement" not in page


@pytest.mark.django_db
def test_missing_page_in_french(client):
    page = french(client).get("/no-such-page/").content.decode()
    assert '<html lang="fr" dir="ltr">' in page
    assert "Page introuvable" in page


@pytest.mark.django_db
def test_form_errors_in_french(client):
    page = html.unescape(french(client).post("/register/", {}).content.decode())
    assert "Veuillez corriger les points suivants\u00a0:" in page
    assert "Saisissez votre prénom." in page
    assert "Saisissez votre adresse électronique." in page


def test_password_rules_in_french():
    from limen.accounts.forms import password_rules

    with translation.override("fr"):
        rules = password_rules()
    assert f"Au moins {settings.PASSWORD_MIN_LENGTH} caractères." in rules
    assert "Pas de mot de passe courant." in rules


def test_my_account_in_french(signed_in_client):
    page = french(signed_in_client).get("/account/").content.decode()
    assert '<html lang="fr" dir="ltr">' in page
    assert "<h1>Mon compte</h1>" in page
    assert "Se déconnecter" in page
    assert "Modifier mon mot de passe" in page


def test_english_is_the_default(client, db):
    page = client.get("/login/").content.decode()
    assert '<html lang="en" dir="ltr">' in page
    assert "Sign in to continue" in page


def test_sign_in_error_in_french(client, user):
    french(client).post("/login/", {"email": user.email})
    page = html.unescape(client.post("/login/password/", {"password": DEFAULT_PASSWORD + "x"}).content.decode())
    assert "L'adresse électronique ou le mot de passe est incorrect." in page


# --- pages in every language ----------------------------------------------------------------

PUBLIC_PAGES = ["/login/", "/register/", "/password/lost/", "/privacy/"]


@pytest.mark.django_db
@pytest.mark.parametrize("language", TRANSLATED)
def test_public_pages_have_no_english_left(client, language):
    """Each text of the page that is an English message of the catalogue appears translated."""
    english = {}
    for url in PUBLIC_PAGES:
        english[url] = visible_text(client.get(url, HTTP_ACCEPT_LANGUAGE="en"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    allowed = catalogues.same_as_english_allowed(language)
    for url in PUBLIC_PAGES:
        translated = visible_text(client.get(url))
        left = [text for text in english[url] & translated if text not in allowed and len(text.split()) >= 2]
        assert not left, f"{url} in {language} still says: {left}"


def visible_text(response) -> set[str]:
    """The page's text, one piece per element, without the language names of the switcher."""
    page = re.sub(r"<(script|style|select)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    pieces = (html.unescape(piece).strip() for piece in re.split(r"<[^>]+>", page))
    return {" ".join(piece.split()) for piece in pieces if re.search(r"[A-Za-z]{2}", piece or "")}


# --- e-mails ---------------------------------------------------------------------------

EMAIL_TEMPLATES = sorted(p.stem for p in (SRC / "templates" / "email").glob("*.txt"))

FRENCH_SUBJECTS = {
    "account_locked": "La connexion à votre compte Limen est suspendue",
    "already_registered": "Vous avez déjà un compte Limen",
    "email_change_confirm": "Confirmez votre nouvelle adresse électronique pour Limen",
    "email_change_taken": "Une demande concernant votre adresse électronique sur Limen",
    "email_changed": "Votre adresse électronique sur Limen a été modifiée",
    "password_changed": "Votre mot de passe Limen a été modifié",
    "password_reset": "Choisissez un nouveau mot de passe Limen",
    "verify_email": "Choisissez votre mot de passe Limen",
}


def context(**changes) -> dict:
    """Every variable an e-mail template uses, so that every sentence of every template is rendered."""
    from django.utils import timezone

    base = "https://login.example.org"
    return {
        "user": SimpleNamespace(first_name="Marie", email="marie@example.org"),
        "site_name": "Limen", "base_url": base, "link": f"{base}/t/abc/", "signin_url": f"{base}/login/",
        "lost_password_url": f"{base}/password/lost/", "my_account_url": f"{base}/account/",
        "manage_url": f"{base}/account/keys/", "panic_url": f"{base}/panic/", "activity_url": f"{base}/activity/",
        "new_email": "marie.curie@example.org", "old_email": "marie@example.org",
        "source_email": "m.curie@example.org", "first_name": "Marie",
        "minutes": 15, "hours": 24, "remaining": 3, "attempts": 5, "ip": "192.0.2.7", "now": timezone.now(),
        "provider": "Demo eID", "name": "YubiKey 5", "key": "YubiKey 5", "label": "YubiKey 5",
        "device_name": "Pixel 8", "device": "Pixel 8", "method": "YubiKey 5", "detail": "YubiKey 5",
        **changes,
    }


def send(template: str, language: str, **changes):
    from limen.notify.outbox import send_templated_email

    return send_templated_email(to="marie@example.org", template=template, language=language,
                                context=context(**changes))


def sentences(text: str) -> set[str]:
    """The sentences of a text with at least two words of letters (links and addresses aside)."""
    text = re.sub(r"https?://\S+|\S+@\S+", " ", text)
    found = set()
    for line in text.splitlines():
        for sentence in re.split(r"(?<=[.!?:])\s+", line.strip()):
            if len(re.findall(r"[^\W\d_]{2,}", sentence)) >= 2:
                found.add(sentence)
    return found


def test_every_email_template_is_known():
    assert EMAIL_TEMPLATES, "no e-mail templates found"


@pytest.mark.django_db
@pytest.mark.parametrize("language", TRANSLATED)
@pytest.mark.parametrize("template", EMAIL_TEMPLATES)
def test_email_in_every_language(template, language):
    """Every e-mail renders in every language with a translated subject and no English sentence left."""
    english, translated = send(template, "en"), send(template, language)
    assert translated.subject and translated.subject != english.subject, "the subject is not translated"
    allowed = catalogues.same_as_english_allowed(language)
    left = sorted(s for s in sentences(english.body) & sentences(translated.body) if s not in allowed)
    assert not left, f"English left in the {language} {template} e-mail: {left}\n\n{translated.body}"
    assert "{{" not in translated.body and "{%" not in translated.body and "%(" not in translated.body


@pytest.mark.django_db
@pytest.mark.parametrize("template", EMAIL_TEMPLATES)
def test_email_in_french(template):
    english, french_ = send(template, "en"), send(template, "fr")
    assert french_.subject != english.subject, "the subject is not translated"
    if template in FRENCH_SUBJECTS:
        assert french_.subject == FRENCH_SUBJECTS[template]
    assert french_.body.startswith("Bonjour")
    # No English sentence left in the body (links and the site name aside).
    leftover = re.findall(r"\b(?:the|you|your|this|if|link)\b", french_.body, re.IGNORECASE)
    assert not leftover, french_.body


@pytest.mark.django_db
@pytest.mark.parametrize("template", EMAIL_TEMPLATES)
def test_an_unknown_email_language_gives_english(template):
    """A language code Limen has no catalogue for gives the English message, whole."""
    english, unknown = send(template, "en"), send(template, "xx")
    assert (unknown.subject, unknown.body) == (english.subject, english.body)


LINK_WORKS = "The link works once, for %(minutes)s minute."


@pytest.mark.django_db
@pytest.mark.parametrize("language", TRANSLATED)
def test_plural_forms_in_emails(language):
    """The e-mail takes the plural form the language's rule gives for each number."""
    entry = next(e for e in catalogue(language) if e.msgid == LINK_WORKS)
    _needed, samples = catalogues.PLURALS[language]
    for minutes, form in samples.items():
        body = send("password_reset", language, minutes=minutes).body
        expected = entry.msgstr_plural[form] % {"minutes": minutes}
        assert expected in body, f"{minutes} should take form {form}: {expected!r}\n{body}"


@pytest.mark.django_db
def test_plural_forms_in_french_emails():
    assert "pendant 1 minute." in send("password_reset", "fr", minutes=1).body
    assert "pendant 30 minutes." in send("password_reset", "fr", minutes=30).body


def test_all_eu_languages_are_offered_for_emails():
    assert len(EU_LANGUAGES) == 24
    assert settings.EMAIL_LANGUAGES == EU_LANGUAGES
