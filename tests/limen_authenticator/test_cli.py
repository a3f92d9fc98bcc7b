"""limen-authenticator, end to end against a live Limen server (no browser: the Django client plays it)."""

import io
import json
import os
import re
import socket
import stat
import threading
import time

import pytest
from django.test import Client

from limen.factors.mobile_app.models import DeviceStatus, MobileDevice
from limen.signin.sessions import SESSION_KEY
from limen_protocol import payloads

from tests.conftest import DEFAULT_PASSWORD
from tests.factors.mobile_app.conftest import sign_in
from tests.signin.helpers import method_state

from .conftest import qr_png

PIN = "4706"


def enrolment_payload(user, server, start_enrolment, name="Laptop", pin=PIN):
    _record, token = start_enrolment(user, pin=pin, name=name)
    return payloads.enrolment_uri(server, token)


@pytest.fixture
def enrolled(server, state_file, make_user, start_enrolment, run, tmp_path):
    user = make_user()
    image = qr_png(enrolment_payload(user, server, start_enrolment), tmp_path / "enrol.png")
    code, out, err = run("enrol", "--qr", image, "--pin", PIN)
    assert code == 0, err
    user.account_id = json.loads(run("accounts", "--json")[1])[0]["account"]
    return user


def browser_waiting(server, user, method="mobile_app_pin"):
    browser = Client()
    sign_in(browser, user, method)
    assert browser.get("/login/mobile/" if method == "mobile_app_pin" else "/login/mobile/qr/").status_code == 200
    return browser


def test_enrol_from_a_qr_image(enrolled, state_file, outbox):
    device = MobileDevice.objects.get(user=enrolled)
    assert device.status == DeviceStatus.ACTIVE and device.name == "Laptop"
    assert device.app_label.startswith("limen-authenticator")
    assert "Laptop" in outbox.last(enrolled.email).body
    data = json.loads(state_file.read_text())
    assert data["accounts"][0]["email"] == enrolled.email
    assert "PRIVATE KEY" in data["accounts"][0]["private_key"]
    assert PIN not in state_file.read_text()
    # The private key never left: the server has only the public key.
    assert "PRIVATE" not in device.public_key


