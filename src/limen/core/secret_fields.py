"""Where secrets at rest are stored: the model fields holding limen.core.crypto ciphertexts or keyed digests.

Each area registers its own fields in its AppConfig.ready, so that
``limen rotate_secrets`` (limen.core.rotation) finds every one of them while
core knows no area::

    from limen.core import secret_fields

    secret_fields.register_encrypted(MobileDevice, "sealed", purpose=sealing.PURPOSE)
    secret_fields.register_digest(RecoveryCode, "digest", purpose=codes.PURPOSE,
                                  live=lambda: Q(used__isnull=True))

A field holds the output of ``crypto.encrypt(..., purpose=purpose)`` (or "")
for every row; a digest field the output of ``crypto.keyed_digest``. ``live``
selects the digests that can still be used (unused, unexpired codes): only
those keep an old key needed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.db.models import Q


@dataclass(frozen=True)
class EncryptedField:
    model: type[models.Model]
    field: str
    purpose: str

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field}"

    def rows(self) -> models.QuerySet:
        """The rows that hold a ciphertext in this field."""
        return self.model._default_manager.exclude(**{f"{self.field}__isnull": True}).exclude(**{self.field: ""})


@dataclass(frozen=True)
class DigestField:
    model: type[models.Model]
    field: str
    purpose: str
    live: Callable[[], Q] | None = None

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field}"

    def rows(self) -> models.QuerySet:
        """The rows whose digest can still be used."""
        rows = self.model._default_manager.exclude(**{f"{self.field}__isnull": True}).exclude(**{self.field: ""})
        return rows.filter(self.live()) if self.live is not None else rows


_encrypted: dict[str, EncryptedField] = {}
_digests: dict[str, DigestField] = {}


def register_encrypted(model: type[models.Model], field: str, *, purpose: str) -> EncryptedField:
    model._meta.get_field(field)  # a typo fails at start-up, not during a rotation
    entry = EncryptedField(model, field, purpose)
    _encrypted[entry.label] = entry
    return entry


def register_digest(model: type[models.Model], field: str, *, purpose: str,
                    live: Callable[[], Q] | None = None) -> DigestField:
    model._meta.get_field(field)
    entry = DigestField(model, field, purpose, live)
    _digests[entry.label] = entry
    return entry


def encrypted() -> list[EncryptedField]:
    return sorted(_encrypted.values(), key=lambda entry: entry.label)


def digests() -> list[DigestField]:
    return sorted(_digests.values(), key=lambda entry: entry.label)
