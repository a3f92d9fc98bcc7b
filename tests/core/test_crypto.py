"""Secrets at rest (limen.core.crypto): named keys, the format of before, keyed digests."""

from __future__ import annotations

import base64
import logging

import pytest

from limen.core import crypto

from ..support.keys import new_key

TODAY_SECRET_KEY = "limen-test-secret-key-of-today-0123456789abcdef"
TODAY_ENCRYPTION_KEY = "an operator's own encryption key of today"
# Made by limen.core.crypto as it was before keys had names (commit 78e0e31), so they must read forever:
# with the secret key only...
DEVICE_SECRETS = "Acrq6bRuT4IY_voYeaj98MD0d2IR80CZDIcx-fGw66MjIsrQLN-VK_JKAHGkDYjg8WofrAeAOWvgAYUkmRLLgRxva4M="
DEVICE_PURPOSE = "factors_mobile_app.device-secrets"
DEVICE_PLAINTEXT = b'{"k": "a2V5", "v": "dmVy", "p": "cGlu"}'
RECOVERY_DIGEST = "8f3abecc68e0ddb78c1e89aac25040e4cd8b75175d6eca49e7d895e21da61406"  # of b"abcd2345ef"
# ...and with LIMEN_ENCRYPTION_KEY.
EID_SECRET = "AW31aKrSh0uf9ZWMdar2AKnQ0jr5tqNFTqF0_17B6YOiK5kDSQ0Lw8y7OQ4="
EID_PURPOSE = "eid-upstream-client-secret"


@pytest.fixture
def today(settings, encryption_keys):
    settings.SECRET_KEY = TODAY_SECRET_KEY
    settings.ENCRYPTION_KEY = ""
    encryption_keys("")
    return settings


def raw(token: str) -> bytes:
    return base64.urlsafe_b64decode(token)


# --- the format of before, with no configuration change --------------------------

def test_ciphertexts_made_before_key_names_still_read(today):
    assert crypto.decrypt(DEVICE_SECRETS, purpose=DEVICE_PURPOSE) == DEVICE_PLAINTEXT
    today.ENCRYPTION_KEY = TODAY_ENCRYPTION_KEY
    assert crypto.decrypt(EID_SECRET, purpose=EID_PURPOSE) == b"upstream-secret"
    assert crypto.key_id_of(EID_SECRET) == "legacy"


def test_digests_made_before_key_names_still_match(today):
    assert crypto.keyed_digest(b"abcd2345ef", purpose="recovery-code") == RECOVERY_DIGEST
    assert crypto.digest_matches(RECOVERY_DIGEST, b"abcd2345ef", purpose="recovery-code")
    assert not crypto.digest_matches(RECOVERY_DIGEST, b"abcd2345eg", purpose="recovery-code")


def test_without_named_keys_new_ciphertexts_keep_the_old_format(today):
    # An instance of the previous release (during a rolling upgrade) reads what this one writes.
    token = crypto.encrypt(b"secret", purpose="p")
    assert raw(token)[:1] == b"\x01"
    assert crypto.key_id_of(token) == "legacy"
    assert crypto.decrypt(token, purpose="p") == b"secret"


# --- named keys -------------------------------------------------------------------

def test_the_first_key_encrypts_and_the_ciphertext_names_it(today, encryption_keys):
    encryption_keys(f"2026-11:{new_key()},legacy")
    token = crypto.encrypt(b"secret", purpose="p")
    assert raw(token)[:2] == b"\x02\x07" and raw(token)[2:9] == b"2026-11"
    assert crypto.key_id_of(token) == "2026-11"
    assert crypto.decrypt(token, purpose="p") == b"secret"
    assert crypto.decrypt(DEVICE_SECRETS, purpose=DEVICE_PURPOSE) == DEVICE_PLAINTEXT  # legacy still listed


def test_every_listed_key_decrypts(today, encryption_keys):
    old, new = new_key(), new_key()
    encryption_keys(f"2025-06:{old}")
    made_before = crypto.encrypt(b"secret", purpose="p")
    encryption_keys(f"2026-11:{new},2025-06:{old}")
    assert crypto.decrypt(made_before, purpose="p") == b"secret"
    assert crypto.key_id_of(crypto.encrypt(b"secret", purpose="p")) == "2026-11"


