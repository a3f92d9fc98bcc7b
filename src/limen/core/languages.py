"""Languages Limen knows about.

E-mail language: all 24 official EU languages are offered; a language with no
translation yet falls back to English. Interface languages: only those whose
translation is complete are offered in the switcher.
"""

from django.conf import settings

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

INTERFACE_LANGUAGES = [
    ("en", "English"),
    ("fr", "français"),
]

EU_LANGUAGE_CODES = frozenset(code for code, _ in EU_LANGUAGES)
INTERFACE_LANGUAGE_CODES = frozenset(code for code, _ in INTERFACE_LANGUAGES)


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
