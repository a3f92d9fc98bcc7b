"""Encryption of secrets at rest (device secrets, OTP seeds, upstream client secrets).

The one module that imports ``cryptography`` for symmetric encryption.
AES-256-GCM with a key derived (HKDF-SHA256) from LIMEN_ENCRYPTION_KEY, or,
if unset, from the secret key. Ciphertexts carry a version byte so keys can
be rotated later.
"""

from __future__ import annotations

import base64
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

VERSION = b"\x01"


class DecryptionError(Exception):
    pass


def _key(purpose: str) -> bytes:
    master = (getattr(settings, "ENCRYPTION_KEY", "") or settings.SECRET_KEY).encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"limen-at-rest", info=purpose.encode()).derive(master)


def encrypt(plaintext: bytes, *, purpose: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_key(purpose)).encrypt(nonce, plaintext, purpose.encode())
    return base64.urlsafe_b64encode(VERSION + nonce + sealed).decode()


def decrypt(token: str, *, purpose: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(token.encode())
        if raw[:1] != VERSION:
            raise DecryptionError("unknown ciphertext version")
        return AESGCM(_key(purpose)).decrypt(raw[1:13], raw[13:], purpose.encode())
    except DecryptionError:
        raise
    except Exception as exc:  # wrong key, tampered data, bad encoding
        raise DecryptionError(str(exc)) from None


def keyed_digest(value: bytes, *, purpose: str) -> str:
    """HMAC-SHA256 of ``value`` under a key derived for ``purpose`` (hex).

    For short high-entropy secrets that are only ever compared (recovery
    codes, SMS codes): a leaked database gives nothing to brute-force
    offline without the key, and checking stays fast.
    """
    return hmac.new(_key("mac:" + purpose), value, "sha256").hexdigest()
