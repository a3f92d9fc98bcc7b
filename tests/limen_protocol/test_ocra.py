"""RFC 6287 Appendix C test vectors for the OCRA implementation shared by server and app."""

import hashlib

import pytest

from limen_protocol import ocra

SEED20 = bytes.fromhex("3132333435363738393031323334353637383930")
SEED32 = bytes.fromhex("3132333435363738393031323334353637383930313233343536373839303132")
SEED64 = bytes.fromhex(
    "31323334353637383930313233343536373839303132333435363738393031323334353637383930"
    "313233343536373839303132333435363738393031323334")
PIN_1234 = hashlib.sha1(b"1234").digest()
T = 0x132D0B6


def test_pin_hash_of_the_rfc():
    assert PIN_1234.hex() == "7110eda4d09e062aa5e4a390b0a572ac0d2c0220"


@pytest.mark.parametrize("question,expected", list(zip(
    [str(d) * 8 for d in range(10)],
    ["237653", "243178", "653583", "740991", "608993", "388898", "816933", "224598", "750600", "294470"])))
def test_one_way_sha1_6_qn08(question, expected):
    assert ocra.compute("OCRA-1:HOTP-SHA1-6:QN08", SEED20, question=question) == expected


@pytest.mark.parametrize("counter,expected", list(enumerate(
    ["65347737", "86775851", "78192410", "71565254", "10104329",
     "65983500", "70069104", "91771096", "75011558", "08522129"])))
def test_one_way_sha256_8_counter_pin(counter, expected):
    assert ocra.compute("OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1", SEED32, counter=counter, question="12345678",
                        pin_hash=PIN_1234) == expected


@pytest.mark.parametrize("question,expected", list(zip(
    [str(d) * 8 for d in range(5)], ["83238735", "01501458", "17957585", "86776967", "86807031"])))
def test_one_way_sha256_8_qn08_psha1_is_limens_suite(question, expected):
    from limen_protocol import OCRA_SUITE

    assert OCRA_SUITE == "OCRA-1:HOTP-SHA256-8:QN08-PSHA1"
    assert ocra.compute(OCRA_SUITE, SEED32, question=question, pin_hash=PIN_1234) == expected


@pytest.mark.parametrize("counter,expected", list(enumerate(
    ["07016083", "63947962", "70123924", "25341727", "33203315",
     "34205738", "44343969", "51946085", "20403879", "31409299"])))
def test_one_way_sha512_counter(counter, expected):
    assert ocra.compute("OCRA-1:HOTP-SHA512-8:C-QN08", SEED64, counter=counter,
                        question=str(counter) * 8) == expected


@pytest.mark.parametrize("question,expected", list(zip(
    [str(d) * 8 for d in range(5)], ["95209754", "55907591", "22048402", "24218844", "36209546"])))
def test_one_way_sha512_time(question, expected):
    assert ocra.compute("OCRA-1:HOTP-SHA512-8:QN08-T1M", SEED64, question=question, timestamp=T) == expected


@pytest.mark.parametrize("question,expected", [
    ("CLI22220SRV11110", "28247970"), ("CLI22221SRV11111", "01984843"), ("CLI22222SRV11112", "65387857"),
    ("CLI22223SRV11113", "03351211"), ("CLI22224SRV11114", "83412541"), ("SRV11110CLI22220", "15510767"),
    ("SRV11111CLI22221", "90175646"), ("SRV11112CLI22222", "33777207"), ("SRV11113CLI22223", "95285278"),
    ("SRV11114CLI22224", "28934924"),
])
def test_mutual_sha256_qa08(question, expected):
    assert ocra.compute("OCRA-1:HOTP-SHA256-8:QA08", SEED32, question=question) == expected


@pytest.mark.parametrize("question,expected", [
    ("SRV11110CLI22220", "18806276"), ("SRV11111CLI22221", "70020315"), ("SRV11112CLI22222", "01600026"),
    ("SRV11113CLI22223", "18951020"), ("SRV11114CLI22224", "32528969"),
])
def test_mutual_sha512_pin(question, expected):
    assert ocra.compute("OCRA-1:HOTP-SHA512-8:QA08-PSHA1", SEED64, question=question, pin_hash=PIN_1234) == expected


