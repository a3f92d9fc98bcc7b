"""Create an account and verify its e-mail address.

A stranger must not learn from the screen, nor from how long it takes to come,
whether an address is registered: every outcome shows the same page after the
same work, the rest is done after the response (limen.notify.deferred), and
the owner of an existing account gets an e-mail instead of a second account.
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from limen.audit.events import Event
from limen.audit.service import record
from limen.core.net import origin
from limen.notify import deferred, notices

from .. import mail_caps, tokens
from ..models import TokenPurpose, User
from .passwords import store_password


def _send_verification(user: User) -> None:
    token = tokens.issue(user, TokenPurpose.VERIFY_EMAIL, settings.VERIFY_EMAIL_TTL)
    notices.send(
        user, "verify_email",
        link=notices.absolute(reverse("accounts:verify", args=[token])),
        hours=settings.VERIFY_EMAIL_TTL // 3600,
    )


REGISTER_JOB = "accounts.register"
RESEND_JOB = "accounts.resend_verification"


def register(*, first_name: str, last_name: str, email: str, email_language: str, request=None) -> None:
    """Ask for an account. Whether the address is new or taken is decided after the response
    (create_or_tell), so neither the page nor its timing tells a stranger. Raises
    TooManyEmails past the caps of mail_caps."""
    where = origin(request)
    mail_caps.charge(email=email, ip=where["ip"])
    deferred.defer(REGISTER_JOB, first_name=first_name, last_name=last_name, email=email,
                   email_language=email_language, **where)


@deferred.handler(REGISTER_JOB)
def create_or_tell(*, first_name: str, last_name: str, email: str, email_language: str,
                   ip: str = "", user_agent: str = "") -> None:
    """Create the account and send its link; for a taken address, tell its owner instead."""
    where = {"ip": ip, "user_agent": user_agent}
    existing = User.objects.find_by_email(email)
    if existing is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email, first_name=first_name, last_name=last_name, email_language=email_language,
                )
        except IntegrityError:  # registered by a concurrent request a moment ago
            existing = User.objects.find_by_email(email)
        else:
            record(Event.REGISTERED, user=user, **where)
            _send_verification(user)
            return
    if existing is None:
        return
    if not existing.email_verified and not existing.has_usable_password():
        # Started registering earlier and never finished: a fresh link helps.
        _send_verification(existing)
    else:
        notices.send(existing, "already_registered")
    record(Event.REGISTRATION_DUPLICATE, user=existing, **where)


def resend_verification(*, email: str, request=None) -> None:
    """Ask for a new verification link; decided after the response, like ``register``."""
    where = origin(request)
    mail_caps.charge(email=email, ip=where["ip"])
    deferred.defer(RESEND_JOB, email=email, **where)


@deferred.handler(RESEND_JOB)
def send_verification_again(*, email: str, ip: str = "", user_agent: str = "") -> None:
    user = User.objects.find_by_email(email)
    if user is not None and user.is_active and not user.email_verified:
        _send_verification(user)


def verify_and_set_password(*, token: str, password: str, request=None) -> User:
    """Use the verification link: mark the address verified and set the first password."""
    with transaction.atomic():
        entry = tokens.consume(token, TokenPurpose.VERIFY_EMAIL)
        user = entry.user
        user.email_verified = True
        store_password(user, password)
        user.save()
    record(Event.EMAIL_VERIFIED, user=user, request=request)
    record(Event.PASSWORD_SET, user=user, request=request)
    return user
