"""The one module that imports ``phonenumbers`` (Google's libphonenumber rules)."""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

MAX_INPUT = 40
SEPARATORS = re.compile(r"[\s\-./()]")
SMS_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE, PhoneNumberType.PERSONAL_NUMBER}


class NumberProblem(Exception):
    """Why a typed number cannot be used; ``reason`` is one of the codes below."""

    NO_COUNTRY_CODE = "no_country_code"
    MALFORMED = "malformed"
    UNKNOWN_COUNTRY = "unknown_country"
    INVALID = "invalid"
    NOT_MOBILE = "not_mobile"

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def parse_international(typed: str) -> str:
    """A typed number in international form -> E.164 (+46701234567); raises NumberProblem."""
    raw = SEPARATORS.sub("", (typed or "").strip())
    if not raw or len(typed) > MAX_INPUT:
        raise NumberProblem(NumberProblem.MALFORMED)
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    if not raw.startswith("+"):
        raise NumberProblem(NumberProblem.NO_COUNTRY_CODE if raw.isdigit() else NumberProblem.MALFORMED)
    if not raw[1:].isdigit() or not raw[1:].isascii():
        raise NumberProblem(NumberProblem.MALFORMED)
    try:
        number = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException as error:
        if error.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            raise NumberProblem(NumberProblem.UNKNOWN_COUNTRY) from None
        raise NumberProblem(NumberProblem.MALFORMED) from None
    if not phonenumbers.region_code_for_number(number) or phonenumbers.region_code_for_number(number) == "ZZ":
        raise NumberProblem(NumberProblem.UNKNOWN_COUNTRY)
    if not phonenumbers.is_valid_number(number):
        raise NumberProblem(NumberProblem.INVALID)
    if phonenumbers.number_type(number) not in SMS_TYPES:
        raise NumberProblem(NumberProblem.NOT_MOBILE)
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def pretty(e164: str) -> str:
    """+46 70 123 45 67"""
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164, None), PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return e164


def masked(e164: str) -> str:
    """+46 70 ••• •• 67: enough to recognise one's own number, not to learn someone else's."""
    shown = pretty(e164)
    country, _, rest = shown.partition(" ")
    digits = [i for i, ch in enumerate(rest) if ch.isdigit()]
    keep = set(digits[:2] + digits[-2:])
    return country + " " + "".join(ch if (i in keep or not ch.isdigit()) else "•" for i, ch in enumerate(rest))
