"""Notices to a person about their account (locked, changed, a method added...), each in their e-mail language."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from limen.core import clock
from .outbox import send_templated_email


def absolute(path: str) -> str:
    return settings.BASE_URL + path


def send(user, template: str, *, to: str | None = None, **context):
    base = {
        "user": user,
        "site_name": settings.SITE_NAME,
        "base_url": settings.BASE_URL,
        "my_account_url": absolute(reverse("accounts:my_account")),
        "lost_password_url": absolute(reverse("accounts:lost_password")),
        "signin_url": absolute(reverse("signin:identify")),
        "activity_url": absolute(reverse("accounts:activity")),
        "now": clock.now(),
    }
    base.update(context)
    return send_templated_email(to=to or user.email, template=template, language=user.email_language,
                                context=base, kind=template)