def test_the_state_file_is_private(enrolled, state_file, run):
    assert stat.S_IMODE(state_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(state_file.parent.stat().st_mode) == 0o700
    os.chmod(state_file, 0o644)
    code, _out, err = run("accounts")
    assert code == 1 and "chmod 600" in err


def test_enrol_from_a_pasted_payload_with_the_pin_on_stdin(server, state_file, make_user, start_enrolment, run):
    user = make_user()
    code, out, err = run("enrol", "--payload", enrolment_payload(user, server, start_enrolment), "--pin-stdin",
                         "--json", stdin=PIN + "\n")
    assert code == 0, err
    assert json.loads(out)["email"] == user.email
    assert MobileDevice.objects.get(user=user).status == DeviceStatus.ACTIVE


def test_enrol_from_the_text_pasted_when_asked(server, state_file, make_user, start_enrolment, run):
    """No --qr, no --payload: the app reads the text shown below the QR code (pasted), then the PIN."""
    user = make_user()
    pasted = enrolment_payload(user, server, start_enrolment)
    code, out, err = run("enrol", "--pin-stdin", "--json", stdin=f"  {pasted}  \n{PIN}\n")
    assert code == 0, err
    assert json.loads(out)["email"] == user.email
    assert MobileDevice.objects.get(user=user).status == DeviceStatus.ACTIVE


def test_enrol_from_pasted_text_that_was_wrapped(server, state_file, make_user, start_enrolment, run):
    user = make_user()
    payload = enrolment_payload(user, server, start_enrolment)
    wrapped = payload[:40] + "\n  " + payload[40:80] + " " + payload[80:]  # copied from a narrow screen
    code, _out, err = run("enrol", "--payload", wrapped, "--pin", PIN)
    assert code == 0, err


def test_enrol_with_nothing_pasted(state_file, run):
    code, _out, err = run("enrol", "--pin", PIN, stdin="\n")
    assert code == 1 and "no QR code text was given" in err


def test_enrol_with_another_pin_than_the_browsers(server, state_file, make_user, start_enrolment, run):
    user = make_user()
    code, _out, err = run("enrol", "--payload", enrolment_payload(user, server, start_enrolment), "--pin", "9137")
    assert code == 1 and "not the PIN code chosen in the browser" in err and "pin_mismatch" in err
    assert not state_file.exists() or json.loads(state_file.read_text())["accounts"] == []
    assert not MobileDevice.objects.filter(user=user, status=DeviceStatus.ACTIVE).exists()


def test_enrol_bad_inputs(server, state_file, make_user, start_enrolment, run, tmp_path):
    code, _out, err = run("enrol", "--payload", "https://example.org/", "--pin", PIN)
    assert code == 1 and "not a Limen QR code" in err
    blank = tmp_path / "blank.png"
    from PIL import Image

    Image.new("RGB", (100, 100), "white").save(blank)
    code, _out, err = run("enrol", "--qr", str(blank), "--pin", PIN)
    assert code == 1 and "no QR code found" in err
    code, _out, err = run("enrol", "--qr", str(tmp_path / "missing.png"), "--pin", PIN)
    assert code == 1 and "no such file" in err
    user = make_user()
    payload = enrolment_payload(user, server, start_enrolment)
    assert run("enrol", "--payload", payload, "--pin", PIN)[0] == 0
    code, _out, err = run("enrol", "--payload", payload, "--pin", PIN)
    assert code == 1 and "enrolment_used" in err
    code, _out, err = run("enrol", "--payload", payloads.enrolment_uri("http://example.org", "t" * 43), "--pin", PIN)
    assert code == 1 and "HTTPS" in err
    code, _out, err = run("enrol", "--payload", payload, "--pin", "12")
    assert code == 1


def test_pending_approve_and_the_browser_goes_on(enrolled, server, run):
    browser = browser_waiting(server, enrolled)
    code, out, _err = run("pending", "--json")
    requests = json.loads(out)
    assert code == 0 and len(requests) == 1
    request = requests[0]
    assert request["number"] in browser.get("/login/mobile/").content.decode()
    assert request["browser"] and request["application"] == "Limen" and request["account"] == enrolled.email
    code, out, _err = run("pending")
    assert f"number to match: {request['number']}" in out
    code, out, err = run("approve", request["id"][:6], "--pin", PIN, "--yes")
    assert code == 0 and "Approved" in out, err
    assert browser.get("/login/mobile/status/?known=pending").json()["state"] == "approved"
    assert browser.post("/login/mobile/", {"action": "continue"}).status_code == 302
    assert browser.session[SESSION_KEY]["strengths"] == ["PASSWORD_MOBILE_APP"]
    assert run("pending", "--json")[1].strip() == "[]"


def test_approve_needs_the_number_to_be_confirmed(enrolled, server, run):
    browser_waiting(server, enrolled)
    code, _out, err = run("approve", "--pin", PIN)
    assert code == 1 and "--yes" in err


def test_wrong_pin_in_the_app(enrolled, server, run):
    browser_waiting(server, enrolled)
    code, _out, err = run("approve", "--pin", "9137", "--yes")
    assert code == 1 and "4 attempt(s) left" in err and "wrong_pin" in err


def test_deny(enrolled, server, run):
    browser = browser_waiting(server, enrolled)
    code, out, _err = run("deny")
    assert code == 0 and "Denied" in out
    assert browser.get("/login/mobile/").status_code == 403


class Terminal(io.StringIO):
    """Standard input typed by a person at a terminal."""

    def isatty(self):
        return True


def browser_waiting_from(server, user, user_agent: str):
    browser = Client(HTTP_USER_AGENT=user_agent)
    sign_in(browser, user, "mobile_app_pin")
    assert browser.get("/login/mobile/").status_code == 200
    return browser


def shown_number(browser) -> str:
    return re.search(r'class="match-number"[^>]*>\s*(\d+)', browser.get("/login/mobile/").content.decode()).group(1)


FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"


def test_a_request_left_by_a_closed_tab_does_not_block_approve(enrolled, server, run):
    closed_tab = browser_waiting_from(server, enrolled, FIREFOX)
    time.sleep(0.01)
    again = browser_waiting_from(server, enrolled, FIREFOX)  # the same browser, signing in again
    assert len(json.loads(run("pending", "--json")[1])) == 2
    code, out, err = run("approve", "--pin", PIN, "--yes")
    assert code == 0, err
    assert "Approved" in out and f"number to match: {shown_number(again)}" in out
    assert "1 older request(s) from the same browser" in err
    assert again.get("/login/mobile/status/?known=pending").json()["state"] == "approved"
    assert closed_tab.get("/login/mobile/status/?known=pending").json()["state"] == "pending"


def test_deny_takes_the_newest_request_of_the_browser_too(enrolled, server, run):
    browser_waiting_from(server, enrolled, CHROME)
    time.sleep(0.01)
    again = browser_waiting_from(server, enrolled, CHROME)
    code, out, err = run("deny")
    assert code == 0 and "Denied" in out, err
    assert again.get("/login/mobile/").status_code == 403


def test_requests_from_two_browsers_are_listed_and_the_person_chooses(enrolled, server, run):
    mine = browser_waiting_from(server, enrolled, FIREFOX)
    time.sleep(0.01)
    someone_else = browser_waiting_from(server, enrolled, CHROME)
    # Not at a terminal: nothing is answered; both are listed, newest first, with what tells them apart.
    code, _out, err = run("approve", "--pin", PIN, "--yes")
    assert code == 1 and "from 2 different browsers" in err
    assert err.index("1. [") < err.index("browser: Chrome · Linux") < err.index("2. [") \
        < err.index("browser: Firefox · Windows")
    assert mine.get("/login/mobile/status/?known=pending").json()["state"] == "pending"
    # At a terminal: the person picks the one whose number their browser shows.
    code, out, err = run("approve", "--pin", PIN, stdin=Terminal("x\n2\ny\n"))
    assert code == 0, err
    assert "Type one of the numbers shown." in err
    assert f"Does the browser show the number {shown_number(mine)}?" in out
    assert mine.get("/login/mobile/status/?known=pending").json()["state"] == "approved"
    assert someone_else.get("/login/mobile/status/?known=pending").json()["state"] == "pending"


def test_nothing_pending(enrolled, run):
    code, _out, err = run("approve", "--pin", PIN, "--yes")
    assert code == 1 and "no pending sign-in request" in err


def test_listen_receives_requests_as_they_come(enrolled, server, run, capsys):
    result = {}

    def listen():
        from limen_authenticator import cli

        started = time.monotonic()
        result["code"] = cli.main(["listen", "--once", "--json", "--no-interactive", "--duration", "15"])
        result["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=listen)
    thread.start()
    time.sleep(1.0)
    browser = browser_waiting(server, enrolled)
    sent = time.monotonic()
    thread.join(10)
    assert result["code"] == 0 and result["seconds"] >= 1.0
    assert time.monotonic() - sent < 3
    out = capsys.readouterr().out
    request = json.loads(out.strip().splitlines()[-1])
    assert request["number"] in browser.get("/login/mobile/").content.decode()


def test_several_accounts_on_several_servers(server, state_file, make_user, start_enrolment, run, settings):
    first, second = make_user(), make_user()
    assert run("enrol", "--payload", enrolment_payload(first, server, start_enrolment), "--pin", PIN)[0] == 0
    other_server = server.replace("localhost", "127.0.0.1")
    settings.BASE_URL = other_server
    assert run("enrol", "--payload", enrolment_payload(second, other_server, start_enrolment, pin="3691"), "--pin", "3691")[0] == 0
    accounts = json.loads(run("accounts", "--json")[1])
    assert {a["email"] for a in accounts} == {first.email, second.email}
    assert {a["server"] for a in accounts} == {server, other_server}
    browser_waiting(server, second)
    requests = json.loads(run("pending", "--json")[1])
    assert [r["account_id"] for r in requests] == [a["account"] for a in accounts if a["email"] == second.email]
    code, out, err = run("approve", "--account", second.email, "--pin", "3691", "--yes")
    assert code == 0, err


def test_offline_one_time_password(enrolled, server, run, tmp_path, monkeypatch):
    browser = browser_waiting(server, enrolled, "mobile_app_qr")
    from limen.factors.mobile_app.models import OtpChallenge
    from limen.factors.mobile_app.services import otp

    challenge = OtpChallenge.objects.get(public_id=method_state(browser, "mobile_app_qr")["otp"])
    image = qr_png(otp.qr_payload(challenge), tmp_path / "otp.png")

    def no_network(*args, **kwargs):
        raise AssertionError("the one-time password must be computed without the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    code, out, err = run("otp", "--qr", image, "--pin", PIN)
    monkeypatch.undo()
    assert code == 0, err
    otp_code = out.strip()
    assert len(otp_code) == 8 and otp_code.isdigit()
    response = browser.post("/login/mobile/qr/", {"code": otp_code})
    assert response.status_code == 302 and browser.session[SESSION_KEY]["strengths"] == ["PASSWORD_SOFTWARE_TOKEN"]


def test_otp_for_an_unknown_account(enrolled, run):
    payload = payloads.otp_uri("http://localhost:1", "0123456789abcdef", "12345678")
    code, _out, err = run("otp", "--payload", payload, "--pin", PIN)
    assert code == 1 and "does not hold" in err


def test_unlink(enrolled, run, outbox):
    code, out, _err = run("unlink", "--yes")
    assert code == 0 and "Unlinked" in out
    assert not MobileDevice.objects.filter(user=enrolled).exists()
    assert json.loads(run("accounts", "--json")[1]) == []
    assert "removed" in outbox.last(enrolled.email).subject


def test_accounts_check_shows_a_locked_device(enrolled, server, run):
    browser_waiting(server, enrolled)
    for _ in range(5):
        run("approve", "--pin", "9137", "--yes")
    code, out, _err = run("accounts", "--check")
    assert "[locked]" in out


def test_biometric_unlock_keeps_the_pin_in_the_keyring(enrolled, server, run, file_keyring, state_file):
    code, out, err = run("biometric", "enable", "--pin", PIN)
    assert code == 0, err
    assert PIN not in state_file.read_text() and PIN in file_keyring.read_text()
    assert run("biometric", "status")[1].strip() == "on"
    browser = browser_waiting(server, enrolled)
    code, out, err = run("approve", "--yes")  # no PIN typed: the keyring unlocks
    assert code == 0, err
    assert browser.post("/login/mobile/", {"action": "continue"}).status_code == 302
    assert run("biometric", "disable")[0] == 0
    assert PIN not in file_keyring.read_text()


def test_a_wrong_pin_in_the_keyring_is_forgotten(enrolled, server, run, file_keyring):
    run("biometric", "enable", "--pin", "9137")
    browser_waiting(server, enrolled)
    code, _out, err = run("approve", "--yes")
    assert code == 1 and "keyring unlock is now off" in err
    assert run("biometric", "status")[1].strip() == "off"
    assert "9137" not in file_keyring.read_text()


def test_password_is_not_enough_when_the_account_requires_a_second_factor(enrolled, server):
    type(enrolled).objects.filter(pk=enrolled.pk).update(require_second_factor=True)
    browser = Client()
    browser.post("/login/", {"email": enrolled.email})
    response = browser.post("/login/password/", {"password": DEFAULT_PASSWORD, "method": "password"})
    assert response.status_code == 400
