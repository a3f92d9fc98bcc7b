"""How e-mail and SMS leave Limen (the queue's channels for them are registered in outbox.py).

E-mail goes through Django's mail backend, configured by LIMEN_EMAIL_URL.
SMS goes through the gateway LIMEN_SMS_URL chooses (limen.notify.sms).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage

from .models import OutboxMessage
from .sms import gateway


def send_email(message: OutboxMessage) -> None:
    EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
    ).send(fail_silently=False)


def send_sms(message: OutboxMessage) -> None:
    gateway().send(message.recipient, message.body)
