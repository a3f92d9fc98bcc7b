"""Translations: every interface language is complete, pages and e-mails use it.

The catalogues live in src/limen/locale/<lang>/LC_MESSAGES/django.po (and the
compiled django.mo, committed so that running Limen needs no gettext).
docs/translating.md explains how to update them.
"""

from __future__ import annotations

import gettext
import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.utils import translation

import limen
from limen.core.languages import EU_LANGUAGES, INTERFACE_LANGUAGES

from ..conftest import DEFAULT_PASSWORD

SRC = Path(limen.__file__).resolve().parent
LOCALE = SRC / "locale"
# Every language offered in the switcher, and every catalogue committed: a
# catalogue is only committed complete (e-mails would otherwise mix languages).
TRANSLATED = sorted({code for code, _ in INTERFACE_LANGUAGES if code != "en"}
                    | {p.parent.parent.name for p in LOCALE.glob("*/LC_MESSAGES/django.po")})


# --- a tiny .po reader ------------------------------------------------------------

_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda m: _ESCAPES[m.group(1)], text[1:-1])


def read_po(path: Path) -> list[dict]:
    """Entries as dicts: flags, msgctxt, msgid, msgid_plural, msgstr (list), obsolete."""
    entries = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        entry = {"flags": set(), "msgctxt": None, "msgid_plural": None, "msgstr": [], "obsolete": False}
        key = None
        for line in block.splitlines():
            if line.startswith("#~"):
                entry["obsolete"] = True
                continue
            if line.startswith("#,"):
                entry["flags"] |= {f.strip() for f in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                if key.startswith("msgstr"):
                    entry["msgstr"][-1] += _unquote(line)
                else:
                    entry[key] += _unquote(line)
            else:
                key, _, value = line.partition(" ")
                if key.startswith("msgstr"):
                    entry["msgstr"].append(_unquote(value))
                else:
                    entry[key] = _unquote(value)
        entries.append(entry)
    return entries


def messages(path: Path) -> list[dict]:
    """The entries that are messages: not the header, not obsolete."""
    return [e for e in read_po(path) if e.get("msgid") and not e["obsolete"]]


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


_PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def shape(text: str) -> tuple[list[str], list[str]]:
    """What a translation must keep: placeholders and HTML tags (with their attributes)."""
    return sorted(_PLACEHOLDER.findall(text)), sorted(_TAG.findall(text))


# --- catalogues ---------------------------------------------------------------------

def test_interface_languages_have_catalogues():
    assert TRANSLATED, "no interface language besides English"
    for language in TRANSLATED:
        assert po_path(language).exists(), f"{language} is offered in the switcher but has no django.po"
        assert po_path(language).with_suffix(".mo").exists(), f"{language}: django.mo is missing (compilemessages)"


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalogue_is_complete(language):
    entries = read_po(po_path(language))
    header = entries[0]
    assert header["msgid"] == "", "the first entry should be the header"
    assert "fuzzy" not in header["flags"], "the header is marked fuzzy"
    assert f"Language: {language}\n" in header["msgstr"][0]
    untranslated = [e["msgid"] for e in messages(po_path(language)) if not all(e["msgstr"])]
    fuzzy = [e["msgid"] for e in messages(po_path(language)) if "fuzzy" in e["flags"]]
    assert not untranslated, f"{len(untranslated)} untranslated in {language}: {untranslated}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy in {language}: {fuzzy}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_placeholders_and_tags(language):
    wrong = []
    for e in messages(po_path(language)):
        for i, translated in enumerate(e["msgstr"]):
            source = e["msgid"] if i == 0 or e["msgid_plural"] is None else e["msgid_plural"]
            if shape(translated) != shape(source):
                wrong.append((source, translated))
    assert not wrong, wrong


@pytest.mark.parametrize("language", TRANSLATED)
def test_compiled_catalogue_matches_po(language):
    """The committed django.mo says what django.po says (someone ran compilemessages)."""
    with open(po_path(language).with_suffix(".mo"), "rb") as f:
        compiled = gettext.GNUTranslations(f)._catalog
    stale = []
    for e in messages(po_path(language)):
        key = e["msgid"] if e["msgctxt"] is None else f"{e['msgctxt']}\x04{e['msgid']}"
        if e["msgid_plural"] is None:
            if compiled.get(key) != e["msgstr"][0]:
                stale.append(e["msgid"])
        elif [compiled.get((key, i)) for i in range(len(e["msgstr"]))] != e["msgstr"]:
            stale.append(e["msgid"])
    assert not stale, f"django.mo is older than django.po: run `make messages` ({stale[:5]}...)"


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="GNU gettext is not installed")
@pytest.mark.parametrize("language", TRANSLATED)
def test_msgfmt_accepts_catalogue(language):
    result = subprocess.run(["msgfmt", "--check", "--statistics", "-o", os.devnull, str(po_path(language))],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


@pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext is not installed")
@pytest.mark.parametrize("language", TRANSLATED)
def test_catalogue_has_every_source_string(language, tmp_path):
    """Extract the strings again from a copy of the source: none may be missing from the catalogue."""
    copy = tmp_path / "limen"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__", "locale", "static"))
    (copy / "locale").mkdir()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}  # no settings: write here
    result = subprocess.run([sys.executable, "-m", "django", "makemessages", "-l", language, "-e", "html,txt,py"],
                            cwd=copy, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    extracted = {(e["msgctxt"], e["msgid"]) for e in messages(copy / "locale" / language / "LC_MESSAGES" / "django.po")}
    catalogue = {(e["msgctxt"], e["msgid"]) for e in messages(po_path(language))}
    missing = sorted(msgid for _, msgid in extracted - catalogue)
    assert not missing, (f"{len(missing)} new string(s) not in the {language} catalogue; run `make messages` "
                         f"and translate them (docs/translating.md): {missing}")


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
    assert '<html lang="fr">' in page
    for text in expected:
        assert text in page
    assert "Sign in" not in page and "Privacy statement" not in page


@pytest.mark.django_db
def test_missing_page_in_french(client):
    page = french(client).get("/no-such-page/").content.decode()
    assert '<html lang="fr">' in page
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
    assert '<html lang="fr">' in page
    assert "<h1>Mon compte</h1>" in page
    assert "Se déconnecter" in page
    assert "Modifier mon mot de passe" in page


def test_english_is_the_default(client, db):
    page = client.get("/login/").content.decode()
    assert '<html lang="en">' in page
    assert "Sign in to continue" in page


def test_sign_in_error_in_french(client, user):
    french(client).post("/login/", {"email": user.email})
    page = html.unescape(client.post("/login/password/", {"password": DEFAULT_PASSWORD + "x"}).content.decode())
    assert "L'adresse électronique ou le mot de passe est incorrect." in page


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


def send(template: str, language: str):
    from django.utils import timezone

    from limen.notify.outbox import send_templated_email

    context = {
        "user": SimpleNamespace(first_name="Marie", email="marie@example.org"),
        "site_name": "Limen", "base_url": "https://login.example.org",
        "link": "https://login.example.org/t/abc/", "signin_url": "https://login.example.org/login/",
        "lost_password_url": "https://login.example.org/password/lost/",
        "my_account_url": "https://login.example.org/account/",
        "new_email": "marie.curie@example.org", "old_email": "marie@example.org",
        "minutes": 15, "hours": 24, "ip": "192.0.2.7", "now": timezone.now(),
    }
    return send_templated_email(to="marie@example.org", template=template, language=language, context=context)


def test_every_email_template_is_known():
    assert EMAIL_TEMPLATES, "no e-mail templates found"


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
def test_email_language_without_catalogue_falls_back_to_english(template):
    assert not po_path("lv").exists()
    english, latvian = send(template, "en"), send(template, "lv")
    assert latvian.subject == english.subject
    assert latvian.body == english.body


@pytest.mark.django_db
def test_plural_forms_in_french_emails():
    from limen.notify.outbox import send_templated_email

    def body(minutes):
        context = {"user": SimpleNamespace(first_name="Marie"), "site_name": "Limen", "minutes": minutes,
                   "link": "https://login.example.org/t/abc/"}
        return send_templated_email(to="m@example.org", template="password_reset", language="fr",
                                    context=context).body

    assert "pendant 1 minute." in body(1)
    assert "pendant 30 minutes." in body(30)


def test_all_eu_languages_are_offered_for_emails():
    assert len(EU_LANGUAGES) == 24
    assert settings.EMAIL_LANGUAGES == EU_LANGUAGES
