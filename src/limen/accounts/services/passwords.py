"""Change and reset passwords."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import password_validation
from django.db import transaction
from django.urls import reverse

from limen.audit.events import Event
from limen.audit.service import record
from limen.signin.services import verify_current_password
from limen.core import clock
from limen.core.net import client_ip, origin
from limen.notify import deferred
from limen.signin import sessions
from limen.notify import notices

from .. import mail_caps, tokens
from ..errors import WrongPassword
from ..models import TokenPurpose, User


def store_password(user: User, password: str) -> None:
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.password_changed = clock.now()


def change_password(*, user: User, current: str, new: str, request) -> None:
    if not verify_current_password(user, current, request):
        raise WrongPassword()
    store_password(user, new)
    user.save()
    # Django's session hash check would end the other sessions at their next
    # request; removing them now also clears them from the session table.
    if request is not None:
        sessions.keep_after_password_change(request, user)
    else:
        sessions.end_all(user)
    record(Event.PASSWORD_CHANGED, user=user, request=request)
    notices.send(user, "password_changed", ip=client_ip(request) if request else "")


RESET_JOB = "accounts.password_reset"


def request_reset(*, email: str, request=None) -> None:
    """Ask for a reset link. The answer is the same, in content and in time, for every address:
    whether there is an account to send a link to is decided after the response (send_reset).
    Raises TooManyEmails past the caps of mail_caps."""
    where = origin(request)
    mail_caps.charge(email=email, ip=where["ip"])
    deferred.defer(RESET_JOB, email=email, **where)


@deferred.handler(RESET_JOB)
def send_reset(*, email: str, ip: str = "", user_agent: str = "") -> None:
    """Send a reset link if the address has an active account; nothing otherwise."""
    user = User.objects.find_by_email(email)
    if user is None or not user.is_active:
        return
    token = tokens.issue(user, TokenPurpose.RESET_PASSWORD, settings.RESET_PASSWORD_TTL)
    notices.send(
        user, "password_reset",
        link=notices.absolute(reverse("accounts:reset_password", args=[token])),
        minutes=settings.RESET_PASSWORD_TTL // 60,
        ip=ip,
    )
    record(Event.PASSWORD_RESET_REQUESTED, user=user, ip=ip, user_agent=user_agent)


def complete_reset(*, token: str, password: str, request=None) -> User:
    """Set a new password from a reset link; every session of the account ends.

    A lock from failed sign-ins stays: a reset alone does not unlock, so an
    attacker who controls the mailbox still waits out the lock.
    """
    with transaction.atomic():
        entry = tokens.consume(token, TokenPurpose.RESET_PASSWORD)
        user = entry.user
        store_password(user, password)
        user.email_verified = True  # the link proved control of the mailbox
        user.save()
    sessions.end_all(user)
    record(Event.PASSWORD_RESET, user=user, request=request)
    notices.send(user, "password_changed", ip=client_ip(request) if request else "")
    return user
