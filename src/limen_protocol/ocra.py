"""RFC 6287 OCRA (OATH Challenge-Response Algorithm), one-way challenge-response.

    OCRA = CryptoFunction(K, DataInput)
    DataInput = suite || 0x00 || C || Q || P || S || T

Standard library only (hmac, hashlib), so that the server and any app compute
the same thing from one definition. Checked against the test vectors of
RFC 6287 Appendix C in tests/limen_protocol/test_ocra.py.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

_HASHES = {"SHA1": hashlib.sha1, "SHA256": hashlib.sha256, "SHA512": hashlib.sha512}
_CRYPTO = re.compile(r"^HOTP-(SHA1|SHA256|SHA512)-(\d{1,2})$")
_DATA = re.compile(r"^(C-)?Q([ANH])(\d{2})(?:-PSHA(1|256|512))?(?:-S(\d{3}))?(?:-T(\d{1,2})([SMH]))?$")
_TIME_STEP = {"S": 1, "M": 60, "H": 3600}


class OcraError(ValueError):
    pass


@dataclass(frozen=True)
class Suite:
    text: str
    hash_name: str
    digits: int
    counter: bool
    question_format: str  # "A", "N" or "H"
    question_length: int
    pin_hash: str | None  # "SHA1", "SHA256", "SHA512" or None
    session_length: int | None
    time_step: int | None  # seconds

    @property
    def pin_hash_length(self) -> int:
        return _HASHES[self.pin_hash]().digest_size if self.pin_hash else 0


def parse_suite(text: str) -> Suite:
    parts = text.split(":") if isinstance(text, str) else []
    if len(parts) != 3 or parts[0] != "OCRA-1":
        raise OcraError("not an OCRA-1 suite")
    crypto = _CRYPTO.match(parts[1])
    data = _DATA.match(parts[2])
    if not crypto or not data:
        raise OcraError("malformed OCRA suite")
    digits = int(crypto.group(2))
    if digits != 0 and not 4 <= digits <= 10:
        raise OcraError("truncation must be 0 or 4 to 10 digits")
    qlen = int(data.group(3))
    if not 4 <= qlen <= 64:
        raise OcraError("challenge length must be 04 to 64")
    time_step = None
    if data.group(6):
        n, unit = int(data.group(6)), data.group(7)
        limits = {"S": 59, "M": 59, "H": 48}
        if not 1 <= n <= limits[unit]:
            raise OcraError("time step out of range")
        time_step = n * _TIME_STEP[unit]
    return Suite(
        text=text, hash_name=crypto.group(1), digits=digits, counter=bool(data.group(1)),
        question_format=data.group(2), question_length=qlen,
        pin_hash=f"SHA{data.group(4)}" if data.group(4) else None,
        session_length=int(data.group(5)) if data.group(5) else None, time_step=time_step,
    )


def _question_bytes(suite: Suite, question: str) -> bytes:
    if not isinstance(question, str) or not 4 <= len(question) <= 64:
        raise OcraError("the challenge must have 4 to 64 characters")
    fmt = suite.question_format
    if fmt == "N":
        if not question.isascii() or not question.isdigit():
            raise OcraError("the challenge must be digits")
        hex_q = format(int(question), "X")
    elif fmt == "A":
        if not question.isascii() or not question.isprintable():
            raise OcraError("the challenge must be printable ASCII")
        hex_q = question.encode("ascii").hex()
    else:
        if not re.fullmatch(r"[0-9A-Fa-f]+", question):
            raise OcraError("the challenge must be hexadecimal")
        hex_q = question
    # RFC 6287 reference code: the hex string is padded with zeros on the right to 128 bytes.
    hex_q = hex_q.ljust(256, "0")
    return bytes.fromhex(hex_q)


def data_input(suite: Suite, *, question: str, counter: int | None = None, pin_hash: bytes | None = None,
               session: bytes | None = None, timestamp: int | None = None) -> bytes:
    parts = [suite.text.encode("ascii"), b"\x00"]
    if suite.counter:
        if counter is None or not 0 <= counter < 2 ** 64:
            raise OcraError("the suite requires a counter")
        parts.append(counter.to_bytes(8, "big"))
    elif counter is not None:
        raise OcraError("the suite has no counter")
    parts.append(_question_bytes(suite, question))
    if suite.pin_hash:
        if pin_hash is None or len(pin_hash) != suite.pin_hash_length:
            raise OcraError("the suite requires a PIN hash of the right length")
        parts.append(pin_hash)
    elif pin_hash is not None:
        raise OcraError("the suite has no PIN")
    if suite.session_length:
        if session is None or len(session) > suite.session_length:
            raise OcraError("the suite requires session information")
        parts.append(session.rjust(suite.session_length, b"\x00"))
    elif session is not None:
        raise OcraError("the suite has no session information")
    if suite.time_step:
        if timestamp is None or timestamp < 0:
            raise OcraError("the suite requires a timestamp")
        parts.append(timestamp.to_bytes(8, "big"))
    elif timestamp is not None:
        raise OcraError("the suite has no timestamp")
    return b"".join(parts)


def time_steps(unix_seconds: int, suite: Suite) -> int:
    """T for a suite with a time step: whole steps since the epoch."""
    if not suite.time_step:
        raise OcraError("the suite has no timestamp")
    return int(unix_seconds) // suite.time_step


def compute(suite: Suite | str, key: bytes, *, question: str, counter: int | None = None,
            pin_hash: bytes | None = None, session: bytes | None = None, timestamp: int | None = None) -> str:
    """The OCRA response: ``digits`` decimal digits, or the full HMAC in hex when the suite says 0."""
    if isinstance(suite, str):
        suite = parse_suite(suite)
    message = data_input(suite, question=question, counter=counter, pin_hash=pin_hash, session=session,
                         timestamp=timestamp)
    mac = hmac.new(key, message, _HASHES[suite.hash_name]).digest()
    if suite.digits == 0:
        return mac.hex()
    offset = mac[-1] & 0x0F
    value = int.from_bytes(mac[offset:offset + 4], "big") & 0x7FFFFFFF
    return str(value % 10 ** suite.digits).zfill(suite.digits)


def verify(suite: Suite | str, key: bytes, response: str, **inputs) -> bool:
    """Constant-time comparison of a typed response with the expected one."""
    expected = compute(suite, key, **inputs)
    return hmac.compare_digest(expected.encode(), (response or "").encode())
