"""Queue and deliver messages. ``enqueue`` stores; the first try comes after commit and after
the response (limen.core.after_response), so no request waits for the mail server."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.template import engines
from django.utils import translation

from limen.core import after_response, clock

from .models import Channel, OutboxMessage, Status
from .transports import transport_for

log = logging.getLogger("limen.notify")

MAX_ATTEMPTS = 12  # about a day and a half of back-off


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 6 * 3600))


def enqueue(*, channel: str, recipient: str, subject: str, body: str, kind: str = "",
            expires=None) -> OutboxMessage:
    now = clock.now()
    message = OutboxMessage.objects.create(
        channel=channel, recipient=recipient, subject=subject[:250], body=body, kind=kind,
        created=now, next_attempt=now, expires=expires,
    )
    transaction.on_commit(lambda: after_response.call(lambda: deliver(message.pk)))
    return message


def send_templated_email(*, to: str, template: str, language: str, context: dict, kind: str = "") -> OutboxMessage:
    """Render ``notify/email/<template>.txt`` (first line is the subject) in ``language``."""
    with translation.override(language or "en"):
        rendered = engines["text"].get_template(f"email/{template}.txt").render(context).strip()
    subject, _, body = rendered.partition("\n")
    return enqueue(channel=Channel.EMAIL, recipient=to, subject=subject.strip(), body=body.strip() + "\n",
                   kind=kind or template)


def deliver(pk: int) -> bool:
    """Try to send one message; on failure schedule the next attempt."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=pk, status=Status.PENDING).first()
        if message is None:
            return False
        if message.expires is not None and message.expires <= clock.now():
            # Too late to be of use (e.g. an SMS code past its lifetime): drop it, and
            # its secret with it.
            message.status = Status.FAILED
            message.last_error = "expired before it could be sent"
            message.body = "(expired; body removed)"
            message.save(update_fields=["status", "last_error", "body"])
            return False
        message.attempts += 1
        try:
            transport_for(message.channel)(message)
        except Exception as exc:  # any transport failure: keep the message, try later
            message.last_error = f"{type(exc).__name__}: {exc}"[:500]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = Status.FAILED
            message.next_attempt = clock.now() + backoff(message.attempts)
            log.warning("delivery of message %s failed (attempt %s): %s", pk, message.attempts, message.last_error)
            message.save(update_fields=["attempts", "last_error", "status", "next_attempt"])
            return False
        message.status = Status.SENT
        message.sent = clock.now()
        message.last_error = ""
        if not settings.DEV_OUTBOX:
            # Bodies carry single-use links; once sent, they need not stay at rest.
            message.body = "(sent; body removed)"
        message.save(update_fields=["attempts", "status", "sent", "last_error", "body"])
        return True


def deliver_due(limit: int = 100) -> int:
    """Retry every message whose next attempt is due; returns how many went out."""
    due = OutboxMessage.objects.filter(status=Status.PENDING, next_attempt__lte=clock.now()).order_by("next_attempt")
    return sum(1 for pk in due.values_list("pk", flat=True)[:limit] if deliver(pk))
