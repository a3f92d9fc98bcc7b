"""Take secrets and personal data out of a text before it is logged.

Log lines travel further than the database (log shippers, tickets, chat): they must
never carry a password, a one-time code, a token or ticket, or a whole e-mail
address. ``text()`` masks

- e-mail addresses, also URL-encoded: ``j***@example.org`` (the domain stays, it helps
  to see which provider bounces);
- values of parameters and fields whose name says they are secret
  (``password=…``, ``code=…``, ``"token": "…"``, ``ticket=…``, ``client_secret=…``…);
- CAS tickets wherever they are (``ST-…``, ``PT-…``, ``PGT-…``, ``PGTIOU-…``);
- HTTP credentials (``Bearer …``, ``Basic …``);
- long random-looking strings (40 characters or more of letters, digits, ``-`` and ``_``):
  the single-use tokens in link paths (``/verify/<token>/``) and JWTs.

It is applied by a logging filter (``core.logs.RedactingFilter``) to every record, on
the message, its arguments and tracebacks. It is a safety net: code should not log
such values in the first place.
"""

from __future__ import annotations

import re

MASK = "[redacted]"

SECRET_NAMES = (
    "password", "passwd", "new_password", "confirm_password", "current_password", "pin", "otp", "code",
    "code_verifier", "token", "access_token", "refresh_token", "id_token", "id_token_hint", "logout_token",
    "secret", "client_secret", "assertion", "client_assertion", "ticket", "pgt", "pgtid", "pgtiou",
    "csrfmiddlewaretoken", "authorization", "cookie", "sessionid", "limen_sso",
)
_NAMES = "|".join(sorted((re.escape(n) for n in SECRET_NAMES), key=len, reverse=True))

_NAME = rf"(?i)(?<![A-Za-z0-9_])([\"']?(?:{_NAMES})[\"']?\s*[=:]\s*)"
_PATTERNS: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"(?i)\b(bearer|basic)\s+(?!\[redacted\])[A-Za-z0-9._~+/=-]+"), rf"\1 {MASK}"),
    # "name": "value" and name='value': the whole quoted value.
    (re.compile(_NAME + r"([\"'])(?!\[redacted\])[^\"']*\2"), rf"\1\2{MASK}\2"),
    # name=value (query strings, form bodies, key=value lines) and name: value.
    (re.compile(_NAME + r"(?![\"'\[]|(?i:bearer|basic)\s)[^\s&,;)}\]]+"), rf"\1{MASK}"),
    (re.compile(r"\b(ST|PT|PGT|PGTIOU|TGT)-[A-Za-z0-9-]{6,}"), rf"\1-{MASK}"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?"), MASK),  # JWTs
    (re.compile(r"[A-Za-z0-9_-]{40,}"), MASK),
    (re.compile(r"([A-Za-z0-9])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})"), r"\1***@\2"),
    (re.compile(r"(?i)([A-Za-z0-9])[A-Za-z0-9._%+-]*%40([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})"),
     r"\1***%40\2"),
)


# What every pattern above needs to match (a separator, an @, a ticket's prefix, a JWT's start, a long run):
# text without any of it, such as most paths, is returned as it is after one scan instead of eight.
_MAYBE = re.compile(r"[=:@\s]|%40|(?:ST|PT|PGT|PGTIOU|TGT)-|eyJ|[A-Za-z0-9_-]{40}")


def text(value: str) -> str:
    """``value`` with secrets and e-mail addresses masked (applying it twice changes nothing more)."""
    if _MAYBE.search(value) is None:
        return value
    for pattern, replacement in _PATTERNS:
        value = pattern.sub(replacement, value)
    return value

