"""What a recovery code looks like: ten characters in groups, from an alphabet without look-alikes."""

from __future__ import annotations

from limen.core import crypto, random_strings

# No 0/o, 1/l/i: a code copied by hand must read back the same.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
LENGTH = 10
GROUPS = (4, 4, 2)
MAX_INPUT = 40
PURPOSE = "recovery-code"


def new_code() -> str:
    raw = random_strings.draw(ALPHABET, LENGTH)
    return display(raw)


def display(raw: str) -> str:
    parts, start = [], 0
    for size in GROUPS:
        parts.append(raw[start:start + size])
        start += size
    return "-".join(parts)


def normalise(typed: str) -> str | None:
    """The code as stored, whatever spaces, hyphens or case the person typed; None if it cannot be one."""
    if not typed or len(typed) > MAX_INPUT:
        return None
    raw = "".join(ch for ch in typed.lower() if ch not in " -\t")
    if len(raw) != LENGTH or any(ch not in ALPHABET for ch in raw):
        return None
    return raw


def digest(raw: str) -> str:
    return crypto.keyed_digest(raw.encode(), purpose=PURPOSE)


def matches(stored: str, raw: str) -> bool:
    """``stored`` is the digest of ``raw``, whichever configured key made it."""
    return crypto.digest_matches(stored, raw.encode(), purpose=PURPOSE)
