"""Transports that carry an outbox message out of Limen.

E-mail goes through Django's mail backend, configured by LIMEN_EMAIL_URL.
SMS goes through the gateway LIMEN_SMS_URL chooses (limen.notify.sms).
Later channels (push) register here with the same signature.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage

from .models import Channel, OutboxMessage


def send_email(message: OutboxMessage) -> None:
    EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
    ).send(fail_silently=False)


def send_sms(message: OutboxMessage) -> None:
    from .sms import gateway

    gateway().send(message.recipient, message.body)


TRANSPORTS = {Channel.EMAIL: send_email, Channel.SMS: send_sms}


def transport_for(channel: str):
    return TRANSPORTS[channel]
