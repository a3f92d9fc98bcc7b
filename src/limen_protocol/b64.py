"""Unpadded base64url: the encoding of every binary value in the protocol."""

from __future__ import annotations

import base64
import binascii
import re

_ALPHABET = re.compile(r"^[A-Za-z0-9_-]*$")


class DecodeError(ValueError):
    pass


def encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def decode(text: str, *, length: int | None = None, max_length: int = 4096) -> bytes:
    """Strict decoding: only the base64url alphabet, no padding, optional exact length."""
    if not isinstance(text, str) or len(text) > max_length or not _ALPHABET.match(text) or len(text) % 4 == 1:
        raise DecodeError("not unpadded base64url")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:  # pragma: no cover - the regex already guards
        raise DecodeError(str(exc)) from None
    if encode(data) != text:  # non-canonical trailing bits
        raise DecodeError("non-canonical base64url")
    if length is not None and len(data) != length:
        raise DecodeError(f"expected {length} bytes, got {len(data)}")
    return data
