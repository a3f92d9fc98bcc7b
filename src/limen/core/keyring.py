"""The keys of secrets at rest, as configured: the first encrypts, every one decrypts.

LIMEN_ENCRYPTION_KEYS lists named keys, newest first (parsed by
limen.core.config.encryption_keys). ``legacy`` is the key Limen used before
keys had names: LIMEN_ENCRYPTION_KEY, or, if unset, the secret key. With
LIMEN_ENCRYPTION_KEYS unset it is the only key, so nothing changes for an
operator who never rotates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from .config import LEGACY_KEY_ID, EncryptionKey


@dataclass(frozen=True)
class Key:
    id: str
    # Input keying material: one AES key per purpose is derived from it (limen.core.crypto).
    material: bytes = field(repr=False)

    @property
    def is_legacy(self) -> bool:
        return self.id == LEGACY_KEY_ID


@dataclass(frozen=True)
class Keyring:
    keys: tuple[Key, ...]

    @property
    def primary(self) -> Key:
        """The key new ciphertexts and digests are made with."""
        return self.keys[0]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(key.id for key in self.keys)

    def find(self, key_id: str) -> Key | None:
        return next((key for key in self.keys if key.id == key_id), None)


def current() -> Keyring:
    legacy = (getattr(settings, "ENCRYPTION_KEY", "") or settings.SECRET_KEY).encode()
    listed = getattr(settings, "ENCRYPTION_KEYS", ()) or (EncryptionKey(LEGACY_KEY_ID),)
    return Keyring(tuple(Key(entry.id, legacy if entry.secret is None else entry.secret) for entry in listed))
