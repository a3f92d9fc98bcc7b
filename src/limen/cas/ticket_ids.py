"""Ticket identifiers: a prefix (ST, PT, PGT, PGTIOU), a hyphen, and random letters and digits.

CAS 3.0 §3.7: tickets contain only A-Z, a-z, 0-9 and the hyphen. Widely used
clients check this and refuse anything else (URL-safe base64 would put an
underscore in about a third of the tickets).

Each character is drawn uniformly from 62 by the operating system's random
source (in one draw for the whole ticket: limen.core.random_strings): 29 of
them carry 29 × log2(62) ≈ 172.7 bits (Limen's tickets always had at least
168), and "ST-" plus 29 makes 32 characters, the length every CAS client must
accept.
"""

from __future__ import annotations

import math
import string

from limen.core import random_strings

ALPHABET = string.ascii_uppercase + string.ascii_lowercase + string.digits
LENGTH = 29
BITS = LENGTH * math.log2(len(ALPHABET))
PREFIXES = ("ST", "PT", "PGT", "PGTIOU")


def new(prefix: str) -> str:
    """A fresh identifier such as ``ST-8Hq2…``; ``prefix`` is one of PREFIXES."""
    if prefix not in PREFIXES:
        raise ValueError(f"unknown ticket prefix {prefix!r}")
    return f"{prefix}-" + random_strings.draw(ALPHABET, LENGTH)