@pytest.mark.parametrize("question,expected", [
    ("SIG10000", "53095496"), ("SIG11000", "04110475"), ("SIG12000", "31331128"),
    ("SIG13000", "76028668"), ("SIG14000", "46554205"),
])
def test_plain_signature_sha256(question, expected):
    assert ocra.compute("OCRA-1:HOTP-SHA256-8:QA08", SEED32, question=question) == expected


@pytest.mark.parametrize("question,expected", [
    ("SIG1000000", "77537423"), ("SIG1100000", "31970405"), ("SIG1200000", "10235557"),
    ("SIG1300000", "95213541"), ("SIG1400000", "65360607"),
])
def test_signature_sha512_time(question, expected):
    assert ocra.compute("OCRA-1:HOTP-SHA512-8:QA10-T1M", SEED64, question=question, timestamp=T) == expected


def test_verify_is_exact():
    assert ocra.verify("OCRA-1:HOTP-SHA1-6:QN08", SEED20, "237653", question="00000000")
    assert not ocra.verify("OCRA-1:HOTP-SHA1-6:QN08", SEED20, "237654", question="00000000")
    assert not ocra.verify("OCRA-1:HOTP-SHA1-6:QN08", SEED20, "", question="00000000")


def test_time_steps():
    suite = ocra.parse_suite("OCRA-1:HOTP-SHA512-8:QN08-T1M")
    assert ocra.time_steps(T * 60 + 59, suite) == T


@pytest.mark.parametrize("text", [
    "", "this is not a suite", "OCRA-2:HOTP-SHA1-6:QN08", "OCRA-1:HOTP-SHA1-6", "OCRA-1::QA08",
    "OCRA-1:HOTP-SHA1-1:QA08", "OCRA-1:HOTP-SHA1-11:QA08", "OCRA-1:HOTP-SHA-6:QN08", "OCRA-1:HOTP-MD5-6:QN08",
    "OCRA-1:HOTP-SHA1-6:QX08", "OCRA-1:HOTP-SHA1-6:QN03", "OCRA-1:HOTP-SHA1-6:QN65", "OCRA-1:HOTP-SHA1-6:QN08-T",
    "OCRA-1:HOTP-SHA1-6:QN08-T60M", "OCRA-1:HOTP-SHA1-6:QN08-T49H", "OCRA-1:HOTP-SHA1-6:C-",
    "OCRA-1:HOTP-SHA1-6:QN08-PSHA2",
])
def test_malformed_suites_are_refused(text):
    with pytest.raises(ocra.OcraError):
        ocra.parse_suite(text)


def test_inputs_must_fit_the_suite():
    suite = "OCRA-1:HOTP-SHA256-8:QN08-PSHA1"
    with pytest.raises(ocra.OcraError):
        ocra.compute(suite, SEED32, question="12345678")  # no PIN
    with pytest.raises(ocra.OcraError):
        ocra.compute(suite, SEED32, question="12345678", pin_hash=b"short")
    with pytest.raises(ocra.OcraError):
        ocra.compute(suite, SEED32, question="1234567a", pin_hash=PIN_1234)
    with pytest.raises(ocra.OcraError):
        ocra.compute(suite, SEED32, question="12345678", pin_hash=PIN_1234, counter=1)
    with pytest.raises(ocra.OcraError):
        ocra.compute(suite, SEED32, question="123", pin_hash=PIN_1234)
    with pytest.raises(ocra.OcraError):
        ocra.compute("OCRA-1:HOTP-SHA1-6:QH08", SEED20, question="xyz0")


def test_session_information_and_no_truncation():
    suite = "OCRA-1:HOTP-SHA1-0:QH10-S064"
    full = ocra.compute(suite, SEED20, question="6e6ec0469f5ec369a092", session=b"\xa5" * 64)
    assert len(full) == 40 and int(full, 16) >= 0
    assert full != ocra.compute(suite, SEED20, question="6e6ec0469f5ec369a092", session=b"\xa4" * 64)
