"""The py_webauthn wrapper, against a software authenticator: what it accepts and what it refuses."""

import json

import pytest

from limen.factors.webauthn import aaguids
from limen.factors.webauthn.internal import webauthn_lib as lib
from tests.factors.webauthn.authenticator import YUBIKEY_5_NFC, SoftAuthenticator

ORIGIN, RP = "https://login.example.org", "login.example.org"


def _options(key=None):
    options, challenge = lib.registration_options(
        rp_id=RP, rp_name="Limen", user_handle=b"h" * 32, user_name="ada@example.org", display_name="Ada",
        exclude=[], platform=False, timeout_ms=60000)
    return json.loads(options), challenge


def _registered(key):
    options, challenge = _options()
    return lib.verify_registration(json.dumps(key.create(options)), challenge=challenge, rp_id=RP, origin=ORIGIN)


def _assert(key, registered, **knobs):
    options, challenge = lib.authentication_options(rp_id=RP, allow=[(registered.credential_id, ["usb"])],
                                                    timeout_ms=60000)
    answer = key.get(json.loads(options), **{k: v for k, v in knobs.items() if k != "stored"})
    return lib.verify_assertion(json.dumps(answer), challenge=challenge, rp_id=RP, origin=ORIGIN,
                                public_key=registered.public_key, stored_sign_count=knobs.get("stored", 0))


@pytest.fixture
def key():
    return SoftAuthenticator(origin=ORIGIN, rp_id=RP)


def test_registration_options_ask_for_user_verification_and_no_attestation():
    options, challenge = _options()
    assert options["attestation"] == "none"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["authenticatorSelection"]["authenticatorAttachment"] == "cross-platform"
    assert options["authenticatorSelection"]["residentKey"] == "preferred"
    assert options["extensions"] == {"credProps": True}
    assert options["rp"] == {"name": "Limen", "id": RP}
    assert len(challenge) >= 32


def test_register_records_aaguid_transports_and_passkey(key):
    result = _registered(key)
    assert result.aaguid == YUBIKEY_5_NFC and result.fmt == "none"
    assert result.transports == ["usb", "nfc"] and result.attachment == "cross-platform"
    assert result.discoverable is True and result.sign_count == 0
    assert aaguids.model_name(result.aaguid) == "YubiKey 5 Series with NFC"


def test_registration_for_another_origin_is_refused(key):
    options, challenge = _options()
    answer = key.create(options, origin="https://evil.example.net")
    with pytest.raises(lib.WrongOrigin):
        lib.verify_registration(json.dumps(answer), challenge=challenge, rp_id=RP, origin=ORIGIN)
    options, challenge = _options()
    answer = key.create(options, rp_id="evil.example.net")
    with pytest.raises(lib.WrongOrigin):
        lib.verify_registration(json.dumps(answer), challenge=challenge, rp_id=RP, origin=ORIGIN)


def test_registration_with_another_challenge_is_refused(key):
    options, _ = _options()
    _, other = _options()
    with pytest.raises(lib.InvalidResponse):
        lib.verify_registration(json.dumps(key.create(options)), challenge=other, rp_id=RP, origin=ORIGIN)


def test_registration_without_user_verification_is_refused():
    key = SoftAuthenticator(origin=ORIGIN, rp_id=RP, user_verified=False)
    with pytest.raises(lib.UserNotVerified):
        _registered(key)


@pytest.mark.parametrize("junk", ["", "{}", "[1]", "not json", json.dumps({"response": {"clientDataJSON": "!!"}}),
                                  "x" * 70000])
def test_junk_is_an_invalid_response(junk):
    _, challenge = _options()
    with pytest.raises(lib.InvalidResponse):
        lib.verify_registration(junk, challenge=challenge, rp_id=RP, origin=ORIGIN)
    with pytest.raises(lib.InvalidResponse):
        lib.read_assertion(junk)


def test_assertion_counts_up(key):
    registered = _registered(key)
    assert _assert(key, registered).sign_count == 1
    assert _assert(key, registered, stored=1).sign_count == 2


def test_counter_going_backwards_is_reported_only_with_a_good_signature(key):
    registered = _registered(key)
    with pytest.raises(lib.CounterWentBackwards) as error:
        _assert(key, registered, stored=7, sign_count=3)
    assert (error.value.stored, error.value.received) == (7, 3)
    with pytest.raises(lib.InvalidResponse) as error:
        _assert(key, registered, stored=7, sign_count=3, tamper=True)
    assert not isinstance(error.value, lib.CounterWentBackwards)


def test_a_counter_that_stays_at_zero_is_fine(key):
    registered = _registered(key)
    key.counts = False
    assert _assert(key, registered).sign_count == 0
    assert _assert(key, registered).sign_count == 0


def test_assertion_for_another_origin_is_refused(key):
    registered = _registered(key)
    with pytest.raises(lib.WrongOrigin):
        _assert(key, registered, origin="https://login.example.org.evil.net")
    with pytest.raises(lib.WrongOrigin):
        _assert(key, registered, rp_id="example.org")


def test_assertion_without_user_verification_is_refused(key):
    registered = _registered(key)
    key.user_verified = False
    with pytest.raises(lib.UserNotVerified):
        _assert(key, registered)


def test_unknown_and_hidden_aaguids_have_no_model_name():
    assert aaguids.model_name(aaguids.ZERO) == ""
    assert aaguids.model_name("01020304-0506-0708-0102-030405060708") == ""
    assert aaguids.model_name("08987058-CADC-4B81-B6E1-30DE50DCBE96") == "Windows Hello"
