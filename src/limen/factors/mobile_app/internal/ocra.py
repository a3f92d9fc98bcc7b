"""The server's side of the offline one-time password: RFC 6287 OCRA through limen_protocol.ocra."""

from __future__ import annotations

import secrets

from limen_protocol import OCRA_SUITE
from limen_protocol import ocra as _ocra

SUITE = _ocra.parse_suite(OCRA_SUITE)


def new_challenge() -> str:
    """A fresh QN08 challenge: 8 random decimal digits."""
    return f"{secrets.randbelow(10 ** SUITE.question_length):0{SUITE.question_length}d}"


def response_length() -> int:
    return SUITE.digits


def check(key: bytes, pin_hash: bytes, challenge: str, response: str) -> bool:
    """Constant-time check of a typed one-time password."""
    return _ocra.verify(SUITE, key, response, question=challenge, pin_hash=pin_hash)
