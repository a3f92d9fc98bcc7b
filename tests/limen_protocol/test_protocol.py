import pytest

from limen_protocol import b64, payloads, pin, signing


def test_b64_round_trip_and_strictness():
    for data in [b"", b"\x00", b"\xff" * 31, bytes(range(65))]:
        assert b64.decode(b64.encode(data)) == data
    for bad in ["a", "ab=c", "ab+/", "abc=", "AB", " AAAA"]:
        with pytest.raises(b64.DecodeError):
            b64.decode(bad)
    with pytest.raises(b64.DecodeError):
        b64.decode(b64.encode(b"\x01" * 31), length=32)


def test_canonical_request_covers_every_part():
    base = dict(method="post", path="/mobile/api/v1/x?a=1", device_id="dev", timestamp=1700000000,
                nonce="n" * 20, body=b'{"a":1}')
    text = signing.canonical_request(**base).decode()
    assert text.split("\n")[:6] == ["limen-device-request-v1", "POST", "/mobile/api/v1/x?a=1", "dev", "1700000000",
                                    "n" * 20]
    for field, value in [("method", "GET"), ("path", "/mobile/api/v1/y"), ("device_id", "other"),
                         ("timestamp", 1700000001), ("nonce", "m" * 20), ("body", b'{"a":2}')]:
        assert signing.canonical_request(**{**base, field: value}) != signing.canonical_request(**base)
    assert signing.canonical_request(**{**base, "device_id": None}).decode().split("\n")[3] == "-"


def test_nonce_shape():
    assert signing.valid_nonce(signing.new_nonce())
    assert not signing.valid_nonce("short")
    assert not signing.valid_nonce("x" * 65)
    assert not signing.valid_nonce("has spaces in it ok?")


def test_pin_proofs_bind_pin_and_context():
    secret = b"k" * 32
    v = pin.verifier(secret, "2580")
    ctx = pin.answer_context("c1", "approve", "42")
    good = pin.proof_from_pin(secret, "2580", ctx)
    assert pin.check_proof(v, ctx, good)
    assert not pin.check_proof(v, ctx, pin.proof_from_pin(secret, "2581", ctx))
    assert not pin.check_proof(v, pin.answer_context("c2", "approve", "42"), good)
    assert not pin.check_proof(v, pin.answer_context("c1", "approve", "43"), good)
    assert not pin.check_proof(pin.verifier(b"j" * 32, "2580"), ctx, good)
    assert pin.valid_pin("0007") and not pin.valid_pin("123") and not pin.valid_pin("12a4") and not pin.valid_pin("٣٣٣٣")


def test_enrolment_payload_round_trip():
    uri = payloads.enrolment_uri("https://login.example.org", "t" * 43)
    parsed = payloads.parse_enrolment(uri)
    assert parsed.server == "https://login.example.org" and parsed.token == "t" * 43


@pytest.mark.parametrize("text", [
    "", "https://example.org/", "limen://otp?v=1&server=https%3A%2F%2Fa.b&account=0123456789abcdef&challenge=12345678",
    "limen://enrol?v=2&server=https%3A%2F%2Fa.b&token=" + "t" * 43,
    "limen://enrol?v=1&server=ftp%3A%2F%2Fa.b&token=" + "t" * 43,
    "limen://enrol?v=1&server=https%3A%2F%2Fa.b&token=short",
    "limen://enrol?v=1&server=https%3A%2F%2Fa.b&token=" + "t" * 43 + "&token=" + "u" * 43,
    "limen://enrol?v=1&server=https%3A%2F%2Fa.b&token=" + "t" * 200,
    "limen://enrol?" + "x" * 2000,
])
def test_bad_enrolment_payloads(text):
    with pytest.raises(payloads.PayloadError):
        payloads.parse_enrolment(text)


def test_otp_payload_round_trip_and_errors():
    hint = payloads.account_hint("6b1c3c0e-0000-4000-8000-000000000000")
    uri = payloads.otp_uri("http://127.0.0.1:8000", hint, "01234567")
    parsed = payloads.parse_otp(uri)
    assert (parsed.server, parsed.account, parsed.challenge) == ("http://127.0.0.1:8000", hint, "01234567")
    with pytest.raises(payloads.PayloadError):
        payloads.parse_otp(uri.replace("01234567", "0123456"))
    with pytest.raises(payloads.PayloadError):
        payloads.parse_enrolment(uri)
