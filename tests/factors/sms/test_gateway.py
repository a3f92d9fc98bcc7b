"""SMS gateways: the development console, and a generic HTTP gateway tested against a real local server."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from limen.core import clock
from limen.core.config import ConfigurationError, check_sms_template, sms_method, sms_url
from limen.notify import outbox
from limen.notify.models import OutboxMessage, Status
from limen.notify.sms import HttpGateway, SmsGatewayError


class Gateway:
    """A local HTTP server that records requests and answers with ``status``."""

    def __init__(self):
        self.requests: list[dict] = []
        self.status = 200
        box = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                box.requests.append({"method": self.command, "path": self.path, "body": body,
                                     "headers": dict(self.headers)})
                self.send_response(box.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": true}')

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    server = Gateway()
    yield server
    server.close()


def test_get_with_url_template_and_basic_auth_in_the_url(gateway):
    url = gateway.url.replace("http://", "http://acme:s%3Dcret@") + "/send?to={to}&digits={to_digits}&text={text}"
    HttpGateway(url=url, method="GET").send("+46701234567", "ABC-DEF-GHJ is your code & more")
    request = gateway.requests[-1]
    query = parse_qs(urlsplit(request["path"]).query)
    assert query == {"to": ["+46701234567"], "digits": ["46701234567"], "text": ["ABC-DEF-GHJ is your code & more"]}
    assert request["headers"]["Authorization"] == "Basic YWNtZTpzPWNyZXQ="  # acme:s=cret


def test_post_form_body_with_bearer_token(gateway):
    HttpGateway(url=gateway.url + "/sms", method="POST", body="to={to}&text={text}&from={sender}",
                token="tok-123", sender="Limen").send("+33612345678", "Code: A+B C")
    request = gateway.requests[-1]
    assert request["method"] == "POST" and request["path"] == "/sms"
    assert parse_qs(request["body"]) == {"to": ["+33612345678"], "text": ["Code: A+B C"], "from": ["Limen"]}
    assert request["headers"]["Authorization"] == "Bearer tok-123"
    assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"


def test_post_json_body_escapes_the_values(gateway):
    HttpGateway(url=gateway.url + "/json", method="POST", content_type="application/json",
                body='{"to": "{to}", "text": "{text}"}', username="u", password="p").send(
        "+46701234567", 'He said "hi"\nbye')
    request = gateway.requests[-1]
    assert json.loads(request["body"]) == {"to": "+46701234567", "text": 'He said "hi"\nbye'}


def test_an_error_answer_raises_without_echoing_the_url(gateway):
    gateway.status = 503
    with pytest.raises(SmsGatewayError) as error:
        HttpGateway(url=gateway.url + "/send?key=SECRET&to={to}&text={text}", method="GET").send("+46701234567", "x")
    assert "503" in str(error.value) and "SECRET" not in str(error.value)


def test_redirects_are_not_followed(gateway):
    gateway.status = 302
    with pytest.raises(SmsGatewayError):
        HttpGateway(url=gateway.url + "/send?to={to}&text={text}", method="GET").send("+46701234567", "x")


def test_unreachable_gateway_raises(gateway):
    url = gateway.url + "/send?to={to}&text={text}"
    gateway.close()
    with pytest.raises(SmsGatewayError) as error:
        HttpGateway(url=url, method="GET", timeout=2).send("+46701234567", "x")
    assert "could not be reached" in str(error.value)


def test_a_failed_send_is_retried_through_the_outbox(gateway, settings, user, django_capture_on_commit_callbacks):
    settings.SMS_URL = gateway.url + "/send?to={to}&text={text}"
    settings.SMS_METHOD = "GET"
    gateway.status = 500
    from limen.factors.sms import services

    with django_capture_on_commit_callbacks(execute=True):
        services.start_enrolment(user, "+46701234567")
    message = OutboxMessage.objects.get(channel="sms")
    assert message.status == Status.PENDING and message.attempts == 1 and "500" in message.last_error
    assert outbox.deliver_due() == 0  # not due yet: back-off
    gateway.status = 200
    clock.advance(minutes=1)
    assert outbox.deliver_due() == 1
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == 2 and message.last_error == ""
    assert len(gateway.requests) == 2
    sent = parse_qs(urlsplit(gateway.requests[-1]["path"]).query)
    assert sent["to"] == ["+46701234567"] and "code" in sent["text"][0]


def test_console_gateway_keeps_the_message_readable_on_the_dev_outbox(settings, client, user, caplog,
                                                                     django_capture_on_commit_callbacks):
    settings.SMS_URL = "console:"
    from limen.factors.sms import services

    with caplog.at_level("INFO", logger="limen.notify"), django_capture_on_commit_callbacks(execute=True):
        services.start_enrolment(user, "+46701234567")
    message = OutboxMessage.objects.get(channel="sms")
    assert message.status == Status.SENT
    assert "+46701234567" in caplog.text
    page = client.get(f"/dev/outbox/{message.pk}/").content.decode()
    assert "+46701234567" in page and "code" in page


def test_configuration_is_checked_at_start():
    assert sms_url("") == "console:"
    assert sms_url("https://sms.example.org/send?to={to}&text={text}").startswith("https://")
    assert sms_url("http://127.0.0.1:9000/send").startswith("http://")
    with pytest.raises(ConfigurationError, match="https"):
        sms_url("http://sms.example.org/send")
    with pytest.raises(ConfigurationError):
        sms_url("ftp://sms.example.org/")
    with pytest.raises(ConfigurationError, match="LIMEN_SMS_METHOD"):
        sms_method("PUT")
    assert sms_method("get") == "GET"
    with pytest.raises(ConfigurationError, match="{text}"):
        check_sms_template("https://x.example.org/?to={to}", "")
    with pytest.raises(ConfigurationError, match="{to}"):
        check_sms_template("https://x.example.org/", "text={text}")
    check_sms_template("https://x.example.org/", "to={to_digits}&text={text}")
