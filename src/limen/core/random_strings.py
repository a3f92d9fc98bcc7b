"""Random strings over an alphabet, from one draw of the operating system's random source.

``secrets.choice`` per character asks the kernel once per character (a ``getrandom`` call each: 29 for a
CAS ticket). One ``secrets.randbelow(len(alphabet) ** length)`` written in base ``len(alphabet)`` gives
the same thing: every string of the alphabet equally likely, so each character uniform and independent of
the others.
"""

from __future__ import annotations

import secrets


def draw(alphabet: str, length: int) -> str:
    """``length`` characters, each drawn uniformly from ``alphabet`` (distinct characters, at least two)."""
    size = len(alphabet)
    if size < 2 or len(set(alphabet)) != size or length < 1:
        raise ValueError("an alphabet of two or more distinct characters and a length of at least one")
    number = secrets.randbelow(size ** length)
    chars = []
    for _ in range(length):
        number, digit = divmod(number, size)
        chars.append(alphabet[digit])
    return "".join(chars)
