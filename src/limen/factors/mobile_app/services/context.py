"""What the app shows about a sign-in request: which application, which browser."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from django.conf import settings

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


def browser_summary(user_agent: str) -> str:
    """'Firefox on Windows' from a User-Agent header; the raw header is not shown to the person."""
    browser = next((name for name, pattern in _BROWSERS if pattern.search(user_agent or "")), "")
    system = next((name for name, pattern in _SYSTEMS if pattern.search(user_agent or "")), "")
    if browser and system:
        return f"{browser} · {system}"
    return browser or system or "?"


def application_name(next_url: str) -> str:
    """The application the person is signing in to, as far as ``next`` tells."""
    parts = urlsplit(next_url or "")
    service = parse_qs(parts.query).get("service", [""])[0] or parse_qs(parts.query).get("redirect_uri", [""])[0]
    if service:
        name = _registered_name(service)
        if name:
            return name[:200]
        host = urlsplit(service).hostname
        if host:
            return host[:200]
    return settings.SITE_NAME[:200]


def _registered_name(service: str) -> str | None:
    """The name the operator gave the CAS application registered for ``service``, if any."""
    from django.apps import apps

    if not apps.is_installed("limen.cas"):
        return None
    from limen.cas import registry

    match = registry.match(service)
    return match.name if match is not None else None
