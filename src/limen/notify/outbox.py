"""E-mails and SMS through the delivery queue. ``enqueue`` stores; the first try comes after commit and
after the response (limen.core.after_response), so no request waits for the mail server."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.template import engines
from django.utils import translation

from limen.core import after_response, clock

from . import queue
from .models import Channel, OutboxMessage
from .transports import send_email, send_sms

MAX_ATTEMPTS = 12  # about a day and a half of back-off
backoff = queue.exponential(30, 6 * 3600)

queue.register(queue.Channel(Channel.EMAIL, send_email, max_attempts=MAX_ATTEMPTS, backoff=backoff,
                             keep_body=lambda: settings.DEV_OUTBOX))  # bodies carry single-use links
queue.register(queue.Channel(Channel.SMS, send_sms, max_attempts=MAX_ATTEMPTS, backoff=backoff,
                             keep_body=lambda: settings.DEV_OUTBOX))


def enqueue(*, channel: str, recipient: str, subject: str = "", body: str = "", kind: str = "",
            expires=None, payload: dict | None = None) -> OutboxMessage:
    now = clock.now()
    message = OutboxMessage.objects.create(
        channel=channel, recipient=recipient, subject=subject[:250], body=body, kind=kind or channel,
        created=now, next_attempt=now, expires=expires, payload=payload or {},
    )
    transaction.on_commit(lambda: after_response.call(lambda: queue.deliver([message.pk])))
    return message


def send_templated_email(*, to: str, template: str, language: str, context: dict, kind: str = "") -> OutboxMessage:
    """Render ``notify/email/<template>.txt`` (first line is the subject) in ``language``."""
    with translation.override(language or "en"):
        rendered = engines["text"].get_template(f"email/{template}.txt").render(context).strip()
    subject, _, body = rendered.partition("\n")
    return enqueue(channel=Channel.EMAIL, recipient=to, subject=subject.strip(), body=body.strip() + "\n",
                   kind=kind or template)


def deliver(pk: int) -> bool:
    """Try one message now (if it is due); True if it went out."""
    return queue.deliver([pk]) == 1


def deliver_due(limit: int = 100) -> int:
    """Retry every message whose next attempt is due (every channel); returns how many went out."""
    return queue.deliver_due(limit)
