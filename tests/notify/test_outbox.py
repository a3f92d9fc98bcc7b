"""The durable outbox: stored first, sent after commit, retried with back-off."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command

from limen.core import clock
from limen.notify import outbox as box
from limen.notify.models import OutboxMessage, Status
from tests.support.ports import free_port
from tests.support.pow import fresh

pytestmark = pytest.mark.django_db

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


def closed_port() -> int:
    return free_port()  # nobody listens there, and no other test is given it while this one runs


@pytest.fixture
def smtp_down(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2
    return settings


@pytest.fixture
def smtp_up(settings):
    settings.EMAIL_BACKEND = LOCMEM
    mail.outbox = []
    return settings


def test_message_is_stored_before_it_is_sent(client, user, smtp_up, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post("/password/lost/", {**fresh(), "email": user.email})
    message = OutboxMessage.objects.get()
    assert message.status == Status.PENDING and message.attempts == 0
    assert message.recipient == user.email
    assert message.kind == "password_reset"
    assert message.subject == "Choose a new Limen password"
    assert "/password/reset/" in message.body
    assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == 1 and message.sent is not None
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [user.email]
    assert sent.subject == message.subject
    assert sent.body == message.body
    assert sent.from_email == "Limen <no-reply@localhost>"


def test_sent_after_commit_in_a_real_flow(client, user, smtp_up, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/password/lost/", {**fresh(), "email": user.email})
    assert OutboxMessage.objects.get().status == Status.SENT
    assert len(mail.outbox) == 1


def test_smtp_down_keeps_the_message_and_sends_it_later(client, user, smtp_down,
                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/password/lost/", {**fresh(), "email": user.email})
    # The person sees the usual page: nothing they did is lost.
    assert response.status_code == 200
    message = OutboxMessage.objects.get()
    assert message.status == Status.PENDING
    assert message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error or "Errno" in message.last_error
    assert message.next_attempt > clock.now()
    # Not due yet: nothing is tried.
    assert box.deliver_due() == 0
    assert OutboxMessage.objects.get().attempts == 1
    # Still down when due: tried again, back-off grows.
    clock.advance(seconds=31)
    assert box.deliver_due() == 0
    message.refresh_from_db()
    assert message.attempts == 2
    assert dt.timedelta(seconds=55) < message.next_attempt - clock.now() <= dt.timedelta(seconds=60)
    # The server is back.
    smtp_down.EMAIL_BACKEND = LOCMEM
    mail.outbox = []
    clock.advance(seconds=61)
    assert box.deliver_due() == 1
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.attempts == 3
    assert message.last_error == ""
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert "/password/reset/" in mail.outbox[0].body
    # Sent once only.
    clock.advance(hours=1)
    assert box.deliver_due() == 0
    assert len(mail.outbox) == 1


def test_backoff_grows_and_is_capped():
    delays = [box.backoff(n).total_seconds() for n in range(1, 15)]
    assert delays[:5] == [30, 60, 120, 240, 480]
    assert all(b >= a for a, b in zip(delays, delays[1:]))
    assert max(delays) == 6 * 3600
    assert box.backoff(0).total_seconds() == 30


def test_gives_up_after_max_attempts(smtp_down):
    message = box.enqueue(channel="email", recipient="x@example.org", subject="S", body="B", kind="test")
    for n in range(1, box.MAX_ATTEMPTS + 4):
        box.deliver_due()
        message.refresh_from_db()
        assert message.attempts == min(n, box.MAX_ATTEMPTS)
        assert message.status == (Status.FAILED if n >= box.MAX_ATTEMPTS else Status.PENDING)
        clock.advance(hours=7)
    assert message.status == Status.FAILED
    assert message.attempts == box.MAX_ATTEMPTS
    assert message.last_error
    smtp_down.EMAIL_BACKEND = LOCMEM
    clock.advance(days=1)
    assert box.deliver_due() == 0
    assert box.deliver(message.pk) is False


def test_deliver_due_takes_the_oldest_first_and_respects_the_limit(smtp_up):
    first = box.enqueue(channel="email", recipient="a@example.org", subject="1", body="b")
    clock.advance(seconds=1)
    box.enqueue(channel="email", recipient="b@example.org", subject="2", body="b")
    box.enqueue(channel="email", recipient="c@example.org", subject="3", body="b")
    assert box.deliver_due(limit=2) == 2
    assert OutboxMessage.objects.get(pk=first.pk).status == Status.SENT
    assert [m.subject for m in mail.outbox] == ["1", "2"]
    assert box.deliver_due() == 1


def test_body_removed_after_sending_in_production(smtp_up, settings):
    settings.DEV_OUTBOX = False
    message = box.enqueue(channel="email", recipient="a@example.org", subject="S", body="secret link")
    box.deliver(message.pk)
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert "secret link" not in message.body
    assert mail.outbox[0].body == "secret link"


def test_body_kept_with_the_development_outbox(smtp_up, settings):
    settings.DEV_OUTBOX = True
    message = box.enqueue(channel="email", recipient="a@example.org", subject="S", body="dev link")
    box.deliver(message.pk)
    assert OutboxMessage.objects.get(pk=message.pk).body == "dev link"


def test_templated_email_subject_and_body(user):
    message = box.send_templated_email(
        to=user.email, template="verify_email", language="en",
        context={"user": user, "site_name": "Limen", "link": "https://x.example/verify/abc/", "hours": 24},
    )
    assert message.subject == "Choose your Limen password"
    assert message.body.startswith("Hello Ada,")
    assert "https://x.example/verify/abc/" in message.body
    assert "24 hours" in message.body
    assert message.kind == "verify_email"
    assert message.body.endswith("\n")


def test_long_subject_is_cut():
    message = box.enqueue(channel="email", recipient="a@example.org", subject="S" * 400, body="b")
    assert len(OutboxMessage.objects.get(pk=message.pk).subject) == 250


def test_deliver_command(smtp_up):
    from io import StringIO

    box.enqueue(channel="email", recipient="a@example.org", subject="S", body="b")
    out = StringIO()
    call_command("deliver", stdout=out)
    assert "sent 1 message(s)" in out.getvalue()
    assert len(mail.outbox) == 1


def test_development_outbox_pages(client, settings, user):
    settings.DEV_OUTBOX = True
    client.post("/password/lost/", {**fresh(), "email": user.email})
    message = OutboxMessage.objects.get()
    page = client.get("/dev/outbox/")
    assert page.status_code == 200
    assert message.subject in page.content.decode()
    detail = client.get(f"/dev/outbox/{message.pk}/")
    assert detail.status_code == 200
    assert "/password/reset/" in detail.content.decode()
    settings.DEV_OUTBOX = False
    assert client.get("/dev/outbox/").status_code == 404
    assert client.get(f"/dev/outbox/{message.pk}/").status_code == 404
