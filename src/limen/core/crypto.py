"""Encryption of secrets at rest (device secrets, private keys, upstream client secrets), keyed digests.

The one module that imports ``cryptography`` for symmetric encryption.
AES-256-GCM with one key per purpose, derived (HKDF-SHA256) from a key of the
keyring (limen.core.keyring): the first key encrypts, every listed key
decrypts, so keys can be rotated (``limen rotate_secrets``).

A ciphertext is URL-safe base64 of one of:

- version 1, made with the ``legacy`` key (the only format before keys had
  names, still written while ``legacy`` is the first key):
  ``0x01 | nonce (12) | AES-GCM(plaintext, aad=purpose)``
- version 2, made with a named key:
  ``0x02 | len(id) | id | nonce (12) | AES-GCM(plaintext, aad=header + purpose)``
  where the header is everything before the nonce.

So decryption picks its key by the id the ciphertext names, never by trial.
A keyed digest made with a named key is ``id:hex``; with ``legacy``, plain
hex as before.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hmac
import logging
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from . import keyring
from .config import LEGACY_KEY_ID

log = logging.getLogger("limen.crypto")

LEGACY_VERSION = 1
NAMED_VERSION = 2
NONCE_BYTES = 12
DIGEST_SEPARATOR = ":"


class DecryptionError(Exception):
    """A ciphertext could not be opened. For logs and operators; people see a generic failure."""

    code = "undecryptable"


class Malformed(DecryptionError):
    code = "malformed"


class UnknownKey(DecryptionError):
    """The ciphertext names a key that is not configured (removed before its ciphertexts were rotated)."""

    code = "unknown_key"

    def __init__(self, key_id: str):
        self.key_id = key_id
        super().__init__(f"made with the encryption key {key_id!r}, which is not configured: list it in "
                         "LIMEN_ENCRYPTION_KEYS again, run `limen rotate_secrets`, and remove it only once "
                         "`limen rotate_secrets --check` passes")


class WrongKey(DecryptionError):
    """The named key is configured but does not open the ciphertext: a different key under the same id, or
    altered data."""

    code = "wrong_key"

    def __init__(self, key_id: str):
        self.key_id = key_id
        hint = ("was LIMEN_ENCRYPTION_KEY or the secret key changed?" if key_id == LEGACY_KEY_ID
                else "was the key under this id replaced?")
        super().__init__(f"the encryption key {key_id!r} does not open this ciphertext ({hint}), "
                         "or the data was altered")


@dataclass(frozen=True)
class Envelope:
    key_id: str
    header: bytes
    nonce: bytes
    sealed: bytes


@functools.lru_cache(maxsize=256)
def _derive(material: bytes, info: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"limen-at-rest", info=info.encode()).derive(material)


def _key(key_id: str, purpose: str) -> bytes:
    key = keyring.current().find(key_id)
    if key is None:
        raise UnknownKey(key_id)
    return _derive(key.material, purpose)


def _header(key_id: str) -> bytes:
    if key_id == LEGACY_KEY_ID:
        return bytes([LEGACY_VERSION])
    encoded = key_id.encode("ascii")
    return bytes([NAMED_VERSION, len(encoded)]) + encoded


def _open_envelope(token: str) -> Envelope:
    try:
        raw = base64.urlsafe_b64decode(token.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise Malformed("not base64") from None
    if raw[:1] == bytes([LEGACY_VERSION]):
        header, key_id = raw[:1], LEGACY_KEY_ID
    elif raw[:1] == bytes([NAMED_VERSION]) and len(raw) >= 2:
        header = raw[:2 + raw[1]]
        try:
            key_id = header[2:].decode("ascii")
        except UnicodeDecodeError:
            raise Malformed("the key id is not ASCII") from None
        if not key_id or len(header) != 2 + raw[1]:
            raise Malformed("truncated header")
    else:
        raise Malformed("unknown ciphertext version")
    body = raw[len(header):]
    if len(body) <= NONCE_BYTES:
        raise Malformed("truncated ciphertext")
    return Envelope(key_id, header, body[:NONCE_BYTES], body[NONCE_BYTES:])


def key_id_of(token: str) -> str:
    """The id of the key ``token`` was made with (``legacy`` for version 1); raises Malformed."""
    return _open_envelope(token).key_id


def primary_key_id() -> str:
    return keyring.current().primary.id


def encrypt(plaintext: bytes, *, purpose: str) -> str:
    key_id = primary_key_id()
    header = _header(key_id)
    aad = purpose.encode() if key_id == LEGACY_KEY_ID else header + purpose.encode()
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(_key(key_id, purpose)).encrypt(nonce, plaintext, aad)
    return base64.urlsafe_b64encode(header + nonce + sealed).decode()


def decrypt(token: str, *, purpose: str) -> bytes:
    """Raises DecryptionError (Malformed, UnknownKey, WrongKey)."""
    envelope = _open_envelope(token)
    key = _key(envelope.key_id, purpose)
    aad = purpose.encode() if envelope.key_id == LEGACY_KEY_ID else envelope.header + purpose.encode()
    try:
        return AESGCM(key).decrypt(envelope.nonce, envelope.sealed, aad)
    except InvalidTag:
        raise WrongKey(envelope.key_id) from None


def _hmac(key_id: str, value: bytes, purpose: str) -> str:
    return hmac.new(_key(key_id, "mac:" + purpose), value, "sha256").hexdigest()


def keyed_digest(value: bytes, *, purpose: str) -> str:
    """HMAC-SHA256 of ``value`` under the first key, derived for ``purpose``: ``id:hex`` (plain hex for legacy).

    For short high-entropy secrets that are only ever compared (recovery
    codes, SMS codes): a leaked database gives nothing to brute-force
    offline without the key, and checking stays fast. Compare with
    ``digest_matches``, which uses the key the stored digest names.
    """
    key_id = primary_key_id()
    hexdigest = _hmac(key_id, value, purpose)
    return hexdigest if key_id == LEGACY_KEY_ID else f"{key_id}{DIGEST_SEPARATOR}{hexdigest}"


def digest_key_id(stored: str) -> str:
    key_id, separator, _ = stored.rpartition(DIGEST_SEPARATOR)
    return key_id if separator else LEGACY_KEY_ID


def digest_matches(stored: str, value: bytes, *, purpose: str) -> bool:
    """Whether ``stored`` (from ``keyed_digest``, under any configured key) is the digest of ``value``.

    A digest whose key is no longer configured matches nothing: the code it
    protects stops working (logged as an error for the operator).
    """
    key_id = digest_key_id(stored)
    try:
        candidate = _hmac(key_id, value, purpose)
    except UnknownKey as error:
        log.error("keyed digest (%s) cannot be checked: %s", purpose, error)
        return False
    expected = stored if key_id == LEGACY_KEY_ID else stored[len(key_id) + len(DIGEST_SEPARATOR):]
    return hmac.compare_digest(expected.encode(), candidate.encode())
