"""Languages Limen knows about.

E-mail language: all 24 official EU languages are offered; a language with no
translation yet falls back to English. Interface languages: only those whose
translation is complete are offered in the switcher.
"""

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
