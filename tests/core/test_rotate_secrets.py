"""limen rotate_secrets: every encrypted field re-encrypted under the newest key, safely, with a check."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from limen.audit.events import Event
from limen.audit.models import AuditEvent
from limen.core import clock, crypto, rotation, secret_fields
from limen.factors.eid.models import UpstreamProvider
from limen.factors.mobile_app import sealing, webpush
from limen.factors.mobile_app.models import MobileDevice
from limen.factors.recovery import services as recovery
from limen.factors.sms.models import SmsCode
from limen.oidc import clientauth, clients, keys
from limen.oidc.models import Client, SigningKey

from ..support.keys import new_key

pytestmark = pytest.mark.django_db

DEVICE = "factors_mobile_app.MobileDevice.sealed"
SECRETS = sealing.DeviceSecrets(key=b"K" * 32, verifier=b"V" * 32, pin_hash=b"P" * 20)


def run(*args) -> tuple[str, int]:
    """The command as an operator runs it: its output, and its exit status."""
    out = io.StringIO()
    try:
        call_command("rotate_secrets", *args, stdout=out)
    except CommandError as error:  # what `limen` turns into its exit status (and prints on stderr)
        return out.getvalue() + f"CommandError: {error}\n", error.returncode
    return out.getvalue(), 0


def line(output: str, label: str) -> str:
    return next(text for text in output.splitlines() if text.strip().startswith(label + ":"))


@pytest.fixture
def device(user):
    return MobileDevice.objects.create(user=user, name="Phone", public_key="pk", sealed=sealing.seal(SECRETS),
                                       status="active")


@pytest.fixture
def stored(user, device, add_phone):
    """One of each kind of secret at rest, made before keys had names (LIMEN_ENCRYPTION_KEYS unset)."""
    keys.ensure()  # the OpenID Connect signing keys (active and next)
    registered = clients.register(name="Payroll", redirect_uris=["https://payroll.example/cb"],
                                  auth_method="client_secret_jwt")
    provider = UpstreamProvider(name="Test eID", slug="test", issuer="https://eid.example", client_id="limen")
    provider.set_secret("upstream secret")
    provider.save()
    add_phone(user)
    webpush.vapid_key()  # the Web Push key pair, made at first use
    codes = recovery.generate(user)
    return {"client": registered.client, "client_secret": registered.secret, "provider": provider,
            "codes": codes}


def key_ids(entry_label: str) -> set[str]:
    entry = next(e for e in secret_fields.encrypted() if e.label == entry_label)
    return {crypto.key_id_of(value) for value in entry.rows().values_list(entry.field, flat=True)}


def everything_reads(stored, device) -> None:
    """Every secret, read the way its area reads it."""
    device.refresh_from_db()
    assert sealing.unseal(device.sealed) == SECRETS
    keys._private.clear()  # as after a restart: the private keys are decrypted again
    keys.forget_cache()
    assert keys.active().kid == SigningKey.objects.get(state="active").kid
    for row in SigningKey.objects.all():
        assert b"PRIVATE KEY" in crypto.decrypt(row.private_key, purpose=keys.PURPOSE)
    client = Client.objects.get(pk=stored["client"].pk)
    assert crypto.decrypt(client.secret_encrypted, purpose=clientauth.SECRET_PURPOSE).decode() \
        == stored["client_secret"]
    assert UpstreamProvider.objects.get(pk=stored["provider"].pk).secret() == "upstream secret"
    assert "PRIVATE KEY" in webpush._private_pem()


# --- what is registered ---------------------------------------------------------------------

def test_every_area_registers_its_secrets_at_rest():
    assert [e.label for e in secret_fields.encrypted()] == [
        "factors_eid.UpstreamProvider.client_secret_encrypted",
        "factors_mobile_app.Enrolment.sealed",
        "factors_mobile_app.MobileDevice.sealed",
        "factors_mobile_app.VapidKey.sealed_private_key",
        "oidc.Client.secret_encrypted",
        "oidc.SigningKey.private_key",
    ]
    assert [e.label for e in secret_fields.digests()] == [
        "factors_recovery.RecoveryCode.digest",
        "factors_sms.SmsCode.digest",
    ]


# --- the whole life of a key ------------------------------------------------------------------

def test_upgrade_add_a_key_rotate_remove_the_old_key(stored, device, user, encryption_keys):
    everything_reads(stored, device)  # today's format, no configuration change
    output, status = run("--check")
    assert status == 0 and "Newest key: legacy." in output

    new = new_key()
    encryption_keys(f"2026-11:{new},legacy")  # prepended; every instance restarted
    everything_reads(stored, device)
    output, status = run("--check")
    assert status == 1 and "6 ciphertext(s) still need an older key: run limen rotate_secrets" in output
    assert "1 under older keys (legacy: 1)" in line(output, DEVICE)
    assert "10 under older keys (legacy: 10)" in line(output, "factors_recovery.RecoveryCode.digest")

    output, status = run()
    assert status == 0, output
    assert line(output, DEVICE) == (f"  {DEVICE}: 1 in all; 1 under the newest key (1 re-encrypted now); "
                                    "0 under older keys; 0 unreadable")
    assert "2 in all; 2 under the newest key (2 re-encrypted now)" in line(output, "oidc.SigningKey.private_key")
    assert "Still under older keys: 0 ciphertext(s), 10 digest(s)." in output
    assert "recovery codes last until their owners make a new set" in output
    for entry in secret_fields.encrypted():
        assert key_ids(entry.label) <= {"2026-11"}
    everything_reads(stored, device)

    # The recovery codes people hold still work with both keys listed; a new set is made with the new key.
    assert recovery.verify(user, stored["codes"][0]) == 9
    output, status = run("--check")
    assert status == 1 and "0 under older keys; 0 unreadable" in line(output, DEVICE)
    assert "9 code(s) people hold still need an older key: removing it now makes them stop working." in output
    recovery.generate(user)
    output, status = run("--check")
    assert status == 0, output
    assert "Nothing needs an older key: keep only 2026-11 in LIMEN_ENCRYPTION_KEYS." in output

    encryption_keys(f"2026-11:{new}")  # the old key removed; every instance restarted
    everything_reads(stored, device)
    assert run("--check")[1] == 0


def test_rotation_is_idempotent_and_resumes_in_batches(user, encryption_keys):
    for n in range(5):
        MobileDevice.objects.create(user=user, name=f"Phone {n}", public_key="pk", sealed=sealing.seal(SECRETS))
    encryption_keys(f"2026-11:{new_key()},legacy")
    entry = next(e for e in secret_fields.encrypted() if e.label == DEVICE)
    # A run stopped after its first batch of two...
    report = rotation.FieldReport(DEVICE)
    first = rotation.read_batch(entry, size=2)
    rotation.apply(entry, rotation.plan(entry, first, report, key_id="2026-11"), report, key_id="2026-11")
    assert report.rewritten == 2
    # ...is finished by running it again, which rewrites only the others, in batches of one.
    output, status = run("--batch", "1")
    assert status == 0
    assert "5 in all; 5 under the newest key (3 re-encrypted now); 0 under older keys" in line(output, DEVICE)
    output, _ = run()
    assert "5 in all; 5 under the newest key (0 re-encrypted now)" in line(output, DEVICE)
    assert {sealing.unseal(v) for v in MobileDevice.objects.values_list("sealed", flat=True)} == {SECRETS}


def test_dry_run_changes_nothing(device, encryption_keys):
    before = device.sealed
    encryption_keys(f"2026-11:{new_key()},legacy")
    output, status = run("--dry-run")
    assert status == 0 and "Nothing is written." in output
    assert "0 re-encrypted now); 1 under older keys (legacy: 1)" in line(output, DEVICE)
    device.refresh_from_db()
    assert device.sealed == before
    assert not AuditEvent.objects.filter(event=Event.SECRETS_ROTATED).exists()


def test_a_run_is_audited(device, encryption_keys):
    encryption_keys(f"2026-11:{new_key()},legacy")
    run()
    event = AuditEvent.objects.get(event=Event.SECRETS_ROTATED)
    assert event.data["key"] == "2026-11" and event.data["keys"] == ["2026-11", "legacy"]
    assert event.data["finished"] is True and event.data["rewritten"] == 1 and event.data["old"] == 0
    assert event.data["fields"][DEVICE]["rewritten"] == 1
    assert event.get_event_display() == "Secrets at rest re-encrypted under the newest key by an operator"
    run("--check")
    assert AuditEvent.objects.filter(event=Event.SECRETS_ROTATED).count() == 1  # a check changes nothing


def test_help():
    from limen.core.management.commands.rotate_secrets import Command

    text = Command().create_parser("limen", "rotate_secrets").format_help()
    assert "Re-encrypt every secret stored encrypted under the newest key" in text
    assert "--check" in text and "rows per transaction (default 200)" in text


def test_bad_batch_size_is_refused():
    for value in ["0", "ten"]:
        with pytest.raises(CommandError, match=f"--batch: expected a whole number of at least 1, got '{value}'"):
            call_command("rotate_secrets", "--batch", value)
    with pytest.raises(CommandError, match="not allowed with argument"):
        call_command("rotate_secrets", "--check", "--dry-run")


# --- a key removed too early ------------------------------------------------------------------

def test_a_key_removed_while_in_use_is_detected(device, encryption_keys):
    old = new_key()
    encryption_keys(f"2025-06:{old}")
    device.sealed = sealing.seal(SECRETS)
    device.save()
    encryption_keys(f"2026-11:{new_key()}")  # 2025-06 removed before rotating

    with pytest.raises(crypto.UnknownKey, match="'2025-06'.*LIMEN_ENCRYPTION_KEYS"):
        sealing.unseal(MobileDevice.objects.get(pk=device.pk).sealed)
    for args in [("--check",), ()]:
        output, status = run(*args)
        assert status == 1
        assert "1 unreadable (2025-06: 1)" in line(output, DEVICE)
        assert "1 ciphertext(s) cannot be read by any configured key" in output
    device.refresh_from_db()
    assert crypto.key_id_of(device.sealed) == "2025-06"  # left as it was, for when the key is back

    encryption_keys(f"2026-11:{new_key()},2025-06:{old}")
    assert run()[1] == 0
    device.refresh_from_db()
    assert sealing.unseal(device.sealed) == SECRETS


def test_codes_made_with_a_removed_key_are_reported_not_blocking(user, add_phone, encryption_keys):
    add_phone(user)
    codes = recovery.generate(user)  # legacy
    encryption_keys(f"2026-11:{new_key()}")  # the operator chose to let those codes go
    output, status = run("--check")
    assert status == 0
    assert "10 under keys no longer configured (legacy: 10)" in line(output, "factors_recovery.RecoveryCode.digest")
    assert "10 code(s) were made with a key no longer configured and no longer work." in output
    with pytest.raises(recovery.WrongCode):
        recovery.verify(user, codes[0])


def test_only_usable_codes_keep_a_key_needed(user, add_phone, encryption_keys):
    from limen.factors.sms import services as sms

    phone = add_phone(user)
    sms.send_code(user, phone.number, "signin")
    encryption_keys(f"2026-11:{new_key()},legacy")
    assert "1 usable" in line(run("--check")[0], "factors_sms.SmsCode.digest")
    clock.advance(hours=1)  # the code expired: it no longer matters
    output, status = run("--check")
    assert status == 0 and "0 usable" in line(output, "factors_sms.SmsCode.digest")
    assert SmsCode.objects.count() == 1


# --- concurrent writers ---------------------------------------------------------------------

def _rotation_reads(encryption_keys, new: str):
    encryption_keys(f"2026-11:{new},legacy")
    entry = next(e for e in secret_fields.encrypted() if e.label == DEVICE)
    report = rotation.FieldReport(DEVICE)
    rows = rotation.read_batch(entry)
    return entry, report, rotation.plan(entry, rows, report, key_id="2026-11")


def test_a_row_rewritten_meanwhile_by_an_instance_on_the_old_key_is_read_again(device, encryption_keys):
    new = new_key()
    entry, report, rewrites = _rotation_reads(encryption_keys, new)
    # Meanwhile an instance not yet restarted (legacy only) changes the device's PIN verifier.
    encryption_keys("")
    changed = sealing.DeviceSecrets(key=SECRETS.key, verifier=b"W" * 32, pin_hash=b"Q" * 20)
    MobileDevice.objects.filter(pk=device.pk).update(sealed=sealing.seal(changed))

    encryption_keys(f"2026-11:{new},legacy")
    rotation.apply(entry, rewrites, report, key_id="2026-11")
    device.refresh_from_db()
    assert sealing.unseal(device.sealed) == changed  # the newer secrets, not the stale ones
    assert crypto.key_id_of(device.sealed) == "2026-11"  # and rotated after all
    assert report.changed_meanwhile == 1 and report.rewritten == 1 and report.old_total == 0


def test_a_row_rewritten_meanwhile_under_the_new_key_is_left_alone(device, encryption_keys):
    entry, report, rewrites = _rotation_reads(encryption_keys, new_key())
    changed = sealing.DeviceSecrets(key=SECRETS.key, verifier=b"W" * 32, pin_hash=b"Q" * 20)
    written = sealing.seal(changed)  # by a restarted instance: already under 2026-11
    MobileDevice.objects.filter(pk=device.pk).update(sealed=written)
    rotation.apply(entry, rewrites, report, key_id="2026-11")
    device.refresh_from_db()
    assert device.sealed == written
    assert report.changed_meanwhile == 1 and report.rewritten == 0 and report.current == 1


def test_other_columns_written_meanwhile_are_kept(device, encryption_keys):
    entry, report, rewrites = _rotation_reads(encryption_keys, new_key())
    MobileDevice.objects.filter(pk=device.pk).update(failed_pins=3, name="Renamed")  # a wrong PIN, a rename
    rotation.apply(entry, rewrites, report, key_id="2026-11")
    device.refresh_from_db()
    assert (device.failed_pins, device.name) == (3, "Renamed")
    assert crypto.key_id_of(device.sealed) == "2026-11" and sealing.unseal(device.sealed) == SECRETS


def test_a_row_deleted_meanwhile_is_skipped(device, encryption_keys):
    entry, report, rewrites = _rotation_reads(encryption_keys, new_key())
    MobileDevice.objects.filter(pk=device.pk).delete()
    rotation.apply(entry, rewrites, report, key_id="2026-11")
    assert report.total == 0 and report.rewritten == 0 and not MobileDevice.objects.exists()
