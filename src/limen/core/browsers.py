"""Which browser on which system, read from a User-Agent header, for the people who look at it.

People see "Firefox on Windows", never the raw header (which stays in the
audit trail for operators). Every area that shows where something came from
uses this module; none parses User-Agent headers itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

# Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari", Android also says "Linux".
_BROWSERS = [
    ("Edge", re.compile(r"Edg(e|A|iOS)?/")), ("Opera", re.compile(r"OPR/|Opera")),
    ("Samsung Internet", re.compile(r"SamsungBrowser/")), ("Firefox", re.compile(r"Firefox/|FxiOS/")),
    ("Chrome", re.compile(r"Chrome/|CriOS/|Chromium/")), ("Safari", re.compile(r"Safari/")),
]
_SYSTEMS = [
    ("Android", re.compile(r"Android")), ("iOS", re.compile(r"iPhone|iPad|iPod")),
    ("Windows", re.compile(r"Windows")), ("macOS", re.compile(r"Mac OS X|Macintosh")),
    ("ChromeOS", re.compile(r"CrOS")), ("Linux", re.compile(r"Linux|X11")),
]
# A program that is no browser names itself first: "curl/8.5", "limen-authenticator/0.1 (...)".
_PRODUCT = re.compile(r"^\s*([A-Za-z][A-Za-z0-9._-]{0,39})/")


@dataclass(frozen=True)
class Browser:
    name: str = ""     # "Firefox"; a program's own name ("curl"); "" when unknown
    system: str = ""   # "Windows"; "" when unknown


def identify(user_agent: str | None) -> Browser:
    ua = user_agent or ""
    name = next((name for name, pattern in _BROWSERS if pattern.search(ua)), "")
    system = next((name for name, pattern in _SYSTEMS if pattern.search(ua)), "")
    if not name and not system:
        product = _PRODUCT.match(ua)
        if product and product.group(1) != "Mozilla":
            name = product.group(1)
    return Browser(name, system)


def summary(user_agent: str | None) -> str:
    """'Firefox on Windows', in the reader's language."""
    browser = identify(user_agent)
    if browser.name and browser.system:
        return _("%(browser)s on %(system)s") % {"browser": browser.name, "system": browser.system}
    return browser.name or browser.system or _("Unknown browser")


def short(user_agent: str | None) -> str:
    """'Firefox · Windows', the same in every language (what the mobile app is sent)."""
    browser = identify(user_agent)
    if browser.name and browser.system:
        return f"{browser.name} · {browser.system}"
    return browser.name or browser.system or "?"
