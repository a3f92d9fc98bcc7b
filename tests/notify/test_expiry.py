"""Messages that are useless late are dropped, with their secret, instead of sent."""

import datetime as dt

from limen.core import clock
from limen.notify.models import Channel, OutboxMessage, Status
from limen.notify.outbox import deliver, deliver_due, enqueue


def test_an_expired_message_is_dropped_not_sent(db, settings, mailoutbox):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens: the first try fails
    message = enqueue(channel=Channel.EMAIL, recipient="a@example.org", subject="code", body="CODE 123",
                      expires=clock.now() + dt.timedelta(minutes=5))
    assert deliver(message.pk) is False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    clock.advance(minutes=10)
    assert deliver_due() == 0
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert "CODE 123" not in message.body
    assert mailoutbox == []


def test_a_message_within_its_lifetime_is_sent(db, settings, mailoutbox):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    message = enqueue(channel=Channel.EMAIL, recipient="a@example.org", subject="code", body="CODE 456",
                      expires=clock.now() + dt.timedelta(minutes=5))
    assert deliver(message.pk) is True
    assert OutboxMessage.objects.get(pk=message.pk).status == Status.SENT
    assert len(mailoutbox) == 1
