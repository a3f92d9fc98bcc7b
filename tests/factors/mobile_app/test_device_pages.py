"""My Account → Manage my mobile devices: add (with the QR code), list, rename, remove."""

import re

import pytest

from limen.audit.models import AuditEvent
from limen.core import clock
from limen.factors.mobile_app.models import DeviceStatus, Enrolment, EnrolmentStatus, MobileDevice
from limen_protocol import payloads

from .conftest import PIN, confirm, scan, sign_in


def _token(client) -> str:
    from limen.core import crypto

    stored = client.session["limen.mobile.enrol"]
    return crypto.decrypt(stored["token"], purpose="factors_mobile_app.enrolment-token").decode()


def test_pages_need_a_signed_in_person(client):
    for url in ["/account/mobile/", "/account/mobile/add/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_my_account_has_the_tile(signed_in_client):
    page = signed_in_client.get("/account/").content.decode()
    assert "Manage my mobile devices" in page and page.count('href="/account/mobile/"') == 1


def test_add_a_device_from_form_to_confirmation(signed_in_client, api, outbox):
    page = signed_in_client.get("/account/mobile/add/")
    assert page.status_code == 200 and "Your 4-digit PIN code" in page.content.decode()
    response = signed_in_client.post("/account/mobile/add/", {"name": "My Android phone", "pin": PIN,
                                                              "pin_confirm": PIN})
    assert response.status_code == 302
    enrol_url = response["Location"]
    page = signed_in_client.get(enrol_url).content.decode()
    assert re.search(r'<img class="qr" id="enrol-qr" src="data:image/svg\+xml;base64,', page)
    status_url = enrol_url + "status/"
    assert signed_in_client.get(status_url).json()["state"] == "waiting"

    token = _token(signed_in_client)
    assert payloads.parse_enrolment(
        payloads.enrolment_uri("http://127.0.0.1:8000", token)).token == token
    key, scanned = scan(api, token)
    assert signed_in_client.get(status_url + "?known=waiting").json()["state"] == "scanned"
    confirm(api, key, scanned.json(), PIN)
    assert signed_in_client.get(status_url + "?known=scanned").json()["state"] == "done"
    done = signed_in_client.get(enrol_url)
    assert done.status_code == 302 and done["Location"] == "/account/mobile/"
    listing = signed_in_client.get("/account/mobile/").content.decode()
    assert "My Android phone" in listing and "has been added" in listing
    assert "My Android phone" in outbox.last(signed_in_client.user.email).body


@pytest.mark.parametrize("pin,reason", [
    ("1234", "follow each other"), ("4321", "follow each other"), ("1111", "same"), ("0000", "same"),
    ("1212", "repeats"), ("2580", "most often"), ("4706", None), ("6969", "repeats"), ("1004", "most often"), ("12a4", "exactly 4 digits"),
    ("123", "exactly 4 digits"), ("٣٣٣٣", "exactly 4 digits"),
])
def test_trivial_pins_are_refused_with_a_reason(signed_in_client, pin, reason):
    response = signed_in_client.post("/account/mobile/add/", {"name": "Phone", "pin": pin, "pin_confirm": pin})
    if reason is None:
        assert response.status_code == 302
    else:
        assert response.status_code == 400 and reason in response.content.decode()
        assert not Enrolment.objects.exists()


@pytest.mark.parametrize("data,message", [
    ({"name": "Phone", "pin": "3691", "pin_confirm": "3692"}, "not the same"),
    ({"name": "", "pin": "3691", "pin_confirm": "3691"}, "Give your device a name"),
    ({"name": "   ", "pin": "3691", "pin_confirm": "3691"}, "Give your device a name"),
    ({"name": "x" * 51, "pin": "3691", "pin_confirm": "3691"}, "at most 50"),
    ({"name": "Phone\u0000", "pin": "3691", "pin_confirm": "3691"}, "not allowed"),
    ({"name": "Phone", "pin": "", "pin_confirm": ""}, "Choose a PIN code"),
    ({"name": "Phone", "pin": "36912", "pin_confirm": "36912"}, "exactly 4 digits"),
])
def test_bad_form_input(signed_in_client, data, message):
    response = signed_in_client.post("/account/mobile/add/", data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Enrolment.objects.exists()


def test_enrolment_status_of_another_account_is_not_found(signed_in_client, make_user, start_enrolment):
    record, _token = start_enrolment(make_user())
    assert signed_in_client.get(f"/account/mobile/add/{record.public_id}/").status_code == 404
    assert signed_in_client.get(f"/account/mobile/add/{record.public_id}/status/").status_code == 404
    assert signed_in_client.post(f"/account/mobile/add/{record.public_id}/cancel/").status_code == 404
    record.refresh_from_db()
    assert record.status == EnrolmentStatus.WAITING


def test_expired_enrolment_page(signed_in_client):
    response = signed_in_client.post("/account/mobile/add/", {"name": "Phone", "pin": PIN, "pin_confirm": PIN})
    clock.advance(seconds=301)
    page = signed_in_client.get(response["Location"])
    assert page.status_code == 410 and "expired" in page.content.decode()
    assert signed_in_client.get(response["Location"] + "status/").json()["state"] == "expired"


def test_cancel_enrolment(signed_in_client, api):
    response = signed_in_client.post("/account/mobile/add/", {"name": "Phone", "pin": PIN, "pin_confirm": PIN})
    token = _token(signed_in_client)
    signed_in_client.post(response["Location"] + "cancel/")
    _key, scanned = scan(api, token)
    assert scanned.json()["error"]["code"] == "enrolment_used"


def test_adding_a_second_device_first_requires_a_second_factor(signed_in_client, make_phone):
    make_phone(signed_in_client.user)
    response = signed_in_client.get("/account/mobile/add/")
    assert response.status_code == 302 and response["Location"].startswith("/login/step-up/")
    response = signed_in_client.post("/account/mobile/add/", {"name": "Tablet", "pin": PIN, "pin_confirm": PIN})
    assert response.status_code == 302 and response["Location"].startswith("/login/step-up/")
    assert not Enrolment.objects.filter(device_name="Tablet").exists()


def test_after_the_second_factor_a_second_device_can_be_added(client, make_phone, user):
    phone = make_phone(user)
    sign_in(client, user, "mobile_app_pin")
    client.get("/login/mobile/")
    phone.answer(phone.pending()[0])
    client.post("/login/mobile/", {"action": "continue"})
    assert client.get("/account/mobile/add/").status_code == 200
    assert client.post("/account/mobile/add/", {"name": "Tablet", "pin": "3691",
                                                 "pin_confirm": "3691"}).status_code == 302


def test_list_shows_name_added_and_last_used(signed_in_client, make_phone):
    phone = make_phone(signed_in_client.user, name="Pixel")
    page = signed_in_client.get("/account/mobile/").content.decode()
    assert "Pixel" in page and "Never" in page
    assert f"/account/mobile/{phone.device_id}/rename/" in page
    assert f"/account/mobile/{phone.device_id}/remove/" in page


def test_rename(signed_in_client, make_phone):
    phone = make_phone(signed_in_client.user, name="Pixel")
    url = f"/account/mobile/{phone.device_id}/rename/"
    assert signed_in_client.post(url, {"name": ""}).status_code == 400
    assert signed_in_client.post(url, {"name": "x" * 60}).status_code == 400
    assert phone.model.name == "Pixel"
    assert signed_in_client.post(url, {"name": "Old Pixel"}).status_code == 302
    assert phone.model.name == "Old Pixel"
    assert AuditEvent.objects.filter(event="factor.renamed", data__method="mobile_app", data__old_name="Pixel").exists()


def test_devices_of_others_are_not_found(signed_in_client, make_user, make_phone):
    other = make_phone(make_user())
    assert signed_in_client.get(f"/account/mobile/{other.device_id}/rename/").status_code == 404
    assert signed_in_client.post(f"/account/mobile/{other.device_id}/remove/").status_code == 404
    assert MobileDevice.objects.filter(public_id=other.device_id).exists()


def test_removing_needs_the_second_factor_and_mails_the_owner(client, make_phone, user, outbox):
    phone = make_phone(user, name="Pixel")
    sign_in(client, user, "password")
    url = f"/account/mobile/{phone.device_id}/remove/"
    response = client.post(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/step-up/")
    assert MobileDevice.objects.filter(public_id=phone.device_id).exists()
    # Prove the mobile app, then remove.
    client.post("/login/step-up/", {"method": "mobile_app_pin", "next": url})
    client.get("/login/mobile/")
    phone.answer(phone.pending()[0])
    assert client.post("/login/mobile/", {"action": "continue"})["Location"] == url
    assert "Remove “Pixel”?" in client.get(url).content.decode()
    assert client.post(url)["Location"] == "/account/mobile/"
    assert not MobileDevice.objects.filter(public_id=phone.device_id).exists()
    assert "removed" in outbox.last(user.email).subject
    assert AuditEvent.objects.filter(user=user, event="factor.removed", data__method="mobile_app").exists()


def test_remove_all_for_panic(make_phone, user):
    from limen.signin.methods import registry

    make_phone(user), make_phone(user, name="Tablet")
    factor = registry.get("mobile_app_pin")
    assert factor.enrolled_count(user) == 2
    assert factor.remove_all(user) == 2
    assert not registry.has_second_factor(user)


def test_factors_are_registered_with_their_strengths():
    from limen.signin.methods import registry

    pin, qr = registry.get("mobile_app_pin"), registry.get("mobile_app_qr")
    assert (pin.strength, qr.strength) == ("PASSWORD_MOBILE_APP", "PASSWORD_SOFTWARE_TOKEN")
    assert str(pin.label) == "Mobile app PIN code" and str(qr.label) == "Mobile app QR code"
    assert pin.manage_url() == qr.manage_url() == "/account/mobile/"


def test_pending_devices_do_not_count(api, user, start_enrolment):
    from limen.signin.methods import registry

    _record, token = start_enrolment(user)
    scan(api, token)
    assert MobileDevice.objects.filter(status=DeviceStatus.PENDING).count() == 1
    assert not registry.has_second_factor(user)


def test_panic_removes_every_device_with_one_e_mail(make_phone, user, outbox):
    from limen.factors.panic import services as panic

    make_phone(user), make_phone(user, name="Tablet")
    before = len(outbox.all())
    removed = panic.panic(user)
    assert removed == {"mobile_app_pin": 2}
    assert not MobileDevice.objects.filter(user=user).exists()
    assert [m.kind for m in outbox.all()[before:]] == ["panic_done"]


def test_starting_enrolments_is_rate_limited(signed_in_client):
    for _ in range(20):
        signed_in_client.post("/account/mobile/add/", {"name": "Phone", "pin": PIN, "pin_confirm": PIN})
    response = signed_in_client.post("/account/mobile/add/", {"name": "Phone", "pin": PIN, "pin_confirm": PIN})
    assert response.status_code == 429 and "Too many attempts" in response.content.decode()


def test_an_enrolment_whose_qr_code_key_was_removed_says_to_start_again(signed_in_client, encryption_keys):
    from tests.support.keys import new_key

    response = signed_in_client.post("/account/mobile/add/", {"name": "Phone", "pin": "4706", "pin_confirm": "4706"})
    encryption_keys(f"2026-11:{new_key()}")  # the key of before removed while the QR code was on screen
    page = signed_in_client.get(response["Location"])
    assert page.status_code == 200
    assert "Start again to see a new one" in page.content.decode() and 'id="enrol-qr"' not in page.content.decode()
