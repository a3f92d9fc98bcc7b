"""Languages Limen knows about, and which one a page is shown in.

E-mail language: all 24 official EU languages, chosen per account. Interface
languages: the same 24, in the switcher at the top of every page. The page
language is, in this order: the switcher's choice (the ``limen_language``
cookie), else the browser's Accept-Language among the 24, else English
(Django's LocaleMiddleware). At sign-in the account's interface language
applies, unless the person chose one with the switcher in this session.
"""

from __future__ import annotations

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.utils.translation import gettext_lazy as _

from .errors import LimenError

# Autonyms, so a person finds their language whatever the page language is.
EU_LANGUAGES = [
    ("bg", "български (bg)"),
    ("cs", "čeština (cs)"),
    ("da", "dansk (da)"),
    ("de", "Deutsch (de)"),
    ("el", "ελληνικά (el)"),
    ("en", "English (en)"),
    ("es", "español (es)"),
    ("et", "eesti (et)"),
    ("fi", "suomi (fi)"),
    ("fr", "français (fr)"),
    ("ga", "Gaeilge (ga)"),
    ("hr", "hrvatski (hr)"),
    ("hu", "magyar (hu)"),
    ("it", "italiano (it)"),
    ("lt", "lietuvių (lt)"),
    ("lv", "latviešu (lv)"),
    ("mt", "Malti (mt)"),
    ("nl", "Nederlands (nl)"),
    ("pl", "polski (pl)"),
    ("pt", "português (pt)"),
    ("ro", "română (ro)"),
    ("sk", "slovenčina (sk)"),
    ("sl", "slovenščina (sl)"),
    ("sv", "svenska (sv)"),
]

# The switcher lists them in the EU's protocol order (as europa.eu does), each by its autonym.
INTERFACE_LANGUAGES = [
    ("bg", "български"),
    ("es", "español"),
    ("cs", "čeština"),
    ("da", "dansk"),
    ("de", "Deutsch"),
    ("et", "eesti"),
    ("el", "ελληνικά"),
    ("en", "English"),
    ("fr", "français"),
    ("ga", "Gaeilge"),
    ("hr", "hrvatski"),
    ("it", "italiano"),
    ("lv", "latviešu"),
    ("lt", "lietuvių"),
    ("hu", "magyar"),
    ("mt", "Malti"),
    ("nl", "Nederlands"),
    ("pl", "polski"),
    ("pt", "português"),
    ("ro", "română"),
    ("sk", "slovenčina"),
    ("sl", "slovenščina"),
    ("fi", "suomi"),
    ("sv", "svenska"),
]

EU_LANGUAGE_CODES = frozenset(code for code, _ in EU_LANGUAGES)
INTERFACE_LANGUAGE_CODES = frozenset(code for code, _ in INTERFACE_LANGUAGES)


# Django's own locale data lacks Maltese: without this entry {% get_language_info %} fails for it.
# (Its plural forms come from Limen's catalogue header; its formats from limen/formats/mt.)
EXTRA_LANG_INFO = {
    "mt": {"bidi": False, "code": "mt", "name": "Maltese", "name_local": "Malti"},
}

# A language chosen with the switcher in this session: it wins over the account's at sign-in.
CHOSEN_KEY = "limen_language_chosen"


class UnknownLanguage(LimenError):
    code = "unknown_language"
    default_message = _("Choose one of the languages in the list.")
    field = "language"


def register_language_info() -> None:
    """Teach Django the languages its own locale data lacks (called once, from CoreConfig.ready)."""
    for code, info in EXTRA_LANG_INFO.items():
        LANG_INFO.setdefault(code, info)


def interface_language(code: object) -> str:
    """``code`` if it is one of the interface languages; raises UnknownLanguage otherwise."""
    if not isinstance(code, str) or code not in INTERFACE_LANGUAGE_CODES:
        raise UnknownLanguage()
    return code


def remember_choice(request, response, code: str) -> None:
    """The switcher was used: this browser keeps the language, and so does this session's sign-in."""
    set_language_cookie(response, code)
    request.session[CHOSEN_KEY] = code


def forget_choice(request, response) -> None:
    """Back to the browser's Accept-Language."""
    forget_language_cookie(response)
    request.session.pop(CHOSEN_KEY, None)


def language_at_sign_in(request, user) -> str:
    """The page language once ``user`` has signed in ('' leaves the browser's as it is).

    Read it before the session changes hands (a new person signing in empties the session)."""
    chosen = request.session.get(CHOSEN_KEY, "")
    someone_else = request.user.is_authenticated and request.user.pk != user.pk  # switching accounts
    if chosen in INTERFACE_LANGUAGE_CODES and not someone_else:
        return chosen
    return user.interface_language if user.interface_language in INTERFACE_LANGUAGE_CODES else ""


def set_language_cookie(response, code: str) -> None:
    """Remember an interface language in this browser, as Django's set_language view does.

    LocaleMiddleware reads this cookie before the browser's Accept-Language.
    """
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, code, max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def forget_language_cookie(response) -> None:
    """Back to the browser's Accept-Language."""
    response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, path=settings.LANGUAGE_COOKIE_PATH,
                           domain=settings.LANGUAGE_COOKIE_DOMAIN, samesite=settings.LANGUAGE_COOKIE_SAMESITE)
