"""What a person is told about their request, in their e-mail language, through the delivery queue.

The validation code goes by e-mail, or by SMS to a number on the account when
the person chose it; a number removed since falls back to e-mail. Bodies with
a code expire with the code (the queue drops them rather than send them late).
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from limen.notify import notices
from limen.notify.models import Channel
from limen.notify.outbox import enqueue
from limen.signin.methods import registry

from . import codes
from .models import AccessRequest, Delivery
from .policies import display_name


def _context(req: AccessRequest) -> dict:
    return {
        "application": display_name(req.policy), "access_request": req,
        "page_url": notices.absolute(reverse("access:request", args=[req.policy.slug])),
        "code_url": notices.absolute(reverse("access:code", args=[req.policy.slug])),
        "requests_url": notices.absolute(reverse("access:mine")),
    }


def sms_number(req: AccessRequest) -> str:
    """The number the code goes to, if the person chose SMS and the number is still on the account."""
    if req.delivery != Delivery.SMS or not req.number:
        return ""
    numbers = {contact.number for contact in registry.contact_numbers(req.user)}
    return req.number if req.number in numbers else ""


def send_code(req: AccessRequest, raw: str) -> str:
    """Send the code; returns the channel used (email or sms)."""
    context = {**_context(req), "code": codes.display(raw), "expires": req.code_expires,
               "site_name": settings.SITE_NAME}
    number = sms_number(req)
    if number:
        with translation.override(req.user.email_language or "en"):
            text = render_to_string("access/code_sms.txt", context).strip()
            subject = _("Validation code for %(application)s") % {"application": context["application"]}
        enqueue(channel=Channel.SMS, recipient=number, subject=subject, body=text, kind="access_code_sms",
                expires=req.code_expires)
        return Channel.SMS
    message = notices.send(req.user, "access_code", **context)
    message.expires = req.code_expires
    message.save(update_fields=["expires"])
    return Channel.EMAIL


def refused(req: AccessRequest) -> None:
    notices.send(req.user, "access_refused", **_context(req))


def revoked(req: AccessRequest) -> None:
    notices.send(req.user, "access_revoked", **_context(req))


def withdrawn(req: AccessRequest) -> None:
    notices.send(req.user, "access_withdrawn", **_context(req))
