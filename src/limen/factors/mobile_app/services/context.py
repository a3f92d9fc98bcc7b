"""What the app shows about a sign-in request: which browser (the application comes from the transaction)."""

from __future__ import annotations

import re

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
