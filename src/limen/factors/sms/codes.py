"""SMS codes as EU Login writes them: nine characters in three groups, XXX-XXX-XXX."""

from __future__ import annotations

from limen.core import crypto, random_strings

# No 0/O, 1/I: read on a small screen, typed on another.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
LENGTH = 9
MAX_INPUT = 30
PURPOSE = "sms-code"


def new_code() -> str:
    return random_strings.draw(ALPHABET, LENGTH)


def display(raw: str) -> str:
    return "-".join(raw[i:i + 3] for i in range(0, LENGTH, 3))


def normalise(typed: str) -> str | None:
    if not typed or len(typed) > MAX_INPUT:
        return None
    raw = "".join(ch for ch in typed.upper() if ch not in " -\t")
    if len(raw) != LENGTH or any(ch not in ALPHABET for ch in raw):
        return None
    return raw


def digest(raw: str, *, number: str) -> str:
    """Bound to the number it was sent to."""
    return crypto.keyed_digest(f"{number}:{raw}".encode(), purpose=PURPOSE)


def matches(stored: str, raw: str, *, number: str) -> bool:
    """``stored`` is the digest of ``raw`` sent to ``number``, whichever configured key made it."""
    return crypto.digest_matches(stored, f"{number}:{raw}".encode(), purpose=PURPOSE)
