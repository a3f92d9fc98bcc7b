"""Re-encrypting secrets at rest under the newest key (``limen rotate_secrets``).

Every field registered in limen.core.secret_fields is read in batches (by
primary key); a ciphertext made with an older key is decrypted and encrypted
again with the first key of the keyring, and written back only if the row
still holds the ciphertext that was read (a conditional UPDATE, one
transaction per batch). A row that changed meanwhile (a person changed their
PIN, an instance still on the old configuration wrote it) is read again, so
nothing newer is ever overwritten with stale data. Rows already under the
newest key are left alone: a run is idempotent, and an interrupted run is
resumed by running it again.

Keyed digests cannot be re-made (only the person knows the code): they are
counted, so that an operator knows which keys still verify codes people hold.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.dispatch import Signal

from . import crypto, keyring, secret_fields
from .secret_fields import DigestField, EncryptedField

log = logging.getLogger("limen.crypto")

DEFAULT_BATCH = 200
# A row that keeps changing under the rotation is left for the next run after this many tries.
MAX_TRIES = 3

# Sent once a rotation run (not a dry run, not a check) stops: report=Report, finished=bool.
secrets_rotated = Signal()


@dataclass
class FieldReport:
    label: str
    total: int = 0
    current: int = 0  # under the newest key (before or after this run)
    rewritten: int = 0  # re-encrypted by this run
    changed_meanwhile: int = 0  # written by someone else between our read and our write (then read again)
    old: Counter = field(default_factory=Counter)  # still under an older, listed key: key id -> rows
    unreadable: Counter = field(default_factory=Counter)  # key id (or "malformed") -> rows

    @property
    def old_total(self) -> int:
        return sum(self.old.values())

    @property
    def unreadable_total(self) -> int:
        return sum(self.unreadable.values())

    def as_data(self) -> dict[str, Any]:
        return {"total": self.total, "current": self.current, "rewritten": self.rewritten,
                "changed_meanwhile": self.changed_meanwhile, "old": dict(self.old),
                "unreadable": dict(self.unreadable)}


@dataclass
class Report:
    key_id: str
    key_ids: tuple[str, ...]
    encrypted: list[FieldReport] = field(default_factory=list)
    digests: list[FieldReport] = field(default_factory=list)

    @property
    def old(self) -> int:
        """Ciphertexts still under an older key."""
        return sum(f.old_total for f in self.encrypted)

    @property
    def unreadable(self) -> int:
        """Ciphertexts no configured key opens."""
        return sum(f.unreadable_total for f in self.encrypted)

    @property
    def rewritten(self) -> int:
        return sum(f.rewritten for f in self.encrypted)

    @property
    def old_digests(self) -> int:
        """Usable digests under an older key that is still listed: removing it makes those codes fail."""
        return sum(f.old_total for f in self.digests)

    @property
    def dead_digests(self) -> int:
        """Usable digests under a key no longer listed: those codes no longer work."""
        return sum(f.unreadable_total for f in self.digests)

    @property
    def old_keys_needed(self) -> bool:
        """Whether removing an older key now would make something unreadable or unusable."""
        return bool(self.old or self.unreadable or self.old_digests)


@dataclass(frozen=True)
class Rewrite:
    pk: Any
    read: str  # the ciphertext read
    new: str  # the same plaintext under the newest key


def _unreadable_reason(error: crypto.DecryptionError) -> str:
    return getattr(error, "key_id", None) or error.code


def read_batch(entry: EncryptedField | DigestField, *, after: Any = None, size: int = DEFAULT_BATCH) -> list[tuple]:
    """The next ``size`` (pk, value) pairs of ``entry`` after primary key ``after``."""
    rows = entry.rows().order_by("pk")
    if after is not None:
        rows = rows.filter(pk__gt=after)
    return list(rows.values_list("pk", entry.field)[:size])


def plan(entry: EncryptedField, rows: list[tuple], report: FieldReport, *, key_id: str) -> list[Rewrite]:
    """Count ``rows`` and re-encrypt, in memory, those under an older key."""
    rewrites = []
    for pk, value in rows:
        report.total += 1
        try:
            plaintext = crypto.decrypt(value, purpose=entry.purpose)
        except crypto.DecryptionError as error:
            report.unreadable[_unreadable_reason(error)] += 1
            log.error("%s of row %s cannot be decrypted: %s", entry.label, pk, error)
            continue
        if crypto.key_id_of(value) == key_id:
            report.current += 1
        else:
            rewrites.append(Rewrite(pk, value, crypto.encrypt(plaintext, purpose=entry.purpose)))
    return rewrites


def apply(entry: EncryptedField, rewrites: list[Rewrite], report: FieldReport, *, key_id: str) -> None:
    """Write ``rewrites`` in one transaction, each only over the value it was made from; re-read the others."""
    manager = entry.model._default_manager
    raced = []
    with transaction.atomic():
        for rewrite in rewrites:
            if manager.filter(pk=rewrite.pk, **{entry.field: rewrite.read}).update(**{entry.field: rewrite.new}):
                report.rewritten += 1
                report.current += 1
            else:
                raced.append(rewrite.pk)
    for pk in raced:
        report.changed_meanwhile += 1
        _again(entry, pk, report, key_id=key_id)


def _again(entry: EncryptedField, pk: Any, report: FieldReport, *, key_id: str) -> None:
    manager = entry.model._default_manager
    for _ in range(MAX_TRIES):
        value = manager.filter(pk=pk).values_list(entry.field, flat=True).first()
        if not value:  # deleted or emptied meanwhile: nothing left to rotate
            report.total -= 1
            return
        try:
            plaintext = crypto.decrypt(value, purpose=entry.purpose)
        except crypto.DecryptionError as error:
            report.unreadable[_unreadable_reason(error)] += 1
            log.error("%s of row %s cannot be decrypted: %s", entry.label, pk, error)
            return
        if crypto.key_id_of(value) == key_id:
            report.current += 1
            return
        new = crypto.encrypt(plaintext, purpose=entry.purpose)
        with transaction.atomic():
            if manager.filter(pk=pk, **{entry.field: value}).update(**{entry.field: new}):
                report.rewritten += 1
                report.current += 1
                return
    report.old[crypto.key_id_of(value)] += 1  # keeps changing: the next run takes it


def _count_old(rewrites: list[Rewrite], report: FieldReport) -> None:
    for rewrite in rewrites:
        report.old[crypto.key_id_of(rewrite.read)] += 1


def _rotate_field(entry: EncryptedField, *, key_id: str, size: int, dry_run: bool) -> FieldReport:
    report = FieldReport(entry.label)
    after = None
    while rows := read_batch(entry, after=after, size=size):
        after = rows[-1][0]
        rewrites = plan(entry, rows, report, key_id=key_id)
        if dry_run:
            _count_old(rewrites, report)
        else:
            apply(entry, rewrites, report, key_id=key_id)
    return report


def _count_digests(entry: DigestField, *, key_id: str, size: int) -> FieldReport:
    configured = set(keyring.current().ids)
    report = FieldReport(entry.label)
    after = None
    while rows := read_batch(entry, after=after, size=size):
        after = rows[-1][0]
        for _pk, value in rows:
            report.total += 1
            made_with = crypto.digest_key_id(value)
            if made_with == key_id:
                report.current += 1
            elif made_with in configured:
                report.old[made_with] += 1
            else:
                report.unreadable[made_with] += 1
    return report


def _new_report() -> Report:
    ring = keyring.current()
    return Report(key_id=ring.primary.id, key_ids=ring.ids)


def rotate(*, size: int = DEFAULT_BATCH, dry_run: bool = False) -> Report:
    """Re-encrypt every registered field under the newest key; count the keys of registered digests.

    With ``dry_run`` only count (``limen rotate_secrets --dry-run`` and ``--check``).
    """
    report = _new_report()
    finished = False
    try:
        for entry in secret_fields.encrypted():
            report.encrypted.append(_rotate_field(entry, key_id=report.key_id, size=size, dry_run=dry_run))
        for digest_entry in secret_fields.digests():
            report.digests.append(_count_digests(digest_entry, key_id=report.key_id, size=size))
        finished = True
    finally:
        if not dry_run:
            if finished:
                secrets_rotated.send(sender=Report, report=report, finished=True)
            else:  # interrupted: record what was done, without hiding why it stopped
                secrets_rotated.send_robust(sender=Report, report=report, finished=False)
    return report
