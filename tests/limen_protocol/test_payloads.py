"""The enrolment QR code's app link (limen_protocol.payloads)."""


def test_the_enrolment_qr_code_is_a_link_to_the_web_app():
    from limen_protocol import payloads as p

    payload = p.enrolment_uri("https://login.example.eu", "t" * 43)
    link = p.app_link("https://login.example.eu/", payload)
    assert link.startswith("https://login.example.eu/app/#enrol=limen%3A%2F%2Fenrol%3Fv%3D1")
    assert p.parse_enrolment(link) == p.parse_enrolment(payload)
    assert p.from_app_link("limen://otp?v=1") == "limen://otp?v=1"