def test_a_removed_key_is_a_clear_error(today, encryption_keys):
    old, new = new_key(), new_key()
    encryption_keys(f"2025-06:{old}")
    made_before = crypto.encrypt(b"secret", purpose="p")
    encryption_keys(f"2026-11:{new}")
    with pytest.raises(crypto.UnknownKey) as info:
        crypto.decrypt(made_before, purpose="p")
    assert info.value.key_id == "2025-06"
    assert "'2025-06'" in str(info.value) and "LIMEN_ENCRYPTION_KEYS" in str(info.value)
    assert isinstance(info.value, crypto.DecryptionError)


def test_legacy_must_stay_listed_while_old_ciphertexts_remain(today, encryption_keys):
    encryption_keys(f"2026-11:{new_key()}")
    with pytest.raises(crypto.UnknownKey, match="'legacy'"):
        crypto.decrypt(DEVICE_SECRETS, purpose=DEVICE_PURPOSE)


def test_a_different_key_under_the_same_id_does_not_open_it(today, encryption_keys):
    encryption_keys(f"2026-11:{new_key()}")
    token = crypto.encrypt(b"secret", purpose="p")
    encryption_keys(f"2026-11:{new_key()}")
    with pytest.raises(crypto.WrongKey, match="2026-11"):
        crypto.decrypt(token, purpose="p")
    encryption_keys("")
    today.SECRET_KEY = "another secret key, so another legacy key, 0123456789"
    with pytest.raises(crypto.WrongKey, match="secret key changed"):
        crypto.decrypt(DEVICE_SECRETS, purpose=DEVICE_PURPOSE)


def test_the_key_id_is_authenticated(today, encryption_keys):
    same = new_key()
    encryption_keys(f"aaaa:{same}")
    token = raw(crypto.encrypt(b"secret", purpose="p"))
    encryption_keys(f"aaaa:{same},bbbb:{new_key()}")
    # Renaming the key in the header is detected even if the other key were the same material.
    forged = base64.urlsafe_b64encode(token[:2] + b"bbbb" + token[6:]).decode()
    with pytest.raises(crypto.WrongKey):
        crypto.decrypt(forged, purpose="p")


def test_a_ciphertext_is_bound_to_its_purpose(today, encryption_keys):
    encryption_keys(f"k1:{new_key()}")
    token = crypto.encrypt(b"secret", purpose="one")
    with pytest.raises(crypto.WrongKey):
        crypto.decrypt(token, purpose="two")


@pytest.mark.parametrize("token", ["", "not base64 at all!", base64.urlsafe_b64encode(b"\x03" + bytes(40)).decode(),
                                   base64.urlsafe_b64encode(b"\x02\x10ab").decode(),
                                   base64.urlsafe_b64encode(b"\x02\x00" + bytes(40)).decode(),
                                   base64.urlsafe_b64encode(b"\x01" + bytes(5)).decode()])
def test_malformed_ciphertexts(today, token):
    with pytest.raises(crypto.Malformed):
        crypto.decrypt(token, purpose="p")


# --- keyed digests ----------------------------------------------------------------

def test_a_digest_names_its_key_and_matches_while_the_key_is_listed(today, encryption_keys, caplog):
    old = new_key()
    encryption_keys(f"2025-06:{old}")
    before = crypto.keyed_digest(b"ABC234DEF", purpose="sms-code")
    assert before.startswith("2025-06:") and len(before) == len("2025-06:") + 64
    encryption_keys(f"2026-11:{new_key()},2025-06:{old},legacy")  # during a rotation
    assert crypto.digest_matches(before, b"ABC234DEF", purpose="sms-code")
    assert crypto.digest_matches(RECOVERY_DIGEST, b"abcd2345ef", purpose="recovery-code")
    assert not crypto.digest_matches(before, b"ABC234DEG", purpose="sms-code")
    after = crypto.keyed_digest(b"ABC234DEF", purpose="sms-code")
    assert after.startswith("2026-11:") and crypto.digest_matches(after, b"ABC234DEF", purpose="sms-code")
    assert not crypto.digest_matches(after, b"ABC234DEF", purpose="recovery-code")

    encryption_keys(f"2026-11:{new_key()}")  # old keys removed: their codes stop working, and the log says why
    with caplog.at_level(logging.ERROR, logger="limen.crypto"):
        assert not crypto.digest_matches(before, b"ABC234DEF", purpose="sms-code")
        assert not crypto.digest_matches(RECOVERY_DIGEST, b"abcd2345ef", purpose="recovery-code")
    assert "'2025-06'" in caplog.text and "'legacy'" in caplog.text
