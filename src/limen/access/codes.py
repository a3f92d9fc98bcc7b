"""What a validation code looks like: 12 characters in four groups of three, ABC-DEF-GHJ-KMN.

The alphabet has no look-alikes (no 0/O, no 1/I/L): the code is read in an
e-mail or an SMS and typed elsewhere, often by hand. 31 characters, 12 of
them: about 59 bits, and a few tries before the code locks. Only a keyed hash
is stored, bound to the request it was made for, so a code works for that one
person and application.

People may type it with spaces or dashes and in lower case; anything else is
refused, saying which group (which box) holds the character that is not used.
"""

from __future__ import annotations

from limen.core import crypto, random_strings

from .errors import CodeBadCharacter, CodeMalformed, CodeWrongLength

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
GROUP = 3
GROUPS = 4
LENGTH = GROUP * GROUPS
MAX_INPUT = 40
SEPARATORS = " -\t\u00a0"
PURPOSE = "access-code"


def new_code() -> str:
    return random_strings.draw(ALPHABET, LENGTH)


def display(raw: str) -> str:
    return "-".join(raw[i:i + GROUP] for i in range(0, LENGTH, GROUP))


def normalise(typed: str) -> str:
    """The code as stored, whatever spaces, dashes or case the person typed; raises a CodeError that says
    what is wrong (which box, for a character codes never use)."""
    if not typed or len(typed) > MAX_INPUT:
        raise CodeMalformed()
    raw = "".join(ch for ch in typed.strip().upper() if ch not in SEPARATORS)
    for position, ch in enumerate(raw[:LENGTH]):
        if ch not in ALPHABET:
            raise CodeBadCharacter(group=position // GROUP + 1, character=ch if ch.isprintable() else "?")
    if len(raw) != LENGTH:
        raise CodeWrongLength(typed=len(raw))
    return raw


def digest(raw: str, *, request_id) -> str:
    """Bound to one request: the same characters are no code for another person or application."""
    return crypto.keyed_digest(f"{request_id}:{raw}".encode(), purpose=PURPOSE)
