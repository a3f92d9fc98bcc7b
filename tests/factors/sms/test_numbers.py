"""Phone numbers in international form, and the SMS code format."""

import pytest

from limen.factors.sms import codes, services
from limen.factors.sms.errors import (NumberInvalid, NumberMalformed, NumberNotMobile, NumberUnknownCountry,
                                      NumberWithoutCountryCode)
from limen.factors.sms.internal.phonenumbers_lib import masked, pretty


@pytest.mark.parametrize("typed", ["+46701234567", "+46 70-123 45 67", "0046701234567", " +46 (0)70 123 45 67 ",
                                   "+460701234567"])
def test_international_forms_are_accepted(typed):
    assert services.parse_number(typed) == "+46701234567"


def test_a_number_without_country_code_gets_the_expected_form():
    with pytest.raises(NumberWithoutCountryCode) as error:
        services.parse_number("0701234567")
    assert "+46701234567" in str(error.value.message) and "country code" in str(error.value.message)


@pytest.mark.parametrize("typed,error", [
    ("+46abc1234", NumberMalformed), ("phone", NumberMalformed), ("+", NumberMalformed),
    ("+4670", NumberInvalid), ("+999123456789", NumberUnknownCountry),
    ("+3222345678", NumberNotMobile),  # a Brussels landline
    ("+46701234567" + "1" * 40, NumberMalformed),
    ("+４６701234567", NumberMalformed),  # full-width digits
])
def test_bad_numbers_get_their_own_message(typed, error):
    with pytest.raises(error):
        services.parse_number(typed)


def test_display_and_mask():
    assert pretty("+46701234567") == "+46 70 123 45 67"
    assert masked("+46701234567") == "+46 70 ••• •• 67"
    assert masked("+33612345678").startswith("+33 6 1") and masked("+33612345678").endswith("78")


def test_sms_codes_are_nine_unambiguous_characters_in_groups():
    raw = codes.new_code()
    assert len(raw) == 9 and not set(raw) & set("01IO")
    shown = codes.display(raw)
    assert len(shown) == 11 and shown[3] == shown[7] == "-"
    assert codes.normalise(shown.lower()) == raw
    assert codes.normalise(shown.replace("-", " ")) == raw
    assert codes.normalise("ABC-DEF-GH") is None
    assert codes.normalise("ABC-DEF-GH0") is None
